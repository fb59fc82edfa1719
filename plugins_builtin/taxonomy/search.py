"""Performers, studios and tags for the global search and the Ctrl/⌘-K palette: names and aliases
(a little below the name), matched and ranked by ``plugin_sdk.search.match``; one query per kind."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugin_sdk.search import normalize, ranked_rows, search_kinds
from plugins_builtin.taxonomy.kinds import PERFORMERS, STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.links import image_url
from plugins_builtin.taxonomy.models import Performer

ALIAS_WEIGHT = 0.95
LABELS = {"performer": "Performer", "studio": "Studio", "tag": "Tag"}


def _aliases(model: Any) -> Any:
    """The aliases as one text, through the immutable SQL function the taxonomy's migrations
    create and index (``taxonomy_0002``)."""
    return func.taxonomy_aliases_text(model.aliases)


def _subtitle(kind: Kind, row: Any, needle: str) -> str:
    bits = [LABELS[kind.key]]
    if kind.model is Performer and row.disambiguation:
        bits.append(row.disambiguation)
    matched = [a for a in row.aliases if needle in a.lower()]
    if matched and needle not in row.name.lower():
        bits.append("also " + matched[0])  # say why a row whose name does not match is here
    elif row.aliases:
        bits.append("also " + ", ".join(row.aliases[:2]))
    return " · ".join(bits)


def _search_kind(kind: Kind, db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    model = kind.model
    rows = ranked_rows(
        db, select(model), [model.name, (_aliases(model), ALIAS_WEIGHT)], query,
        order_by=[model.name_key, model.id], limit=limit, offset=offset,
    )  # fmt: skip
    needle = normalize(query)
    return [
        SearchHit(
            kind=kind.key,
            id=row.id,
            title=row.name,
            url=f"/{kind.plural}/{row.id}",
            subtitle=_subtitle(kind, row, needle),
            thumbnail_url=image_url(kind, row),
            score=float(score),
        )
        for row, score in rows
    ]


def search(db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0) -> list[SearchHit]:
    """Up to ``limit`` performers, studios and tags each (after ``offset`` of each), best first."""
    searches = {kind.key: partial(_search_kind, kind) for kind in (PERFORMERS, STUDIOS, TAGS)}
    return search_kinds(db, query, limit, kinds, offset, searches)
