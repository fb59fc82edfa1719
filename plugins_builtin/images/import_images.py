"""The ``image`` importer: image files and zip/cbz members with fingerprints and galleries.

A record is matched with an image here by ``target_id`` (a previous import's), else by its file
(``path`` and ``member``), else by its ``oshash`` (the same file elsewhere: the row keeps its own
path); otherwise it is created under the library root holding its file, in the folder or zip
gallery a scan would put it in, sorted as a scan sorts. Fingerprints and file facts come over so
nothing is hashed again; new images that are on disk get their thumbnails queued as a scan
queues them. A handful of statements per batch, whatever its size.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk import library
from plugin_sdk.db import copy_rows, in_array, new_id
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome, ImportRecord
from plugin_sdk.jobs import enqueue_each
from plugin_sdk.models import LibrarySettings
from plugin_sdk.nesting import place_children
from plugins_builtin.images import archives, queues
from plugins_builtin.images.import_roots import Root, load_roots
from plugins_builtin.images.import_values import (
    Notes,
    changes_for,
    clean_path,
    count_value,
    date_value,
    epoch_value,
    flag_value,
    hex_value,
    ids_value,
    phash_value,
    rating_value,
    text_value,
    time_value,
    unknown_fields,
    urls_value,
)
from plugins_builtin.images.models import Gallery, GalleryItem, Image
from plugins_builtin.images.naming import is_archive_name, is_image_name, title_from_name
from plugins_builtin.images.scan import recount

FIELDS = frozenset(
    {
        "path", "member", "missing", "size", "mtime", "width", "height", "format", "md5", "oshash", "phash",
        "title", "code", "details", "photographer", "date", "rating", "organized", "o_counter", "urls",
        "created_at", "updated_at", "gallery_ids", "cover_of",
    }
)  # fmt: skip
"""The record's fields; any other field that carries a value is reported ``unmapped``."""
FILL_ONLY = frozenset({"md5", "oshash", "phash", "width", "height", "format", "file_size", "file_mtime", "gallery_id"})
"""What our own jobs read from the file: taken from the record only where empty here."""
COPIED = (
    "details", "date", "rating", "code", "photographer", "md5", "oshash", "phash", "width", "height", "format",
    "file_size", "file_mtime",
)  # fmt: skip
"""The record's values a new image takes as they are."""
CREATE_COLUMNS = (
    "id", "library_root_id", "gallery_id", "sort_order", "file_path", "member", "title", "is_nsfw", "organized",
    "urls", "created_at", "updated_at", "missing_at", *COPIED,
)  # fmt: skip
"""The columns new images are written with (``COPY``)."""
KNOWN_COLUMNS = (
    Image.id, Image.file_path, Image.member, Image.gallery_id, Image.title, Image.details, Image.date,
    Image.rating, Image.organized, Image.code, Image.photographer, Image.urls, Image.created_at, Image.md5,
    Image.oshash, Image.phash, Image.width, Image.height, Image.format, Image.file_size, Image.file_mtime,
    Image.missing_at, Image.edited_fields,
)  # fmt: skip
"""What the merge reads of a known image."""


@dataclass
class ImageRecord:
    """A record read: its row's values, galleries, and what happened to it."""

    record: ImportRecord
    notes: Notes = field(default_factory=Notes)
    path: str = ""
    member: str = ""
    missing: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    gallery_ids: list[str] = field(default_factory=list)
    cover_of: list[str] = field(default_factory=list)
    skip: str | None = None
    row: Mapping[str, Any] | None = None  # the known image it merges into
    status: str = ""
    id: str | None = None
    changed: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.path, self.member


