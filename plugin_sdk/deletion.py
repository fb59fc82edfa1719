"""Deleting a media row: optionally its source file (inside its library root), the row, the
``obscura_entities_deleted`` announcement, the plugin's own follow-ups, then its cache files.

The ``DELETE`` route of a media row whose table has ``library_root_id`` and ``file_path`` columns
(:class:`DeleteQuery` is its query string)::

    @api_route(bp, "/api/clips/<clip_id>", methods=["DELETE"], query=DeleteQuery)
    def delete_clip(clip_id: str, query: DeleteQuery):
        db = get_db()
        clip = get_clip(db, clip_id)
        album_id = clip.album_id
        return ok(
            delete_media(
                db, "clip", clip, query.delete_file,
                after_delete=(lambda: recount(db, [album_id])) if album_id else None,
                delete_files=lambda cid: delete_cache("clips", cid),
            )
        )

answers ``{"id", "deleted": true, "fileDeleted"}`` like the built-in videos, images and audio tracks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from plugin_sdk.files import existing_source
from plugin_sdk.http import ApiModel
from plugin_sdk.links import entities_deleted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["DeleteQuery", "delete_media", "delete_rows"]


class DeleteQuery(ApiModel):
    """The query string of a media row's ``DELETE`` route: ``?deleteFile=true`` also deletes its
    source file."""

    delete_file: bool = False


def delete_media(
    db: Session,
    entity_type: str,
    row: Any,
    delete_file: bool = False,
    *,
    before_delete: Callable[[], None] | None = None,
    after_delete: Callable[[], None] | None = None,
    delete_files: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Delete ``row`` (an ``entity_type`` media row) and commit; the answer of its ``DELETE`` route.

    In order: with ``delete_file``, the source file (:func:`~plugin_sdk.files.existing_source`; a root or file that is
    already gone is no error, ``fileDeleted`` then says ``false``; an ``OSError`` from the unlink
    propagates, before anything else is changed); ``before_delete()`` (e.g. files written beside
    the media, while the row still exists); the row; :func:`~plugin_sdk.links.entities_deleted`;
    ``after_delete()`` once the deletion is flushed, in the same transaction (e.g. recounting the
    parent); the commit; then ``delete_files(row_id)`` (the cache, once the row is surely gone).
    Refusals (an archive member whose file cannot be deleted alone, say) are the caller's, before.
    """
    row_id: str = row.id
    file_deleted = False
    if delete_file:
        path = existing_source(db, row)
        if path is not None:
            path.unlink()
            file_deleted = True
    if before_delete is not None:
        before_delete()
    db.delete(row)
    entities_deleted(db, entity_type, [row_id])
    if after_delete is not None:
        db.flush()
        after_delete()
    db.commit()
    if delete_files is not None:
        delete_files(row_id)
    return {"id": row_id, "deleted": True, "fileDeleted": file_deleted}


def delete_rows(db: Session, entity_type: str, model: Any, ids: Sequence[str]) -> None:
    """Delete the ``model`` rows ``ids`` (of ``entity_type``) and announce them
    (:func:`~plugin_sdk.links.entities_deleted`, so links and collection items go too), in ``db``'s
    transaction: what a scan does with rows whose files are gone. Nothing happens for no ids; their
    cache files are the caller's to delete, once committed."""
    if not ids:
        return
    from sqlalchemy import delete

    db.execute(delete(model).where(model.id.in_(ids)))
    entities_deleted(db, entity_type, ids)


def root_removed(db: Session, root_id: str, kinds: Sequence[tuple[str, Any, Callable[[str], None] | None]]) -> None:
    """A library root is being removed (``obscura_entity_deleted("library_root", …)``): announce
    the plugin's rows under it (``entities_deleted``, so links and collection items go) and delete
    their cache files; the rows themselves go with the root (foreign keys cascade).

    :param kinds: ``(entity type, model with a library_root_id column, delete_files(id) or None)``.

    ::

        @hookimpl
        def obscura_entity_deleted(entity_type, entity_id, db):
            if entity_type == "library_root":
                root_removed(db, entity_id, [("clip", Clip, lambda cid: delete_cache("clips", cid))])
    """
    from sqlalchemy import select

    from plugin_sdk.links import entities_deleted

    for entity_type, model, delete_files in kinds:
        ids = list(db.execute(select(model.id).where(model.library_root_id == root_id)).scalars())
        entities_deleted(db, entity_type, ids)
        if delete_files is not None:
            for row_id in ids:
                delete_files(row_id)
