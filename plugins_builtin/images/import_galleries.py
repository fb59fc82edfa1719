"""The ``gallery`` importer: folder, zip and virtual galleries with their chapters.

A record is matched with a gallery here by ``target_id`` (a previous import's), else by ``path``
(folder and zip galleries), else, for a virtual gallery, by ``title`` among virtual galleries
(each row claimed once per batch); otherwise a gallery is created under the library root holding
its path, nested under the nearest folder gallery above it, as a scan would. A folder or zip gallery
outside every library root is skipped. A handful of statements per batch, whatever its size.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array, new_id
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome, ImportRecord
from plugin_sdk.nesting import link_parents
from plugins_builtin.images.import_roots import Root, Roots, load_roots
from plugins_builtin.images.import_values import (
    Notes,
    changes_for,
    clean_path,
    count_value,
    date_value,
    flag_value,
    rating_value,
    text_value,
    time_value,
    unknown_fields,
    urls_value,
)
from plugins_builtin.images.models import Gallery, GalleryChapter
from plugins_builtin.images.naming import is_archive_name, title_from_name

KINDS = ("folder", "zip", "virtual")
FIELDS = frozenset(
    {
        "kind", "path", "missing", "title", "code", "details", "photographer", "date", "rating", "organized",
        "urls", "created_at", "updated_at", "chapters",
    }
)  # fmt: skip
"""The record's fields; any other field that carries a value is reported ``unmapped``."""
UNTITLED = "Untitled gallery"
KNOWN_COLUMNS = (
    Gallery.id, Gallery.kind, Gallery.path, Gallery.library_root_id, Gallery.title, Gallery.details, Gallery.date,
    Gallery.rating, Gallery.organized, Gallery.code, Gallery.photographer, Gallery.urls, Gallery.created_at,
    Gallery.missing_at, Gallery.edited_fields,
)  # fmt: skip
"""What the merge reads of a known gallery."""


@dataclass
class GalleryRecord:
    """A record read: its row's values (``values``), chapters and what happened to it."""

    record: ImportRecord
    notes: Notes = field(default_factory=Notes)
    kind: str = ""
    path: str | None = None
    missing: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    chapters: list[tuple[str, int]] = field(default_factory=list)
    skip: str | None = None
    row: Mapping[str, Any] | None = None  # the known gallery it merges into
    status: str = ""
    id: str | None = None


def read_gallery(record: ImportRecord) -> GalleryRecord:
    """Read and check one record (``skip`` says why it cannot come in)."""
    rec = GalleryRecord(record)
    raw, notes = record.fields, rec.notes
    kind = raw.get("kind")
    if kind not in KINDS:
        rec.skip = f"unknown gallery kind {kind!r} (folder, zip or virtual)"
        return rec
    rec.kind = kind
    if kind != "virtual":
        rec.path = clean_path(raw.get("path"))
        if rec.path is None:
            rec.skip = f"a {kind} gallery needs a path"
            return rec
        if kind == "zip" and not is_archive_name(rec.path):
            rec.skip = "not a zip/cbz archive (the only archives Obscura indexes)"
            return rec
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
        "updated_at": time_value(notes, "updated_at", raw.get("updated_at")),
    }
    rec.chapters = _read_chapters(notes, raw.get("chapters"))
    unknown_fields(notes, raw, FIELDS)
    return rec


def _read_chapters(notes: Notes, chapters: Any) -> list[tuple[str, int]]:
    """``(title, image_index)`` pairs, the index counted from 0 here (Stash counts from 1)."""
    if chapters is None:
        return []
    if isinstance(chapters, str | bytes) or not isinstance(chapters, Sequence):
        notes.warn("chapters", chapters, "is not a list of {title, image_index}")
        return []
    out: list[tuple[str, int]] = []
    for chapter in chapters:
        if not isinstance(chapter, Mapping):
            notes.warn("chapter", chapter, "is not {title, image_index}")
            continue
        title = text_value(notes, "chapter title", chapter.get("title"), limit=300)
        index = count_value(notes, "chapter image_index", chapter.get("image_index"))
        if title is None:
            notes.warn("chapter", dict(chapter), "has no title")
        elif index is not None:
            out.append((title, max(index - 1, 0)))
    return out