def read_image(record: ImportRecord) -> ImageRecord:
    """Read and check one record (``skip`` says why it cannot come in)."""
    rec = ImageRecord(record)
    raw, notes = record.fields, rec.notes
    path = clean_path(raw.get("path"))
    member = raw.get("member") or ""
    if path is None:
        rec.skip = "no file path"
        return rec
    if not isinstance(member, str):
        rec.skip = f"member {member!r} is not a path inside the archive"
        return rec
    if member and not is_archive_name(path):
        rec.skip = "its archive is not a zip/cbz file (the only archives Obscura indexes)"
        return rec
    if not is_image_name(member or path):
        rec.skip = f"not an image file Obscura indexes ({os.path.basename(member or path)})"
        return rec
    rec.path, rec.member = path, member
    rec.missing = bool(flag_value(notes, "missing", raw.get("missing")))
    rec.values = {
        "title": text_value(notes, "title", raw.get("title"), limit=500),
        "details": text_value(notes, "details", raw.get("details")),
        "date": date_value(notes, "date", raw.get("date")),
        "rating": rating_value(notes, "rating", raw.get("rating")),
        "organized": flag_value(notes, "organized", raw.get("organized")),
        "code": text_value(notes, "code", raw.get("code"), limit=500),
        "photographer": text_value(notes, "photographer", raw.get("photographer"), limit=500),
        "urls": urls_value(notes, "urls", raw.get("urls")) or None,
        "created_at": time_value(notes, "created_at", raw.get("created_at")),
        "md5": hex_value(notes, "md5", raw.get("md5"), 32),
        "oshash": hex_value(notes, "oshash", raw.get("oshash"), 16, pad=True),
        "phash": phash_value(notes, "phash", raw.get("phash")),
        "width": count_value(notes, "width", raw.get("width")) or None,
        "height": count_value(notes, "height", raw.get("height")) or None,
        "format": (text_value(notes, "format", raw.get("format"), limit=16) or "").lower() or None,
        "file_size": count_value(notes, "size", raw.get("size")),
        "file_mtime": epoch_value(notes, "mtime", raw.get("mtime")),
    }
    rec.gallery_ids = ids_value(notes, "gallery_ids", raw.get("gallery_ids"))
    rec.cover_of = ids_value(notes, "cover_of", raw.get("cover_of"))
    if count_value(notes, "o_counter", raw.get("o_counter")):
        notes.no_home("o_counter")
    unknown_fields(notes, raw, FIELDS)
    return rec


def _match(db: Session, recs: list[ImageRecord]) -> None:
    """Find each record's known image: by ``target_id``, by file, then by oshash (each row once)."""
    claimed: set[str] = set()
    target_ids = [r.record.target_id for r in recs if r.record.target_id]
    if target_ids:
        by_id = {row.id: row for row in db.execute(select(*KNOWN_COLUMNS).where(in_array(Image.id, target_ids)))}
        for rec in recs:
            row = by_id.get(rec.record.target_id or "")
            if row is not None and row.id not in claimed:
                rec.row, rec.status = dict(row._mapping), UPDATED
                claimed.add(row.id)
    paths = list({r.path for r in recs if r.row is None})
    by_key = {}
    if paths:
        rows = db.execute(select(*KNOWN_COLUMNS).where(in_array(Image.file_path, paths)))
        by_key = {(row.file_path, row.member): row for row in rows}
    for rec in recs:
        row = by_key.get(rec.key) if rec.row is None else None
        if row is None:
            continue
        if row.id in claimed:
            rec.skip = "another record of this import already holds this file"
        else:
            rec.row, rec.status = dict(row._mapping), MERGED
            claimed.add(row.id)
    hashes = list({r.values["oshash"] for r in recs if r.row is None and r.skip is None and r.values["oshash"]})
    if not hashes:
        return
    by_hash: dict[str, list[Any]] = defaultdict(list)
    for row in db.execute(select(*KNOWN_COLUMNS).where(in_array(Image.oshash, hashes)).order_by(Image.id)):
        by_hash[row.oshash].append(row)
    for rec in recs:
        if rec.row is None and rec.skip is None and rec.values["oshash"]:
            row = next((r for r in by_hash.get(rec.values["oshash"], []) if r.id not in claimed), None)
            if row is not None:
                rec.row, rec.status = dict(row._mapping), MERGED
                claimed.add(row.id)


@dataclass(frozen=True, slots=True)
class _Gallery:
    id: str
    kind: str
    path: str | None
    cover_image_id: str | None


