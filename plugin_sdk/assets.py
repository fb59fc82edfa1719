"""Generated assets in either storage layout: the cache, or next to the media file.

The library setting ``metadataStorageDedicated`` (``LibrarySettings.metadata_storage_dedicated``)
chooses where a media plugin writes a generated file: ``True`` → ``<cache>/<entity>/<shard>/<id>/``,
``False`` → beside the media as ``<stem>-<key>.<ext>`` (``Movie-thumb.jpg``, ``Movie-preview.mp4``).
A plugin describes each file once as an :class:`~plugin_sdk.types.AssetFile` (both paths), writes to
:func:`write_path` and serves :func:`existing_path` (current layout first, then the other one, so a
move in progress never breaks a page). The library-maintenance plugin moves the files with
:func:`move_asset` when the setting changes.

Rules: a file next to the media never overwrites one Obscura did not write (``sidecar_is_ours``),
a folder Obscura cannot write to keeps the asset in the cache, and a move is copy → verify → delete.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from plugin_sdk.types import AssetFile, AssetSource

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MoveOutcome = Literal["moved", "deduplicated", "already-there", "missing"]


class AssetConflict(Exception):
    """The destination holds a different file: nothing was moved or deleted."""


def sidecar_path(media_path: str | os.PathLike[str], key: str, ext: str) -> Path:
    """``<folder>/<stem>-<key><ext>`` beside ``media_path`` (``ext`` with its dot)."""
    media = Path(media_path)
    return media.with_name(f"{media.stem}-{key}{ext}")


def sidecar_rules() -> tuple[frozenset[str], frozenset[str]]:
    """``(keys, media extensions)`` of every loaded plugin's sidecars (``AssetSource``)."""
    from obscura_core.runtime import get_runtime

    registry = get_runtime().registry

    def build() -> tuple[frozenset[str], frozenset[str]]:
        keys = frozenset(k.lower() for a in registry.asset_sources for k in a.sidecar_keys)
        exts = frozenset(e.lower() for a in registry.asset_sources for e in a.media_extensions)
        return keys, exts

    return registry.derived("sidecar rules", build)


def is_generated_sidecar(
    name: str,
    names_in_folder: set[str] | frozenset[str],
    rules: tuple[frozenset[str], frozenset[str]] | None = None,
) -> bool:
    """True when ``name`` is ``<stem>-<key>.<ext>`` and a media file ``<stem>.<media ext>`` sits
    beside it, for a ``key`` and media extension some plugin writes sidecars for.

    Scanners use this to skip what Obscura writes next to media (a user's ``Holiday-thumb.jpg``
    with no ``Holiday.mp4`` beside it is still indexed).

    :param rules: ``(keys, media extensions)``; default: the loaded plugins' (:func:`sidecar_rules`).
    """
    base, dot, _ext = name.rpartition(".")
    if not dot:
        return False
    keys, extensions = rules if rules is not None else sidecar_rules()
    lowered = base.lower()
    for key in keys:
        if lowered.endswith(f"-{key}"):
            stem = base[: -len(key) - 1]
            if stem and any(f"{stem}{e}" in names_in_folder for ext in extensions for e in (ext, ext.upper())):
                return True
    return False


def storage_dedicated(db: Session) -> bool:
    """The library setting: ``True`` keeps generated files in the cache, ``False`` next to the media."""
    from plugin_sdk.models import LibrarySettings

    return bool(LibrarySettings.get(db).metadata_storage_dedicated)


def layout_paths(asset: AssetFile, dedicated: bool) -> list[Path]:
    """The asset's possible places, the given layout's first."""
    if asset.sidecar_path is None:
        return [asset.cache_path]
    if dedicated:
        return [asset.cache_path, asset.sidecar_path]
    return [asset.sidecar_path, asset.cache_path]


def existing_path(asset: AssetFile, dedicated: bool) -> Path | None:
    """Where the asset is now: the current layout's file, else the other layout's, else ``None``."""
    for path in layout_paths(asset, dedicated):
        if path.is_file():
            return path
    return None


