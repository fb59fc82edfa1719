"""Media rows in JSON routes: look one up by id, answer a sorted page of them, answer one after an
edit.

What every media plugin's list, detail and edit routes do alike::

    CLIPS = Listing(
        "clip", Clip, sorts={"title": Clip.sort_title, "recent": Clip.created_at}, descending=["recent"],
        search=[Clip.title], equals={"album": Clip.album_id},   # ?search=, ?album=, link filters
    )

    def get_clip(db, clip_id):
        return get_row(db, Clip, clip_id, f"No clip with id '{clip_id}'.")   # 404 otherwise

    @api_route(bp, "/api/clips", query=with_link_filters(ClipsQuery), response=Page[ClipOut])
    def list_clips(query: ClipsQuery):
        return CLIPS.page(get_db(), query, lambda rows: [clip_out(c) for c in rows])

    @api_route(bp, "/api/albums/<album_id>", response=AlbumDetail)
    def get_album(album_id: str):                    # with its parent's title and its sub-albums
        album = get_row(get_db(), Album, album_id, "No such album.")
        parent, children = title_of(get_db(), Album, album.parent_id), children_of(get_db(), Album, album.id)
        ...

    @api_route(bp, "/api/clips/<clip_id>/cover", methods=["DELETE"], response=ClipOut)
    def clear_cover(clip_id: str):
        clip = get_clip(get_db(), clip_id)
        clip.cover = None
        return answer_row(get_db(), "clip", lambda: clip_out(clip))   # commits, then {…clip, links}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from plugin_sdk.errors import NotFoundError
from plugin_sdk.http import Pagination, ok, page
from plugin_sdk.links import filter_clauses, with_links, with_links_many
from plugin_sdk.search import ilike_contains

if TYPE_CHECKING:
    from flask import Response
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

__all__ = [
    "ID_MAX",
    "Listing",
    "answer_row",
    "children_of",
    "get_row",
    "last_position",
    "page_rows",
    "parent_filter",
    "sort_order",
    "title_of",
]

ID_MAX = 64
"""Longer ids are not looked up (answered ``404``)."""


def get_row(db: Session, model: Any, row_id: str, message: str) -> Any:
    """The ``model`` row with id ``row_id``.

    :raises NotFoundError: there is none (``message``), or the id is longer than :data:`ID_MAX`.
    """
    row = db.get(model, row_id) if len(row_id) <= ID_MAX else None
    if row is None:
        raise NotFoundError(message)
    return row


def sort_order(column: Any, sort: str, order: str | None, descending: Sequence[str] = ()) -> ColumnElement[Any]:
    """The ``ORDER BY`` term of a list sorted by ``column`` (empty values last): ``order``
    (``"asc"``/``"desc"``) when given, else descending for the ``sort`` names in ``descending``
    (newest, best rated… first) and ascending for the others."""
    desc = order == "desc" if order else sort in descending
    return column.desc().nulls_last() if desc else column.asc().nulls_last()


def page_rows(
    db: Session, model: Any, conds: Sequence[Any], pagination: Pagination, order_by: Sequence[Any]
) -> tuple[list[Any], int]:
    """One page of the ``model`` rows matching every condition of ``conds``, in ``order_by`` then
    by id (a stable order across pages), and how many rows match in all.

    :return: ``(rows, total)``.
    """
    total = db.execute(select(func.count()).select_from(model).where(*conds)).scalar_one()
    stmt = select(model).where(*conds).order_by(*order_by, model.id)
    rows = db.execute(stmt.offset(pagination.offset).limit(pagination.per_page)).scalars().all()
    return list(rows), total


@dataclass(frozen=True)
class Listing:
    """How a media plugin's list route finds its rows: the ``model`` rows (of ``entity_type``) that
    match the request's filters, in the order it asks for, a page at a time, each with its links.

    :param sorts: ``{sort name: column}`` for a query with ``sort`` and ``order`` fields (see
        :func:`sort_order`); without, the rows are in ``order_by``.
    :param descending: the sort names that are newest, best… first unless ``order`` says otherwise.
    :param search: the text columns ``?search=`` looks in (any of them containing it, ignoring case).
    :param equals: ``{query field: column}``: a field that is set keeps the rows whose column equals it.
    :param order_by: the order without ``sorts``; the id always comes last (a stable order across pages).
    """

    entity_type: str
    model: Any
    sorts: Mapping[str, Any] = field(default_factory=dict)
    descending: Sequence[str] = ()
    search: Sequence[Any] = ()
    equals: Mapping[str, Any] = field(default_factory=dict)
    order_by: Sequence[Any] = ()

    def where(self, db: Session, query: Pagination) -> list[Any]:
        """The conditions of ``query``'s ``search``, ``equals`` fields and link filters
        (:func:`~plugin_sdk.links.filter_clauses`)."""
        conds: list[Any] = []
        text = (getattr(query, "search", None) or "").strip()
        if text and self.search:
            conds.append(or_(*(ilike_contains(column, text) for column in self.search)))
        for name, column in self.equals.items():
            value = getattr(query, name)
            if value is not None and value != "":
                conds.append(column == value)
        conds.extend(filter_clauses(self.entity_type, self.model.id, query, db))
        return conds

    def page(
        self,
        db: Session,
        query: Pagination,
        out: Callable[[list[Any]], Iterable[Any]],
        where: Sequence[Any] = (),
    ) -> tuple[Response, int]:
        """The answer of the list route: the page of rows matching :meth:`where` and the route's own
        conditions ``where``, serialised by ``out(rows)`` (models or camelCase dicts with ``id``), each
        with its links (:func:`~plugin_sdk.links.with_links_many`), in :func:`~plugin_sdk.http.page`'s
        envelope."""
        order_by = self.order_by
        if self.sorts:
            sort = query.sort  # type: ignore[attr-defined]
            order_by = [sort_order(self.sorts[sort], sort, query.order, self.descending)]  # type: ignore[attr-defined]
        rows, total = page_rows(db, self.model, [*where, *self.where(db, query)], query, order_by)
        return page(with_links_many(db, self.entity_type, out(rows)), total, query)


def answer_row(db: Session, entity_type: str, out: Callable[[], Any], status: int = 200) -> tuple[Response, int]:
    """Commit, then answer ``out()`` (a row serialised once the change is stored) with its links:
    the end of a route that changes one row."""
    db.commit()
    return ok(with_links(db, entity_type, out()), status=status)


def title_of(db: Session, model: Any, row_id: str | None) -> str | None:
    """The ``title`` of the ``model`` row ``row_id`` (a row's parent, say); ``None`` when ``row_id``
    is ``None`` or no such row exists."""
    if not row_id:
        return None
    return db.execute(select(model.title).where(model.id == row_id)).scalar()


def children_of(db: Session, model: Any, parent_id: str) -> list[Any]:
    """The ``model`` rows whose ``parent_id`` is ``parent_id`` (a row's sub-rows), by ``sort_title``."""
    stmt = select(model).where(model.parent_id == parent_id).order_by(model.sort_title)
    return list(db.execute(stmt).scalars())


def parent_filter(parent_column: Any, value: str | None) -> list[Any]:
    """The condition of a list's ``?parent=`` filter on ``parent_column``: the top-level rows for
    ``"none"``, the children of that id for another value; no condition without one."""
    if value == "none":
        return [parent_column.is_(None)]
    return [parent_column == value] if value else []


def last_position(db: Session, column: Any, *where: Any) -> int:
    """The largest ``column`` (a position, a sort order) of the rows matching ``where``; ``-1`` when
    there is none, so that ``+ 1`` is where the next row goes."""
    return db.execute(select(func.coalesce(func.max(column), -1)).where(*where)).scalar_one()
