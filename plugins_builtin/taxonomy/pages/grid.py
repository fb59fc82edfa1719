"""``/performers``, ``/studios``, ``/tags``: a grid of cards (picture, name, link counts,
favourite), searched, filtered and sorted, with the state in the query string (``search``,
``favorite``, ``sort``, ``order``, ``page``) and numbered pages.

A page costs three queries whatever the depth (the total, the page by the sort's index, the page's
link counts), so 20,000 performers page as fast as 20. The page module (``grid.js``) swaps the
results region (``GET /<plural>/fragments/results?<state>``) when the state changes and creates new
entries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.http import validate_dropping
from plugins_builtin.taxonomy.models import Performer
from plugins_builtin.taxonomy.pages.views import PAGES, SORTS, Card, KindPage, card
from plugins_builtin.taxonomy.routes.common import ListQuery, common_filters, list_page
from plugins_builtin.taxonomy.routes.performers import PerformersQuery
from plugins_builtin.taxonomy.routes.studios import StudiosQuery
from plugins_builtin.taxonomy.routes.tags import TagsQuery

PER_PAGE = 60
STATE_PARAMS = ("search", "favorite", "sort", "order", "page")
QUERIES: dict[str, type[ListQuery]] = {"performers": PerformersQuery, "studios": StudiosQuery, "tags": TagsQuery}


@dataclass
class GridState:
    """The grid's state from the query string; values that do not validate are dropped (and listed)."""

    query: ListQuery
    params: dict[str, str]
    ignored: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.query.search or self.query.favorite is not None)

    def url(self, path: str, **changes: Any) -> str:
        p: dict[str, Any] = dict(self.params)
        for key, value in changes.items():
            if value is None:
                p.pop(key, None)
            else:
                p[key] = value
        qs = urlencode([(k, str(p[k]).lower() if isinstance(p[k], bool) else p[k]) for k in STATE_PARAMS if k in p])
        return path + (f"?{qs}" if qs else "")


def parse_state(plural: str, args: Any) -> GridState:
    raw = {k: args.get(k, "").strip() for k in STATE_PARAMS}
    raw = {k: v for k, v in raw.items() if v}
    model = QUERIES[plural]
    query, raw, ignored = validate_dropping(model, raw, {"perPage": PER_PAGE})
    return GridState(query=query, params=raw, ignored=ignored)


@dataclass
class GridPage:
    cards: list[Card]
    total: int
    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    empty: str | None  # none-yet | no-match


def grid_page(db: Session, page: KindPage, state: GridState) -> GridPage:
    q = state.query
    extra = [Performer.disambiguation] if page.plural == "performers" else []
    conds = common_filters(page.kind, q, extra)
    rows, total, counts = list_page(db, page.kind, q, conds)
    pages = max(1, math.ceil(total / PER_PAGE))
    if not rows and total and q.page > pages:  # a page past the end (a stale link): show the last one
        q = q.model_copy(update={"page": pages})
        state.params["page"] = str(pages)
        rows, total, counts = list_page(db, page.kind, q, conds)
    subs = {r.id: r.disambiguation for r in rows} if page.plural == "performers" else {}
    cards = [card(page, r, counts[r.id], subs.get(r.id)) for r in rows]
    empty = None
    if not total:
        empty = "no-match" if state.filtered else "none-yet"
    return GridPage(
        cards=cards,
        total=total,
        page=q.page,
        pages=pages,
        prev_url=state.url(page.path, page=q.page - 1 if q.page > 2 else None) if q.page > 1 else None,
        next_url=state.url(page.path, page=q.page + 1) if q.page < pages else None,
        empty=empty,
    )


def register(bp: Blueprint) -> None:
    """Add the three grids to the pages blueprint."""

    def grid(plural: str, fragment: bool = False) -> str:
        page = PAGES[plural]
        state = parse_state(plural, request.args)
        result = grid_page(get_db(), page, state)
        fragment = fragment or request.args.get("fragment") == "results"  # the older spelling, still served
        template = "taxonomy/_grid_results.html" if fragment else "taxonomy/grid.html"
        return render_template(
            template, page=page, state=state, res=result, sorts=SORTS, nav_active=page.path,
            desc=state.query.order == "desc" if state.query.order else state.query.sort != "name",
        )  # fmt: skip

    for plural in PAGES:
        bp.add_url_rule(f"/{plural}", f"{plural}_grid", lambda plural=plural: grid(plural))
        # the results region alone, for the same query string (the list pages' fragment convention)
        bp.add_url_rule(
            f"/{plural}/fragments/results", f"{plural}_grid_results", lambda plural=plural: grid(plural, fragment=True)
        )
