"""The ``/plugins`` page: every plugin Obscura has, and the community index to add script packages.

Four parts, one page: **Installed** (script packages: enable, credentials, remove; Python plugins
from pip entry points and the built-ins, with load errors and a restart banner after
``obscura install``), **Updates** (``/api/plugins/check-updates``, and installing from a zip URL or
a local folder), and the **Community index**. The page is a server-rendered frame; its module
(``static/packages/page.js``) fills each part from the JSON API (``/api/plugins/packages…``,
``/api/plugins/index``, ``/api/plugins``), so a slow or unreachable index never delays the rest
and shows its error in its own part.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.sfw import sfw_requested


def make_blueprint() -> Blueprint:
    bp = plugin_blueprint("packages", __file__)

    @bp.get("/plugins")
    def plugins_page() -> str:
        return render_template("packages/page.html", sfw=sfw_requested())

    return bp
