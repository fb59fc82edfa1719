"""The Flask app factory: ``create_app()`` registers every plugin's blueprints.

gunicorn runs ``obscura_core.app:create_app()``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from flask import Blueprint, Flask

from obscura_core import security
from obscura_core.db import session as db_session
from obscura_core.errors import register_error_handlers
from obscura_core.registry import RegistryError
from obscura_core.runtime import Runtime, build_runtime, current_runtime, set_runtime
from obscura_core.settings import Settings

log = logging.getLogger("obscura.web")

WEB_DIR = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the web app for a runtime (built here from the environment when not given)."""
    if runtime is None:
        runtime = current_runtime() if settings is None else None
        if runtime is None or runtime.role != "web":
            runtime = build_runtime("web", settings)
    set_runtime(runtime)  # blueprints may be built from the registry (the routes of loaded plugins)
    app = Flask(
        "obscura",
        template_folder=str(WEB_DIR / "templates"),
        static_folder=str(WEB_DIR / "static"),
        static_url_path="/static",
    )
    app.extensions["obscura"] = runtime
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = None

    register_error_handlers(app)
    register_media_filters(app)
    security.init_app(app)
    db_session.init_app(app)

    names: dict[str, str] = {}
    for plugin, bp in runtime.hooks.each("obscura_blueprints", items=Blueprint):
        if bp.name in names:
            raise RegistryError(f"blueprint '{bp.name}' is registered by both '{names[bp.name]}' and '{plugin}'")
        names[bp.name] = plugin
        app.register_blueprint(bp)
    _check_duplicate_rules(app, names)
    app.extensions["obscura_blueprint_owners"] = names

    runtime.startup()
    return app


MEDIA_FILTERS = {"filesize": "fmt_bytes", "clock": "fmt_duration", "day": "fmt_date", "count": "fmt_count",
                 "stars": "stars"}  # fmt: skip
"""App-wide Jinja filters every plugin's templates may use, from ``plugin_sdk.formatting``."""


def register_media_filters(app: Flask) -> None:
    """``{{ size|filesize }}``, ``{{ seconds|clock }}``, ``{{ when|day }}``,
    ``{{ n|count("image") }}``, ``{{ rating|stars }}``."""
    from plugin_sdk import formatting

    for name, function in MEDIA_FILTERS.items():
        app.jinja_env.filters[name] = getattr(formatting, function)


def _check_duplicate_rules(app: Flask, owners: dict[str, str]) -> None:
    """Flask silently lets two plugins register the same URL and method; we refuse."""
    seen: dict[tuple[str, str], str] = {}
    clashes: list[str] = []
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            key = (rule.rule, method)
            if key in seen and seen[key] != rule.endpoint:
                a = owners.get(seen[key].split(".")[0], seen[key])
                b = owners.get(rule.endpoint.split(".")[0], rule.endpoint)
                clashes.append(f"{method} {rule.rule} is registered by both '{a}' and '{b}'")
            seen.setdefault(key, rule.endpoint)
    if clashes:
        raise RegistryError("Route conflicts:\n  - " + "\n  - ".join(clashes))


def plugin_routes(app: Flask) -> dict[str, list[str]]:
    """``{plugin name: ["GET /api/...", ...]}`` for ``obscura plugins`` and ``/api/plugins``."""
    owners: dict[str, str] = app.extensions["obscura_blueprint_owners"]
    out: dict[str, list[str]] = defaultdict(list)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        plugin = owners.get(rule.endpoint.rsplit(".", 1)[0]) if "." in rule.endpoint else None
        if plugin is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out[plugin].append(f"{method} {rule.rule}")
    return dict(out)
