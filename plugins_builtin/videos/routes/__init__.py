"""HTTP routes of the videos plugin, one module per family."""

from __future__ import annotations

from flask import Blueprint


def make_blueprints() -> list[Blueprint]:
    from plugins_builtin.videos.routes import assets, jobs, series, stream, subtitles, upload, videos

    return [
        videos.make_blueprint(),
        series.make_blueprint(),
        jobs.make_blueprint(),
        assets.make_blueprint(),
        subtitles.make_blueprint(),
        upload.make_blueprint(),
        stream.make_blueprint(),
    ]
