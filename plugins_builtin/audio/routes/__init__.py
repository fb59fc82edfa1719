"""HTTP routes of the audio plugin."""

from __future__ import annotations

from flask import Blueprint


def make_blueprints() -> list[Blueprint]:
    from plugins_builtin.audio.routes import libraries, tracks

    return [libraries.make_blueprint(), tracks.make_blueprint()]
