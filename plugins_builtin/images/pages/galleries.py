"""``/galleries``: the galleries grid, with its state (filters, sort, paging) in the query string.

State parameters: ``search``, ``kind`` (folder | zip | virtual), ``root`` (a library folder id),
``parent`` (a gallery id: its sub-galleries), ``nested`` (``1``: sub-galleries too; searching always
looks at every level), ``sort`` (title | recent | date | rating | images), ``order`` (asc | desc) and
``cursor``. Unknown values are dropped and named in a notice, never a 500.

Paging is keyset (``(sort value, id)`` after the cursor), so page 200 costs what page 1 costs; the
covers and sub-gallery counts of a page take three or four queries whatever the page size.
Fragments for the browser:

- ``GET /galleries/fragments/results?<state>``: the results region, when the state changes;
- ``GET /galleries/fragments/more?<state>&cursor=…``: the next cards, then the next "Load more".
"""

from __future__ import annotations

import base64
import json
import operator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_count
from plugin_sdk.library import root_option
from plugin_sdk.listpage import Chip, empty_reason, page_context, state_query
from plugin_sdk.models import LibraryRoot
from plugin_sdk.search import ilike_contains
from plugins_builtin.images.models import Gallery
from plugins_builtin.images.pages.cards import GALLERY_COLUMNS, KIND_LABELS, GalleryCard, gallery_cards

PER_PAGE = 48
FILTER_PARAMS = ("search", "kind", "root", "parent", "nested")
STATE_PARAMS = (*FILTER_PARAMS, "sort", "order")
SORTS = [("title", "Title"), ("recent", "Date added"), ("date", "Date"), ("rating", "Rating"), ("images", "Images")]
SORT_COLUMNS: dict[str, Any] = {
    "title": Gallery.sort_title,
    "recent": Gallery.created_at,
    "date": Gallery.date,
    "rating": Gallery.rating,
    "images": Gallery.image_count,
}
NULLABLE = frozenset({"date", "rating"})
DEFAULT_DESC = frozenset({"recent", "date", "rating", "images"})
ORDER_WORDS = {  # sort → (descending, ascending)
    "title": ("Z to A", "A to Z"),
    "recent": ("Newest first", "Oldest first"),
    "date": ("Newest first", "Oldest first"),
    "rating": ("Highest first", "Lowest first"),
    "images": ("Most images", "Fewest images"),
}
KINDS = [("folder", "Folders"), ("zip", "Archives"), ("virtual", "Collections")]


class BadCursor(ValueError):
    """The cursor is not one of this sort (stale bookmark, hand-edited URL)."""


# ------------------------------------------------------------------------------------------ state


@dataclass
class State:
    """The grid's state, read from the query string (invalid values dropped and listed)."""

    params: dict[str, str]
    sort: str
    descending: bool
    cursor: str | None = None
    parent_title: str | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def search(self) -> str | None:
        return self.params.get("search")

    @property
    def filtered(self) -> bool:
        return any(k in self.params for k in FILTER_PARAMS)

    @property
    def nested(self) -> bool:
        """Whether sub-galleries are listed beside their parents."""
        return "nested" in self.params or "search" in self.params or "parent" in self.params

    @property
    def order_label(self) -> str:
        return ORDER_WORDS[self.sort][0 if self.descending else 1]

    def qs(self, **changes: Any) -> str:
        """This state's query string with ``changes`` (``None`` removes a key), keys in a stable order."""
        return state_query(self.params, (*STATE_PARAMS, "cursor"), **changes)

    def url(self, **changes: Any) -> str:
        qs = self.qs(**changes)
        return "/galleries" + (f"?{qs}" if qs else "")

    def without(self, *keys: str) -> str:
        return self.url(**dict.fromkeys(keys))

    @property
    def clear_url(self) -> str:
        """The same sort without any filter."""
        return self.without(*FILTER_PARAMS)