def folder_writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried for real: ``os.access`` lies for root and ro mounts)."""
    probe = folder / f".obscura-write-test-{uuid.uuid4().hex[:8]}"
    try:
        probe.touch(exist_ok=False)
    except OSError:
        return False
    try:
        probe.unlink()
    except OSError:
        pass
    return True


def write_path(asset: AssetFile, dedicated: bool, *, sidecar_is_ours: bool) -> Path:
    """Where to write the asset under the current setting.

    Next to the media only when the layout says so, the folder is writable and no file Obscura did
    not write is there (``sidecar_is_ours``: the row records having generated this asset);
    otherwise in the cache.
    """
    side = asset.sidecar_path
    if dedicated or side is None:
        return asset.cache_path
    if side.exists() and not sidecar_is_ours:
        return asset.cache_path
    if not folder_writable(side.parent):
        return asset.cache_path
    return side


def discard_other_copy(asset: AssetFile, written: Path, *, sidecar_is_ours: bool) -> None:
    """After writing ``written``, remove the stale copy in the other layout (a sidecar only when ours)."""
    if written == asset.cache_path:
        if asset.sidecar_path is not None and sidecar_is_ours:
            asset.sidecar_path.unlink(missing_ok=True)
    else:
        asset.cache_path.unlink(missing_ok=True)


def delete_asset(asset: AssetFile, *, sidecar_is_ours: bool) -> None:
    """Remove the asset from the cache, and from beside the media when Obscura wrote it there."""
    asset.cache_path.unlink(missing_ok=True)
    if asset.sidecar_path is not None and sidecar_is_ours:
        try:
            asset.sidecar_path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only library folder: the file stays, like the media


def file_digest(path: Path) -> str:
    """SHA-256 of a file (1 MiB reads)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def same_content(a: Path, b: Path) -> bool:
    """Byte-identical files (sizes first, then SHA-256)."""
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
    except OSError:
        return False
    return file_digest(a) == file_digest(b)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _move_temp(dst: Path) -> Path:
    """The fixed temporary name of a copy into ``dst`` (hidden, so scanners skip it)."""
    return dst.with_name(f".{dst.name}.obscura-move")


def _copy_verified(src: Path, dst: Path) -> None:
    """Copy ``src`` to a temporary name beside ``dst``, fsync, compare, then rename into place.

    The temporary name is fixed (``.<name>.obscura-move``, hidden from scanners), so an attempt
    interrupted by a crash is overwritten by the next one.
    """
    tmp = _move_temp(dst)
    try:
        with src.open("rb") as fin, tmp.open("wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        shutil.copystat(src, tmp)
        if file_digest(tmp) != file_digest(src):
            raise OSError(errno.EIO, f"the copy of {src} does not match the original")
        if dst.exists():
            raise AssetConflict(f"{dst} appeared during the move")
        os.replace(tmp, dst)
        _fsync_dir(dst.parent)
    finally:
        tmp.unlink(missing_ok=True)


def move_asset(src: Path, dst: Path) -> MoveOutcome:
    """Move one generated file without ever losing it.

    - ``src`` missing: ``already-there`` when ``dst`` exists, else ``missing`` (never generated).
    - ``dst`` holds identical bytes: ``src`` is deleted (``deduplicated``).
    - ``dst`` holds different bytes: :class:`AssetConflict`, both files stay.
    - otherwise a rename (same filesystem) or a verified copy + fsync + rename, then ``src`` is
      deleted (``moved``). ``OSError`` (read-only folder, disk full…) leaves ``src`` in place.
    """
    try:
        _move_temp(dst).unlink(missing_ok=True)  # left by an attempt a crash interrupted
    except OSError:
        pass
    if not src.is_file():
        return "already-there" if dst.is_file() else "missing"
    if dst.exists():
        if dst.is_file() and same_content(src, dst):
            src.unlink()
            return "deduplicated"
        raise AssetConflict(f"a different file is already at {dst}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # never replaces an existing file, unlike rename
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EOPNOTSUPP):
            raise
        _copy_verified(src, dst)
    else:
        _fsync_dir(dst.parent)
    src.unlink()  # not fsynced: should a crash undo it, the next run finds identical copies and deduplicates
    return "moved"


def asset_sources() -> list[AssetSource]:
    """Every loaded plugin's ``obscura_generated_assets`` answer, flattened."""
    from obscura_core.runtime import get_runtime

    return list(get_runtime().registry.asset_sources)