def _galleries(db: Session, recs: list[ImageRecord]) -> tuple[dict[str, _Gallery], dict[str, _Gallery]]:
    """The galleries the records name (by id) and the folder/zip galleries at their files'
    folders and archives (by path), for the images no named gallery holds."""
    ids = {gid for rec in recs for gid in (*rec.gallery_ids, *rec.cover_of)}
    containers = {_container(rec) for rec in recs}
    columns = (Gallery.id, Gallery.kind, Gallery.path, Gallery.cover_image_id)
    by_id = {r.id: _Gallery(*r) for r in db.execute(select(*columns).where(in_array(Gallery.id, ids)))} if ids else {}
    by_path = {
        r.path: _Gallery(*r)
        for r in db.execute(
            select(*columns).where(in_array(Gallery.path, containers), Gallery.kind.in_(("folder", "zip")))
        )
    }
    return by_id, by_path


def _container(rec: ImageRecord) -> str:
    """The folder or archive holding the record's file (a gallery's path)."""
    return rec.path if rec.member else os.path.dirname(rec.path)


def _holder(rec: ImageRecord, by_id: dict[str, _Gallery], by_path: dict[str, _Gallery]) -> str | None:
    """The folder or zip gallery that owns the image: among the record's galleries, the one of its
    folder or archive, else the first folder/zip one; else the gallery a scan would put it in."""
    owners = [by_id[g] for g in rec.gallery_ids if g in by_id and by_id[g].kind != "virtual"]
    container = _container(rec)
    found = next((g for g in owners if g.path == container), None) or (owners[0] if owners else None)
    found = found or by_path.get(container)
    return found.id if found else None


def _file_facts(recs: list[ImageRecord]) -> None:
    """Size and mtime of new images' files as a scan reads them (``os.stat``, the zip listing),
    when the record's size agrees: the next scan then sees an unchanged file and keeps the
    imported fingerprints. A file whose size differs keeps the record's facts (and its next scan
    fingerprints it again, as it changed since Stash read it)."""
    listings: dict[str, dict[str, archives.Member]] = {}
    for rec in recs:
        if rec.missing:
            continue
        size = rec.values["file_size"]
        if rec.member:
            if rec.path not in listings:
                listing = archives.list_images(rec.path)
                listings[rec.path] = {m.name: m for m in listing.members}
            member = listings[rec.path].get(rec.member)
            found = (member.size, member.mtime) if member else None
        else:
            try:
                st = os.stat(rec.path)
                found = (st.st_size, st.st_mtime)
            except OSError:
                found = None
        if found is not None and (size is None or size == found[0]):
            rec.values["file_size"], rec.values["file_mtime"] = found


def _create_values(rec: ImageRecord, root: Root, gallery_id: str | None, now: datetime) -> dict[str, Any]:
    """The new row of a record that matched nothing (:data:`CREATE_COLUMNS`)."""
    values = rec.values
    created = values["created_at"] or now
    updated = time_value(rec.notes, "updated_at", rec.record.fields.get("updated_at")) or created
    title = values["title"] or title_from_name(rec.member or rec.path)
    return {
        "id": new_id(),
        "library_root_id": root.id,
        "gallery_id": gallery_id,
        "sort_order": 0,
        "file_path": rec.path,
        "member": rec.member,
        "title": title,
        "is_nsfw": root.is_nsfw,
        "organized": bool(values["organized"]),
        "urls": values["urls"] or [],
        "created_at": created,
        "updated_at": max(updated, created),
        "missing_at": now if rec.missing else None,
        **{key: values[key] for key in COPIED},
    }


def _merge_values(rec: ImageRecord, gallery_id: str | None, now: datetime) -> dict[str, Any]:
    """What the record changes in its known image (:func:`changes_for`, the missing mark)."""
    row = rec.row or {}
    changes = changes_for(
        row, {**rec.values, "gallery_id": gallery_id}, edited=set(row["edited_fields"] or ()), fill_only=FILL_ONLY
    )
    if (row["file_path"], row["member"]) == rec.key:  # the record's file is this row's (not an oshash twin)
        if rec.missing and row["missing_at"] is None:
            changes["missing_at"] = now
        elif not rec.missing and row["missing_at"] is not None:
            changes["missing_at"] = None
    return changes


