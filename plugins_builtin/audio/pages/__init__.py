"""The audio plugin's pages: the libraries grid (``/audio``), a library (``/audio/libraries/<id>``),
a track (``/audio/tracks/<id>``), the dashboard panel, the palette search and the mini player (a
shell part that keeps playing while the user moves between pages).

One blueprint (``audio_pages``) with the plugin's templates (``templates/audio/``) and static files
(served under ``/static/audio/``); each page module registers its routes on it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "audio"
PLAYER_MODULE = "/static/audio/player.js"


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding every audio page and fragment route."""
    from plugins_builtin.audio.pages import libraries, library, panels, track

    bp = Blueprint(
        "audio_pages",
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        static_url_path="/static/audio",
    )
    libraries.register(bp)
    library.register(bp)
    track.register(bp)
    panels.register(bp)
    return bp


def stylesheets() -> list[Path]:
    """The plugin's CSS files (merged into the app's single stylesheet)."""
    return sorted(STATIC.glob("*.css"))
