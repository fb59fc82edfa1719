"""Where files live, and the rule that nothing from a request escapes the library or data dir."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from plugin_sdk.errors import ForbiddenError
from plugin_sdk.processes import process_token, token_alive


def data_dir() -> Path:
    """``OBSCURA_DATA_DIR`` (``/data`` when writable, else ``~/.obscura``)."""
    from obscura_core.settings import current_settings

    return current_settings().data_dir


def cache_dir() -> Path:
    """``OBSCURA_CACHE_DIR`` (``<data dir>/cache`` by default)."""
    from obscura_core.settings import current_settings

    return current_settings().cache_dir


def shard(entity_id: str) -> str:
    """Two characters spreading entity folders over up to 256 sub-folders (~400 each at 100k)."""
    clean = "".join(c for c in str(entity_id).lower() if c.isalnum())
    return (clean[:2] or "00").rjust(2, "0")


def cache_path(entity: str, entity_id: str, *names: str) -> Path:
    """``<cache>/<entity>/<shard>/<id>/<names...>``, confined to the cache dir.

    The shard (first two characters of the id) keeps any one folder under ~10k entries.
    """
    base = cache_dir()
    path = base.joinpath(entity, shard(entity_id), str(entity_id), *names)
    return confine(path, [base])


def delete_cache(entity: str, entity_id: str) -> None:
    """Remove an entity's cache folder (called when the entity is deleted)."""
    folder = cache_path(entity, entity_id)
    shutil.rmtree(folder, ignore_errors=True)


def is_within(path: Path, root: Path) -> bool:
    """True when ``path`` (already resolved) lies inside ``root`` (resolved here)."""
    try:
        path.relative_to(root.resolve())
        return True
    except ValueError:
        return False


def confine(path: str | os.PathLike[str], roots: Iterable[str | os.PathLike[str]]) -> Path:
    """Resolve ``path`` (following symlinks) and make sure it lies inside one of ``roots``.

    Raises ``ForbiddenError`` otherwise. Every path taken from a request or a database row goes
    through this before it is opened.
    """
    resolved = Path(path).resolve()
    for root in roots:
        if is_within(resolved, Path(root)):
            return resolved
    raise ForbiddenError("That path is outside the library and the data folder.", code="path_outside")


TEMPORARY_MAX_AGE_S = 86400
"""A temporary whose writer this machine cannot check (another machine's, or an older version's
random name) is removed once it is this old."""

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<token>[0-9a-z]{8}-\d+-[0-9a-z]+)(?:-\d+)?\.tmp(?:\.[^.]*)?$")
_OLD_TEMPORARY = re.compile(r"^\.[^.].*\.[a-z0-9_]{8}(?:\.[A-Za-z0-9]+)?$")  # tempfile.mkstemp's names
_own_token: dict[int, str] = {}


def temporary_path(target: Path, suffix: str | None = None, owner: str | None = None) -> Path:
    """The temporary name :func:`atomic_write` writes ``target`` under, beside it:
    ``.<name>.<owner>.tmp<suffix>``.

    ``owner`` defaults to this process's :func:`plugin_sdk.processes.process_token` and the
    writing thread, so the name says who writes it and a sweep can tell when the writer is gone.
    ``suffix`` (default: the target's) is what tools read the format from (ffmpeg, Pillow).
    """
    if owner is None:
        pid = os.getpid()
        token = _own_token.get(pid) or _own_token.setdefault(pid, process_token(pid))
        owner = f"{token}-{threading.get_native_id()}"
    return target.parent / f".{target.name}.{owner}.tmp{target.suffix if suffix is None else suffix}"


def _stale(entry: os.DirEntry[str], now: float, max_age: float) -> bool:
    match = _TEMPORARY.match(entry.name)
    if match is not None:
        alive = token_alive(match["token"])
        if alive is not None:
            return not alive
    elif _OLD_TEMPORARY.match(entry.name) is None:
        return False
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > max_age
    except FileNotFoundError:
        return False


def sweep_temporaries(folder: Path, *, recursive: bool = False, max_age: float = TEMPORARY_MAX_AGE_S) -> int:
    """Remove the temporaries :func:`atomic_write` left in ``folder`` (and below it, with
    ``recursive``) when their writer died: its process is gone, or it ran on another machine and
    the file is older than ``max_age``. Returns how many were removed; never raises for a file
    that vanished meanwhile."""
    removed = 0
    now = time.time()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if recursive:
                    pending.append(Path(entry.path))
            elif entry.name.startswith(".") and _stale(entry, now, max_age):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


@contextmanager
def atomic_write(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` when the block succeeds.

    A reader never sees a half-written asset; a failed rebuild leaves the old one in place. The
    temporary is named after its writer (:func:`temporary_path`): one left by a writer that was
    killed (SIGKILL, a power cut) is removed by the next write into the same folder or by the
    scheduler's cache sweep (:func:`sweep_temporaries`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        sweep_temporaries(target.parent)
    except OSError:  # a sweep that cannot run must not stop the write
        pass
    tmp_path = temporary_path(target, suffix)
    os.close(os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
