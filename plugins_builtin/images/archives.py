"""Reading zip/cbz galleries safely: archives are untrusted input.

Members with ``..`` or absolute names, links, members over 256 MiB and members whose declared
compression ratio is above 100:1 are skipped with a reason; a corrupt archive is reported, never
raised. Nothing is ever extracted to disk: members are read into memory, size-checked, on demand.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from plugin_sdk.library import natural_key
from plugins_builtin.images.naming import is_image_name

MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100.0


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    size: int
    mtime: float


@dataclass
class Listing:
    members: list[Member] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    """Why a member must not be used, or ``None``."""
    name = info.filename
    if "\x00" in name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "path climbs out of the archive (..)"
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "symbolic link"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MiB"
    if info.file_size and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return f"compression ratio above {MAX_RATIO:.0f}:1 (possible zip bomb)"
    if info.file_size and not info.compress_size:
        return "declares content but no compressed data"
    return None


def list_images(path: str | Path) -> Listing:
    """The archive's image members in natural order, with what was skipped and why."""
    listing = Listing()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not is_image_name(info.filename):
                    continue
                reason = unsafe_reason(info)
                if reason:
                    listing.skipped.append((info.filename, reason))
                    continue
                mtime = _zip_time(info)
                listing.members.append(Member(info.filename, info.file_size, mtime))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        listing.error = f"unreadable archive: {exc}"
        listing.members.clear()
        return listing
    listing.members.sort(key=lambda m: natural_key(m.name))
    return listing


def read_member(path: str | Path, name: str) -> bytes:
    """The bytes of one member, after the same safety checks (raises ``ValueError`` otherwise)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
        reason = unsafe_reason(info)
        if reason:
            raise ValueError(f"archive member refused: {reason}")
        with archive.open(info) as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError("archive member is larger than it declared")
    return data


def _zip_time(info: zipfile.ZipInfo) -> float:
    import datetime

    try:
        return datetime.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0
