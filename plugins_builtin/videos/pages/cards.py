"""The view models of video and series cards: :class:`Card` (a video card, list row or episode
row, strings already formatted) built by :func:`card`/:func:`cards`, and :class:`SeriesCard` built
by :func:`series_cards`, with the constant number of queries they need (series titles, per-series
stats and posters). Used by the browse and series pages, the linked-videos and dashboard panels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from plugin_sdk.formatting import fmt_bytes, fmt_date, fmt_duration, stars
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.pages.formatting import codec_label, episode_label, fmt_runtime, resolution_label, thumb_url
from plugins_builtin.videos.routes.serialize import thumbnail_url


@dataclass(slots=True)
class Card:
    """What a video card, list row or episode row shows (strings already formatted)."""

    id: str
    kind: str
    title: str
    url: str
    thumb: str | None
    preview: str | None
    duration: str
    resolution: str | None
    episode: str | None
    series_id: str | None
    series_title: str | None
    progress: int | None  # percent watched of an unfinished play
    plays: int
    codec: str
    size: str
    stars: int | None
    rating: int | None
    added: str
    year: int | None
    details: str | None = None


def card(v: Video, series_title: str | None = None) -> Card:
    progress = None
    if v.resume_time and v.duration:
        progress = max(1, min(99, round(100 * v.resume_time / v.duration)))
    return Card(
        id=v.id,
        kind=v.kind,
        title=v.title,
        url=f"/videos/{v.id}",
        thumb=thumbnail_url(v),
        preview=f"/api/videos/{v.id}/preview" if v.preview_at else None,
        duration=fmt_duration(v.duration),
        resolution=resolution_label(v.width, v.height),
        episode=episode_label(v.season_number, v.episode_number, v.episode_end, v.absolute_episode_number)
        if v.kind == "episode"
        else None,
        series_id=v.series_id,
        series_title=series_title,
        progress=progress,
        plays=v.play_count,
        codec=codec_label(v.video_codec),
        size=fmt_bytes(v.file_size),
        stars=stars(v.rating),
        rating=v.rating,
        added=fmt_date(v.created_at),
        year=v.year,
        details=v.details,
    )


def series_titles(db: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.execute(
        select(VideoSeries.id, func.coalesce(VideoSeries.custom_name, VideoSeries.title)).where(VideoSeries.id.in_(ids))
    ).all()
    return {sid: title for sid, title in rows}


def cards(db: Session, rows: list[Video]) -> list[Card]:
    titles = series_titles(db, {r.series_id for r in rows if r.series_id})
    return [card(r, titles.get(r.series_id or "")) for r in rows]


@dataclass(slots=True)
class SeriesCard:
    id: str
    title: str
    year: int | None
    url: str
    thumb: str | None
    seasons: int
    episodes: int
    unwatched: int
    runtime: str


SERIES_TITLE = func.coalesce(VideoSeries.custom_name, VideoSeries.title)


def series_stats(db: Session, ids: list[str]) -> dict[str, tuple[int, int, int, float]]:
    """Per series: (seasons without specials, episodes, unwatched episodes, total seconds), one query."""
    if not ids:
        return {}
    rows = db.execute(
        select(
            Video.series_id,
            func.count(distinct(Video.season_number)).filter(Video.season_number > 0),
            func.count(),
            func.count().filter(Video.play_count == 0),
            func.coalesce(func.sum(Video.duration), 0),
        )
        .where(Video.series_id.in_(ids), Video.kind == "episode")
        .group_by(Video.series_id)
    ).all()
    return {sid: (seasons, episodes, unwatched, float(total)) for sid, seasons, episodes, unwatched, total in rows}


def series_posters(db: Session, ids: list[str]) -> dict[str, str]:
    """Per series, the thumbnail of its first episode that has one (regular seasons before specials)."""
    if not ids:
        return {}
    specials_last = case((func.coalesce(Video.season_number, 1) == 0, 1), else_=0)
    rows = db.execute(
        select(Video.series_id, Video.id, Video.thumbnail_at, Video.custom_thumbnail, Video.updated_at)
        .where(
            Video.series_id.in_(ids),
            Video.kind == "episode",
            or_(Video.thumbnail_at.is_not(None), Video.custom_thumbnail.is_(True)),
        )
        .ext(distinct_on(Video.series_id))
        .order_by(
            Video.series_id,
            specials_last,
            Video.season_number,
            Video.episode_number.nulls_last(),
            Video.absolute_episode_number.nulls_last(),
            Video.sort_title,
            Video.id,
        )
    ).all()
    out = {}
    for sid, vid, at, custom, updated in rows:
        url = thumb_url(vid, at, custom, updated)
        if url:
            out[sid] = url
    return out


def series_cards(db: Session, rows: list[tuple[str, str, int | None]]) -> list[SeriesCard]:
    ids = [r[0] for r in rows]
    stats = series_stats(db, ids)
    posters = series_posters(db, ids)
    out = []
    for sid, title, year in rows:
        seasons, episodes, unwatched, total = stats.get(sid, (0, 0, 0, 0.0))
        out.append(
            SeriesCard(
                id=sid, title=title, year=year, url=f"/series/{sid}", thumb=posters.get(sid),
                seasons=seasons, episodes=episodes, unwatched=unwatched, runtime=fmt_runtime(total),
            )
        )  # fmt: skip
    return out
