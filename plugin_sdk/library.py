"""Helpers for plugins that scan library roots: the roots' switches, enqueueing and running root
scans, walking a root, missing and emptied roots, moved and changed files.

A scan processor built from them reads like the built-in audio and image scans::

    def scan_root(db, root, progress):
        known = db.execute(select(Clip.id, Clip.file_path, Clip.file_size, Clip.oshash)...).all()
        if stopped := unreadable_root_report(root, len(known)):
            return stopped  # nothing is pruned
        problems: list[str] = []
        found = [e for folder in walk_folders(root.path, problems, recursive=root.recursive)
                 for e in folder.files if e.name.endswith(".clip")]
        if stopped := emptied_root_report(root, len(known), len(found), "clips"):
            return stopped
        moved = MovedFiles(row for row in known if row.file_path not in on_disk)
        ...
        mark_scanned(db, root.id)

    def process_clip_scan(payload, ctx):
        return run_root_scan(payload, ctx, scan_root, option="scan_clips", media="clip", log=log)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from plugin_sdk.models import LibraryRoot
    from plugin_sdk.types import JobContext

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting "2.jpg" before "10.jpg" (numbers compared as numbers, text case-folded)."""
    parts = _DIGITS.split(name)
    return tuple((0, int(p)) if i % 2 else (1, p.casefold()) for i, p in enumerate(parts) if p)


def root_problem(path: str) -> str | None:
    """Why a library root cannot be scanned safely right now (so nothing may be pruned), or ``None``."""
    p = Path(path)
    if not p.exists():
        return f"The folder {path} is missing (unplugged drive or unmounted share?). Nothing was removed."
    if not p.is_dir():
        return f"{path} is no longer a folder. Nothing was removed."
    if not os.access(p, os.R_OK | os.X_OK):
        return f"The folder {path} cannot be read by the server. Nothing was removed."
    return None


def emptied_root_problem(path: str, known: int, what: str) -> str:
    """The report for a root that suddenly holds nothing while ``known`` items are indexed."""
    return (
        f"The folder {path} has no {what} now but {known} are known; it may be an empty mount point. "
        "Nothing was removed."
    )


def unreadable_root_report(root: LibraryRoot, known: int) -> dict[str, Any] | None:
    """A scan's report when ``root`` cannot be scanned safely right now (:func:`root_problem`):
    ``{"rootId", "path", "rootProblem", "known"}`` with the ``known`` rows left as they are; else
    ``None`` (go on)."""
    problem = root_problem(root.path)
    return None if problem is None else _stopped(root, problem, known)


def emptied_root_report(root: LibraryRoot, known: int, found: int, what: str) -> dict[str, Any] | None:
    """A scan's report when the walk ``found`` nothing under ``root`` while ``known`` ``what`` are
    indexed (:func:`emptied_root_problem`: an empty mount point, not a deletion); else ``None``."""
    if found or not known:
        return None
    return _stopped(root, emptied_root_problem(root.path, known, what), known)


def _stopped(root: LibraryRoot, problem: str, known: int) -> dict[str, Any]:
    return {"rootId": root.id, "path": root.path, "rootProblem": problem, "known": known}


def _option_default(key: str) -> bool:
    from obscura_core.runtime import get_runtime

    option = get_runtime().registry.root_options.get(key)
    if option is None:
        raise KeyError(f"no loaded plugin declares the root option '{key}' (obscura_root_options)")
    return option.default


def root_option(root: Any, key: str) -> bool:
    """A root's switch ``key`` (a ``RootOption`` some plugin declares), or its default when unset."""
    value = (root.options or {}).get(key)
    return _option_default(key) if value is None else bool(value)


def root_option_clause(key: str) -> ColumnElement[bool]:
    """The SQL condition "this root's switch ``key`` is on" (for ``select(LibraryRoot)...where``)."""
    from sqlalchemy import func

    from plugin_sdk.models import LibraryRoot

    stored = LibraryRoot.options[key].as_boolean()
    return func.coalesce(stored, _option_default(key))


def library_roots(db: Session) -> list[LibraryRoot]:
    """Every library root, by label then path (the folder filters of the list pages)."""
    from sqlalchemy import select

    from plugin_sdk.models import LibraryRoot

    return list(db.execute(select(LibraryRoot).order_by(LibraryRoot.label, LibraryRoot.path)).scalars())


def roots_to_scan(db: Session, options: Sequence[str]) -> list[LibraryRoot]:
    """The enabled roots with one of the switches ``options`` on, by path (what "run queue" of a
    scan queue scans)."""
    from sqlalchemy import or_, select

    from plugin_sdk.models import LibraryRoot

    switched_on = or_(*(root_option_clause(option) for option in options))
    wanted = select(LibraryRoot).where(LibraryRoot.enabled.is_(True), switched_on).order_by(LibraryRoot.path)
    return list(db.execute(wanted).scalars())


def enqueue_root_scans(
    db: Session, queue: str, roots: Iterable[LibraryRoot], trigger: str, *, options: Sequence[str], label: str
) -> int:
    """One ``queue`` run per enabled root of ``roots`` with one of the switches ``options`` on
    (payload ``{"rootId", "trigger"}``, target ``library-root``, labelled ``"<label> · <root
    label>"``, e.g. ``Scan audio · Music``). Returns how many runs were created."""
    from plugin_sdk.jobs import enqueue_jobs

    wanted = [r for r in roots if r.enabled and any(root_option(r, option) for option in options)]
    items = (({"rootId": r.id, "trigger": trigger}, "library-root", r.id, f"{label} · {r.label}") for r in wanted)
    return enqueue_jobs(db, queue, items)


