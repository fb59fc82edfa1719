"""Cross-site protection: no login, so mutations must come from our own pages.

Every non-GET request must carry ``Content-Type: application/json`` or ``multipart/form-data``
(which a cross-site HTML form cannot send without a CORS preflight we never grant), and must not
come from another site according to ``Sec-Fetch-Site`` / ``Origin``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request

from plugin_sdk.errors import ForbiddenError, UnsupportedMediaTypeError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ALLOWED_TYPES = ("application/json", "multipart/form-data")


def check_request() -> None:
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        raise ForbiddenError("Cross-site requests may not change anything.", code="cross_site")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc.lower() != request.host.lower():
            raise ForbiddenError("Cross-site requests may not change anything.", code="cross_site")
    elif origin == "null":
        raise ForbiddenError("Requests from an opaque origin may not change anything.", code="cross_site")
    mimetype = request.mimetype or ""
    if mimetype not in ALLOWED_TYPES:
        raise UnsupportedMediaTypeError(
            "Send changes as application/json (or multipart/form-data for uploads).",
        )


def init_app(app: Flask) -> None:
    app.before_request(check_request)
