"""Essential plugin: the page shell (layout, navigation from ``obscura_nav_items``, one stylesheet,
the command palette's API) and the dashboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from pydantic import Field

from obscura_core import __version__
from obscura_core.web.assets import bundle
from plugin_sdk import NavItem, SearchHit, ShellPart, hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.pages import page_panels
from plugin_sdk.search import search_everything
from plugin_sdk.sfw import sfw_requested

BOTTOM_NAV_SLOTS = 4
PALETTE_LIMIT = 8


def _active(items: list[NavItem], path: str) -> str | None:
    """The nav entry the current page belongs to (longest matching prefix)."""
    best = None
    for item in items:
        href = item.href.rstrip("/") or "/"
        matches = path == href or (href != "/" and path.startswith(href + "/"))
        if matches and (best is None or len(href) > len(best)):
            best = item.href
    return best


def nav_context() -> dict[str, Any]:
    """Template globals: navigation, the stylesheet URL, the version, SFW mode."""
    rt = current_app.extensions["obscura"]
    items = list(rt.registry.nav_items)
    main = [i for i in items if i.section == "main"]
    system = [i for i in items if i.section != "main"]
    return {
        "nav_main": main,
        "nav_system": system,
        "nav_bottom": main[:BOTTOM_NAV_SLOTS],
        "nav_more": main[BOTTOM_NAV_SLOTS:] + system,
        "nav_active": _active(items, request.path),
        "obscura_version": __version__,
        "stylesheet_url": bundle(current_app).url,
        "shell_parts": shell_parts(),
        "sfw_mode": sfw_requested(),
    }


def shell_parts() -> list[ShellPart]:
    """Parts of the shell that survive navigation (``obscura_shell_parts``), in order."""
    return list(current_app.extensions["obscura"].registry.shell_parts)


def plural_label(kind: str) -> str:
    """A palette group's heading from a hit kind: video → Videos, gallery → Galleries, series → Series."""
    words = kind.replace("-", " ").replace("_", " ").strip() or "result"
    if words.endswith(("s", "x")):
        plural = words if words.endswith("s") else words + "es"
    elif words.endswith("y") and words[-2:-1] not in ("a", "e", "i", "o", "u"):
        plural = words[:-1] + "ies"
    else:
        plural = words + "s"
    return plural[0].upper() + plural[1:]


class PaletteQuery(ApiModel):
    q: str = Field(min_length=1, max_length=200)


class PaletteGroup(ApiModel):
    label: str
    items: list[dict[str, Any]]


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_shell", __name__)

    @bp.app_context_processor
    def _inject() -> dict[str, Any]:
        return nav_context() if request else {}

    @bp.get("/")
    def dashboard() -> str:
        return render_template("dashboard.html", panels=page_panels("dashboard"))

    @bp.get("/assets/app.<digest>.css")
    def stylesheet(digest: str) -> Response:
        css = bundle(current_app)
        if digest != css.digest:
            abort(404)
        return Response(
            css.body, mimetype="text/css", headers={"Cache-Control": "public, max-age=31536000, immutable"}
        )

    @api_route(bp, "/api/palette", query=PaletteQuery, response=list[PaletteGroup])
    def palette(query: PaletteQuery):
        """Search every plugin for the command palette, grouped by kind."""
        hits: list[SearchHit] = search_everything(get_db(), query.q.strip(), PALETTE_LIMIT)
        groups: dict[str, list[dict[str, Any]]] = {}
        for hit in hits:
            group = groups.setdefault(hit.kind, [])
            if len(group) < PALETTE_LIMIT:
                group.append(
                    {"kind": hit.kind, "id": hit.id, "title": hit.title, "url": hit.url,
                     "subtitle": hit.subtitle, "thumbnailUrl": hit.thumbnail_url}
                )
        return ok({"groups": [{"label": plural_label(kind), "items": items} for kind, items in groups.items()]})

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Home", "/", icon="home", order=0)]
