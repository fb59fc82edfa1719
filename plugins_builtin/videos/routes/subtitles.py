"""``/api/videos/<id>/subtitles``: list, upload, WebVTT source, cues (transcript), edit, delete."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Blueprint, Response, request, send_file
from pydantic import Field
from sqlalchemy import select, update

from plugin_sdk.db import get_db, new_id
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.storage import atomic_write
from plugin_sdk.uploads import read_limited
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import VideoSubtitle
from plugins_builtin.videos.routes.common import get_video
from plugins_builtin.videos.routes.serialize import SubtitleOut, subtitle_out
from plugins_builtin.videos.scanning.filetypes import subtitle_format
from plugins_builtin.videos.scanning.subtitle_files import parse_vtt_cues, read_subtitle_text, subtitles_to_vtt
from plugins_builtin.videos.subtitles import upsert_track

MAX_SUBTITLE_BYTES = 5 * 1024 * 1024
LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class CueOut(ApiModel):
    start: float
    end: float
    text: str


class SubtitlePatch(ApiModel):
    language: str | None = Field(None, pattern=LANG_RE.pattern)
    label: str | None = Field(None, max_length=200)
    is_default: bool | None = None


def _track(db, video_id: str, track_id: str) -> VideoSubtitle:
    track = db.get(VideoSubtitle, track_id) if len(track_id) <= 64 else None
    if track is None or track.video_id != video_id:
        raise NotFoundError(f"No subtitle track '{track_id}' on this video.")
    return track


def _vtt_path(track: VideoSubtitle) -> Path:
    path = assets.subtitle_file(track.video_id, track.file_name)
    if not path.is_file():
        raise NotFoundError("The subtitle file is missing; run “extract subtitles” again.", code="asset_missing")
    return path


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_subtitles", __name__)

    @api_route(bp, "/api/videos/<video_id>/subtitles", response=list[SubtitleOut])
    def list_tracks(video_id: str):
        """Subtitle tracks of a video (sidecar, embedded and uploaded), as WebVTT."""
        db = get_db()
        video = get_video(db, video_id)
        rows = db.execute(
            select(VideoSubtitle).where(VideoSubtitle.video_id == video.id).order_by(VideoSubtitle.language)
        ).scalars()
        return ok([subtitle_out(video.id, t) for t in rows])

    @api_route(
        bp,
        "/api/videos/<video_id>/subtitles",
        methods=["POST"],
        multipart=True,
        response=SubtitleOut,
        status=201,
        max_upload=MAX_SUBTITLE_BYTES,
    )
    def upload(video_id: str):
        """Upload a .srt, .vtt, .ass or .ssa file (multipart ``file``, optional ``language``, ``label``)."""
        db = get_db()
        video = get_video(db, video_id)
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationError("Send the subtitle as a multipart field named 'file'.")
        fmt = subtitle_format(file.filename)
        if fmt is None:
            raise ValidationError("Subtitles must be .srt, .vtt, .ass or .ssa files.")
        language = (request.form.get("language") or "und").strip().lower()
        if language != "und" and not LANG_RE.match(language):
            raise ValidationError("language must be a code such as 'en', 'eng' or 'pt-br'.")
        label = (request.form.get("label") or "").strip()[:200] or None
        data = read_limited(file.stream, MAX_SUBTITLE_BYTES, "Subtitle files may be at most 5 MiB.")
        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
            tmp.write(data)
            tmp.flush()
            text = read_subtitle_text(tmp.name)
        try:
            vtt = subtitles_to_vtt(text, fmt)
        except ValueError as exc:
            raise ValidationError(f"That subtitle file could not be read: {exc}") from None
        if not parse_vtt_cues(vtt):
            raise ValidationError("That subtitle file has no cues Obscura could read.")
        name = f"upload-{new_id()[:12]}.vtt"
        ensure_free_space(db, assets.subtitle_file(video.id, name).parent, 2 * (len(vtt) + len(text)))
        with atomic_write(assets.subtitle_file(video.id, name)) as tmp_path:
            tmp_path.write_text(vtt, encoding="utf-8")
        raw_name = None
        if fmt in ("ass", "ssa"):
            raw_name = name.replace(".vtt", f".{fmt}")
            with atomic_write(assets.subtitle_file(video.id, raw_name)) as tmp_path:
                tmp_path.write_text(text, encoding="utf-8")
        key = f"{language}:{label or ''}"
        old = db.execute(
            select(VideoSubtitle).where(
                VideoSubtitle.video_id == video.id, VideoSubtitle.source == "upload", VideoSubtitle.source_key == key
            )
        ).scalar()
        if old is not None:
            assets.subtitle_file(video.id, old.file_name).unlink(missing_ok=True)
        upsert_track(
            db,
            video.id,
            "upload",
            key,
            language=language,
            label=label,
            source_format=fmt,
            file_name=name,
            raw_file_name=raw_name,
        )
        db.commit()
        track = db.execute(
            select(VideoSubtitle).where(
                VideoSubtitle.video_id == video.id, VideoSubtitle.source == "upload", VideoSubtitle.source_key == key
            )
        ).scalar_one()
        return ok(subtitle_out(video.id, track), status=201)

    @bp.get("/api/videos/<video_id>/subtitles/<track_id>/source")
    def source(video_id: str, track_id: str) -> Response:
        db = get_db()
        track = _track(db, get_video(db, video_id).id, track_id)
        return send_file(_vtt_path(track), mimetype="text/vtt", conditional=True, max_age=0)

    @bp.get("/api/videos/<video_id>/subtitles/<track_id>/raw")
    def raw(video_id: str, track_id: str) -> Response:
        db = get_db()
        track = _track(db, get_video(db, video_id).id, track_id)
        if not track.raw_file_name:
            raise NotFoundError("This track has no styled (ASS/SSA) original.")
        path = assets.subtitle_file(track.video_id, track.raw_file_name)
        if not path.is_file():
            raise NotFoundError("The styled subtitle file is missing.", code="asset_missing")
        return send_file(path, mimetype="text/x-ssa", conditional=True, max_age=0)

    @api_route(bp, "/api/videos/<video_id>/subtitles/<track_id>/cues", response=list[CueOut])
    def cues(video_id: str, track_id: str):
        """The track's cues as ``[{start, end, text}]`` (for a transcript panel)."""
        db = get_db()
        track = _track(db, get_video(db, video_id).id, track_id)
        parsed = parse_vtt_cues(_vtt_path(track).read_text(encoding="utf-8"))
        return ok([CueOut(start=c.start, end=c.end, text=c.text) for c in parsed])

    @api_route(
        bp, "/api/videos/<video_id>/subtitles/<track_id>", methods=["PATCH"], body=SubtitlePatch, response=SubtitleOut
    )
    def patch(video_id: str, track_id: str, body: SubtitlePatch):
        """Change a track's language or label, or make it the default."""
        db = get_db()
        video = get_video(db, video_id)
        track = _track(db, video.id, track_id)
        changes = body.model_dump(exclude_unset=True)
        if changes.get("is_default"):
            db.execute(update(VideoSubtitle).where(VideoSubtitle.video_id == video.id).values(is_default=False))
        for key, value in changes.items():
            if value is None and key != "label":
                raise ValidationError(f"body.{key}: cannot be null")
            setattr(track, key, value)
        db.commit()
        return ok(subtitle_out(video.id, track))

    @api_route(bp, "/api/videos/<video_id>/subtitles/<track_id>", methods=["DELETE"])
    def delete(video_id: str, track_id: str):
        """Remove a track and its files (a sidecar file on disk is left alone)."""
        db = get_db()
        track = _track(db, get_video(db, video_id).id, track_id)
        assets.subtitle_file(track.video_id, track.file_name).unlink(missing_ok=True)
        if track.raw_file_name:
            assets.subtitle_file(track.video_id, track.raw_file_name).unlink(missing_ok=True)
        db.delete(track)
        db.commit()
        return ok({"id": track_id, "deleted": True})

    return bp
