"""Audio libraries (albums) and tracks for the global search and the Ctrl/⌘-K palette, matched and
ranked by ``plugin_sdk.search.match`` (typos and partial words included; tracks also match on
artist and album, a little below their title); one query per kind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugin_sdk.formatting import fmt_duration
from plugin_sdk.search import ranked_rows, search_kinds
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.pages.views import library_cover_url

ARTIST_WEIGHT, ALBUM_WEIGHT = 0.8, 0.75


def _albums(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    rows = ranked_rows(
        db, select(AudioLibrary), [AudioLibrary.title], query,
        order_by=[AudioLibrary.sort_title, AudioLibrary.id], limit=limit, offset=offset,
    )  # fmt: skip
    return [
        SearchHit(
            kind="album", id=lib.id, title=lib.title, url=f"/audio/libraries/{lib.id}", score=float(score),
            subtitle=f"Audio · {lib.track_count} track{'s' if lib.track_count != 1 else ''}",
            thumbnail_url=library_cover_url(lib.id, lib.updated_at) if lib.cover else None,
        )
        for lib, score in rows
    ]  # fmt: skip


def _tracks(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    with_library = select(AudioTrack, AudioLibrary.title, AudioLibrary.cover).outerjoin(
        AudioLibrary, AudioLibrary.id == AudioTrack.library_id
    )
    rows = ranked_rows(
        db, with_library, [AudioTrack.title, (AudioTrack.artist, ARTIST_WEIGHT), (AudioTrack.album, ALBUM_WEIGHT)],
        query, order_by=[AudioTrack.sort_title, AudioTrack.id], limit=limit, offset=offset,
    )  # fmt: skip
    hits = []
    for track, lib_title, lib_cover, score in rows:
        bits = [track.artist or track.album_artist, track.album or lib_title, fmt_duration(track.duration)]
        hit = SearchHit(
            kind="track", id=track.id, title=track.title, url=f"/audio/tracks/{track.id}", score=float(score),
            subtitle=" · ".join(b for b in bits if b) or "Track",
            thumbnail_url=f"/api/audio-tracks/{track.id}/cover" if track.has_cover or lib_cover else None,
        )  # fmt: skip
        hits.append(hit)
    return hits


def search(db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0) -> list[SearchHit]:
    """Palette and search hits: kind ``album`` for libraries (shown as "Albums"), ``track`` for
    tracks; up to ``limit`` of each after skipping ``offset``, best first."""
    return search_kinds(db, query, limit, kinds, offset, {"album": _albums, "track": _tracks})
