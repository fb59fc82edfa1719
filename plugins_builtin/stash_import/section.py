"""The Settings section "Import": pick a Stash database with the server-side browser, map its
paths, check it, start a dry run or the import, and read the last runs' reports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from plugin_sdk.blueprint import plugin_blueprint, plugin_static
from plugin_sdk.db import get_db

STATIC = plugin_static("stash_import", __file__)
MODULE = "/static/stash_import/section.js"


def make_blueprint() -> Blueprint:
    bp = plugin_blueprint("stash_import", __file__, blueprint_name="stash_import_section")

    @bp.app_template_global("stash_import_runs")
    def stash_import_runs() -> dict[str, Any]:
        """The section's first state: the latest runs (the page module keeps it up to date)."""
        from plugins_builtin.stash_import.routes import runs

        return runs(get_db()).dump()

    return bp
