"""Collections in the global search and the Ctrl/⌘-K palette (kind ``collection``), matched and
ranked by ``plugin_sdk.search.match`` on their names and descriptions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugin_sdk.search import ranked_rows, search_kinds
from plugins_builtin.collections.models import Collection

DESCRIPTION_WEIGHT = 0.6
MODES = {"manual": "Collection", "dynamic": "Dynamic collection", "hybrid": "Hybrid collection"}


def _collections(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    rows = ranked_rows(
        db, select(Collection), [Collection.name, (Collection.description, DESCRIPTION_WEIGHT)], query,
        order_by=[Collection.name, Collection.id], limit=limit, offset=offset,
    )  # fmt: skip
    from plugins_builtin.collections.routes import shown_count

    hits = []
    for c, score in rows:
        n = shown_count(db, c)  # SFW mode counts visible members only
        hit = SearchHit(
            kind="collection", id=c.id, title=c.name, url=f"/collections/{c.id}", score=float(score),
            subtitle=f"{MODES.get(c.mode, 'Collection')} · {n} item{'' if n == 1 else 's'}",
            thumbnail_url=f"/api/collections/{c.id}/cover" if n else None,
        )  # fmt: skip
        hits.append(hit)
    return hits


def search(db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0) -> list[SearchHit]:
    """Up to ``limit`` collections after ``offset``, best first."""
    return search_kinds(db, query, limit, kinds, offset, {"collection": _collections})
