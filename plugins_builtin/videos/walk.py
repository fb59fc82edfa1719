"""Walking a library root: every video file with its size and mtime, plus sidecar names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from plugin_sdk.library import entry_stat, walk_folders
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
    for folder in walk_folders(root, result.errors, recursive=recursive, max_depth=max_depth):
        extras: set[str] = set()
        files: list[FileEntry] = []
        for entry in folder.files:
            name = entry.name
            if is_video_file(name):
                if (st := entry_stat(entry, result.errors)) is not None:
                    files.append(FileEntry(entry.path, st.st_size, st.st_mtime))
            elif name.endswith(SIDECAR_SUFFIXES) or is_subtitle_file(name):
                extras.add(name)
        if extras:
            result.sidecars[folder.path] = extras
        if files:
            result.files.extend(files)
            yield files
