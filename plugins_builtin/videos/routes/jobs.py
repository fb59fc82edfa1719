"""Video maintenance jobs: ``/api/jobs/phash-backfill`` and ``/api/jobs/rebuild-preview/<id>``."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError
from plugin_sdk.http import api_route, ok
from plugin_sdk.jobs import enqueue_job, enqueue_jobs
from plugins_builtin.videos import assets, queues
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.routes.common import get_video


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_jobs", __name__)

    @api_route(bp, "/api/jobs/phash-backfill", methods=["POST"])
    def phash_backfill():
        """Compute the Stash-compatible pHash of every decodable video that has none."""
        db = get_db()
        rows = db.execute(
            select(Video.id, Video.title).where(Video.duration > 0, Video.phash.is_(None)).order_by(Video.created_at)
        ).all()
        count = enqueue_jobs(
            db,
            queues.FINGERPRINT,
            (({"videoId": vid, "phashOnly": True}, "video", vid, f"pHash · {title}") for vid, title in rows),
        )
        db.commit()
        return ok({"enqueued": count})

    @api_route(bp, "/api/jobs/rebuild-preview/<video_id>", methods=["POST"], status=202)
    def rebuild_preview(video_id: str):
        """Throw away a video's previews and build them again."""
        db = get_db()
        video = get_video(db, video_id)
        if not video.duration:
            raise ConflictError("This video has not been probed successfully; there is nothing to preview.")
        assets.delete_generated(db, video)
        video.thumbnail_at = video.preview_at = video.trickplay_at = None
        run_id = enqueue_job(
            db,
            queues.PREVIEW,
            {"videoId": video.id, "force": True},
            target_type="video",
            target_id=video.id,
            target_label=f"Previews · {video.title}",
        )
        db.commit()
        return ok({"jobRunId": run_id}, status=202)

    return bp
