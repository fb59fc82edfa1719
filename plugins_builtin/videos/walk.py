"""Walking a library root: every video file with its size and mtime, plus sidecar names."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from plugins_builtin.videos.scanning.filetypes import is_subtitle_file, is_video_file


class FileEntry(NamedTuple):
    path: str
    size: int
    mtime: float


@dataclass
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    # folder -> file names there that matter to sidecar lookups (.nfo/.json/subtitles)
    sidecars: dict[str, set[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


SIDECAR_SUFFIXES = (".nfo", ".json")


def iter_walk(root: str, result: WalkResult, recursive: bool = True, max_depth: int = 8) -> Iterator[list[FileEntry]]:
    """Walk ``root`` one folder at a time with ``os.scandir``, yielding each folder's video files
    as soon as it is read (its sidecar names already in ``result.sidecars``), so a scan can write
    rows while it is still walking. ``result`` collects every file and error as well.

    Hidden entries are skipped at every level; an unreadable folder is reported in
    ``result.errors`` and skipped, and the walk goes on.
    """
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            result.errors.append(f"{folder}: {exc.strerror or exc}")
            continue
        extras: set[str] = set()
        files: list[FileEntry] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive and depth < max_depth:
                        stack.append((entry.path, depth + 1))
                    continue
                if is_video_file(name):
                    st = entry.stat(follow_symlinks=True)
                    files.append(FileEntry(entry.path, st.st_size, st.st_mtime))
                elif name.endswith(SIDECAR_SUFFIXES) or is_subtitle_file(name):
                    extras.add(name)
            except OSError as exc:
                result.errors.append(f"{entry.path}: {exc.strerror or exc}")
        if extras:
            result.sidecars[folder] = extras
        if files:
            result.files.extend(files)
            yield files
