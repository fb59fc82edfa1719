"""The Identify page ``/stashbox/identify``, Stash's tagger: pick an endpoint and the videos (by
filter: not organized yet or all, a library folder, a kind; or the ids of the query string), the
method (fingerprints only, or the whole cascade) and whether single fingerprint matches are
accepted at once; then follow the identify jobs and review what the server proposed, video by
video, beside the current values (``static/stashbox/identify.js``).

The query string preselects the form: ``?endpoint=<id>&organized=false&rootId=&kind=&seriesId=&ids=a,b``
(the keys of the videos' bulk filter). ``/stashbox/fragments/identify-targets?entity=video&ids=a,b``
is the head of each video's group in the review (its title, file, duration and fingerprints);
the result cards under it are the metadata plugin's fragments, loaded by the page module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

from flask import Blueprint, render_template, request
from pydantic import ConfigDict, Field
from werkzeug.datastructures import MultiDict

from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel
from plugin_sdk.library import library_roots
from plugin_sdk.metadata import metadata_targets
from plugin_sdk.pages import bad_query as bad
from plugin_sdk.pages import refuse_nul
from plugin_sdk.pages import strict_query as parse
from plugins_builtin.stashbox.pages import SECTION_KEY
from plugins_builtin.stashbox.pages.views import ID_MAX, endpoint_views, id_list

IDENTIFY_URL = "/stashbox/identify"
TARGETS_URL = "/stashbox/fragments/identify-targets"
SETTINGS_URL = f"/settings#section-{SECTION_KEY}"
MAX_CHOSEN = 500
"""Ids the query string may choose (``?ids=``): a page's selection, not a library."""
MAX_GROUPS = 50
"""Entities one targets fragment describes (the page shows a few at a time)."""
NAMED = 5
"""Chosen videos named on the page (the others are counted)."""
KINDS = {"movie": "Movies", "episode": "Episodes"}
IDS_MAX_CHARS = MAX_CHOSEN * (ID_MAX + 1)


class IdentifyQuery(ApiModel):
    """The Identify page's query string; unknown keys are ignored, empty values are unset."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str | None = Field(None, max_length=ID_MAX)
    organized: bool | None = None
    root_id: str | None = Field(None, max_length=ID_MAX)
    kind: Literal["movie", "episode"] | None = None
    series_id: str | None = Field(None, max_length=ID_MAX)
    ids: str | None = Field(None, max_length=IDS_MAX_CHARS)


class TargetsQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")

    entity: str = Field("video", min_length=1, max_length=32)
    ids: str = Field(max_length=MAX_GROUPS * (ID_MAX + 1))


def _cleaned(args: Any) -> Any:
    """The query string without its empty values (a form's blank ``rootId=``)."""
    refuse_nul(args)
    return MultiDict([(k, v) for k, v in args.items(multi=True) if v.strip()])


def _first_file(fragment: Mapping[str, Any]) -> Mapping[str, Any]:
    files = fragment.get("files")
    first = files[0] if isinstance(files, list) and files else None
    return first if isinstance(first, Mapping) else {}


def _title(fragment: Mapping[str, Any] | None, entity_id: str, noun: str) -> str:
    for key in ("title", "name"):
        value = (fragment or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"{noun.capitalize()} {entity_id[:8]}"


def _describe(entity_type: str, ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """The target's own description of each id (unknown ids left out; no target: nothing)."""
    tgt = metadata_targets().get(entity_type)
    if tgt is None or not ids:
        return {}
    return {str(k): v for k, v in (tgt.describe(get_db(), ids) or {}).items()}


def page_context(query: IdentifyQuery) -> dict[str, Any]:
    db = get_db()
    views = endpoint_views(db)
    usable = [v for v in views if v.enabled]
    chosen_endpoint = next((v.id for v in usable if v.id == query.endpoint), usable[0].id if usable else None)
    roots = [(r.id, r.label or os.path.basename(r.path.rstrip("/")) or r.path, r.path) for r in library_roots(db)]
    ids = id_list(query.ids, "ids", MAX_CHOSEN)
    described = _describe("video", ids[:NAMED]) if ids else {}
    series_name = None
    if query.series_id:
        series = _describe("series", [query.series_id]).get(query.series_id)
        series_name = _title(series, query.series_id, "series") if series else None
    db.commit()
    return {
        "query": query,
        "endpoints": views,
        "usable": usable,
        "chosen_endpoint": chosen_endpoint,
        "roots": roots,
        "root_known": query.root_id is None or any(r[0] == query.root_id for r in roots),
        "kinds": KINDS,
        "ids": ids,
        "named": [_title(described.get(i), i, "video") for i in ids[:NAMED] if i in described],
        "mode": "chosen" if ids else ("all" if query.organized is True else "unorganized"),
        "series_name": series_name,
        "settings_url": SETTINGS_URL,
        "targets_url": TARGETS_URL,
        "brief": [v.brief() for v in views],
    }


def targets_context(query: TargetsQuery) -> dict[str, Any]:
    """The head of each entity's group: what it is now (title, file, duration, fingerprints)."""
    tgt = metadata_targets().get(query.entity)
    if tgt is None:
        bad(f"No loaded plugin takes metadata for '{query.entity[:32]}'.")
    ids = id_list(query.ids, "ids", MAX_GROUPS)
    if not ids:
        bad("query.ids: give at least one id.")
    described = _describe(query.entity, ids)
    noun = tgt.label or tgt.entity_type
    collection = next((c for c in tgt.collections if "/" not in c), None)
    groups = []
    for entity_id in ids:
        fragment = described.get(entity_id)
        file = _first_file(fragment or {})
        prints = [fp for fp in file.get("fingerprints") or [] if isinstance(fp, Mapping)]
        groups.append({
            "id": entity_id,
            "exists": fragment is not None,
            "title": _title(fragment, entity_id, noun),
            "href": f"/{collection}/{quote(entity_id, safe='')}" if collection and fragment is not None else None,
            "path": file.get("path") if isinstance(file.get("path"), str) else None,
            "duration": file.get("duration") if isinstance(file.get("duration"), int | float) else None,
            "fingerprints": [(str(fp.get("type", "")).upper(), str(fp.get("fingerprint", ""))) for fp in prints],
            "date": (fragment or {}).get("date"),
        })  # fmt: skip
    get_db().commit()
    return {"groups": groups, "entity_type": query.entity, "noun": noun}


def register(bp: Blueprint) -> None:
    """Add the Identify page and its targets fragment to the pages blueprint."""

    @bp.get(IDENTIFY_URL)
    def identify_page() -> str:
        query = parse(IdentifyQuery, _cleaned(request.args))
        return render_template("stashbox/identify.html", **page_context(query))

    @bp.get(TARGETS_URL)
    def identify_targets() -> str:
        query = parse(TargetsQuery, _cleaned(request.args))
        return render_template("stashbox/_targets.html", **targets_context(query))
