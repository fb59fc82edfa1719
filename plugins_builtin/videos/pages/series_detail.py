"""The ``/series/<id>`` page's view model: :func:`series_detail` groups a series' episodes into
seasons (:class:`SeasonView`, specials last), and works out the poster, the next episode to watch,
watched counts and runtimes. The route itself is registered by :mod:`.browse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.formatting import stars
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
from plugins_builtin.videos.pages.cards import Card, card
from plugins_builtin.videos.pages.formatting import fmt_runtime


@dataclass
class SeasonView:
    number: int | None
    label: str
    episodes: list[Card]
    watched: int
    runtime: str


def series_detail(db: Session, series: VideoSeries) -> dict[str, Any]:
    title = series.custom_name or series.title
    seasons = {
        s.season_number: s for s in db.execute(select(VideoSeason).where(VideoSeason.series_id == series.id)).scalars()
    }
    episodes = db.execute(
        select(Video)
        .where(Video.series_id == series.id, Video.kind.in_(("episode", "extra")))
        .order_by(
            Video.season_number.nulls_first(),
            Video.episode_number.nulls_last(),
            Video.absolute_episode_number.nulls_last(),
            Video.sort_title,
            Video.id,
        )
    ).scalars()
    groups: dict[int | None, list[Card]] = {}
    raw: dict[int | None, list[Video]] = {}
    extras: list[Card] = []
    for ep in episodes:
        if ep.kind == "extra":
            extras.append(card(ep, title))
            continue
        groups.setdefault(ep.season_number, []).append(card(ep, title))
        raw.setdefault(ep.season_number, []).append(ep)
    only_specials = set(groups) <= {0, None}
    order = sorted(groups, key=lambda n: (n == 0, n if n is not None else -1))
    views = []
    for n in order:
        named = seasons.get(n) if n is not None else None
        if n == 0:
            label = "Episodes" if only_specials else "Specials"
        elif n is None:
            label = "Episodes"
        else:
            label = f"Season {n}"
        if named and named.title and named.title.strip() and not named.title.lower().startswith("season"):
            label = named.title.strip() if n != 0 or not only_specials else label
        vids = raw[n]
        views.append(
            SeasonView(
                number=n,
                label=label,
                episodes=groups[n],
                watched=sum(1 for v in vids if v.play_count > 0),
                runtime=fmt_runtime(sum(v.duration or 0 for v in vids)),
            )
        )
    all_eps = [v for n in order for v in raw[n]]
    poster = next((c.thumb for s in views if s.number != 0 for c in s.episodes if c.thumb), None) or next(
        (c.thumb for s in views for c in s.episodes if c.thumb), None
    )
    next_up = next((c for s in views if s.number != 0 for c in s.episodes if c.progress), None) or next(
        (c for s in views if s.number != 0 for c in s.episodes if not c.plays), None
    )
    return {
        "series": series,
        "title": title,
        "seasons": views,
        "extras": extras,
        "regular_seasons": sum(1 for s in views if s.number not in (0, None)),
        "episode_count": len(all_eps),
        "watched_count": sum(1 for v in all_eps if v.play_count > 0),
        "runtime": fmt_runtime(sum(v.duration or 0 for v in all_eps)),
        "poster": poster,
        "next_up": next_up,
        "stars": stars(series.rating),
        "nav_active": "/videos",
    }
