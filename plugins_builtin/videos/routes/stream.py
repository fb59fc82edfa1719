"""``/api/video-stream/<id>/…``: direct play with ranges, live fMP4 remux, on-demand HLS."""

from __future__ import annotations

from flask import Blueprint, Response, send_file
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.diskspace import check_free_space
from plugin_sdk.errors import ConflictError
from plugin_sdk.files import send_source
from plugin_sdk.http import ApiModel, parse_query
from plugin_sdk.limits import read_limits
from plugin_sdk.media import ffmpeg_bin
from plugin_sdk.storage import cache_dir
from plugins_builtin.videos.routes.common import get_video, video_source
from plugins_builtin.videos.streaming.compat import remux_mode
from plugins_builtin.videos.streaming.hls import shared_cache
from plugins_builtin.videos.streaming.hls_encode import DEFAULT_MAX_HEIGHT_LIVE
from plugins_builtin.videos.streaming.hls_playlists import (
    find_rendition,
    master_playlist,
    renditions_for,
    variant_playlist,
)
from plugins_builtin.videos.streaming.remux import stream_fmp4

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


class SourceQuery(ApiModel):
    t: float = Field(0.0, ge=0, le=1_000_000, description="start (s) of a live remux; ignored for direct play")
    raw: bool = Field(False, description="always send the file's own bytes (download)")


def _hls_ready(video) -> None:
    if not video.duration or not video.width or not video.height:
        raise ConflictError("This video has no decodable video stream yet (not probed, or probing failed).")


def _playlist(text: str) -> Response:
    return Response(text, mimetype=PLAYLIST_TYPE, headers={"Cache-Control": "max-age=300"})


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_stream", __name__)

    @bp.get("/api/video-stream/<video_id>/source")
    def source(video_id: str) -> Response:
        """The file itself with byte ranges, or a live fragmented-MP4 remux when a browser
        cannot play its container or codecs (``?t=`` seeks)."""
        query = parse_query(SourceQuery)
        db = get_db()
        video = get_video(db, video_id)
        path = video_source(db, video)
        mode = remux_mode(video.container, video.video_codec, video.audio_codec) if video.container else "direct"
        if query.raw or mode == "direct":
            return send_source(path)
        return stream_fmp4(path, mode, start=query.t, ffmpeg=ffmpeg_bin(), audio_codec=video.audio_codec)

    @bp.get("/api/video-stream/<video_id>/hls/master.m3u8")
    def master(video_id: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        _hls_ready(video)
        renditions = renditions_for(video.width, video.height, DEFAULT_MAX_HEIGHT_LIVE)
        return _playlist(master_playlist(video.id, renditions, has_audio=bool(video.audio_codec)))

    @bp.get("/api/video-stream/<video_id>/hls/<rendition>.m3u8")
    def variant(video_id: str, rendition: str) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        _hls_ready(video)
        chosen = find_rendition(renditions_for(video.width, video.height, DEFAULT_MAX_HEIGHT_LIVE), rendition)
        return _playlist(variant_playlist(video.duration, rendition=chosen))

    @bp.get("/api/video-stream/<video_id>/hls/<rendition>/<int:index>.ts")
    def segment(video_id: str, rendition: str, index: int) -> Response:
        db = get_db()
        video = get_video(db, video_id)
        _hls_ready(video)
        chosen = find_rendition(renditions_for(video.width, video.height, DEFAULT_MAX_HEIGHT_LIVE), rendition)
        path = video_source(db, video)
        duration = video.duration
        keep_free = read_limits(db).min_free_bytes
        db.close()  # an encode can take seconds: do not hold a database connection meanwhile
        hls = shared_cache(cache_dir(), ffmpeg_bin())
        if not hls.segment_path(video.id, chosen, index).is_file():  # a new segment: 507 when the disk is too full
            check_free_space(hls.root, keep_free=keep_free)
        cached = hls.segment(video.id, path, duration, chosen, index)
        response = send_file(cached, mimetype="video/mp2t", conditional=True, max_age=31536000)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    return bp
