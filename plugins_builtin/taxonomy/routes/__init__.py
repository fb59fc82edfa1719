"""HTTP routes of the taxonomy plugin."""

from __future__ import annotations

from flask import Blueprint


def make_blueprints() -> list[Blueprint]:
    from plugins_builtin.taxonomy.routes import performers, studios, tags

    return [performers.make_blueprint(), studios.make_blueprint(), tags.make_blueprint()]
