"""Audio libraries and tracks for the Ctrl/⌘-K palette: case-insensitive substring match (tracks
also match on artist and album), titles that start with the query first; one query per kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.pages.views import fmt_duration, library_cover_url, like

SCORES = (1.0, 0.85, 0.7, 0.5, 0.4)  # exact, prefix, word start, elsewhere in the title, artist/album only


def _rank(column: Any, needle: str) -> Any:
    """0 exact, 1 prefix, 2 word start, 3 elsewhere, 4 not in the title (``column`` lower-cased)."""
    q = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return case(
        (column == needle, 0),
        (column.like(q + "%"), 1),
        (column.like("% " + q + "%"), 2),
        (column.like("%" + q + "%"), 3),
        else_=4,
    )


def search(db: Session, query: str, limit: int) -> list[SearchHit]:
    """Palette hits: kind ``album`` for libraries (shown as "Albums"), ``track`` for tracks."""
    needle = " ".join(query.split()).lower()
    if not needle or limit <= 0:
        return []
    pattern = like(needle)
    hits: list[SearchHit] = []

    title = func.lower(AudioLibrary.title)
    rank = _rank(title, needle)
    for lib, r in db.execute(
        select(AudioLibrary, rank)
        .where(AudioLibrary.title.ilike(pattern))
        .order_by(rank, func.length(AudioLibrary.title), AudioLibrary.sort_title, AudioLibrary.id)
        .limit(limit)
    ).all():
        hits.append(
            SearchHit(
                kind="album",
                id=lib.id,
                title=lib.title,
                url=f"/audio/libraries/{lib.id}",
                subtitle=f"Audio · {lib.track_count} track{'s' if lib.track_count != 1 else ''}",
                thumbnail_url=library_cover_url(lib.id, lib.updated_at) if lib.cover else None,
                score=SCORES[r],
            )
        )

    ttitle = func.lower(AudioTrack.title)
    trank = _rank(ttitle, needle)
    for track, lib_title, lib_cover, r in db.execute(
        select(AudioTrack, AudioLibrary.title, AudioLibrary.cover, trank)
        .outerjoin(AudioLibrary, AudioLibrary.id == AudioTrack.library_id)
        .where(or_(AudioTrack.title.ilike(pattern), AudioTrack.artist.ilike(pattern), AudioTrack.album.ilike(pattern)))
        .order_by(trank, func.length(AudioTrack.title), AudioTrack.sort_title, AudioTrack.id)
        .limit(limit)
    ).all():
        bits = [track.artist or track.album_artist, track.album or lib_title, fmt_duration(track.duration)]
        hits.append(
            SearchHit(
                kind="track",
                id=track.id,
                title=track.title,
                url=f"/audio/tracks/{track.id}",
                subtitle=" · ".join(b for b in bits if b) or "Track",
                thumbnail_url=f"/api/audio-tracks/{track.id}/cover" if track.has_cover or lib_cover else None,
                score=SCORES[r],
            )
        )
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]
