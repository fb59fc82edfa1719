"""``/api/audio-tracks`` (list, detail, edit, delete, plays, markers, waveform, cover) and
``/api/audio-stream/<id>`` (ranges for codecs browsers play, a live MP3 transcode otherwise)."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, Response, send_file
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.deletion import DeleteQuery, delete_media
from plugin_sdk.edits import patch_row
from plugin_sdk.errors import NotFoundError
from plugin_sdk.files import send_source, source_path
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, parse_query
from plugin_sdk.links import with_link_fields, with_link_filters, with_links
from plugin_sdk.livestream import Limiter, stream_process
from plugin_sdk.markers import add_marker_routes, markers_of
from plugin_sdk.media import ffmpeg_bin
from plugin_sdk.playback import ProgressIn, record_play, record_progress
from plugin_sdk.rows import Listing, get_row, title_of
from plugins_builtin.audio import assets
from plugins_builtin.audio.models import AudioLibrary, AudioMarker, AudioTrack
from plugins_builtin.audio.routes.serialize import TrackDetail, TrackOut, track_detail, track_out
from plugins_builtin.audio.scan import recount

# codecs Chromium, Firefox and Safari play from a plain <audio src>: served as they are, with ranges
DIRECT_CODECS = frozenset({"mp3", "aac", "flac", "opus", "vorbis", "pcm_s16le", "pcm_s24le", "pcm_u8", "pcm_f32le"})
DIRECT_MIMETYPES = {
    "mp3": "audio/mpeg", "aac": "audio/mp4", "flac": "audio/flac", "opus": "audio/ogg", "vorbis": "audio/ogg",
}  # fmt: skip
TRANSCODES = Limiter(4)
SORTS: dict[str, Any] = {
    "recent": AudioTrack.created_at,
    "title": AudioTrack.sort_title,
    "rating": AudioTrack.rating,
    "duration": AudioTrack.duration,
    "plays": AudioTrack.play_count,
    "track": AudioTrack.sort_order,
}
TRACKS = Listing(
    "audio-track", AudioTrack, SORTS, descending=("recent", "rating", "plays"),
    search=[AudioTrack.title, AudioTrack.artist, AudioTrack.album], equals={"library": AudioTrack.library_id},
)  # fmt: skip
EDITABLE = ("title", "artist", "album", "album_artist", "track_number", "disc_number", "year", "genre", "details",
            "rating", "organized", "is_nsfw")  # fmt: skip


class TracksQuery(Pagination):
    library: str | None = None
    search: str | None = Field(None, max_length=200)
    sort: Literal["recent", "title", "rating", "duration", "plays", "track"] = "track"
    order: Literal["asc", "desc"] | None = None


class TrackPatch(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=500)
    artist: str | None = Field(None, max_length=500)
    album: str | None = Field(None, max_length=500)
    album_artist: str | None = Field(None, max_length=500)
    track_number: int | None = Field(None, ge=0, le=9999)
    disc_number: int | None = Field(None, ge=0, le=999)
    year: int | None = Field(None, ge=1000, le=2999)
    genre: str | None = Field(None, max_length=200)
    details: str | None = Field(None, max_length=20000)
    rating: int | None = Field(None, ge=0, le=100)
    organized: bool | None = None
    is_nsfw: bool | None = None


class StreamQuery(ApiModel):
    t: float = Field(0.0, ge=0, le=1_000_000, description="start (s) of a live transcode")


def get_track(db: Any, track_id: str) -> AudioTrack:
    return get_row(db, AudioTrack, track_id, f"No track with id '{track_id}'.")


def _detail(db: Any, track: AudioTrack) -> TrackDetail:
    markers = markers_of(db, AudioMarker, "track_id", track.id)
    return track_detail(track, title_of(db, AudioLibrary, track.library_id), markers)


def make_blueprint() -> Blueprint:
    bp = Blueprint("audio_tracks", __name__)

    @api_route(bp, "/api/audio-tracks", query=with_link_filters(TracksQuery), response=Page[TrackOut])
    def list_tracks(query: TracksQuery):
        """Tracks, filtered by library or text and sorted (``track`` keeps a library's order)."""
        return TRACKS.page(get_db(), query, lambda rows: map(track_out, rows))

    @api_route(bp, "/api/audio-tracks/<track_id>", response=TrackDetail)
    def get_one(track_id: str):
        """One track with its tags, stream facts, markers and the URLs of its stream, waveform and cover."""
        db = get_db()
        return ok(with_links(db, "audio-track", _detail(db, get_track(db, track_id))))

    @api_route(
        bp, "/api/audio-tracks/<track_id>", methods=["PATCH"], body=with_link_fields(TrackPatch), response=TrackDetail
    )
    def patch_one(track_id: str, body: TrackPatch):
        """Edit a track; edited fields are never overwritten by its tags again."""
        db = get_db()
        track = get_track(db, track_id)
        return patch_row(db, "audio-track", track, body, lambda: _detail(db, track), editable=EDITABLE)

    @api_route(bp, "/api/audio-tracks/<track_id>", methods=["DELETE"], query=DeleteQuery)
    def delete_one(track_id: str, query: DeleteQuery):
        """Delete a track (``?deleteFile=true`` also deletes the file)."""
        db = get_db()
        track = get_track(db, track_id)
        library_id = track.library_id
        return ok(delete_media(
            db, "audio-track", track, query.delete_file, delete_files=assets.delete_track_files,
            after_delete=(lambda: recount(db, library_ids=[library_id])) if library_id else None,
        ))  # fmt: skip

    @api_route(bp, "/api/audio-tracks/<track_id>/play", methods=["POST"])
    def play(track_id: str):
        """Count a play."""
        db = get_db()
        track = record_play(db, "audio-track", get_track(db, track_id))
        return ok({"playCount": track.play_count, "lastPlayedAt": track.last_played_at.isoformat()})

    @api_route(bp, "/api/audio-tracks/<track_id>/progress", methods=["POST"], body=ProgressIn)
    def progress(track_id: str, body: ProgressIn):
        """Remember the resume position and add listened time."""
        db = get_db()
        return ok(record_progress(db, get_track(db, track_id), body))

    @bp.get("/api/audio-tracks/<track_id>/waveform")
    def waveform(track_id: str) -> Response:
        """The waveform peaks in audiowaveform's JSON format (a document, not the envelope)."""
        track = get_track(get_db(), track_id)
        path = assets.track_file(track.id, assets.WAVEFORM)
        if not path.is_file():
            raise NotFoundError("This track has no waveform yet.", code="asset_missing")
        return send_file(path, mimetype="application/json", conditional=True, max_age=3600)

    @bp.get("/api/audio-tracks/<track_id>/cover")
    def cover(track_id: str) -> Response:
        """The track's embedded cover art, else its library's cover."""
        db = get_db()
        track = get_track(db, track_id)
        path = assets.track_file(track.id, assets.COVER)
        if not path.is_file() and track.library_id:
            path = assets.library_file(track.library_id, assets.COVER)
        if not path.is_file():
            raise NotFoundError("This track has no cover art.", code="asset_missing")
        return send_file(path, mimetype="image/jpeg", conditional=True, max_age=3600)

    add_marker_routes(bp, "/api/audio-tracks/<track_id>", get_parent=get_track, marker_model=AudioMarker, noun="track")

    @bp.get("/api/audio-stream/<track_id>")
    def stream(track_id: str) -> Response:
        """The file with ranges when browsers play its codec; a live MP3 transcode otherwise
        (``?t=`` starts it later, for seeking)."""
        query = parse_query(StreamQuery)
        db = get_db()
        track = get_track(db, track_id)
        path = source_path(db, track, "track", "audio")
        codec = (track.codec or "").lower()
        if codec in DIRECT_CODECS:
            mimetype = "audio/aac" if track.container == "aac" else DIRECT_MIMETYPES.get(codec)
            return send_source(path, mimetype)
        cmd = [ffmpeg_bin(), "-hide_banner", "-nostdin", "-loglevel", "error"]
        if query.t > 0:
            cmd += ["-ss", f"{query.t:.3f}"]
        cmd += ["-i", str(path), "-vn", "-c:a", "libmp3lame", "-b:a", "192k", "-ar", "44100", "-ac", "2",
                "-f", "mp3", "pipe:1"]  # fmt: skip
        return stream_process(
            cmd,
            "audio/mpeg",
            TRANSCODES,
            busy_message="Too many tracks are being converted right now; try again in a moment.",
            headers={"X-Transcoded-From": codec or "unknown"},
        )

    return bp
