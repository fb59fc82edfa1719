"""The Settings section: where generated files live, the move button, the orphan report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from plugin_sdk.db import get_db

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "maintenance"
MODULE = "/static/maintenance/section.js"


def make_blueprint() -> Blueprint:
    bp = Blueprint(
        "maintenance_section",
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        static_url_path="/static/maintenance",
    )

    @bp.app_template_global("maintenance_status")
    def maintenance_status() -> dict[str, Any]:
        """The section's first state (the page module keeps it up to date)."""
        from plugins_builtin.maintenance.routes import status

        return status(get_db()).dump()

    return bp
