"""Ready-made hook implementations for a plugin's thin hooks, one line each: a fixed answer, or the
call passed on to a function of the plugin whose module is imported at the first call (importing
the plugin stays cheap, and a worker never loads the page modules it does not use)::

    from plugin_sdk.hookimpls import deferred, deferred_blueprints, deferred_search, returning

    obscura_nav_items = returning([NavItem("Clips", "/clips", icon="film", order=60)])
    obscura_blueprints = deferred_blueprints("obscura_clips.routes:api", "obscura_clips.pages:pages")
    obscura_search = deferred_search("obscura_clips.search:search")
    obscura_collection_sources = deferred("obscura_clips.collection_source:sources")

A target is ``"package.module:function"``. Each helper returns a function marked with ``@hookimpl``
that takes the hook's arguments by their names, so pluggy checks and calls it like any other; a
plugin module binds it to the hook's name. A function of the plugin whose parameters already
are the hook's may also be marked in place: ``obscura_scan_roots = hookimpl(queues.enqueue_scans)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from plugin_sdk import hookimpl

if TYPE_CHECKING:
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from plugin_sdk.mediahooks import RootRows
    from plugin_sdk.types import Panel, Processor, SearchHit

__all__ = [
    "deferred",
    "deferred_blueprints",
    "deferred_panels",
    "deferred_processors",
    "deferred_search",
    "returning",
    "root_rows_deleted",
    "target_function",
]

T = TypeVar("T")


def target_function(target: str) -> Callable[..., Any]:
    """The function ``target`` (``"package.module:function"``) names, importing its module."""
    module, sep, name = target.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"a hook target is 'package.module:function', not {target!r}")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def returning(answer: Sequence[T]) -> Callable[[], list[T]]:
    """A hook implementation that takes no arguments and answers a copy of ``answer`` every time:
    a collect hook whose records are plain data (``obscura_nav_items``, ``obscura_models``…)."""

    @hookimpl
    def fixed_answer() -> list[T]:
        return list(answer)

    return fixed_answer


def deferred(target: str) -> Callable[[], Any]:
    """A hook implementation without arguments answered by ``target()`` (imported at the first
    call): ``obscura_collection_sources``, ``obscura_generated_assets``, ``obscura_shell_parts``…"""

    @hookimpl
    def passed_on() -> Any:
        return target_function(target)()

    return passed_on


def deferred_blueprints(*targets: str) -> Callable[[], list[Blueprint]]:
    """An ``obscura_blueprints`` answered by the blueprint factories ``targets``, called in order at
    every call (each app gets fresh blueprints); a factory answers a ``Blueprint`` or a list of them."""

    @hookimpl
    def obscura_blueprints() -> list[Blueprint]:
        made: list[Blueprint] = []
        for target in targets:
            answer = target_function(target)()
            made.extend(answer if isinstance(answer, list | tuple) else [answer])
        return made

    return obscura_blueprints


def deferred_processors(targets: Mapping[str, str]) -> Callable[[], dict[str, Processor]]:
    """An ``obscura_processors`` answering ``{queue: the function its target names}``: the modules
    are imported when the hook is called (once, at start-up: a worker's forked jobs find them
    loaded), not when the plugin is."""

    @hookimpl
    def obscura_processors() -> dict[str, Processor]:
        return {queue: target_function(target) for queue, target in targets.items()}

    return obscura_processors


def deferred_panels(target: str) -> Callable[[str], list[Panel]]:
    """An ``obscura_panels`` answered by ``target(entity_type)`` (imported at the first call)."""

    @hookimpl
    def obscura_panels(entity_type: str) -> list[Panel]:
        return list(target_function(target)(entity_type))

    return obscura_panels


def deferred_search(target: str) -> Callable[[Session, str, int, Sequence[str] | None, int], list[SearchHit]]:
    """An ``obscura_search`` answered by ``target(db, query, limit, kinds, offset)`` (imported at
    the first call), for a search that pages itself (see ``plugin_sdk.search.search_kinds``)."""

    @hookimpl
    def obscura_search(
        db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int
    ) -> list[SearchHit]:
        return list(target_function(target)(db, query, limit, kinds, offset))

    return obscura_search


def root_rows_deleted(kinds: Sequence[RootRows]) -> Callable[[str, str, Session], None]:
    """A media plugin's whole ``obscura_entity_deleted``: its rows of the ``kinds`` go with a
    removed library root, their cache files deleted (``plugin_sdk.mediahooks.library_root_deleted``).

    :param kinds: the plugin's ``(entity type, model, delete_files(id) or None)``, children first.
    """

    @hookimpl
    def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
        from plugin_sdk.mediahooks import library_root_deleted

        library_root_deleted(entity_type, entity_id, db, kinds)

    return obscura_entity_deleted
