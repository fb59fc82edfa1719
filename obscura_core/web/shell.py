"""Essential plugin: the page layout (navigation from ``obscura_nav_items``) and the home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from obscura_core import __version__
from plugin_sdk import NavItem, hookimpl


def nav_context() -> dict[str, Any]:
    """Template globals: the navigation the plugins contributed, and the current path."""
    rt = current_app.extensions["obscura"]
    items: tuple[NavItem, ...] = rt.registry.nav_items
    return {
        "nav_main": [i for i in items if i.section == "main"],
        "nav_system": [i for i in items if i.section != "main"],
        "current_path": request.path,
        "obscura_version": __version__,
    }


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_shell", __name__)

    @bp.app_context_processor
    def _inject() -> dict[str, Any]:
        return nav_context() if request else {}

    @bp.get("/")
    def home():
        return render_template("home.html")

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Home", "/", icon="⌂", order=0)]