def _match(db: Session, recs: list[GalleryRecord]) -> None:
    """Find each record's known gallery: by ``target_id``, path, then virtual title."""
    by_id = {}
    target_ids = [r.record.target_id for r in recs if r.record.target_id]
    if target_ids:
        by_id = {row.id: row for row in db.execute(select(*KNOWN_COLUMNS).where(in_array(Gallery.id, target_ids)))}
    claimed: set[str] = set()
    for rec in recs:
        row = by_id.get(rec.record.target_id or "")
        if row is not None:
            rec.row, rec.status = dict(row._mapping), UPDATED
            claimed.add(row.id)
    paths = [r.path for r in recs if r.row is None and r.path]
    by_path = {}
    if paths:
        by_path = {row.path: row for row in db.execute(select(*KNOWN_COLUMNS).where(in_array(Gallery.path, paths)))}
    titles = [r.values["title"] or UNTITLED for r in recs if r.row is None and r.kind == "virtual"]
    by_title: dict[str, list[Any]] = {}
    if titles:
        rows = db.execute(
            select(*KNOWN_COLUMNS)
            .where(Gallery.kind == "virtual", in_array(Gallery.title, titles))
            .order_by(Gallery.created_at, Gallery.id)
        )
        for row in rows:
            by_title.setdefault(row.title, []).append(row)
    for rec in recs:
        if rec.row is not None:
            continue
        if rec.path:
            row = by_path.get(rec.path)
            if row is not None and row.id in claimed:
                rec.skip = "another record of this import already holds this folder or archive"
                continue
        else:
            row = next((r for r in by_title.get(rec.values["title"] or UNTITLED, []) if r.id not in claimed), None)
        if row is not None:
            rec.row, rec.status = dict(row._mapping), MERGED
            claimed.add(row.id)


def _scan_title(path: str | None, root: Root | None) -> str:
    """The title a scan gives a gallery: its root's label for the root folder, else the folder or
    archive name (:func:`~plugins_builtin.images.naming.title_from_name`)."""
    if path is None:
        return UNTITLED
    if root is not None and path == root.path:
        return root.label
    return title_from_name(path)


def _create_values(rec: GalleryRecord, root: Root | None, now: datetime) -> dict[str, Any]:
    """The new row of a record that matched nothing (every key set, for one multi-row INSERT)."""
    values = rec.values
    title = values["title"] or _scan_title(rec.path, root)
    created = values["created_at"] or now
    return {
        "id": new_id(),
        "kind": rec.kind,
        "path": rec.path,
        "library_root_id": root.id if root else None,
        "title": title,
        "sort_title": title.lower(),
        "is_nsfw": bool(root and root.is_nsfw),
        "details": values["details"],
        "date": values["date"],
        "rating": values["rating"],
        "organized": bool(values["organized"]),
        "code": values["code"],
        "photographer": values["photographer"],
        "urls": values["urls"] or [],
        "created_at": created,
        "updated_at": max(values["updated_at"] or created, created),
        "missing_at": now if rec.missing and rec.kind != "virtual" else None,
    }


def _merge_values(rec: GalleryRecord, now: datetime) -> dict[str, Any]:
    """What the record changes in its known gallery (:func:`changes_for`, and the missing mark)."""
    row = rec.row or {}
    incoming = {k: v for k, v in rec.values.items() if k != "updated_at"}
    changes = changes_for(row, incoming, edited=set(row["edited_fields"] or ()))
    if "title" in changes:
        changes["sort_title"] = changes["title"].lower()
    if row["kind"] != "virtual":
        if rec.missing and row["missing_at"] is None:
            changes["missing_at"] = now
        elif not rec.missing and row["missing_at"] is not None:
            changes["missing_at"] = None
    return changes


def _folders_above(path: str, root: Root) -> list[str]:
    """The folders above ``path`` up to its library root's, nearest first."""
    chain: list[str] = []
    floor = len(root.path.rstrip("/"))
    current = os.path.dirname(path)
    while len(current) >= floor and current not in chain:
        chain.append(current)
        current = os.path.dirname(current)
    return chain


