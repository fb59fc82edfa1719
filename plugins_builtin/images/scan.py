"""The ``gallery-scan`` processor: folders and zip/cbz archives of images become galleries.

One gallery per folder that holds images (nested galleries follow the folder tree) and one per
archive (its image members in natural order). One walk, one query of what is known, comparison in
memory, COPY for new images. Moved or renamed images (same size and oshash) keep their rows.
Missing, unreadable or suddenly empty roots are reported and never pruned; broken archives are
reported and the scan goes on. Images and galleries marked missing (``missing_at``, set by an
import whose files were gone) are kept while their file is not found, and unmarked when it is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, library
from plugin_sdk.assets import is_generated_sidecar, sidecar_rules
from plugin_sdk.db import copy_rows, new_id
from plugin_sdk.deletion import delete_rows
from plugin_sdk.jobs import enqueue_each
from plugin_sdk.librarytables import root_file_rows
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugin_sdk.nesting import link_parents, place_children
from plugins_builtin.images import archives, assets
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.naming import is_archive_name, is_image_name, title_from_name

log = logging.getLogger("obscura.images.scan")

REPORT_LIMIT = 20
COPY_COLUMNS = (
    "id", "library_root_id", "gallery_id", "sort_order", "file_path", "member", "file_size", "file_mtime",
    "title", "is_nsfw",
)  # fmt: skip
CHANGED_RESETS: dict[str, Any] = {"md5": None, "oshash": None, "phash": None, "thumbnail_at": None}
"""What an image whose file changed (size or time) loses: its fingerprints and thumbnail, made again."""


@dataclass(frozen=True, slots=True)
class Found:
    """An image on disk: a file (``member == ""``) or an archive member."""

    file_path: str
    member: str
    size: int
    mtime: float
    container: str  # the folder or archive path of its gallery


@dataclass
class Walk:
    folders: dict[str, list[Found]] = field(default_factory=dict)  # folder -> images directly in it
    archives: dict[str, list[Found]] = field(default_factory=dict)  # archive -> members
    archive_folder: dict[str, str] = field(default_factory=dict)  # archive -> its folder
    problems: list[str] = field(default_factory=list)

    @property
    def images(self) -> list[Found]:
        return [f for group in (*self.folders.values(), *self.archives.values()) for f in group]


def walk_images(root: str, recursive: bool = True, max_depth: int = 12) -> Walk:
    """One pass over ``root``; hidden entries skipped; archives listed safely (see ``archives``)."""
    walk = Walk()
    sidecars = sidecar_rules()  # what the loaded plugins write next to their media
    for folder in library.walk_folders(root, walk.problems, recursive=recursive, max_depth=max_depth):
        images: list[Found] = []
        for entry in folder.files:
            name = entry.name
            try:  # a video's -thumb.jpg is not an image of the library
                if is_image_name(name) and not is_generated_sidecar(name, folder.names, sidecars):
                    st = entry.stat()
                    images.append(Found(entry.path, "", st.st_size, st.st_mtime, folder.path))
                elif is_archive_name(name):
                    listing = archives.list_images(entry.path)
                    if listing.error:
                        walk.problems.append(f"{entry.path}: {listing.error}")
                        continue
                    for member, reason in listing.skipped:
                        walk.problems.append(f"{entry.path} :: {member}: skipped, {reason}")
                    if listing.members:
                        walk.archives[entry.path] = [
                            Found(entry.path, m.name, m.size, m.mtime, entry.path) for m in listing.members
                        ]
                        walk.archive_folder[entry.path] = folder.path
            except OSError as exc:
                walk.problems.append(library.describe_error(entry.path, exc))
        if images:
            images.sort(key=lambda f: library.natural_key(os.path.basename(f.file_path)))
            walk.folders[folder.path] = images
    return walk


def _upsert_galleries(db: Session, root: LibraryRoot, wanted: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """Create missing folder/zip galleries (``path -> (kind, parent path)``); returns ``path -> id``.

    Parents are linked in a second statement, once every gallery of the scan has an id.
    """
    existing = (
        dict(db.execute(select(Gallery.path, Gallery.id).where(Gallery.path.in_(list(wanted)))).all()) if wanted else {}
    )
    new_paths = sorted(p for p in wanted if p not in existing)
    if new_paths:
        rows = db.execute(
            text(
                """
                INSERT INTO galleries (id, kind, library_root_id, path, title, sort_title, is_nsfw)
                SELECT u.id, u.kind, :root, u.path, u.title, lower(u.title), :nsfw
                FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:paths AS text[]),
                            CAST(:titles AS text[])) AS u(id, kind, path, title)
                ON CONFLICT (path) DO UPDATE SET library_root_id = EXCLUDED.library_root_id
                RETURNING path, id
                """
            ),
            {
                "root": root.id,
                "nsfw": root.is_nsfw,
                "ids": [new_id() for _ in new_paths],
                "kinds": [wanted[p][0] for p in new_paths],
                "paths": new_paths,
                "titles": [root.label if p == root.path else title_from_name(p) for p in new_paths],
            },
        ).all()
        existing.update(dict(rows))
    parents = [(existing[p], existing[parent]) for p, (_, parent) in wanted.items() if parent and parent in existing]
    link_parents(db, "galleries", parents)
    return existing


def scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    """Scan one root for image galleries and commit. Returns the job result."""
    report: dict[str, Any] = {"rootId": root.id, "path": root.path}
    known = root_file_rows(db, Image, root.id, Image.member, Image.missing_at, Image.thumbnail_at)
    if stopped := library.unreadable_root_report(root, len(known)):
        return stopped
    walk = walk_images(root.path, root.recursive)
    found = walk.images
    if stopped := library.emptied_root_report(root, len(known), len(found), "images"):
        return stopped
    if progress:
        progress(30, f"{len(found)} images found")

    # galleries: every folder holding images, every archive holding images
    folder_set = set(walk.folders)
    wanted: dict[str, tuple[str, str | None]] = {}
    for folder in walk.folders:
        wanted[folder] = ("folder", library.nearest_folder(folder, root.path, folder_set))
    for archive, folder in walk.archive_folder.items():
        parent = folder if folder in folder_set else library.nearest_folder(archive, root.path, folder_set)
        wanted[archive] = ("zip", parent)
    gallery_ids = _upsert_galleries(db, root, wanted)
    if wanted:  # galleries marked missing whose folder or archive is back
        db.execute(
            update(Gallery)
            .where(Gallery.path.in_(list(wanted)), Gallery.missing_at.is_not(None))
            .values(missing_at=None)
        )

    by_key = {(r.file_path, r.member): r for r in known}
    on_disk = {(f.file_path, f.member) for f in found}
    missing = [r for r in known if (r.file_path, r.member) not in on_disk]
    moved = library.MovedFiles(r for r in missing if not r.member)  # archive members never move alone

    new_rows: list[dict[str, Any]] = []
    to_thumb: list[tuple[str, str]] = []
    placement: list[tuple[str, str, int]] = []  # (image id, gallery id, sort order) for known images
    found_again: list[str] = []  # known images marked missing whose file is back
    for container, group in (*walk.folders.items(), *walk.archives.items()):
        gallery_id = gallery_ids[container]
        for order, item in enumerate(group):
            row = by_key.get((item.file_path, item.member))
            if row is None and not item.member and (match := moved.claim(item.file_path, item.size)) is not None:
                db.execute(
                    update(Image)
                    .where(Image.id == match.id)
                    .values(file_path=item.file_path, file_mtime=item.mtime, missing_at=None)
                )
                placement.append((match.id, gallery_id, order))
                if match.thumbnail_at is None:  # an imported image whose file was missing until now
                    to_thumb.append((match.id, title_from_name(item.file_path)))
                continue
            if row is None:
                image_id = new_id()
                title = title_from_name(item.member or item.file_path)
                new_rows.append(
                    {
                        "id": image_id, "library_root_id": root.id, "gallery_id": gallery_id, "sort_order": order,
                        "file_path": item.file_path, "member": item.member, "file_size": item.size,
                        "file_mtime": item.mtime, "title": title, "is_nsfw": root.is_nsfw,
                    }
                )  # fmt: skip
                to_thumb.append((image_id, title))
                continue
            placement.append((row.id, gallery_id, order))
            changed = library.refresh_changed_file(db, Image, row, item.size, item.mtime, **CHANGED_RESETS)
            if row.missing_at is not None:
                found_again.append(row.id)
            if changed or (row.missing_at is not None and row.thumbnail_at is None):
                to_thumb.append((row.id, title_from_name(item.member or item.file_path)))
    if new_rows:
        copy_rows(db, "images", COPY_COLUMNS, new_rows)
    place_children(db, "images", "gallery_id", placement)
    if found_again:
        db.execute(update(Image).where(Image.id.in_(found_again)).values(missing_at=None))
    removed = [r.id for r in missing if r.id not in moved.ids and r.missing_at is None]
    kept_missing = sum(1 for r in missing if r.id not in moved.ids and r.missing_at is not None)
    delete_rows(db, "image", Image, removed)
    scanned_galleries = select(Gallery.id, Gallery.path).where(
        Gallery.library_root_id == root.id, Gallery.kind.in_(("folder", "zip")), Gallery.missing_at.is_(None)
    )
    stale_galleries = [gid for gid, path in db.execute(scanned_galleries).all() if path not in wanted]
    delete_rows(db, "gallery", Gallery, stale_galleries)
    recount(db, root_id=root.id)
    library.mark_scanned(db, root.id)
    # new and changed images: thumbnails when Previews are on (a thumbnail's run then queues the
    # fingerprint); with Previews off, the fingerprint straight away when Fingerprints are on
    settings = LibrarySettings.get(db)
    thumbs = fingerprints = 0
    if settings.auto_generate_preview:
        thumbs = enqueue_each(
            db, "image-thumbnail", to_thumb, target_type="image", payload_key="imageId", label="Thumbnail"
        )
    elif settings.auto_generate_fingerprints:
        fingerprints = enqueue_each(
            db, "image-fingerprint", to_thumb, target_type="image", payload_key="imageId", label="Fingerprint"
        )
    db.commit()
    for image_id in removed:
        assets.delete_image_files(image_id)
    report.update(
        found=len(found),
        galleries=len(wanted),
        new=len(new_rows),
        moved=len(moved.ids),
        removed=len(removed),
        keptMissing=kept_missing,
        removedGalleries=len(stale_galleries),
        thumbnailsEnqueued=thumbs,
        fingerprintsEnqueued=fingerprints,
        problems=walk.problems[:REPORT_LIMIT],
        problemCount=len(walk.problems),
    )
    return report


def recount(db: Session, root_id: str | None = None, gallery_ids: list[str] | None = None) -> None:
    """Refresh ``image_count`` (folder/zip: their own images; virtual: their items)."""
    where = "TRUE"
    params: dict[str, Any] = {}
    if root_id is not None:
        where = "g.library_root_id = :root"
        params["root"] = root_id
    if gallery_ids is not None:
        where = "g.id = ANY(CAST(:ids AS text[]))"
        params["ids"] = gallery_ids
    db.execute(
        text(
            f"""
            UPDATE galleries AS g SET image_count = CASE WHEN g.kind = 'virtual'
                THEN (SELECT count(*) FROM gallery_items gi WHERE gi.gallery_id = g.id)
                ELSE (SELECT count(*) FROM images i WHERE i.gallery_id = g.id) END
            WHERE {where}
            """
        ),
        params,
    )


def process_gallery_scan(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    return library.run_root_scan(payload, ctx, scan_root, option="scan_images", media="image", log=log)