def parse_state(db: Session, args: MultiDict[str, str]) -> State:
    """Read the state; values that do not fit are left out and named in ``ignored``."""
    params: dict[str, str] = {}
    ignored: list[str] = []
    search = " ".join(args.get("search", "").split())[:200]
    if search:
        params["search"] = search
    kind = args.get("kind", "").strip()
    if kind in KIND_LABELS:
        params["kind"] = kind
    elif kind:
        ignored.append(f"kind={kind}")
    root = args.get("root", "").strip()
    if root and len(root) <= 64 and db.get(LibraryRoot, root) is not None:
        params["root"] = root
    elif root:
        ignored.append("root (no such library folder)")
    parent_title = None
    parent = args.get("parent", "").strip()
    if parent and len(parent) <= 64:
        parent_title = db.execute(select(Gallery.title).where(Gallery.id == parent)).scalar()
    if parent_title:
        params["parent"] = parent
    elif parent:
        ignored.append("parent (no such gallery)")
    nested = args.get("nested", "").strip().lower()
    if nested in ("1", "true", "yes", "on"):
        params["nested"] = "1"
    elif nested and nested not in ("0", "false", "no", "off"):
        ignored.append(f"nested={nested}")
    sort = args.get("sort", "").strip() or "title"
    if sort not in SORT_COLUMNS:
        ignored.append(f"sort={sort}")
        sort = "title"
    elif sort != "title":
        params["sort"] = sort
    descending = sort in DEFAULT_DESC
    order = args.get("order", "").strip()
    if order in ("asc", "desc"):
        descending = order == "desc"
        if descending != (sort in DEFAULT_DESC):
            params["order"] = order
    elif order:
        ignored.append(f"order={order}")
    cursor = args.get("cursor", "").strip()[:500] or None
    return State(params, sort, descending, cursor, parent_title, ignored)


# ------------------------------------------------------------------------------------------ query


def conditions(state: State) -> list[ColumnElement[bool]]:
    """The WHERE of the state's filters."""
    p = state.params
    conds: list[ColumnElement[bool]] = []
    if "search" in p:
        conds.append(ilike_contains(Gallery.title, p["search"]))
    if "kind" in p:
        conds.append(Gallery.kind == p["kind"])
    if "root" in p:
        conds.append(Gallery.library_root_id == p["root"])
    if "parent" in p:
        conds.append(Gallery.parent_id == p["parent"])
    elif not state.nested:
        conds.append(Gallery.parent_id.is_(None))
    return conds


def encode_cursor(value: Any, gallery_id: str) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, gallery_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(state: State, cursor: str) -> tuple[Any, str]:
    """``(sort value, id)`` of a cursor made for this sort; :class:`BadCursor` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, gid = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor(str(exc)) from None
    if not isinstance(gid, str) or len(gid) > 64:
        raise BadCursor("bad id")
    if value is None:
        if state.sort not in NULLABLE:
            raise BadCursor("null value")
        return None, gid
    try:
        if state.sort == "recent":
            return datetime.fromisoformat(value), gid
        if state.sort in ("rating", "images"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadCursor("not a number")
            return value, gid
        if not isinstance(value, str):
            raise BadCursor("not text")
        return value, gid
    except (TypeError, ValueError) as exc:
        raise BadCursor(str(exc)) from None


def after(state: State, value: Any, gid: str) -> ColumnElement[bool]:
    """Rows that come after ``(value, gid)`` in the state's order (NULLs last in both directions)."""
    col = SORT_COLUMNS[state.sort]
    op = operator.lt if state.descending else operator.gt
    if value is None:
        return and_(col.is_(None), op(Gallery.id, gid))
    cond = op(tuple_(col, Gallery.id), tuple_(literal(value, col.type), literal(gid)))
    return or_(cond, col.is_(None)) if state.sort in NULLABLE else cond


def order_by(state: State) -> list[Any]:
    col = SORT_COLUMNS[state.sort]
    if state.descending:
        return [col.desc().nulls_last(), Gallery.id.desc()]
    return [col.asc().nulls_last(), Gallery.id.asc()]


