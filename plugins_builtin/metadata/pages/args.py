"""Reading the query strings of the metadata pages: anything malformed is a 400 with a reason,
never a 500 (HTML pages answer with Werkzeug's error page, not the API's envelope)."""

from __future__ import annotations

from typing import Any

from plugin_sdk import MetadataTarget
from plugin_sdk.pages import bad_query as bad
from plugin_sdk.pages import panel_target, refuse_nul
from plugins_builtin.metadata.pages.views import SCRAPED_KINDS, target_for

MAX_IDS = 50
ID_MAX = 64


def entity_arg(args: Any) -> tuple[MetadataTarget, str]:
    """The ``?entity=<type>&id=<id>`` of a panel fragment, whose type a loaded target takes."""
    refuse_nul(args)
    target = panel_target(args)
    if target is None:
        bad("Ask for ?entity=<type>&id=<id> (an id of at most 64 characters).")
    entity_type, entity_id = target
    tgt = target_for(entity_type)
    if tgt is None or tgt.kind not in SCRAPED_KINDS:
        bad(f"No loaded plugin takes scraped metadata for '{entity_type[:40]}'.")
    return tgt, entity_id


def ids_arg(args: Any, name: str) -> list[str]:
    """A comma-separated list of ids (``?new=a,b``), each at most 64 characters, at most 50."""
    raw = args.get(name) or ""
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if len(ids) > MAX_IDS or any(len(i) > ID_MAX for i in ids):
        bad(f"query.{name}: at most {MAX_IDS} ids of at most {ID_MAX} characters, separated by commas.")
    return ids