def _nest(db: Session, created: Sequence[Mapping[str, Any]], roots: Roots) -> None:
    """Nest new folder and zip galleries under the nearest folder gallery above them (of their
    root, made earlier or in this batch), as a scan links them. A gallery made in an earlier batch
    than its parent folder's is linked by the next scan of its root."""
    chains: dict[str, tuple[str, list[str]]] = {}
    for g in created:
        root = roots.of(g["path"]) if g["path"] else None
        if root is not None:
            chains[g["id"]] = (root.id, _folders_above(g["path"], root))
    wanted = {folder for _, chain in chains.values() for folder in chain}
    if not wanted:
        return
    folders = {
        path: (gid, root_id)
        for gid, path, root_id in db.execute(
            select(Gallery.id, Gallery.path, Gallery.library_root_id).where(
                Gallery.kind == "folder", in_array(Gallery.path, wanted)
            )
        ).all()
    }
    links: list[tuple[str, str]] = []
    for gid, (root_id, chain) in chains.items():
        parent = next((folders[f][0] for f in chain if f in folders and folders[f][1] == root_id), None)
        if parent is not None:
            links.append((gid, parent))
    link_parents(db, "galleries", links)


def _add_chapters(db: Session, recs: list[GalleryRecord]) -> set[str]:
    """Insert the chapters each gallery lacks (same title and index); the galleries changed."""
    wanted = [(rec.id, title, index) for rec in recs if rec.id and rec.chapters for title, index in rec.chapters]
    if not wanted:
        return set()
    ids = list({gid for gid, _, _ in wanted})
    have = {
        tuple(row)
        for row in db.execute(
            select(GalleryChapter.gallery_id, GalleryChapter.title, GalleryChapter.image_index).where(
                in_array(GalleryChapter.gallery_id, ids)
            )
        )
    }
    new = [w for w in dict.fromkeys(wanted) if w not in have]
    if new:
        db.execute(
            insert(GalleryChapter),
            [{"id": new_id(), "gallery_id": gid, "title": title, "image_index": index} for gid, title, index in new],
        )
    return {gid for gid, _, _ in new}


def import_galleries(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """The ``gallery`` importer's ``apply``: one outcome per record, in order (no commit)."""
    recs = [read_gallery(record) for record in batch.records]
    live = [r for r in recs if r.skip is None]
    _match(db, live)
    live = [r for r in live if r.skip is None]
    roots = load_roots(db)
    now = datetime.now(UTC)
    created: list[dict[str, Any]] = []
    created_by_path: dict[str, str] = {}
    updates: list[dict[str, Any]] = []
    for rec in live:
        if rec.row is not None:
            rec.id = rec.row["id"]
            changes = _merge_values(rec, now)
            if changes:
                updates.append({"id": rec.id, **changes, "updated_at": now})
            else:
                rec.status = UNCHANGED
            continue
        if rec.path and rec.path in created_by_path:  # the same folder twice in one batch
            rec.id, rec.status = created_by_path[rec.path], UNCHANGED
            continue
        root = roots.of(rec.path) if rec.path else None
        if rec.path and root is None:
            rec.skip = "not under a library root"
            continue
        values = _create_values(rec, root, now)
        created.append(values)
        rec.id, rec.status = values["id"], CREATED
        if rec.path:
            created_by_path[rec.path] = rec.id
    if created:
        db.execute(insert(Gallery), created)
        _nest(db, created, roots)
    if updates:
        db.execute(update(Gallery), updates)
    changed = _add_chapters(db, live)
    for rec in live:
        if rec.status == UNCHANGED and rec.id in changed and rec.row is not None:
            rec.status = UPDATED if rec.record.target_id == rec.id else MERGED
    return [_outcome(rec) for rec in recs]


def _outcome(rec: GalleryRecord) -> ImportOutcome:
    if rec.skip is not None:
        return ImportOutcome(rec.record.key, SKIPPED, reason=rec.skip, warnings=tuple(rec.notes.warnings))
    return ImportOutcome(
        rec.record.key, rec.status, id=rec.id, unmapped=tuple(rec.notes.unmapped), warnings=tuple(rec.notes.warnings)
    )
