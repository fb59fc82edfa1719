"""The server side of a list page (the shell's ``/static/js/listpage.js``): its state's query
string, the chips naming the active filters, and why a page shows nothing.

The page keeps its whole state (filters, sort, cursor) in the query string
(:func:`state_query`); its results region lists its :class:`Chip` records (each links to the same page without
that filter) and, when nothing matched, says why: the shared reasons come from
:func:`empty_reason`, the plugin adds its own (nothing scanned yet…)::

    chips = [Chip(f"“{q}”", state.without("search"), ("search",))] if q else []
    empty = empty_reason(db, library_roots(db), state.filtered, Clip) or "no-clips"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NO_ROOTS = "no-roots"
"""The empty state of a library without any library folder."""
NO_MATCH = "no-match"
"""The empty state of filters that hide every row."""


def state_query(params: Mapping[str, Any], keys: Sequence[str], /, **changes: Any) -> str:
    """The query string of a page state: ``params`` with ``changes`` (a ``None`` value removes its
    key; any name may change, ``order`` and ``keys`` too), only the ``keys``, in that order (one URL
    per state); ``True``/``False`` as ``true``/``false``, a list as its key repeated."""
    p = dict(params)
    for key, value in changes.items():
        if value is None:
            p.pop(key, None)
        else:
            p[key] = value
    pairs = [(k, v) for k in keys if k in p for v in (p[k] if isinstance(p[k], list) else [p[k]])]
    return urlencode([(k, str(v).lower() if isinstance(v, bool) else v) for k, v in pairs])


@dataclass
class Chip:
    """An active filter shown as a chip: its ``label``, the URL of the same page without it
    (``remove_url``) and the query-string ``keys`` it stands for."""

    label: str
    remove_url: str
    keys: tuple[str, ...]


def page_context(
    db: Session, state: Any, results: Callable[[Session, Any, list[Any]], Any], /, **extra: Any
) -> dict[str, Any]:
    """The template context of a list page (or of its results fragment): the ``state``, ``res``
    (``results(db, state, all_roots)``), ``all_roots`` (every library root, for the folder filter,
    see :func:`~plugin_sdk.library.library_roots`) and the page's ``extra`` variables."""
    from plugin_sdk.library import library_roots

    all_roots = library_roots(db)
    return {"state": state, "res": results(db, state, all_roots), "all_roots": all_roots, **extra}


def empty_reason(db: Session, roots: Sequence[Any], filtered: bool, model: Any) -> str | None:
    """Why a list of ``model`` rows came out empty: :data:`NO_ROOTS` when the library has no
    folder at all (``roots``), :data:`NO_MATCH` when ``filtered`` and some row exists, else
    ``None`` (the page gives its own reason)."""
    from sqlalchemy import select

    if not roots:
        return NO_ROOTS
    if filtered and db.execute(select(model.id).limit(1)).first() is not None:
        return NO_MATCH
    return None
