"""The audio plugin's pages: the libraries grid (``/audio``), a library (``/audio/libraries/<id>``),
a track (``/audio/tracks/<id>``), the dashboard panel, the palette search and the mini player (a
shell part that keeps playing while the user moves between pages).

One blueprint (``audio_pages``) with the plugin's templates (``templates/audio/``) and static files
(served under ``/static/audio/``); each page module registers its routes on it.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk.blueprint import plugin_blueprint

PLAYER_MODULE = "/static/audio/player.js"


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding every audio page and fragment route."""
    from plugins_builtin.audio.pages import libraries, library, panels, track

    return plugin_blueprint(
        "audio", __file__, routes=(libraries.register, library.register, track.register, panels.register)
    )
