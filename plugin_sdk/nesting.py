"""Rows that have a parent row: audio libraries in libraries, galleries in galleries, tracks and
images in their library or gallery.

What the built-in media plugins do with such rows, each in a constant number of queries: the
breadcrumbs of a row (:func:`ancestors`), how many children each row of a page has
(:func:`child_counts`), the first child of each parent (a cover, :func:`first_children`), and
the two bulk statements a scan links rows to their parents with (:func:`link_parents`,
:func:`place_children`)::

    crumbs = ancestors(db, Album, album)                       # [(id, title), …] outermost first
    children = child_counts(db, Album.parent_id, [a.id for a in page])

Table and column names given as text are put into the SQL as they are: pass your own constants,
never user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

ANCESTORS_MAX = 12
"""How many parents :func:`ancestors` follows at most."""


def ancestors(db: Session, model: Any, row: Any, limit: int = ANCESTORS_MAX) -> list[tuple[str, str]]:
    """``(id, title)`` of the parents of ``row`` (a ``model`` with ``id``, ``title`` and
    ``parent_id`` columns), outermost first: at most ``limit``, and safe against cycles."""
    chain: list[tuple[str, str]] = []
    seen = {row.id}
    parent_id = row.parent_id
    while parent_id and parent_id not in seen and len(chain) < limit:
        seen.add(parent_id)
        found = db.execute(select(model.title, model.parent_id).where(model.id == parent_id)).first()
        if found is None:
            break
        chain.append((parent_id, found[0]))
        parent_id = found[1]
    return list(reversed(chain))


def child_counts(db: Session, parent_column: Any, ids: Iterable[str]) -> dict[str, int]:
    """``{id: how many rows have it in parent_column}`` for ``ids`` (one grouped query; ids
    without children are left out)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.execute(
        select(parent_column, func.count()).where(parent_column.in_(wanted)).group_by(parent_column)
    ).all()
    return {pid: int(n) for pid, n in rows if pid}


def first_children(
    db: Session, stmt: Select[Any], parent_column: Any, parent_ids: Iterable[str], order_by: Sequence[Any]
) -> list[Any]:
    """The first row of ``stmt`` in ``order_by`` for each of ``parent_ids``, in one ``DISTINCT ON``
    query: ``stmt`` selects ``parent_column`` first (then what the caller needs, with its joins and
    conditions), e.g. the first image with a thumbnail of each gallery::

        first_children(
            db, select(Image.gallery_id, Image.id).where(Image.thumbnail_at.is_not(None)),
            Image.gallery_id, gallery_ids, [Image.sort_order, Image.id],
        )
    """
    from sqlalchemy.dialects.postgresql import distinct_on

    query = stmt.where(parent_column.in_(list(parent_ids))).ext(distinct_on(parent_column))
    return list(db.execute(query.order_by(parent_column, *order_by)).all())


def link_parents(db: Session, table: str, links: Sequence[tuple[str, str]], column: str = "parent_id") -> None:
    """Set ``column`` of each ``(id, parent id)`` of ``links`` in ``table`` (one statement; rows
    already linked are not written)."""
    if not links:
        return
    db.execute(
        text(
            f"""
            UPDATE {table} AS r SET {column} = u.parent
            FROM unnest(CAST(:ids AS text[]), CAST(:parents AS text[])) AS u(id, parent)
            WHERE r.id = u.id AND r.{column} IS DISTINCT FROM u.parent
            """
        ),
        {"ids": [c for c, _ in links], "parents": [p for _, p in links]},
    )


def place_children(db: Session, table: str, column: str, placement: Sequence[tuple[str, str, int]]) -> None:
    """Set the parent (``column``) and ``sort_order`` of each ``(id, parent id, sort order)`` of
    ``placement`` in ``table`` (one statement; rows already in place are not written)."""
    if not placement:
        return
    db.execute(
        text(
            f"""
            UPDATE {table} AS r SET {column} = u.parent, sort_order = u.ord
            FROM unnest(CAST(:ids AS text[]), CAST(:parents AS text[]), CAST(:ords AS int[])) AS u(id, parent, ord)
            WHERE r.id = u.id AND (r.{column} IS DISTINCT FROM u.parent OR r.sort_order <> u.ord)
            """
        ),
        {"ids": [p[0] for p in placement], "parents": [p[1] for p in placement], "ords": [p[2] for p in placement]},
    )
