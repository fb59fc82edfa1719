"""The images plugin's pages: the galleries grid, a gallery (justified grid, chapters, sub-galleries,
lightbox, bulk edit, uploads), an image's detail page, the dashboard panel and palette hits.

One blueprint (``images_pages``) with the plugin's templates (``templates/images/``) and static files
(``static/images/`` served under ``/static/images/``; the vendored PhotoSwipe under
``/static/images/vendor/photoswipe/``); each page module registers its routes on it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "images"
VENDOR = HERE / "static" / "vendor" / "photoswipe"
VENDOR_URL = "/static/images/vendor/photoswipe"


def make_blueprint() -> Blueprint:
    """A fresh blueprint with every page of the plugin."""
    from plugins_builtin.images.pages import galleries, gallery, image, panels

    bp = Blueprint(
        "images_pages", __name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
        static_url_path="/static/images",
    )  # fmt: skip

    @bp.get(f"{VENDOR_URL}/<path:filename>")
    def vendor(filename: str) -> Response:
        """PhotoSwipe's ES module (the lightbox); its CSS is part of the app stylesheet."""
        return send_from_directory(VENDOR, filename, max_age=86400)

    galleries.register(bp)
    gallery.register(bp)
    image.register(bp)
    panels.register(bp)
    return bp


def stylesheets() -> list[Path]:
    """CSS merged into the app's single stylesheet: PhotoSwipe's own, then the plugin's."""
    return [VENDOR / "photoswipe.css", *sorted(STATIC.glob("*.css"))]
