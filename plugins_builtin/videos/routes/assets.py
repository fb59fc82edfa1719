"""A video's generated files: thumbnail (generated or custom), preview clip, sprite, trickplay VTT."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, Response, send_file
from PIL import Image, UnidentifiedImageError
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.fetch import IMAGE, fetch_url
from plugin_sdk.files import send_source
from plugin_sdk.http import ApiModel, api_route
from plugin_sdk.limits import read_limits
from plugin_sdk.media import MediaError, run
from plugin_sdk.rows import answer_row
from plugin_sdk.storage import atomic_write
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.routes.common import get_video, video_source
from plugins_builtin.videos.routes.serialize import VideoDetail, detail
from plugins_builtin.videos.typed_metadata import send_artwork

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_THUMB_DOWNLOAD = 20 * 1024 * 1024


class FromFrameIn(ApiModel):
    seconds: float = Field(ge=0)


class FromUrlIn(ApiModel):
    url: str = Field(min_length=8, max_length=2000)


def _existing(path: Path | None, what: str) -> Path:
    if path is None or not path.is_file():
        raise NotFoundError(f"This video has no {what} yet.", code="asset_missing")
    return path


def _use_thumbnail(db: Session, video: Video, *, custom: bool) -> tuple[Response, int]:
    """Show the custom thumbnail (just stored: stamped now, for the URLs' cache busting) or the
    generated one; committed and answered."""
    video.custom_thumbnail = custom
    if custom:
        video.thumbnail_at = datetime.now(UTC)
    return answer_row(db, "video", lambda: detail(db, video))


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_assets", __name__)

    @bp.get("/api/videos/<video_id>/artwork/<slot>")
    def artwork(video_id: str, slot: str) -> Response:
        """A movie's downloaded poster, backdrop or logo."""
        video = get_video(get_db(), video_id)
        return send_artwork("videos", video.id, slot, video.artwork)

    @bp.get("/api/videos/<video_id>/thumbnail")
    def thumbnail(video_id: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        custom = assets.asset(video.id, assets.CUSTOM_THUMB)
        path = custom if video.custom_thumbnail and custom.is_file() else assets.locate(db, video, "thumb")
        return send_file(_existing(path, "thumbnail"), mimetype="image/jpeg", conditional=True, max_age=86400)

    @bp.get("/api/videos/<video_id>/preview")
    def preview(video_id: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        return send_source(_existing(assets.locate(db, video, "preview"), "preview clip"), "video/mp4")

    @bp.get("/api/videos/<video_id>/sprite")
    def sprite(video_id: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        path = _existing(assets.locate(db, video, "sprite"), "trickplay sprite")
        return send_file(path, mimetype="image/jpeg", conditional=True, max_age=3600)

    @bp.get("/api/videos/<video_id>/trickplay.vtt")
    def trickplay(video_id: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        path = _existing(assets.locate(db, video, "trickplay"), "trickplay track")
        return send_file(path, mimetype="text/vtt", conditional=True, max_age=3600)

    @api_route(
        bp, "/api/videos/<video_id>/thumbnail/from-frame", methods=["POST"], body=FromFrameIn, response=VideoDetail
    )
    def from_frame(video_id: str, body: FromFrameIn):
        """Use the frame at ``seconds`` as the video's thumbnail."""
        db = get_db()
        video = get_video(db, video_id)
        if video.duration is not None and body.seconds > video.duration:
            raise ValidationError(f"seconds ({body.seconds:g}) is past the end of the video ({video.duration:g} s).")
        src = video_source(db, video)
        target = assets.asset(video.id, assets.CUSTOM_THUMB)
        ensure_free_space(db, target.parent)
        try:
            with atomic_write(target) as tmp:
                run(
                    [
                        "-y",
                        "-loglevel",
                        "error",
                        "-ss",
                        f"{body.seconds:.3f}",
                        "-i",
                        str(src),
                        "-frames:v",
                        "1",
                        "-q:v",
                        "2",
                        "-f",
                        "image2",
                        str(tmp),
                    ],
                    timeout=60,
                )
                if tmp.stat().st_size == 0:
                    raise MediaError("no frame could be decoded at that time")
        except MediaError as exc:
            raise ValidationError(f"No thumbnail could be taken at {body.seconds:g} s: {exc}") from None
        return _use_thumbnail(db, video, custom=True)

    @api_route(bp, "/api/videos/<video_id>/thumbnail/from-url", methods=["POST"], body=FromUrlIn, response=VideoDetail)
    def from_url(video_id: str, body: FromUrlIn):
        """Download an image (http/https, an ``image/*`` answer, ≤ 20 MiB, within the download
        timeout of Settings → Limits) and use it as the video's thumbnail."""
        db = get_db()
        video = get_video(db, video_id)
        data = fetch_url(
            body.url, max_bytes=MAX_THUMB_DOWNLOAD, accept=IMAGE, timeout=read_limits(db).fetch_timeout_seconds
        ).body
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise ValidationError("That URL did not return an image Obscura can read.") from None
        ensure_free_space(db, assets.asset(video.id, assets.CUSTOM_THUMB).parent)
        assets.store_custom_thumbnail(video.id, image)
        return _use_thumbnail(db, video, custom=True)

    @api_route(bp, "/api/videos/<video_id>/thumbnail", methods=["DELETE"], response=VideoDetail)
    def reset_thumbnail(video_id: str):
        """Go back to the generated thumbnail."""
        db = get_db()
        video = get_video(db, video_id)
        assets.asset(video.id, assets.CUSTOM_THUMB).unlink(missing_ok=True)
        return _use_thumbnail(db, video, custom=False)

    return bp
