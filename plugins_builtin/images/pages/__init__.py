"""The images plugin's pages: the galleries grid, a gallery (justified grid, chapters, sub-galleries,
lightbox, bulk edit, uploads), an image's detail page, the dashboard panel and palette hits.

One blueprint (``images_pages``) with the plugin's templates (``templates/images/``) and static files
(``static/images/`` served under ``/static/images/``; the vendored PhotoSwipe under
``/static/images/vendor/photoswipe/``); each page module registers its routes on it.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from plugin_sdk.blueprint import plugin_blueprint, plugin_dir

VENDOR = plugin_dir(__file__) / "static" / "vendor" / "photoswipe"
VENDOR_URL = "/static/images/vendor/photoswipe"


def _vendor_route(bp: Blueprint) -> None:
    @bp.get(f"{VENDOR_URL}/<path:filename>")
    def vendor(filename: str) -> Response:
        """PhotoSwipe's ES module (the lightbox); its CSS is part of the app stylesheet."""
        return send_from_directory(VENDOR, filename, max_age=86400)


def make_blueprint() -> Blueprint:
    """A fresh blueprint with every page of the plugin."""
    from plugins_builtin.images.pages import galleries, gallery, image, panels

    routes = (_vendor_route, galleries.register, gallery.register, image.register, panels.register)
    return plugin_blueprint("images", __file__, routes=routes)
