"""Typed metadata (movie, episode, series results of script plugins such as TMDB or TVDB).

What a typed source gets (:func:`describe_typed_videos`, :func:`describe_typed_series`: the
original Obscura's plugin input, with a series' local seasons and episodes and their parsed
numbers) and applying an accepted typed result: a movie's or an episode's fields, cast (linked
performers plus their characters), genres (tags), studio, external ids and artwork; a series'
own fields and artwork, then the cascade, which updates only the seasons and episodes that exist
here, matched by their numbers.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Response, send_file
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata
from plugin_sdk.edits import apply_patch
from plugin_sdk.errors import NotFoundError
from plugin_sdk.metadata import accepted_changes, with_current_names
from plugin_sdk.storage import atomic_write, cache_path
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries

TYPED_VIDEO_COLUMNS = {"title": "title", "overview": "details", "date": "date", "tagline": "tagline",
                       "contentRating": "content_rating", "rating": "rating"}  # fmt: skip
TYPED_SERIES_COLUMNS = {"title": "title", "overview": "overview", "tagline": "tagline",
                        "contentRating": "content_rating", "rating": "rating"}  # fmt: skip
VIDEO_EDITABLE = ("title", "details", "date", "tagline", "content_rating", "rating", "external_ids", "organized")
SERIES_EDITABLE = ("title", "overview", "tagline", "content_rating", "rating", "year", "external_ids", "organized")
ARTWORK = ("poster", "backdrop", "logo")
ART_FORMAT = {"poster": "JPEG", "backdrop": "JPEG", "logo": "PNG"}


# ------------------------------------------------------------------------------------------ inputs


def _video_input(v: Video, series_title: str | None) -> dict[str, Any]:
    return {
        "kind": v.kind if v.kind in ("movie", "episode") else "movie", "title": v.title, "name": v.title,
        "year": v.year, "date": v.date, "details": v.details,
        "url": (v.urls or [None])[0], "filePath": v.file_path, "oshash": v.oshash, "checksumMd5": v.md5,
        "phash": v.phash, "duration": v.duration, "seasonNumber": v.season_number,
        "episodeNumber": v.episode_number, "absoluteEpisodeNumber": v.absolute_episode_number,
        "seriesTitle": series_title, "externalIds": dict(v.external_ids or {}),
        "externalId": external_id(v.external_ids),
    }  # fmt: skip


def external_id(ids: Mapping[str, str] | None) -> str | None:
    """The legacy ``externalId`` (``tmdb:1399``) plugins' cascade actions read: TMDB's, else the first."""
    if not ids:
        return None
    provider = "tmdb" if "tmdb" in ids else next(iter(ids))
    return f"{provider}:{ids[provider]}"


def describe_typed_videos(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Movies and episodes as the original's plugins get them (``input``)."""
    if not ids:
        return {}
    rows = db.execute(
        select(Video, VideoSeries.custom_name, VideoSeries.title)
        .outerjoin(VideoSeries, VideoSeries.id == Video.series_id)
        .where(Video.id.in_(list(ids)))
    ).all()
    return {v.id: _video_input(v, custom or title) for v, custom, title in rows}


