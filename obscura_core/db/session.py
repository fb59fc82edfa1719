"""One SQLAlchemy session per HTTP request, opened lazily, in SFW mode when the request asks, closed at teardown."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from obscura_core import sfw  # noqa: F401  (registers the SFW filter on every session)
from obscura_core.runtime import get_runtime
from plugin_sdk.sfw import sfw_requested


def request_session() -> Session:
    """The current request's session (created on first use)."""
    db = g.get("obscura_db")
    if db is None:
        db = get_runtime().session()
        db.info["sfw"] = sfw_requested()
        g.obscura_db = db
    return db


def init_app(app: Flask) -> None:
    """Close the request's session after the request (uncommitted changes are rolled back)."""

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        db = g.pop("obscura_db", None)
        if db is not None:
            db.close()
