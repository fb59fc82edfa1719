"""HTTP routes of the videos plugin, one module per family."""

from __future__ import annotations

from flask import Blueprint


def make_blueprints() -> list[Blueprint]:
    from plugins_builtin.videos.routes import jobs, series, videos

    return [videos.make_blueprint(), series.make_blueprint(), jobs.make_blueprint()]
