"""Galleries for the Ctrl/⌘-K palette: case-insensitive substring match on titles; exact titles, then
titles that start with the query, then word starts, then the rest. One query, plus the covers."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugins_builtin.images.models import Gallery
from plugins_builtin.images.pages.cards import KIND_LABELS, covers, fmt_count

SCORES = (0.95, 0.8, 0.65, 0.45)  # exact, prefix, word start, elsewhere


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(db: Session, query: str, limit: int) -> list[SearchHit]:
    """Up to ``limit`` galleries whose title contains ``query``, best first."""
    needle = " ".join(query.split()).lower()
    if not needle or limit <= 0:
        return []
    q = _escape(needle)
    title = func.lower(Gallery.title)
    rank = case((title == needle, 0), (title.like(q + "%"), 1), (title.like("% " + q + "%"), 2), else_=3)
    rows = db.execute(
        select(Gallery.id, Gallery.kind, Gallery.title, Gallery.image_count, Gallery.cover_image_id, rank.label("r"))
        .where(Gallery.title.ilike("%" + q + "%"))
        .order_by(rank, func.length(Gallery.title), Gallery.sort_title, Gallery.id)
        .limit(limit)
    ).all()
    cover = covers(db, [(r.id, r.kind, r.cover_image_id) for r in rows])
    return [
        SearchHit(
            kind="gallery",
            id=r.id,
            title=r.title,
            url=f"/galleries/{r.id}",
            subtitle=f"{KIND_LABELS.get(r.kind, 'Gallery')} · {fmt_count(r.image_count, 'image')}",
            thumbnail_url=cover.get(r.id),
            score=SCORES[r.r],
        )
        for r in rows
    ]