def page_of(db: Session, state: State, cursor: str | None) -> tuple[list[GalleryCard], str | None]:
    """A page of cards after ``cursor`` and the next page's cursor (``None`` at the end)."""
    conds = conditions(state)
    if cursor:
        conds.append(after(state, *decode_cursor(state, cursor)))
    col = SORT_COLUMNS[state.sort]
    rows = db.execute(
        select(*GALLERY_COLUMNS, col.label("sort_value")).where(*conds).order_by(*order_by(state)).limit(PER_PAGE + 1)
    ).all()
    nxt = None
    if len(rows) > PER_PAGE:
        rows = rows[:PER_PAGE]
        last = rows[-1]
        nxt = encode_cursor(last.sort_value, last.id)
    return gallery_cards(db, [tuple(r)[: len(GALLERY_COLUMNS)] for r in rows]), nxt


# ------------------------------------------------------------------------------------------ results


@dataclass
class Results:
    state: State
    cards: list[GalleryCard] = field(default_factory=list)
    total: int = 0
    more_url: str | None = None
    more_href: str | None = None
    empty: str | None = None  # no-roots | no-image-roots | no-galleries | no-match
    chips: list[Chip] = field(default_factory=list)
    summary: str = ""


def chips(state: State, root_labels: dict[str, str]) -> list[Chip]:
    p = state.params
    out: list[Chip] = []

    def add(label: str, *keys: str) -> None:
        out.append(Chip(label, state.without(*keys), keys))

    if "search" in p:
        add(f"“{p['search']}”", "search")
    if "kind" in p:
        add(dict(KINDS)[p["kind"]], "kind")
    if "root" in p:
        add(f"Folder: {root_labels.get(p['root'], 'unknown')}", "root")
    if "parent" in p:
        add(f"Inside: {state.parent_title}", "parent")
    if "nested" in p:
        add("With sub-galleries", "nested")
    return out


def results(db: Session, state: State, all_roots: list[LibraryRoot]) -> Results:
    """The first page (or the page at the state's cursor), the total, chips and the empty state."""
    res = Results(state=state, chips=chips(state, {r.id: r.label for r in all_roots}))
    res.total = db.execute(select(func.count()).select_from(Gallery).where(*conditions(state))).scalar_one()
    if res.total:
        try:
            res.cards, nxt = page_of(db, state, state.cursor)
        except BadCursor:
            state.cursor = None
            res.cards, nxt = page_of(db, state, None)
        if nxt:
            res.more_url = "/galleries/fragments/more?" + state.qs(cursor=nxt)
            res.more_href = state.url(cursor=nxt)
    res.summary = fmt_count(res.total, "gallery", "galleries")
    if not res.total:
        res.empty = empty_reason(db, all_roots, state.filtered, Gallery) or (
            "no-galleries" if any(r.enabled and root_option(r, "scan_images") for r in all_roots) else "no-image-roots"
        )
    return res


def context(db: Session, state: State) -> dict[str, Any]:
    return page_context(db, state, results, sorts=SORTS, kinds=KINDS, nav_active="/galleries")


# ------------------------------------------------------------------------------------------ routes


def register(bp: Blueprint) -> None:
    """Add the galleries grid and its fragments to the pages blueprint."""

    @bp.get("/galleries")
    def galleries() -> str:
        db = get_db()
        return render_template("images/galleries.html", **context(db, parse_state(db, request.args)))

    @bp.get("/galleries/fragments/results")
    def results_fragment() -> str:
        db = get_db()
        return render_template("images/_galleries_results.html", **context(db, parse_state(db, request.args)))

    @bp.get("/galleries/fragments/more")
    def more_fragment() -> str:
        db = get_db()
        state = parse_state(db, request.args)
        cards: list[GalleryCard] = []
        more_url = more_href = None
        if state.cursor:
            try:
                cards, nxt = page_of(db, state, state.cursor)
            except BadCursor:  # a cursor of another sort: nothing more to add
                cards, nxt = [], None
            if nxt:
                more_url = "/galleries/fragments/more?" + state.qs(cursor=nxt)
                more_href = state.url(cursor=nxt)
        return render_template("images/_galleries_more.html", cards=cards, more_url=more_url, more_href=more_href)
