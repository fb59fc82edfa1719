"""``POST /api/videos/upload``: put a video file into a library root and index it."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, request

from plugin_sdk.db import get_db
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import ConflictError, NotFoundError, UnsupportedMediaTypeError, ValidationError
from plugin_sdk.http import api_route, ok
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot
from plugin_sdk.uploads import safe_file_name, save_upload, upload_size
from plugins_builtin.videos import queues
from plugins_builtin.videos.new_rows import insert_new_files
from plugins_builtin.videos.scanning.filetypes import VIDEO_EXTENSIONS, split_extension
from plugins_builtin.videos.settings import SCAN_MOVIES
from plugins_builtin.videos.walk import FileEntry


def make_blueprint() -> Blueprint:
    bp = Blueprint("video_upload", __name__)

    @api_route(bp, "/api/videos/upload", methods=["POST"], multipart=True, status=201)
    def upload():
        """Upload a video (multipart ``file`` + ``libraryRootId``) as a movie at the root; it is probed,
        fingerprinted and previewed in the background. Name collisions get `` (2)``, `` (3)``…
        The body is capped by Settings → Limits (413), and the root's disk must keep its free space (507)."""
        db = get_db()
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationError("Send the video as a multipart field named 'file'.")
        root_id = request.form.get("libraryRootId", "")
        root = db.get(LibraryRoot, root_id) if 0 < len(root_id) <= 64 else None
        if root is None:
            raise NotFoundError(f"No library root with id '{root_id}'.")
        if not root.enabled or not root_option(root, SCAN_MOVIES):
            raise ConflictError("This library root is disabled or does not index movies.")
        name = safe_file_name(file.filename)
        if split_extension(name)[1].lower() not in VIDEO_EXTENSIONS:
            raise UnsupportedMediaTypeError(
                f"'{name}' is not a video file Obscura indexes ({', '.join(sorted(VIDEO_EXTENSIONS))})."
            )
        ensure_free_space(db, root.path, upload_size(file))
        target = save_upload(file, Path(root.path), name, ".part")
        st = target.stat()
        new, _ = insert_new_files(db, root, [FileEntry(str(target), st.st_size, st.st_mtime)])
        if not new:
            target.unlink(missing_ok=True)
            raise ValidationError("The uploaded file could not be indexed.")
        # a batch of one, asked for by the person uploading (the tray waits on it): it runs even when
        # "Read media details" is off; what follows it obeys the Generation switches
        payload, target_type, video_id, label = queues.probe_batches(new, explicit=True)[0]
        run_id = enqueue_job(
            db, queues.MEDIA_PROBE, payload, target_type=target_type, target_id=video_id, target_label=label
        )
        db.commit()
        return ok({"videoId": video_id, "fileName": target.name, "jobRunId": run_id}, status=201)

    return bp
