"""``/api/series``: the series browser (series → seasons → episodes) and series edits."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, send_file
from pydantic import Field
from sqlalchemy import func, select

from plugin_sdk.db import get_db
from plugin_sdk.edits import patch_row
from plugin_sdk.errors import NotFoundError
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok
from plugin_sdk.links import with_link_fields, with_link_filters, with_links
from plugin_sdk.rows import Listing, get_row
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
from plugins_builtin.videos.routes.serialize import VideoListItem, list_item
from plugins_builtin.videos.typed_metadata import artwork_path, artwork_urls, season_slot, send_artwork

SERIES = Listing(
    "series", VideoSeries, search=[VideoSeries.title, VideoSeries.custom_name],
    equals={"root": VideoSeries.library_root_id},
    order_by=[func.lower(func.coalesce(VideoSeries.custom_name, VideoSeries.title))],
)  # fmt: skip


class SeriesQuery(Pagination):
    search: str | None = Field(None, max_length=200)
    root: str | None = None


class SeriesOut(ApiModel):
    id: str
    title: str
    original_title: str
    year: int | None
    overview: str | None
    rating: int | None
    is_nsfw: bool
    organized: bool
    library_root_id: str
    folder_path: str
    season_count: int
    episode_count: int
    thumbnail_url: str | None
    artwork: dict[str, str] = Field(default_factory=dict, description="poster/backdrop/logo URLs")
    created_at: datetime


class SeasonOut(ApiModel):
    id: str
    season_number: int
    title: str | None
    overview: str | None = None
    air_date: str | None = None
    poster_url: str | None = None
    episodes: list[VideoListItem]


class SeriesDetail(SeriesOut):
    tagline: str | None = None
    first_air_date: str | None = None
    content_rating: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)
    seasons: list[SeasonOut]
    extras: list[VideoListItem] = Field(default_factory=list, description="trailers, featurettes… of the series")


class SeriesPatch(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=500)
    year: int | None = Field(None, ge=1800, le=2200)
    overview: str | None = Field(None, max_length=20000)
    rating: int | None = Field(None, ge=0, le=100)
    is_nsfw: bool | None = None
    organized: bool | None = None


def _series(db, series_id: str) -> VideoSeries:
    return get_row(db, VideoSeries, series_id, f"No series with id '{series_id}'.")


def _counts(db, ids: list[str]) -> dict[str, tuple[int, int, str | None]]:
    """Per series: (seasons, episodes, a thumbnail URL of its first episode that has one)."""
    if not ids:
        return {}
    rows = db.execute(
        select(
            Video.series_id,
            func.count(func.distinct(Video.season_number)),
            func.count(),
            func.min(Video.id).filter(Video.thumbnail_at.is_not(None)),
        )
        .where(Video.series_id.in_(ids), Video.kind == "episode")
        .group_by(Video.series_id)
    ).all()
    return {
        sid: (seasons, episodes, f"/api/videos/{thumb}/thumbnail" if thumb else None)
        for sid, seasons, episodes, thumb in rows
    }


def _out(series: VideoSeries, counts: tuple[int, int, str | None]) -> dict:
    return {
        "id": series.id,
        "title": series.custom_name or series.title,
        "original_title": series.title,
        "year": series.year,
        "overview": series.overview,
        "rating": series.rating,
        "is_nsfw": series.is_nsfw,
        "organized": series.organized,
        "library_root_id": series.library_root_id,
        "folder_path": series.folder_path,
        "season_count": counts[0],
        "episode_count": counts[1],
        "thumbnail_url": counts[2],
        "artwork": artwork_urls(f"/api/series/{series.id}", series.artwork),
        "created_at": series.created_at,
    }


def _outs(db, rows: list[VideoSeries]) -> list[SeriesOut]:
    counts = _counts(db, [s.id for s in rows])
    return [SeriesOut(**_out(s, counts.get(s.id, (0, 0, None)))) for s in rows]


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_series", __name__)

    @api_route(bp, "/api/series", query=with_link_filters(SeriesQuery), response=Page[SeriesOut])
    def list_series(query: SeriesQuery):
        """Series, alphabetically, with season and episode counts."""
        db = get_db()
        return SERIES.page(db, query, lambda rows: _outs(db, rows))

    @api_route(bp, "/api/series/<series_id>", response=SeriesDetail)
    def get_series(series_id: str):
        """A series with its seasons and their episodes in order."""
        db = get_db()
        series = _series(db, series_id)
        seasons = (
            db.execute(
                select(VideoSeason).where(VideoSeason.series_id == series.id).order_by(VideoSeason.season_number)
            )
            .scalars()
            .all()
        )
        episodes = (
            db.execute(
                select(Video)
                .where(Video.series_id == series.id, Video.kind.in_(("episode", "extra")))
                .order_by(
                    Video.season_number,
                    Video.episode_number.nulls_last(),
                    Video.absolute_episode_number,
                    Video.sort_title,
                    Video.id,
                )
            )
            .scalars()
            .all()
        )
        title = series.custom_name or series.title
        by_season: dict[int, list[VideoListItem]] = {}
        extras: list[VideoListItem] = []
        for ep in episodes:
            if ep.kind == "extra":
                extras.append(list_item(ep, title))
            else:
                by_season.setdefault(ep.season_number or 0, []).append(list_item(ep, title))
        counts = _counts(db, [series.id]).get(series.id, (0, 0, None))
        return ok(
            with_links(
                db,
                "series",
                SeriesDetail(
                    **_out(series, counts),
                    tagline=series.tagline,
                    first_air_date=series.first_air_date,
                    content_rating=series.content_rating,
                    external_ids=dict(series.external_ids or {}),
                    seasons=[
                        SeasonOut(
                            id=s.id,
                            season_number=s.season_number,
                            title=s.title,
                            overview=s.overview,
                            air_date=s.air_date,
                            poster_url=(
                                f"/api/series/{series.id}/seasons/{s.id}/poster?v={int(s.poster_at.timestamp())}"
                                if s.poster_at
                                else None
                            ),
                            episodes=by_season.get(s.season_number, []),
                        )
                        for s in seasons
                    ],
                    extras=extras,
                ),
            )
        )

    @bp.get("/api/series/<series_id>/artwork/<slot>")
    def series_artwork(series_id: str, slot: str):
        """A series' downloaded poster, backdrop or logo."""
        series = _series(get_db(), series_id)
        return send_artwork("series", series.id, slot, series.artwork)

    @bp.get("/api/series/<series_id>/seasons/<season_id>/poster")
    def season_poster(series_id: str, season_id: str):
        """A season's downloaded poster."""
        season = get_db().get(VideoSeason, season_id)
        path = artwork_path("series", series_id, season_slot(season.season_number)) if season else None
        if season is None or season.series_id != series_id or season.poster_at is None or not path.is_file():
            raise NotFoundError("This season has no poster.")
        return send_file(path, mimetype="image/jpeg", conditional=True, max_age=86400)

    @api_route(bp, "/api/series/<series_id>", methods=["PATCH"], body=with_link_fields(SeriesPatch), response=SeriesOut)
    def patch_series(series_id: str, body: SeriesPatch):
        """Rename a series or edit its details."""
        db = get_db()
        series = _series(db, series_id)
        return patch_row(db, "series", series, body, lambda: _outs(db, [series])[0], columns={"title": "custom_name"})

    return bp
