"""``/api/audio-libraries``: list, detail with tracks, edit, delete, covers, uploads."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, Response, request, send_file
from pydantic import Field
from sqlalchemy import select

from plugin_sdk.db import get_db, new_id
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.edits import EditableFields, patch_row
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import Page, Pagination, api_route, ok
from plugin_sdk.links import entities_deleted, with_link_fields, with_link_filters, with_links
from plugin_sdk.rows import Listing, answer_row, children_of, get_row, last_position, parent_filter, title_of
from plugin_sdk.uploads import read_limited, receive_uploads, upload_name, upload_route
from plugins_builtin.audio import assets
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.routes.serialize import LibraryOut, TrackOut, library_out, track_out
from plugins_builtin.audio.scan import enqueue_probes, recount, title_from_file
from plugins_builtin.audio.tags import is_audio_name

SORTS: dict[str, Any] = {
    "title": AudioLibrary.sort_title,
    "recent": AudioLibrary.created_at,
    "rating": AudioLibrary.rating,
    "tracks": AudioLibrary.track_count,
}
LIBRARIES = Listing(
    "audio-library", AudioLibrary, SORTS, descending=("recent", "rating", "tracks"), search=[AudioLibrary.title]
)
MAX_COVER_BYTES = 20 * 1024 * 1024


class LibrariesQuery(Pagination):
    search: str | None = Field(None, max_length=200)
    parent: str | None = Field(None, description="a library id, or 'none' for top-level libraries")
    sort: Literal["title", "recent", "rating", "tracks"] = "title"
    order: Literal["asc", "desc"] | None = None


class LibraryDetail(LibraryOut):
    details: str | None
    date: str | None
    parent_title: str | None
    children: list[LibraryOut]
    tracks: list[TrackOut]


class LibraryPatch(EditableFields):
    """The editable fields of an audio library."""


def get_library(db: Any, library_id: str) -> AudioLibrary:
    return get_row(db, AudioLibrary, library_id, f"No audio library with id '{library_id}'.")


def make_blueprint() -> Blueprint:
    bp = Blueprint("audio_libraries", __name__)

    @api_route(bp, "/api/audio-libraries", query=with_link_filters(LibrariesQuery), response=Page[LibraryOut])
    def list_libraries(query: LibrariesQuery):
        """Audio libraries (one per folder holding audio) with track counts and covers."""
        where = parent_filter(AudioLibrary.parent_id, query.parent)
        return LIBRARIES.page(get_db(), query, lambda rows: map(library_out, rows), where)

    @api_route(bp, "/api/audio-libraries/<library_id>", response=LibraryDetail)
    def get_one(library_id: str):
        """A library with its sub-libraries and all its tracks in order."""
        db = get_db()
        library = get_library(db, library_id)
        tracks = db.execute(
            select(AudioTrack).where(AudioTrack.library_id == library.id).order_by(AudioTrack.sort_order, AudioTrack.id)
        ).scalars()
        detail = LibraryDetail(
            **library_out(library).model_dump(),
            details=library.details,
            date=library.date,
            parent_title=title_of(db, AudioLibrary, library.parent_id),
            children=[library_out(c) for c in children_of(db, AudioLibrary, library.id)],
            tracks=[track_out(t) for t in tracks],
        )
        return ok(with_links(db, "audio-library", detail))

    @api_route(
        bp,
        "/api/audio-libraries/<library_id>",
        methods=["PATCH"],
        body=with_link_fields(LibraryPatch),
        response=LibraryOut,
    )
    def patch_one(library_id: str, body: LibraryPatch):
        """Edit a library."""
        db = get_db()
        library = get_library(db, library_id)
        return patch_row(db, "audio-library", library, body, lambda: library_out(library))

    @api_route(bp, "/api/audio-libraries/<library_id>", methods=["DELETE"])
    def delete_one(library_id: str):
        """Forget a library and its tracks (files stay; a rescan finds them again while they exist)."""
        db = get_db()
        library = get_library(db, library_id)
        ids = list(db.execute(select(AudioTrack.id).where(AudioTrack.library_id == library.id)).scalars())
        for track in db.execute(select(AudioTrack).where(AudioTrack.id.in_(ids))).scalars():
            db.delete(track)
        db.delete(library)
        entities_deleted(db, "audio-track", ids)
        entities_deleted(db, "audio-library", [library_id])
        db.commit()
        for track_id in ids:
            assets.delete_track_files(track_id)
        assets.delete_library_files(library_id)
        return ok({"id": library_id, "deleted": True, "tracks": len(ids)})

    @bp.get("/api/audio-libraries/<library_id>/cover")
    def cover(library_id: str) -> Response:
        library = get_library(get_db(), library_id)
        path = assets.library_file(library.id, assets.COVER)
        if not library.cover or not path.is_file():
            raise NotFoundError("This library has no cover.", code="asset_missing")
        return send_file(path, mimetype="image/jpeg", conditional=True, max_age=0)

    @api_route(
        bp,
        "/api/audio-libraries/<library_id>/cover",
        methods=["POST"],
        multipart=True,
        response=LibraryOut,
        max_upload=MAX_COVER_BYTES,
    )
    def set_cover(library_id: str):
        """Upload a cover picture (multipart ``file``)."""
        db = get_db()
        library = get_library(db, library_id)
        file = request.files.get("file")
        if file is None:
            raise ValidationError("Send the picture as a multipart field named 'file'.")
        data = read_limited(file.stream, MAX_COVER_BYTES, "Cover pictures may be at most 20 MiB.")
        ensure_free_space(db, assets.library_file(library.id, assets.COVER).parent, len(data))
        try:
            assets.save_cover(data, assets.library_file(library.id, assets.COVER))
        except (OSError, ValueError):
            raise ValidationError("That file is not a picture Obscura can read.") from None
        library.cover = "custom"
        return answer_row(db, "audio-library", lambda: library_out(library))

    @api_route(bp, "/api/audio-libraries/<library_id>/cover", methods=["DELETE"], response=LibraryOut)
    def clear_cover(library_id: str):
        """Remove the library's cover (embedded art is picked up again at the next tag read)."""
        db = get_db()
        library = get_library(db, library_id)
        assets.library_file(library.id, assets.COVER).unlink(missing_ok=True)
        library.cover = None
        return answer_row(db, "audio-library", lambda: library_out(library))

    @upload_route(bp, "/api/audio-libraries/<library_id>/tracks/upload", TrackOut)
    def upload(library_id: str):
        """Upload audio files (multipart ``file``, repeatable) into the library's folder."""
        db = get_db()
        library = get_library(db, library_id)
        root, saved = receive_uploads(
            db, library.library_root_id, library.folder_path, "The library's root no longer exists.",
            what="tracks", name_of=lambda file: upload_name(file, is_audio_name, "an audio file"),
        )  # fmt: skip
        first = last_position(db, AudioTrack.sort_order, AudioTrack.library_id == library.id) + 1
        created: list[AudioTrack] = []
        for order, file in enumerate(saved, start=first):
            title = title_from_file(str(file.path))
            track = AudioTrack(
                id=new_id(), library_root_id=root.id, library_id=library.id, sort_order=order, **file.columns(),
                title=title, sort_title=title.lower(), is_nsfw=library.is_nsfw,
            )  # fmt: skip
            db.add(track)
            created.append(track)
        db.flush()
        enqueue_probes(db, [(t.id, t.title) for t in created], library.title)
        recount(db, library_ids=[library.id])
        db.commit()
        return ok([track_out(t) for t in created], status=201)

    return bp
