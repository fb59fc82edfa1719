"""The videos plugin's pages: browsing (grid, list, series) and the player page.

One blueprint (``videos_pages``) with the plugin's templates (``templates/videos/``) and static
files (served under ``/static/videos/``); each page module registers its routes on it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "videos"


def make_blueprint() -> Blueprint:
    from plugins_builtin.videos.pages import browse, player

    bp = Blueprint(
        "videos_pages", __name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
        static_url_path="/static/videos",
    )
    browse.register(bp)
    player.register(bp)
    return bp


def stylesheets() -> list[Path]:
    """The plugin's CSS files (merged into the app's single stylesheet)."""
    return sorted(STATIC.glob("*.css"))
