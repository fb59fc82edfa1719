"""Free disk space, checked before an upload or a generated file is written.

The library keeps ``minFreeDiskMb`` free on every disk Obscura writes to (:mod:`plugin_sdk.limits`).
Check before writing, with what is about to be written when it is known::

    ensure_free_space(db, folder, needed=upload_size)   # a route: 507 when the disk is too full
    ensure_free_space(ctx.db, target.parent)             # a processor: the run fails at once, no retry

A check fails with :class:`InsufficientStorageError` — "Not enough free disk space in /srv/media:
800 MiB free, 1.2 GiB needed" — which the API answers as ``507`` with that message and which fails
a job at once (it is a :class:`~plugin_sdk.errors.PermanentJobError`: retrying cannot free space).
A write that still hits a full disk (another program filled it meanwhile) is turned into the same
error by :func:`raise_if_disk_full`.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from plugin_sdk.errors import ObscuraError, PermanentJobError
from plugin_sdk.limits import binary_size, read_limits

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "InsufficientStorageError",
    "check_free_space",
    "disk_free",
    "ensure_free_space",
    "raise_if_disk_full",
]


class InsufficientStorageError(ObscuraError, PermanentJobError):
    """507: a disk Obscura writes to is too full (``insufficient_storage``). Raised in a job, the
    run fails at once with the message (no retry)."""

    status = 507
    code = "insufficient_storage"


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor (a cache folder is made only when first written)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def disk_free(path: str | os.PathLike[str]) -> int:
    """Bytes free for Obscura on the disk holding ``path`` (or the nearest existing folder above it)."""
    return shutil.disk_usage(_existing(Path(path))).free


def check_free_space(path: str | os.PathLike[str], needed: int = 0, *, keep_free: int) -> None:
    """Make sure writing ``needed`` bytes under ``path`` leaves at least ``keep_free`` free.

    :raises InsufficientStorageError: it would not ("Not enough free disk space in <dir>: X free,
        Y needed", Y being ``needed + keep_free``).
    """
    if needed <= 0 and keep_free <= 0:
        return
    where = _existing(Path(path))
    free = shutil.disk_usage(where).free
    want = max(0, needed) + max(0, keep_free)
    if free < want:
        raise InsufficientStorageError(
            f"Not enough free disk space in {where}: {binary_size(free)} free, {binary_size(want)} needed "
            f"(Settings → Limits keeps {binary_size(keep_free)} free)."
        )


def ensure_free_space(db: Session, path: str | os.PathLike[str], needed: int = 0) -> None:
    """:func:`check_free_space` with the library's ``minFreeDiskMb`` (read through ``db``)."""
    check_free_space(path, needed, keep_free=read_limits(db).min_free_bytes)


def raise_if_disk_full(exc: OSError, path: str | os.PathLike[str]) -> None:
    """Re-raise a write's ``OSError`` that means the disk (or quota) is full as
    :class:`InsufficientStorageError` naming ``path``'s folder; any other error is left to the caller."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = _existing(Path(path))
        free = shutil.disk_usage(where).free
        raise InsufficientStorageError(
            f"Not enough free disk space in {where}: the disk filled up while writing ({binary_size(free)} free)."
        ) from None