def _add_to_virtual(db: Session, recs: list[ImageRecord], by_id: dict[str, _Gallery]) -> set[str]:
    """Append each image to the virtual galleries it is in (in arrival order); the galleries changed."""
    pairs = [
        (gid, rec.id)
        for rec in recs
        if rec.id
        for gid in rec.gallery_ids
        if gid in by_id and by_id[gid].kind == "virtual"
    ]
    if not pairs:
        return set()
    gallery_ids = list({g for g, _ in pairs})
    have = {
        tuple(row)
        for row in db.execute(
            select(GalleryItem.gallery_id, GalleryItem.image_id).where(
                in_array(GalleryItem.gallery_id, gallery_ids), in_array(GalleryItem.image_id, {i for _, i in pairs})
            )
        )
    }
    new = [p for p in dict.fromkeys(pairs) if p not in have]
    if not new:
        return set()
    last = dict(
        db.execute(
            select(GalleryItem.gallery_id, func.max(GalleryItem.position))
            .where(in_array(GalleryItem.gallery_id, gallery_ids))
            .group_by(GalleryItem.gallery_id)
        ).all()
    )
    items = []
    for gid, image_id in new:
        last[gid] = position = (last.get(gid) if last.get(gid) is not None else -1) + 1
        items.append({"id": new_id(), "gallery_id": gid, "image_id": image_id, "position": position})
    db.execute(pg_insert(GalleryItem).on_conflict_do_nothing(), items)
    added = {image_id for _, image_id in new}
    for rec in recs:
        rec.changed = rec.changed or rec.id in added
    return {gid for gid, _ in new}


def _set_covers(db: Session, recs: list[ImageRecord], by_id: dict[str, _Gallery]) -> None:
    """Galleries without a chosen cover take the image Stash chose (a cover chosen here stays; the
    gallery keeps its ``updated_at``, as when a scan recounts it)."""
    covers: dict[str, str] = {}
    for rec in recs:
        for gid in rec.cover_of:
            gallery = by_id.get(gid)
            if rec.id and gallery is not None and gallery.cover_image_id is None and gid not in covers:
                covers[gid] = rec.id
                rec.changed = True
    if covers:
        db.execute(
            update(Gallery.__table__)
            .where(Gallery.__table__.c.id == bindparam("gid"), Gallery.__table__.c.cover_image_id.is_(None))
            .values(cover_image_id=bindparam("iid"), updated_at=Gallery.__table__.c.updated_at),
            [{"gid": gid, "iid": iid} for gid, iid in covers.items()],
        )


def _order(db: Session, arriving: Mapping[str, list[tuple[str, str, str]]]) -> tuple[dict[str, int], list[Any]]:
    """Where images arriving in folder/zip galleries (``gallery id -> [(image id, file path,
    member)]``) go among the images already there, sorted as a scan sorts them (natural order of
    their file or member names). Answers the arriving images' ``sort_order`` and the
    ``(id, gallery id, sort_order)`` of images already there that move (for ``place_children``)."""
    if not arriving:
        return {}, []
    there: dict[str, list[tuple[str, str, str, int | None]]] = defaultdict(list)
    columns = (Image.id, Image.gallery_id, Image.file_path, Image.member, Image.sort_order)
    for row in db.execute(select(*columns).where(in_array(Image.gallery_id, arriving))):
        there[row.gallery_id].append((row.id, row.file_path, row.member, row.sort_order))
    orders: dict[str, int] = {}
    moves: list[tuple[str, str, int]] = []
    for gid, incoming in arriving.items():
        everyone = there[gid] + [(iid, path, member, None) for iid, path, member in incoming]
        everyone.sort(key=lambda e: (library.natural_key(e[2] or os.path.basename(e[1])), e[0]))
        for order, (iid, _, _, current) in enumerate(everyone):
            if current is None:
                orders[iid] = order
            elif current != order:
                moves.append((iid, gid, order))
    return orders, moves


