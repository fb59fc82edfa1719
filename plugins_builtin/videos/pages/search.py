"""Videos and series for the global search and the Ctrl/⌘-K palette, matched and ranked by
``plugin_sdk.search.match`` (typos and partial words included); one query per kind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugin_sdk.search import ranked_rows, search_kinds
from plugins_builtin.videos.models import Video, VideoSeries, listed
from plugins_builtin.videos.pages.formatting import episode_label, thumb_url
from plugins_builtin.videos.routes.serialize import thumbnail_url

SERIES_BONUS = 0.02  # a series is a better answer than one of its episodes with the same title


def _videos(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    series_title = func.coalesce(VideoSeries.custom_name, VideoSeries.title)
    with_series = select(Video, series_title).outerjoin(VideoSeries, VideoSeries.id == Video.series_id).where(listed())
    rows = ranked_rows(
        db, with_series, [Video.title], query, order_by=[Video.sort_title, Video.id], limit=limit, offset=offset
    )
    hits = []
    for video, stitle, score in rows:
        if video.kind == "episode":
            label = episode_label(
                video.season_number, video.episode_number, video.episode_end, video.absolute_episode_number
            )
            subtitle = " · ".join(p for p in (stitle, label) if p) or "Episode"
        else:
            subtitle = f"Movie · {video.year}" if video.year else "Movie"
        hit = SearchHit(
            kind="video", id=video.id, title=video.title, url=f"/videos/{video.id}", score=float(score),
            subtitle=subtitle, thumbnail_url=thumbnail_url(video),
        )  # fmt: skip
        hits.append(hit)
    return hits


def _series(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    series_title = func.coalesce(VideoSeries.custom_name, VideoSeries.title)
    # the thumbnail of the first episode that has one (a lateral subquery)
    specials_last = case((func.coalesce(Video.season_number, 1) == 0, 1), else_=0)
    poster = (
        select(Video.id, Video.thumbnail_at, Video.custom_thumbnail, Video.updated_at)
        .where(
            Video.series_id == VideoSeries.id,
            Video.kind == "episode",
            or_(Video.thumbnail_at.is_not(None), Video.custom_thumbnail.is_(True)),
        )
        .order_by(specials_last, Video.season_number, Video.episode_number.nulls_last(), Video.id)
        .limit(1)
        .lateral("poster")
    )
    episodes = (
        select(func.count())
        .where(Video.series_id == VideoSeries.id, Video.kind == "episode")
        .correlate(VideoSeries)
        .scalar_subquery()
    )
    with_poster = select(
        VideoSeries.id, series_title, VideoSeries.year, episodes,
        poster.c.id, poster.c.thumbnail_at, poster.c.custom_thumbnail, poster.c.updated_at,
    ).outerjoin(poster, literal(True))  # fmt: skip
    rows = ranked_rows(
        db, with_poster, [VideoSeries.title, VideoSeries.custom_name], query,
        order_by=[func.lower(series_title), VideoSeries.id], limit=limit, offset=offset,
    )  # fmt: skip
    hits = []
    for sid, stitle, year, count, vid, at, custom, updated, score in rows:
        bits = [str(year)] if year else []
        bits.append(f"{count} episode{'s' if count != 1 else ''}")
        hit = SearchHit(
            kind="series", id=sid, title=stitle, url=f"/series/{sid}", score=min(1.0, float(score) + SERIES_BONUS),
            subtitle="Series · " + " · ".join(bits),
            thumbnail_url=thumb_url(vid, at, bool(custom), updated) if vid else None,
        )  # fmt: skip
        hits.append(hit)
    return hits


def search(db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0) -> list[SearchHit]:
    """Up to ``limit`` videos and ``limit`` series matching ``query`` (after ``offset`` of each),
    best first."""
    return search_kinds(db, query, limit, kinds, offset, {"video": _videos, "series": _series})
