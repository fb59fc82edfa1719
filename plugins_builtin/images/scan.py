"""The ``gallery-scan`` processor: folders and zip/cbz archives of images become galleries.

One gallery per folder that holds images (nested galleries follow the folder tree) and one per
archive (its image members in natural order). One walk, one query of what is known, comparison in
memory, COPY for new images. Moved or renamed images (same size and oshash) keep their rows.
Missing, unreadable or suddenly empty roots are reported and never pruned; broken archives are
reported and the scan goes on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.assets import is_generated_sidecar, sidecar_rules
from plugin_sdk.db import new_id
from plugin_sdk.hashing import oshash_file
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import emptied_root_problem, natural_key, root_option, root_problem
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import LibraryRoot
from plugins_builtin.images import archives, assets
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.naming import is_archive_name, is_image_name, title_from_name

log = logging.getLogger("obscura.images.scan")

REPORT_LIMIT = 20
COPY_COLUMNS = (
    "id", "library_root_id", "gallery_id", "sort_order", "file_path", "member", "file_size", "file_mtime",
    "title", "is_nsfw",
)  # fmt: skip


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
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            walk.problems.append(f"{folder}: {exc.strerror or exc}")
            continue
        images: list[Found] = []
        names = {entry.name for entry in entries}
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive and depth < max_depth:
                        stack.append((entry.path, depth + 1))
                elif is_image_name(name) and not is_generated_sidecar(name, names, sidecars):  # a video's -thumb.jpg
                    st = entry.stat()
                    images.append(Found(entry.path, "", st.st_size, st.st_mtime, folder))
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
                        walk.archive_folder[entry.path] = folder
            except OSError as exc:
                walk.problems.append(f"{entry.path}: {exc.strerror or exc}")
        if images:
            images.sort(key=lambda f: natural_key(os.path.basename(f.file_path)))
            walk.folders[folder] = images
    return walk


def _ancestor_gallery(path: str, root: str, folders: set[str]) -> str | None:
    """The nearest folder above ``path`` (up to the root) that is a folder gallery."""
    current = os.path.dirname(path)
    while len(current) >= len(root):
        if current in folders:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return None


def _copy_images(db: Session, rows: list[dict[str, Any]]) -> None:
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY images ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in COPY_COLUMNS])


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
    if parents:
        db.execute(
            text(
                """
                UPDATE galleries AS g SET parent_id = u.parent
                FROM unnest(CAST(:ids AS text[]), CAST(:parents AS text[])) AS u(id, parent)
                WHERE g.id = u.id AND g.parent_id IS DISTINCT FROM u.parent
                """
            ),
            {"ids": [c for c, _ in parents], "parents": [p for _, p in parents]},
        )
    return existing


def scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    """Scan one root for image galleries and commit. Returns the job result."""
    report: dict[str, Any] = {"rootId": root.id, "path": root.path}
    known = db.execute(
        select(Image.id, Image.file_path, Image.member, Image.file_size, Image.file_mtime, Image.oshash).where(
            Image.library_root_id == root.id
        )
    ).all()
    problem = root_problem(root.path)
    if problem:
        return {**report, "rootProblem": problem, "known": len(known)}
    walk = walk_images(root.path, root.recursive)
    found = walk.images
    if not found and known:
        return {**report, "rootProblem": emptied_root_problem(root.path, len(known), "images"), "known": len(known)}
    if progress:
        progress(30, f"{len(found)} images found")

    # galleries: every folder holding images, every archive holding images
    folder_set = set(walk.folders)
    wanted: dict[str, tuple[str, str | None]] = {}
    for folder in walk.folders:
        wanted[folder] = ("folder", _ancestor_gallery(folder, root.path, folder_set))
    for archive, folder in walk.archive_folder.items():
        wanted[archive] = ("zip", folder if folder in folder_set else _ancestor_gallery(archive, root.path, folder_set))
    gallery_ids = _upsert_galleries(db, root, wanted)

    by_key = {(r.file_path, r.member): r for r in known}
    on_disk = {(f.file_path, f.member) for f in found}
    missing = [r for r in known if (r.file_path, r.member) not in on_disk]
    candidates: dict[int, list[Any]] = {}
    for r in missing:
        if r.oshash and r.file_size and not r.member:
            candidates.setdefault(r.file_size, []).append(r)

    new_rows: list[dict[str, Any]] = []
    to_thumb: list[tuple[str, str]] = []
    moved_ids: set[str] = set()
    placement: list[tuple[str, str, int]] = []  # (image id, gallery id, sort order) for known images
    for container, group in (*walk.folders.items(), *walk.archives.items()):
        gallery_id = gallery_ids[container]
        for order, item in enumerate(group):
            row = by_key.get((item.file_path, item.member))
            if row is None and not item.member and candidates.get(item.size):
                try:
                    digest = oshash_file(item.file_path)
                except (OSError, ValueError):
                    digest = None
                match = next((c for c in candidates[item.size] if c.oshash == digest), None)
                if match is not None:
                    candidates[item.size].remove(match)
                    moved_ids.add(match.id)
                    db.execute(
                        update(Image)
                        .where(Image.id == match.id)
                        .values(file_path=item.file_path, file_mtime=item.mtime)
                    )
                    placement.append((match.id, gallery_id, order))
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
            if row.file_size != item.size or row.file_mtime != item.mtime:
                db.execute(
                    update(Image)
                    .where(Image.id == row.id)
                    .values(
                        file_size=item.size, file_mtime=item.mtime, md5=None, oshash=None, phash=None, thumbnail_at=None
                    )
                )
                to_thumb.append((row.id, title_from_name(item.member or item.file_path)))
    if new_rows:
        _copy_images(db, new_rows)
    if placement:
        db.execute(
            text(
                """
                UPDATE images AS i SET gallery_id = u.gallery, sort_order = u.ord
                FROM unnest(CAST(:ids AS text[]), CAST(:galleries AS text[]), CAST(:orders AS int[]))
                     AS u(id, gallery, ord)
                WHERE i.id = u.id AND (i.gallery_id IS DISTINCT FROM u.gallery OR i.sort_order <> u.ord)
                """
            ),
            {
                "ids": [p[0] for p in placement],
                "galleries": [p[1] for p in placement],
                "orders": [p[2] for p in placement],
            },
        )
    removed = [r.id for r in missing if r.id not in moved_ids]
    if removed:
        db.execute(delete(Image).where(Image.id.in_(removed)))
        entities_deleted(db, "image", removed)
    scanned_galleries = select(Gallery.id, Gallery.path).where(
        Gallery.library_root_id == root.id, Gallery.kind.in_(("folder", "zip"))
    )
    stale_galleries = [gid for gid, path in db.execute(scanned_galleries).all() if path not in wanted]
    if stale_galleries:
        db.execute(delete(Gallery).where(Gallery.id.in_(stale_galleries)))
        entities_deleted(db, "gallery", stale_galleries)
    recount(db, root_id=root.id)
    db.execute(update(LibraryRoot).where(LibraryRoot.id == root.id).values(last_scanned_at=func.now()))
    thumbs = enqueue_jobs(
        db,
        "image-thumbnail",
        (({"imageId": iid}, "image", iid, f"Thumbnail · {title}") for iid, title in to_thumb),
    )
    db.commit()
    for image_id in removed:
        assets.delete_image_files(image_id)
    report.update(
        found=len(found),
        galleries=len(wanted),
        new=len(new_rows),
        moved=len(moved_ids),
        removed=len(removed),
        removedGalleries=len(stale_galleries),
        thumbnailsEnqueued=thumbs,
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
    root = ctx.db.get(LibraryRoot, payload.get("rootId"))
    if root is None:
        raise PermanentJobError(f"library root {payload.get('rootId')} no longer exists")
    if not root.enabled or not root_option(root, "scan_images"):
        return {"rootId": root.id, "skipped": "image scanning is off for this root"}
    ctx.progress(5, "walking the folder")
    result = scan_root(ctx.db, root, ctx.progress)
    if result.get("rootProblem"):
        log.warning("gallery-scan of %s: %s", root.path, result["rootProblem"])
    return result
