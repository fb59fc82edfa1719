"""The rows of an ``AssetSource`` (``obscura_generated_assets``): counted, and streamed from the
database in batches, each with the library root holding its file, for the library-maintenance
plugin's moves and orphan sweep.

A table whose generated files always stay in the cache needs one line::

    def sources():
        return [AssetSource("clip", ("clips",), count_rows(Clip), file_asset_rows("clip", Clip, Clip.file_path))]

and one whose files may also lie beside the media reads its rows with :func:`keyset_batches` and
:func:`library_root_paths` and yields its own ``GeneratedAssets`` (with ``files``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from plugin_sdk.types import GeneratedAssets

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

__all__ = ["count_rows", "file_asset_rows", "keyset_batches", "library_root_paths"]

BATCH = 1000
"""Rows read per query by :func:`file_asset_rows`."""


def count_rows(model: Any) -> Callable[[Session], int]:
    """An ``AssetSource.count``: how many rows ``model`` has."""
    return lambda db: int(db.execute(select(func.count()).select_from(model)).scalar_one())


def library_root_paths(db: Session) -> dict[str, str]:
    """``{library root id: its folder}`` of every library root."""
    from plugin_sdk.models import LibraryRoot

    return {root_id: path for root_id, path in db.execute(select(LibraryRoot.id, LibraryRoot.path)).all()}


def keyset_batches(db: Session, stmt: Select[Any], id_column: Any, size: int) -> Iterator[Sequence[Any]]:
    """The rows of ``stmt`` (whose first column is ``id_column``) by id, ``size`` at a time: each
    batch is read after the last id of the one before (keyset paging), so a table changing in the
    meantime neither repeats nor skips a row that stays."""
    after = ""
    while True:
        rows = db.execute(stmt.where(id_column > after).order_by(id_column).limit(size)).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def file_asset_rows(
    entity_type: str, model: Any, path_column: Any, *, batch: int = BATCH
) -> Callable[[Session], Iterator[GeneratedAssets]]:
    """An ``AssetSource.rows`` for a table whose generated files always stay in the cache (nothing
    to move): every row of ``model`` (its ``id``, ``title`` and ``library_root_id``) with its
    media file or folder ``path_column`` and its library root, for the orphan sweep."""

    def rows(db: Session) -> Iterator[GeneratedAssets]:
        roots = library_root_paths(db)
        stmt = select(model.id, model.title, path_column, model.library_root_id)
        for found in keyset_batches(db, stmt, model.id, batch):
            for row_id, title, path, root_id in found:
                root = roots.get(root_id) if root_id else None
                yield GeneratedAssets(entity_type, row_id, title, Path(path), Path(root) if root else None)

    return rows
