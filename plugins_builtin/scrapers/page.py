"""The ``/scrapers`` page: installed packages (toggle, update, uninstall) and the index to install from.

The page and its two parts are server-rendered; the parts are also HTML fragment routes
(``/scrapers/installed``, ``/scrapers/available``) that the page module reloads after each
change, so the markup lives in one place. The index is loaded after the page, so a slow or
unreachable index never delays it (an unreachable one shows a notice in its part).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.db import get_db
from plugin_sdk.errors import ObscuraError
from plugins_builtin.scrapers import packages
from plugins_builtin.scrapers.index import cached_index, index_source, load_index
from plugins_builtin.scrapers.routes import index_entries, package_out

PER_PAGE = 50
QUERY_MAX = 200
PAGE_MAX = 10_000


def _int_arg(name: str, default: int) -> int:
    try:
        return min(max(int(request.args.get(name, default)), 1), PAGE_MAX)
    except ValueError:
        return default


def installed_context() -> dict[str, Any]:
    """The installed packages as the page shows them (scrapers, then libraries)."""
    db = get_db()
    index = cached_index()
    out = [package_out(row, index).dump() for row in packages.list_packages(db)]
    db.commit()
    return {"packages": out, "updates": sum(1 for p in out if p["updateAvailable"])}


def available_context() -> dict[str, Any]:
    """One page of the index (``?q=&page=&force=``), or the reason it could not be read."""
    q = (request.args.get("q") or "").strip()[:QUERY_MAX]
    page = _int_arg("page", 1)
    force = request.args.get("force", "").lower() in ("1", "true", "yes")
    ctx: dict[str, Any] = {"q": q, "page": page, "entries": [], "total": 0, "more": False, "error": None}
    try:
        index = load_index(force=force)
    except ObscuraError as exc:
        ctx["error"] = exc.message
        return ctx
    db = get_db()
    entries = index_entries(db, index, q)
    db.commit()
    ctx.update(
        entries=[e.dump() for e in entries[: page * PER_PAGE]],
        total=len(entries),
        more=len(entries) > page * PER_PAGE,
        index_url=str(index.location),
        fetched_at=index.fetched_at,
    )
    return ctx


def make_blueprint() -> Blueprint:
    bp = plugin_blueprint("scrapers", __file__)

    @bp.get("/scrapers")
    def scrapers_page() -> str:
        return render_template("scrapers/page.html", index_source=index_source(), **installed_context())

    @bp.get("/scrapers/installed")
    def installed_fragment() -> str:
        return render_template("scrapers/_installed.html", **installed_context())

    @bp.get("/scrapers/available")
    def available_fragment() -> str:
        return render_template("scrapers/_available.html", **available_context())

    return bp