def _enqueue(db: Session, new_rows: list[dict[str, Any]]) -> None:
    """Thumbnails of new images on disk when Previews are on (their runs then fingerprint what is
    still missing); with Previews off, fingerprints when they are on and some are missing."""
    present = [r for r in new_rows if r["missing_at"] is None]
    if not present:
        return
    settings = LibrarySettings.get(db)
    if settings.auto_generate_preview:
        rows = [(r["id"], r["title"]) for r in present]
        enqueue_each(db, queues.IMAGE_THUMBNAIL, rows, target_type="image", payload_key="imageId", label="Thumbnail")
    elif settings.auto_generate_fingerprints:
        rows = [(r["id"], r["title"]) for r in present if r["md5"] is None or r["oshash"] is None or r["phash"] is None]
        enqueue_each(
            db, queues.IMAGE_FINGERPRINT, rows, target_type="image", payload_key="imageId", label="Fingerprint"
        )


def import_images(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """The ``image`` importer's ``apply``: one outcome per record, in order (no commit)."""
    recs = [read_image(record) for record in batch.records]
    live = [r for r in recs if r.skip is None]
    _match(db, live)
    live = [r for r in live if r.skip is None]
    by_id, by_path = _galleries(db, live)
    for rec in live:
        for gid in (*rec.gallery_ids, *rec.cover_of):
            if gid not in by_id:
                rec.notes.warnings.append(f"gallery {gid!r} is not here (not imported?); link left out")
    roots = load_roots(db)
    now = datetime.now(UTC)
    _file_facts([r for r in live if r.row is None])
    created: list[dict[str, Any]] = []
    created_by_key: dict[tuple[str, str], str] = {}
    updates: dict[str, dict[str, Any]] = {}
    arriving: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # folder/zip gallery -> new images
    for rec in live:
        gallery_id = _holder(rec, by_id, by_path)
        if rec.row is not None:
            rec.id = rec.row["id"]
            changes = _merge_values(rec, gallery_id, now)
            if changes:
                updates[rec.id] = {"id": rec.id, **changes, "updated_at": now}
                rec.changed = True
                if "gallery_id" in changes:
                    arriving[changes["gallery_id"]].append((rec.id, rec.row["file_path"], rec.row["member"]))
            continue
        if rec.key in created_by_key:  # the same file twice in one batch
            rec.id, rec.status = created_by_key[rec.key], UNCHANGED
            continue
        root = roots.of(rec.path)
        if root is None:
            rec.skip = "not under a library root"
            continue
        values = _create_values(rec, root, gallery_id, now)
        created.append(values)
        created_by_key[rec.key] = rec.id = values["id"]
        rec.status = CREATED
        if gallery_id:
            arriving[gallery_id].append((rec.id, rec.path, rec.member))
    orders, moves = _order(db, arriving)
    for values in created:
        values["sort_order"] = orders.get(values["id"], 0)
        values["urls"] = json.dumps(values["urls"])
    for image_id, changes in updates.items():
        if image_id in orders:
            changes["sort_order"] = orders[image_id]
    if created:
        copy_rows(db, "images", CREATE_COLUMNS, created)
    if updates:
        db.execute(update(Image), list(updates.values()))
    place_children(db, "images", "gallery_id", moves)
    virtual = _add_to_virtual(db, live, by_id)
    _set_covers(db, live, by_id)
    if arriving or virtual:
        recount(db, gallery_ids=sorted(set(arriving) | virtual))
    for rec in live:
        if rec.row is not None and not rec.changed:
            rec.status = UNCHANGED
    if not batch.dry_run:
        _enqueue(db, created)
    return [_outcome(rec) for rec in recs]


def _outcome(rec: ImageRecord) -> ImportOutcome:
    if rec.skip is not None:
        return ImportOutcome(rec.record.key, SKIPPED, reason=rec.skip, warnings=tuple(rec.notes.warnings))
    return ImportOutcome(
        rec.record.key, rec.status, id=rec.id, unmapped=tuple(rec.notes.unmapped), warnings=tuple(rec.notes.warnings)
    )
