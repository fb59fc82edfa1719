"""Where files live, and the rule that nothing from a request escapes the library or data dir."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from plugin_sdk.errors import ForbiddenError


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


@contextmanager
def atomic_write(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` when the block succeeds.

    A reader never sees a half-written asset; a failed rebuild leaves the old one in place.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix or target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
