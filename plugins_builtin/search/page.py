"""The ``/search?q=&kind=&offset=`` page: every kind's best hits grouped, or one kind paged.

Server-rendered from the same grouping as ``/api/search``; bad parameters never fail the page
(an unknown kind shows nothing found, a bad offset starts at 0)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from plugin_sdk.blueprint import plugin_blueprint, plugin_static
from plugin_sdk.db import get_db
from plugins_builtin.search.groups import KIND_RE, OFFSET_MAX, label, run, tidy

STATIC = plugin_static("search", __file__)
PREVIEW = 6  # hits per kind on the all-kinds page
PER_PAGE = 30  # hits on a one-kind page


def search_url(q: str, kind: str | None = None, offset: int = 0) -> str:
    params: dict[str, Any] = {"q": q}
    if kind:
        params["kind"] = kind
    if offset:
        params["offset"] = offset
    return "/search?" + urlencode(params)


def _int(raw: str | None) -> int:
    try:
        return min(max(int(raw or 0), 0), OFFSET_MAX)
    except ValueError:
        return 0


def make_page_blueprint() -> Blueprint:
    bp = plugin_blueprint("search", __file__)

    @bp.get("/search")
    def search_page() -> str:
        q = tidy(request.args.get("q"))
        kind = request.args.get("kind", "").strip().lower() or None
        if kind is not None and not KIND_RE.match(kind):
            kind = None
        offset = _int(request.args.get("offset")) if kind else 0
        ctx: dict[str, Any] = {"q": q, "kind": kind, "offset": offset, "groups": [], "chips": [], "url": search_url}
        if q:
            db = get_db()
            everything = run(db, q, None, 1 if kind else PREVIEW)
            ctx["chips"] = [(g.kind, g.label) for g in everything.groups]
            if kind:
                one = run(db, q, [kind], PER_PAGE, offset)
                ctx["groups"] = one.groups
                ctx["kind_label"] = label(kind)
                ctx["per_page"] = PER_PAGE
            else:
                ctx["groups"] = everything.groups
        return render_template("search/search.html", **ctx)

    return bp
