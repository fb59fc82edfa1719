"""The Settings section: where generated files live, the move button, the orphan report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from plugin_sdk.blueprint import plugin_blueprint, plugin_static
from plugin_sdk.db import get_db

STATIC = plugin_static("maintenance", __file__)
MODULE = "/static/maintenance/section.js"


def make_blueprint() -> Blueprint:
    bp = plugin_blueprint("maintenance", __file__, blueprint_name="maintenance_section")

    @bp.app_template_global("maintenance_status")
    def maintenance_status() -> dict[str, Any]:
        """The section's first state (the page module keeps it up to date)."""
        from plugins_builtin.maintenance.routes import status

        return status(get_db()).dump()

    return bp
