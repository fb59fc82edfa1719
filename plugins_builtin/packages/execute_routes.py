"""``POST /api/plugins/<id>/execute``: run one action of a script plugin, as the original does.

The input is built from an entity when one is named (``entityType`` + ``entityId``: what typed
sources see of it: title, file path, hashes, duration, season/episode numbers, external ids; a
series adds its local seasons and episodes), with the body's ``input`` over it. ``saveResult``
stores the answer as pending scrape results of that entity through the plugin keeping them
(``plugin_sdk.metadata.metadata_store``), normalized to a movie, a series or an episode. Many
entities at once: ``POST /api/plugins/<id>/scrape-bulk`` (one job; batch plugins get
``executeBatch``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint
from pydantic import Field
from sqlalchemy.orm import Session

from plugin_sdk import MetadataTarget, ScrapeRequest
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.metadata import metadata_store, metadata_targets
from plugins_builtin.packages import actions
from plugins_builtin.packages.source import execute as execute_request
from plugins_builtin.packages.source import ready

ENTITY_ALIASES = {"video_movie": "video", "video_episode": "video", "video_series": "series", "scene": "video"}
"""The original's entity type names, as its clients send them."""
MAX_LOG_LINES = 200


class ExecuteIn(ApiModel):
    action: str = Field(min_length=1, max_length=64)
    entity_type: str | None = Field(None, max_length=32)
    entity_id: str | None = Field(None, max_length=64)
    input: dict[str, Any] | None = None
    save_result: bool = False


def _target(entity_type: str) -> MetadataTarget:
    name = ENTITY_ALIASES.get(entity_type, entity_type)
    found = metadata_targets().get(name)
    if found is None:
        raise ValidationError(f"body.entityType: nothing takes metadata for '{entity_type[:32]}'.")
    return found


def _request(db: Session, plugin_id: str, body: ExecuteIn, log: Any) -> tuple[ScrapeRequest, MetadataTarget | None]:
    """The request the body describes (the entity's own input when one is named)."""
    if (body.entity_type is None) != (body.entity_id is None):
        raise ValidationError("body: give entityType and entityId together.")
    if body.entity_type is None or body.entity_id is None:
        if body.save_result:
            raise ValidationError("body.saveResult: name the entity (entityType, entityId) to save a result for.")
        return ScrapeRequest(plugin_id, "scene", {}, action=body.action, log=log, input=body.input), None
    tgt = _target(body.entity_type)
    fragment = tgt.describe(db, [body.entity_id]).get(body.entity_id)
    if fragment is None:
        raise NotFoundError(f"{(tgt.label or tgt.entity_type).capitalize()} {body.entity_id} not found.")
    typed = tgt.describe_typed(db, [body.entity_id]).get(body.entity_id) if tgt.describe_typed else None
    request = ScrapeRequest(
        plugin_id, tgt.kind, fragment, action=body.action, log=log, typed=typed, input=body.input
    )  # fmt: skip
    return request, tgt


def make_blueprint() -> Blueprint:
    bp = Blueprint("packages_execute", __name__)

    @api_route(bp, "/api/plugins/<plugin_id>/execute", ["POST"], body=ExecuteIn)
    def execute(plugin_id: str, body: ExecuteIn) -> Any:
        """Run one action of an installed plugin; with ``saveResult``, keep its answer for review."""
        db = get_db()
        package = ready(db, plugin_id)
        row = package[0]
        lines: list[dict[str, str]] = []

        def log(level: str, message: str) -> None:
            if len(lines) < MAX_LOG_LINES:
                lines.append({"level": level, "message": message[:2000]})

        request, tgt = _request(db, row.plugin_id, body, log)
        started = time.perf_counter()
        action, answer = execute_request(db, request, package)
        out: dict[str, Any] = {
            "pluginId": row.plugin_id, "action": action, "result": answer,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1), "log": lines,
        }  # fmt: skip
        if body.save_result and tgt is not None and body.entity_id is not None:
            results = actions.to_results(answer, action, tgt.kind)
            saved = metadata_store().propose(db, "plugins", row.plugin_id, tgt.entity_type, body.entity_id, results)
            db.commit()
            out["savedResults"] = list(saved)
        return ok(out)

    return bp
