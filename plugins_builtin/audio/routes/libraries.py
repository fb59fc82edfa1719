"""``/api/audio-libraries``: list, detail with tracks, edit, delete, covers, uploads."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any, Literal

from flask import Blueprint, Response, request, send_file
from pydantic import Field
from sqlalchemy import func, select

from plugin_sdk.db import get_db, new_id
from plugin_sdk.edits import apply_patch
from plugin_sdk.errors import NotFoundError, UnsupportedMediaTypeError, ValidationError
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, page
from plugin_sdk.links import (
    entities_deleted,
    filter_clauses,
    with_link_fields,
    with_link_filters,
    with_links,
    with_links_many,
)
from plugin_sdk.models import LibraryRoot
from plugin_sdk.search import ilike_contains
from plugin_sdk.storage import confine
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
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")
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


class LibraryPatch(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=500)
    details: str | None = Field(None, max_length=20000)
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    rating: int | None = Field(None, ge=0, le=100)
    organized: bool | None = None
    is_nsfw: bool | None = None


def get_library(db: Any, library_id: str) -> AudioLibrary:
    library = db.get(AudioLibrary, library_id) if len(library_id) <= 64 else None
    if library is None:
        raise NotFoundError(f"No audio library with id '{library_id}'.")
    return library


def _claim_name(folder: Path, name: str, tmp: Path) -> Path:
    stem, ext = os.path.splitext(name)
    n = 1
    while True:
        candidate = folder / (name if n == 1 else f"{stem} ({n}){ext}")
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            n += 1


def make_blueprint() -> Blueprint:
    bp = Blueprint("audio_libraries", __name__)

    @api_route(bp, "/api/audio-libraries", query=with_link_filters(LibrariesQuery), response=Page[LibraryOut])
    def list_libraries(query: LibrariesQuery):
        """Audio libraries (one per folder holding audio) with track counts and covers."""
        db = get_db()
        conds = []
        if query.search:
            conds.append(ilike_contains(AudioLibrary.title, query.search.strip()))
        if query.parent == "none":
            conds.append(AudioLibrary.parent_id.is_(None))
        elif query.parent:
            conds.append(AudioLibrary.parent_id == query.parent)
        conds.extend(filter_clauses("audio-library", AudioLibrary.id, query, db))
        col = SORTS[query.sort]
        desc = query.order == "desc" if query.order else query.sort in ("recent", "rating", "tracks")
        total = db.execute(select(func.count()).select_from(AudioLibrary).where(*conds)).scalar_one()
        rows = db.execute(
            select(AudioLibrary)
            .where(*conds)
            .order_by(col.desc().nulls_last() if desc else col.asc().nulls_last(), AudioLibrary.id)
            .offset(query.offset)
            .limit(query.per_page)
        ).scalars()
        return page(with_links_many(db, "audio-library", [library_out(lib) for lib in rows]), total, query)

    @api_route(bp, "/api/audio-libraries/<library_id>", response=LibraryDetail)
    def get_one(library_id: str):
        """A library with its sub-libraries and all its tracks in order."""
        db = get_db()
        library = get_library(db, library_id)
        children = db.execute(
            select(AudioLibrary).where(AudioLibrary.parent_id == library.id).order_by(AudioLibrary.sort_title)
        ).scalars()
        tracks = db.execute(
            select(AudioTrack).where(AudioTrack.library_id == library.id).order_by(AudioTrack.sort_order, AudioTrack.id)
        ).scalars()
        parent_title = (
            db.execute(select(AudioLibrary.title).where(AudioLibrary.id == library.parent_id)).scalar()
            if library.parent_id
            else None
        )
        detail = LibraryDetail(
            **library_out(library).model_dump(),
            details=library.details,
            date=library.date,
            parent_title=parent_title,
            children=[library_out(c) for c in children],
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
        apply_patch(db, "audio-library", [library], body.model_dump(exclude_unset=True))
        db.commit()
        return ok(with_links(db, "audio-library", library_out(library)))

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

    @api_route(bp, "/api/audio-libraries/<library_id>/cover", methods=["POST"], multipart=True, response=LibraryOut)
    def set_cover(library_id: str):
        """Upload a cover picture (multipart ``file``)."""
        db = get_db()
        library = get_library(db, library_id)
        file = request.files.get("file")
        if file is None:
            raise ValidationError("Send the picture as a multipart field named 'file'.")
        data = file.stream.read(MAX_COVER_BYTES + 1)
        if len(data) > MAX_COVER_BYTES:
            raise ValidationError("Cover pictures may be at most 20 MiB.")
        try:
            assets.save_cover(data, assets.library_file(library.id, assets.COVER))
        except (OSError, ValueError):
            raise ValidationError("That file is not a picture Obscura can read.") from None
        library.cover = "custom"
        db.commit()
        return ok(with_links(db, "audio-library", library_out(library)))

    @api_route(bp, "/api/audio-libraries/<library_id>/cover", methods=["DELETE"], response=LibraryOut)
    def clear_cover(library_id: str):
        """Remove the library's cover (embedded art is picked up again at the next tag read)."""
        db = get_db()
        library = get_library(db, library_id)
        assets.library_file(library.id, assets.COVER).unlink(missing_ok=True)
        library.cover = None
        db.commit()
        return ok(with_links(db, "audio-library", library_out(library)))

    @api_route(
        bp,
        "/api/audio-libraries/<library_id>/tracks/upload",
        methods=["POST"],
        multipart=True,
        response=list[TrackOut],
        status=201,
    )
    def upload(library_id: str):
        """Upload audio files (multipart ``file``, repeatable) into the library's folder."""
        db = get_db()
        library = get_library(db, library_id)
        root = db.get(LibraryRoot, library.library_root_id) if library.library_root_id else None
        if root is None:
            raise NotFoundError("The library's root no longer exists.")
        folder = confine(library.folder_path, [root.path])
        files = request.files.getlist("file")
        if not files:
            raise ValidationError("Send the tracks as multipart fields named 'file'.")
        order = db.execute(
            select(func.coalesce(func.max(AudioTrack.sort_order), -1)).where(AudioTrack.library_id == library.id)
        ).scalar_one()
        names = []
        for file in files:  # every name is checked before anything is written
            name = _UNSAFE.sub(" ", (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip().lstrip(".")
            if not name or not is_audio_name(name):
                raise UnsupportedMediaTypeError(f"'{name or file.filename}' is not an audio file Obscura indexes.")
            names.append(name)
        created: list[AudioTrack] = []
        for file, name in zip(files, names, strict=True):
            tmp = folder / f".obscura-upload-{secrets.token_hex(8)}"
            file.save(tmp)
            try:
                target = _claim_name(folder, name, tmp)
            finally:
                tmp.unlink(missing_ok=True)
            st = target.stat()
            order += 1
            title = title_from_file(str(target))
            track = AudioTrack(
                id=new_id(), library_root_id=root.id, library_id=library.id, sort_order=order,
                file_path=str(target), file_size=st.st_size, file_mtime=st.st_mtime, title=title,
                sort_title=title.lower(), is_nsfw=library.is_nsfw,
            )  # fmt: skip
            db.add(track)
            created.append(track)
        db.flush()
        enqueue_probes(db, [(t.id, t.title) for t in created], library.title)
        recount(db, library_ids=[library.id])
        db.commit()
        return ok([track_out(t) for t in created], status=201)

    return bp
