"""A plugin that misbehaves on demand, one hook at a time, for the fault-isolation tests.

``BROKEN[hook] = "raise"`` makes that hook raise; ``"wrong"`` makes it answer with the wrong type;
absent, the hook answers as a quiet, well-behaved plugin would (``None``).
"""

from __future__ import annotations

from typing import Any

from plugin_sdk import hookimpl

BROKEN: dict[str, str] = {}
CHANGED: list[tuple[str, list[str], list[str]]] = []

WRONG: dict[str, Any] = {
    "obscura_nav_items": {"label": "Rogue", "href": "/rogue"},  # a dict, not a list of NavItem
    "obscura_panels": "<div>not a list of panels</div>",
    "obscura_shell_parts": [{"key": "rogue"}],
    "obscura_stylesheets": ["/rogue.css"],
    "obscura_settings_sections": {"rogue": True},
    "obscura_blueprints": ["not a blueprint"],
    "obscura_queues": [("rogue-queue", "Rogue")],
    "obscura_models": ["not a model set"],
    "obscura_cli_commands": ["rogue"],
    "obscura_search": "hits",
    "obscura_system_status": ["not", "a", "mapping"],
    "obscura_scan_roots": "three",
    "obscura_entity_links": ["not a mapping"],
    "obscura_entity_patch": 42,
    "obscura_entity_filter": "tags = 'x'",
    "obscura_sfw_clause": "is_nsfw = false",
    "obscura_generated_assets": "assets",
    "obscura_collection_sources": [object()],
    "obscura_link_kinds": [{"field": "rogue_names"}],
    "obscura_settings_groups": ["rogue"],
    "obscura_root_options": {"scan_rogue": True},
    "obscura_metadata_sources": [{"kind": "rogue", "collection": "rogue"}],
    "obscura_metadata_targets": "videos",
    "obscura_metadata_store": ["not a store"],
    "obscura_importers": ["not an importer"],
}


def _answer(hook: str) -> Any:
    mode = BROKEN.get(hook)
    if mode == "raise":
        raise RuntimeError(f"rogue {hook} exploded")
    if mode == "wrong":
        return WRONG[hook]
    return None


@hookimpl
def obscura_startup(ctx):
    return _answer("obscura_startup")


@hookimpl
def obscura_nav_items():
    return _answer("obscura_nav_items")


@hookimpl
def obscura_panels(entity_type):
    return _answer("obscura_panels")


@hookimpl
def obscura_shell_parts():
    return _answer("obscura_shell_parts")


@hookimpl
def obscura_stylesheets():
    return _answer("obscura_stylesheets")


@hookimpl
def obscura_settings_sections():
    return _answer("obscura_settings_sections")


@hookimpl
def obscura_blueprints():
    return _answer("obscura_blueprints")


@hookimpl
def obscura_queues():
    return _answer("obscura_queues")


@hookimpl
def obscura_models():
    return _answer("obscura_models")


@hookimpl
def obscura_cli_commands():
    return _answer("obscura_cli_commands")


@hookimpl
def obscura_search(db, query, limit):
    return _answer("obscura_search")


@hookimpl
def obscura_system_status(db):
    if BROKEN.get("obscura_system_status") == "raise":
        db.execute(__import__("sqlalchemy").text("SELECT * FROM no_such_table"))  # breaks the transaction too
    return _answer("obscura_system_status")


@hookimpl
def obscura_scan_roots(db, roots, trigger):
    return _answer("obscura_scan_roots")


@hookimpl
def obscura_job_finished(run, result, ctx):
    if BROKEN.get("obscura_job_finished") == "raise":
        from plugin_sdk.models import LibraryRoot

        ctx.db.add(LibraryRoot(path="/rogue/half-written", label="half"))
        ctx.db.flush()  # written, then the plugin fails: its savepoint must take this back
    return _answer("obscura_job_finished")


@hookimpl
def obscura_entity_links(db, entity_type, entity_ids):
    return _answer("obscura_entity_links")


@hookimpl
def obscura_entity_patch(db, entity_type, entity_ids, changes):
    return _answer("obscura_entity_patch")


@hookimpl
def obscura_entity_filter(db, entity_type, id_column, key, values):
    return _answer("obscura_entity_filter")


@hookimpl
def obscura_entities_deleted(db, entity_type, entity_ids):
    return _answer("obscura_entities_deleted")


@hookimpl
def obscura_entity_deleted(entity_type, entity_id, db):
    return _answer("obscura_entity_deleted")


@hookimpl
def obscura_sfw_clause(db, entity_type, id_column):
    return _answer("obscura_sfw_clause")


@hookimpl
def obscura_generated_assets():
    return _answer("obscura_generated_assets")


@hookimpl
def obscura_collection_sources():
    return _answer("obscura_collection_sources")


@hookimpl
def obscura_entity_changed(db, entity_type, entity_ids, fields):
    CHANGED.append((entity_type, list(entity_ids), list(fields)))
    return _answer("obscura_entity_changed")


@hookimpl
def obscura_link_kinds():
    return _answer("obscura_link_kinds")


@hookimpl
def obscura_settings_groups():
    return _answer("obscura_settings_groups")


@hookimpl
def obscura_root_options():
    return _answer("obscura_root_options")


@hookimpl
def obscura_metadata_sources():
    return _answer("obscura_metadata_sources")


@hookimpl
def obscura_metadata_targets():
    return _answer("obscura_metadata_targets")


@hookimpl
def obscura_metadata_store():
    return _answer("obscura_metadata_store")


@hookimpl
def obscura_importers():
    return _answer("obscura_importers")
