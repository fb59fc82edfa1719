"""Videos and series for the Ctrl/⌘-K palette: case-insensitive substring match on titles, titles
that start with the query first; one query per kind."""

from __future__ import annotations

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.pages.browse import episode_label, thumb_url, thumbnail_url

EXACT, PREFIX, WORD, SUBSTRING = 1.0, 0.85, 0.7, 0.5
SERIES_BONUS = 0.05  # a series is a better answer than one of its episodes with the same title


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rank(column, needle: str):
    """0 exact, 1 prefix, 2 word start, 3 elsewhere (``column`` is already lower-cased)."""
    q = _escape(needle)
    return case(
        (column == needle, 0),
        (column.like(q + "%"), 1),
        (column.like("% " + q + "%"), 2),
        else_=3,
    )


SCORES = (EXACT, PREFIX, WORD, SUBSTRING)


def search(db: Session, query: str, limit: int) -> list[SearchHit]:
    needle = " ".join(query.split()).lower()
    if not needle or limit <= 0:
        return []
    like = "%" + _escape(needle) + "%"
    hits: list[SearchHit] = []

    # videos (movies and episodes), with their series' title in the same query
    series_title = func.coalesce(VideoSeries.custom_name, VideoSeries.title)
    title = func.lower(Video.title)
    rank = _rank(title, needle)
    rows = db.execute(
        select(Video, series_title, rank.label("rank"))
        .outerjoin(VideoSeries, VideoSeries.id == Video.series_id)
        .where(Video.title.ilike(like))
        .order_by(rank, func.length(Video.title), Video.sort_title, Video.id)
        .limit(limit)
    ).all()
    for video, stitle, r in rows:
        if video.kind == "episode":
            label = episode_label(
                video.season_number, video.episode_number, video.episode_end, video.absolute_episode_number
            )
            subtitle = " · ".join(p for p in (stitle, label) if p) or "Episode"
        else:
            subtitle = f"Movie · {video.year}" if video.year else "Movie"
        hits.append(
            SearchHit(
                kind="video",
                id=video.id,
                title=video.title,
                url=f"/videos/{video.id}",
                subtitle=subtitle,
                thumbnail_url=thumbnail_url(video),
                score=SCORES[r],
            )
        )

    # series, with the thumbnail of their first episode that has one (a lateral subquery)
    name = func.lower(series_title)
    srank = _rank(name, needle)
    specials_last = case((func.coalesce(Video.season_number, 1) == 0, 1), else_=0)
    poster = (
        select(Video.id, Video.thumbnail_at, Video.custom_thumbnail, Video.updated_at)
        .where(
            Video.series_id == VideoSeries.id,
            or_(Video.thumbnail_at.is_not(None), Video.custom_thumbnail.is_(True)),
        )
        .order_by(specials_last, Video.season_number, Video.episode_number.nulls_last(), Video.id)
        .limit(1)
        .lateral("poster")
    )
    episodes = select(func.count()).where(Video.series_id == VideoSeries.id).correlate(VideoSeries).scalar_subquery()
    srows = db.execute(
        select(
            VideoSeries.id,
            series_title,
            VideoSeries.year,
            episodes,
            poster.c.id,
            poster.c.thumbnail_at,
            poster.c.custom_thumbnail,
            poster.c.updated_at,
            srank.label("rank"),
        )
        .outerjoin(poster, literal(True))
        .where(or_(VideoSeries.title.ilike(like), VideoSeries.custom_name.ilike(like)))
        .order_by(srank, func.length(series_title), name, VideoSeries.id)
        .limit(limit)
    ).all()
    for sid, stitle, year, count, vid, at, custom, updated, r in srows:
        bits = [str(year)] if year else []
        bits.append(f"{count} episode{'s' if count != 1 else ''}")
        hits.append(
            SearchHit(
                kind="series",
                id=sid,
                title=stitle,
                url=f"/series/{sid}",
                subtitle="Series · " + " · ".join(bits),
                thumbnail_url=thumb_url(vid, at, bool(custom), updated) if vid else None,
                score=min(1.0, SCORES[r] + SERIES_BONUS),
            )
        )
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]
