"""HTTP routes of the images plugin."""

from __future__ import annotations

from flask import Blueprint


def make_blueprints() -> list[Blueprint]:
    from plugins_builtin.images.routes import galleries, images

    return [galleries.make_blueprint(), images.make_blueprint()]