def run_root_scan(
    payload: Mapping[str, Any],
    ctx: JobContext,
    scan: Callable[[Session, LibraryRoot, Callable[..., None]], dict[str, Any]],
    *,
    option: str,
    media: str,
    log: logging.Logger,
) -> dict[str, Any]:
    """The processor of a root-scan queue: ``scan(db, root, progress)`` the root named by
    ``payload["rootId"]`` and answer its report.

    A root that no longer exists is a :class:`~plugin_sdk.errors.PermanentJobError`; a disabled
    root, or one whose switch ``option`` is off, is skipped (``"<media> scanning is off for this
    root"``); a report with a ``rootProblem`` is logged as a warning on ``log``.
    """
    from plugin_sdk.errors import PermanentJobError
    from plugin_sdk.models import LibraryRoot

    root = ctx.db.get(LibraryRoot, payload.get("rootId"))
    if root is None:
        raise PermanentJobError(f"library root {payload.get('rootId')} no longer exists")
    if not root.enabled or not root_option(root, option):
        return {"rootId": root.id, "skipped": f"{media} scanning is off for this root"}
    ctx.progress(5, "walking the folder")
    result = scan(ctx.db, root, ctx.progress)
    if result.get("rootProblem"):
        log.warning("%s of %s: %s", ctx.run.queue, root.path, result["rootProblem"])
    return result


def mark_scanned(db: Session, root_id: str) -> None:
    """Set the root's ``last_scanned_at`` to now (in the scan's transaction)."""
    from sqlalchemy import func, update

    from plugin_sdk.models import LibraryRoot

    db.execute(update(LibraryRoot).where(LibraryRoot.id == root_id).values(last_scanned_at=func.now()))


# ------------------------------------------------------------------------------------------ walking


@dataclass(frozen=True, slots=True)
class Folder:
    """One folder read by :func:`walk_folders`: its path, the entries that are not hidden and not
    folders (in ``os.scandir`` order), and every name in it (hidden ones and folders too, for
    sidecar lookups)."""

    path: str
    files: list[os.DirEntry[str]]
    names: frozenset[str]


def describe_error(path: str, exc: OSError) -> str:
    """A walk problem as the scan reports list it: ``"<path>: <reason>"``."""
    return f"{path}: {exc.strerror or exc}"


def walk_folders(root: str, problems: list[str], *, recursive: bool = True, max_depth: int = 12) -> Iterator[Folder]:
    """Every readable folder of ``root``, depth first, one ``os.scandir`` each, yielded as soon as
    it is read (a scan may write rows while it still walks).

    Hidden entries (``.name``) are skipped at every level; sub-folders (and links to folders) are
    followed ``max_depth`` levels deep when ``recursive``. A folder or entry that cannot be read is
    added to ``problems`` (:func:`describe_error`) and the walk goes on.
    """
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(describe_error(folder, exc))
            continue
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive and depth < max_depth:
                        stack.append((entry.path, depth + 1))
                    continue
            except OSError as exc:
                problems.append(describe_error(entry.path, exc))
                continue
            files.append(entry)
        yield Folder(folder, files, frozenset(entry.name for entry in entries))


def entry_stat(entry: os.DirEntry[str], problems: list[str]) -> os.stat_result | None:
    """``entry.stat()`` (links followed), or ``None`` once the reason is added to ``problems``."""
    try:
        return entry.stat()
    except OSError as exc:
        problems.append(describe_error(entry.path, exc))
        return None


def nearest_folder(path: str, root: str, folders: Iterable[str] | Mapping[str, Any]) -> str | None:
    """The nearest folder above ``path``, up to ``root``, that is one of ``folders`` (a set or a
    mapping keyed by path), or ``None``: the parent of a nested library or gallery."""
    current = os.path.dirname(path)
    while len(current) >= len(root):
        if current in folders:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return None


def refresh_changed_file(db: Session, model: Any, row: Any, size: int, mtime: float, /, **reset: Any) -> bool:
    """Whether the file of the known ``row`` changed on disk (its size or mtime differs); if so,
    the ``model`` row gets the new ``file_size`` and ``file_mtime`` and the ``reset`` values
    (``probed_at=None``, ``md5=None``…: what was read from the old file), for the scan to
    enqueue its work again."""
    if row.file_size == size and row.file_mtime == mtime:
        return False
    from sqlalchemy import update

    db.execute(update(model).where(model.id == row.id).values(file_size=size, file_mtime=mtime, **reset))
    return True


class MovedFiles:
    """Tells a moved or renamed file from a new one: a path not indexed yet whose size and oshash
    are those of a known row whose file is gone keeps that row.

    :param gone: the known rows whose path was not found (``id``, ``file_size`` and ``oshash``
        attributes); rows without a size or an oshash cannot be matched.

    ::

        moved = MovedFiles(r for r in known if r.file_path not in on_disk)
        row = moved.claim(path, size)  # hashes the file only when a gone row has its size
        removed = [r.id for r in gone if r.id not in moved.ids]
    """

    def __init__(self, gone: Iterable[Any]) -> None:
        self._by_size: dict[int, list[Any]] = {}
        self.ids: set[str] = set()
        """The ids of the rows claimed so far."""
        for row in gone:
            if row.oshash and row.file_size:
                self._by_size.setdefault(row.file_size, []).append(row)

    def claim(self, path: str, size: int) -> Any | None:
        """The gone row the file at ``path`` (``size`` bytes) is, or ``None`` (each row is claimed
        once; an unreadable file matches nothing)."""
        rows = self._by_size.get(size)
        if not rows:
            return None
        from plugin_sdk.hashing import oshash_file

        try:
            digest = oshash_file(path)
        except (OSError, ValueError):
            return None
        match = next((r for r in rows if r.oshash == digest), None)
        if match is not None:
            rows.remove(match)
            self.ids.add(match.id)
        return match
