"""Unpacking a downloaded package zip safely, and swapping a package folder into place.

:func:`extract` checks every member before anything is written. Refused: a member whose name is
absolute (``/etc/x``, ``C:\\x``) or climbs out (``../x``), a symlink or any other non-regular
file (from the zip's Unix mode bits), more than ``MAX_MEMBERS`` members or ``MAX_TOTAL_BYTES``
unpacked (zip bombs). Files are written ``0644``, folders ``0755``.

An install unpacks into :func:`staging_dir` (a hidden folder beside the installed packages), checks
what it got, then :func:`swap_into_place` renames it over the old folder, which is removed only
then: a failed install or update leaves the installed package as it was. :func:`sweep_stale`
removes what an interrupted install left behind.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import stat
import time
import zipfile
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
_CHUNK = 64 * 1024


class ArchiveError(Exception):
    """The zip is not a zip, or holds a member that may not be unpacked."""

    def __init__(self, message: str, *, code: str = "unsafe_archive") -> None:
        super().__init__(message)
        self.code = code


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's relative path (``None`` for the archive's root folder entry).

    :raises ArchiveError: an absolute name, a ``..`` part, a symlink or a special file.
    """
    name = info.filename.replace("\\", "/")
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        raise ArchiveError(f"The package holds a symbolic link ({info.filename}); it was not installed.")
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ArchiveError(f"The package holds a special file ({info.filename}); it was not installed.")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"The package holds an absolute path ({info.filename}); it was not installed.")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"The package holds a path leaving its folder ({info.filename}); it was not installed.")
    if "\x00" in name:
        raise ArchiveError("The package holds a member name with a NUL character; it was not installed.")
    return PurePosixPath(*parts) if parts else None


def extract(data: bytes, dest: Path) -> list[str]:
    """Unpack the zip ``data`` into the existing, empty folder ``dest``.

    :return: the relative paths of the files written, sorted.
    :raises ArchiveError: not a zip (code ``invalid_archive``), or an unsafe member (code
        ``unsafe_archive``: nothing is written then).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ArchiveError(f"The package is not a valid zip file ({exc}).", code="invalid_archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveError(f"The package holds more than {MAX_MEMBERS} files.")
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise ArchiveError(f"The package unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB.")
        plan = [(info, _member_path(info)) for info in members]  # every check before any write
        written: list[str] = []
        total = 0
        for info, rel in plan:
            if rel is None:
                continue
            target = dest.joinpath(*rel.parts)
            if info.is_dir():
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            try:
                with archive.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_TOTAL_BYTES:
                            raise ArchiveError(
                                f"The package unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB."
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise ArchiveError(
                    f"The package's file {info.filename} could not be unpacked ({exc}).", code="invalid_archive"
                ) from None
            target.chmod(0o644)
            written.append(rel.as_posix())
    return sorted(written)


STAGING_PREFIX, OLD_PREFIX = ".staging-", ".old-"
STALE_AFTER_S = 3600.0


def packages_root(name: str) -> Path:
    """``<data dir>/<name>`` (created when missing): where one kind of package is installed, a
    folder per package (``scrapers``, ``plugins``)."""
    from plugin_sdk.storage import data_dir

    root = data_dir() / name
    root.mkdir(parents=True, exist_ok=True)
    return root


def staging_dir(root: Path, name: str) -> Path:
    """A new, empty hidden folder ``<root>/.staging-<name>-<random>`` (``root`` is created)."""
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{STAGING_PREFIX}{name}-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o755)
    return folder


def swap_into_place(staged: Path, target: Path) -> Path:
    """Rename the complete folder ``staged`` to ``target``; an existing ``target`` folder is moved
    aside first and removed only once the new one is in place (a file or link there is removed).

    :return: ``target``.
    """
    if target.is_dir() and not target.is_symlink():
        old = target.with_name(f"{OLD_PREFIX}{target.name}-{secrets.token_hex(4)}")
        os.rename(target, old)
        os.rename(staged, target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    if target.exists() or target.is_symlink():
        target.unlink()
    os.rename(staged, target)
    return target


def sweep_stale(root: Path, older_than_s: float = STALE_AFTER_S) -> None:
    """Remove the staging and replaced folders under ``root`` older than ``older_than_s`` seconds
    (what an interrupted install left behind)."""
    if not root.is_dir():
        return
    cutoff = time.time() - older_than_s
    for child in root.iterdir():
        if child.name.startswith((STAGING_PREFIX, OLD_PREFIX)) and child.is_dir():
            try:
                if child.stat().st_mtime < cutoff:
                    shutil.rmtree(child, ignore_errors=True)
            except OSError:
                continue