def describe_typed_series(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Series with their local seasons and episodes (``localSeasons``), so a plugin's cascade
    matches only what is on disk."""
    if not ids:
        return {}
    series = db.scalars(select(VideoSeries).where(VideoSeries.id.in_(list(ids)))).all()
    episodes = db.execute(
        select(Video.series_id, Video.season_number, Video.episode_number, Video.absolute_episode_number,
               Video.title, Video.year, Video.file_path)
        .where(Video.series_id.in_([s.id for s in series]), Video.kind == "episode", Video.parent_id.is_(None))
        .order_by(Video.season_number, Video.episode_number, Video.file_path)
    ).all()  # fmt: skip
    local: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for sid, season, number, absolute, title, year, path in episodes:
        parsed = {"season": season, "episode": number, "absolute": absolute, "title": title, "year": year}
        local.setdefault(sid, {}).setdefault(season or 0, []).append({
            "episodeNumber": number, "localFilePath": path, "title": title,  # what TMDB's plugin reads
            "filePath": path, "parsed": parsed,  # the original's identify drawer
        })  # fmt: skip
    return {
        s.id: {
            "kind": "series", "title": s.custom_name or s.title, "name": s.custom_name or s.title, "year": s.year,
            "folderPath": s.folder_path, "externalIds": dict(s.external_ids or {}),
            "externalId": external_id(s.external_ids),
            "localSeasons": [{"seasonNumber": n, "episodes": eps} for n, eps in sorted(local.get(s.id, {}).items())],
        }
        for s in series
    }  # fmt: skip


# ------------------------------------------------------------------------------------------ artwork


def artwork_path(entity: str, entity_id: str, slot: str) -> Path:
    """Where a series', a season's or a movie's artwork lives (``poster.jpg``, ``logo.png``…)."""
    ext = "png" if ART_FORMAT.get(slot.rsplit(":", 1)[-1]) == "PNG" else "jpg"
    return cache_path(entity, entity_id, f"{slot.replace(':', '-')}.{ext}")


def store_artwork(entity: str, entity_id: str, slot: str, data: bytes) -> str | None:
    """Re-encode and store one image; a problem is returned as a warning."""
    fmt = ART_FORMAT.get(slot.rsplit(":", 1)[-1], "JPEG")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            with atomic_write(artwork_path(entity, entity_id, slot)) as tmp:
                out = img.convert("RGBA") if fmt == "PNG" else img.convert("RGB")
                out.save(tmp, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return f"{slot} image not applied: {exc}"
    return None


def _store_slots(entity: str, row: Any, images: Mapping[str, tuple[bytes, str]], warnings: list[str]) -> None:
    art = dict(row.artwork or {})
    for slot in ARTWORK:
        if slot in images:
            problem = store_artwork(entity, row.id, slot, images[slot][0])
            if problem:
                warnings.append(problem)
            else:
                art[slot] = int(time.time())
    row.artwork = art


def send_artwork(entity: str, entity_id: str, slot: str, artwork: Mapping[str, int] | None) -> Response:
    """Answer one stored artwork image (404 when there is none)."""
    path = artwork_path(entity, entity_id, slot) if slot in ARTWORK and slot in (artwork or {}) else None
    if path is None or not path.is_file():
        raise NotFoundError(f"No {slot[:20]} image here.")
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    return send_file(path, mimetype=mimetype, conditional=True, max_age=86400)


def season_slot(season_number: int) -> str:
    """A season poster's file beside its series' artwork (``season-1.jpg``)."""
    return f"season-{season_number}"


def artwork_urls(base: str, artwork: Mapping[str, int] | None) -> dict[str, str]:
    """``{slot: URL}`` of the stored artwork (versioned, so browsers may cache it)."""
    return {slot: f"{base}/artwork/{slot}?v={stamp}" for slot, stamp in (artwork or {}).items() if slot in ARTWORK}


# ------------------------------------------------------------------------------------------ applying


def _changes(
    db: Session, entity_type: str, entity_id: str, fields: Mapping[str, Any], columns: Mapping[str, str],
    external_ids: Mapping[str, str] | None, *, merge_names: bool,
) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    """The PATCH changes of typed fields: columns, links (added to the current ones when
    ``merge_names``), external ids merged into the row's."""
    if merge_names:
        fields = with_current_names(db, entity_type, entity_id, fields)
    changes, warnings = accepted_changes(AcceptedMetadata(kind="typed", fields=fields), columns)
    if isinstance(fields.get("externalIds"), Mapping):
        changes["external_ids"] = {**(external_ids or {}), **fields["externalIds"]}
    if "runtime" in fields:
        warnings.append("runtime not applied: the file's own duration is kept")
    return changes, warnings


def apply_typed_video(db: Session, video: Video, accepted: AcceptedMetadata, *, merge_names: bool = False) -> list[str]:
    """A movie or an episode result: its fields, cast with characters, genres, studio, external
    ids; a movie's poster/backdrop/logo, an episode's still as its thumbnail."""
    changes, warnings = _changes(db, "video", video.id, accepted.fields, TYPED_VIDEO_COLUMNS, video.external_ids,
                                 merge_names=merge_names)  # fmt: skip
    apply_patch(db, "video", [video], changes, editable=VIDEO_EDITABLE)
    if isinstance(accepted.fields.get("cast"), list):
        video.cast_roles = [dict(c) for c in accepted.fields["cast"] if isinstance(c, Mapping)]
    _store_slots("videos", video, accepted.images, warnings)
    still = accepted.images.get("still")
    if still:
        from plugins_builtin.videos.metadata_target import store_thumbnail

        problem = store_thumbnail(video, still[0])
        if problem:
            warnings.append(problem)
    return warnings


def apply_typed_series(db: Session, series: VideoSeries, accepted: AcceptedMetadata) -> list[str]:
    """A series result: its own fields and artwork, then the accepted seasons and episodes that
    exist here (matched by season and episode numbers; the others are counted, not created)."""
    fields = dict(accepted.fields)
    seasons = fields.pop("seasons", None) or []
    changes, warnings = _changes(db, "series", series.id, fields, TYPED_SERIES_COLUMNS, series.external_ids,
                                 merge_names=False)  # fmt: skip
    date = fields.get("date")
    if isinstance(date, str) and date[:4].isdigit():
        changes["year"] = int(date[:4])
        series.first_air_date = date[:10]
    changes.pop("date", None)
    apply_patch(db, "series", [series], changes, editable=SERIES_EDITABLE, columns={"title": "custom_name"})
    _store_slots("series", series, accepted.images, warnings)
    if seasons:
        warnings += _cascade(db, series, seasons, accepted)
    return warnings


def _cascade(
    db: Session, series: VideoSeries, seasons: list[Mapping[str, Any]], accepted: AcceptedMetadata
) -> list[str]:
    local_seasons = {
        s.season_number: s for s in db.scalars(select(VideoSeason).where(VideoSeason.series_id == series.id))
    }
    episodes: dict[tuple[int, int], list[Video]] = {}
    for video in db.scalars(
        select(Video).where(Video.series_id == series.id, Video.kind == "episode", Video.episode_number.is_not(None))
    ):
        episodes.setdefault((video.season_number or 0, video.episode_number), []).append(video)  # type: ignore[arg-type]
    warnings: list[str] = []
    updated, skipped = 0, 0
    for remote in seasons:
        number = int(remote.get("seasonNumber") or 0)
        season = local_seasons.get(number)
        if season is not None:
            _apply_season(season, remote.get("fields") or {}, accepted.images.get(f"season:{number}:poster"), warnings)
        for ep in remote.get("episodes") or []:
            key = (int(ep.get("seasonNumber", number) or 0), int(ep["episodeNumber"]))
            videos = episodes.get(key)
            if not videos:
                skipped += 1
                continue
            ep_accepted = AcceptedMetadata(kind="episode", fields=ep.get("fields") or {}, source=accepted.source)
            for video in videos:  # a double episode's files, or several versions
                warnings += apply_typed_video(db, video, ep_accepted, merge_names=True)
            updated += 1
    if skipped:
        warnings.append(f"{skipped} episode(s) of the result are not in this library: left out")
    return sorted(set(warnings), key=warnings.index) + ([] if updated else ["no local episode matched the result"])


def _apply_season(season: VideoSeason, fields: Mapping[str, Any], poster: tuple[bytes, str] | None,
                  warnings: list[str]) -> None:  # fmt: skip
    if fields.get("title"):
        season.title = fields["title"]
    if fields.get("overview"):
        season.overview = fields["overview"]
    if isinstance(fields.get("date"), str):
        season.air_date = fields["date"][:10]
    if isinstance(fields.get("externalIds"), Mapping):
        season.external_ids = {**(season.external_ids or {}), **fields["externalIds"]}
    if poster:
        problem = store_artwork("series", season.series_id, season_slot(season.season_number), poster[0])
        if problem:
            warnings.append(f"season {season.season_number}: {problem}")
        else:
            season.poster_at = datetime.now(UTC)
