"""The ``metadata-import`` processor: ``accept`` applies a result; ``scrape`` runs a source for one
entity (a bulk scrape enqueues one such run per entity) and may accept a single fingerprint match.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.errors import NotFoundError, ObscuraError
from plugins_builtin.metadata import store
from plugins_builtin.metadata.accepting import apply_result
from plugins_builtin.metadata.scraping import scrape_batch, scrape_entity

LEVELS = {"trace": 5, "debug": 10, "info": 20, "progress": 20, "warning": 30, "error": 40}


def _log(ctx: JobContext) -> Any:
    def log(level: str, message: str) -> None:
        ctx.log.log(LEVELS.get(level, 20), message)

    return log


def _strings(payload: Mapping[str, Any], key: str) -> list[str]:
    value = payload.get(key) or []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def process_accept(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    result_id = payload.get("resultId")
    if not isinstance(result_id, str):
        raise PermanentJobError("metadata-import accept: the payload has no resultId.")
    fields = payload.get("fields")
    try:
        return apply_result(
            ctx.db, result_id,
            fields=_strings(payload, "fields") if isinstance(fields, list) else None,
            exclude_performers=_strings(payload, "excludePerformers"),
            exclude_tags=_strings(payload, "excludeTags"),
            options=payload.get("options") if isinstance(payload.get("options"), Mapping) else None,
            log=_log(ctx),
        )  # fmt: skip
    except (NotFoundError, ObscuraError) as exc:
        raise PermanentJobError(exc.message) from exc


def process_accept_many(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Accept a batch of results one after the other (each in its own transaction), with progress;
    a result that cannot be applied is reported and the others go on."""
    ids = _strings(payload, "resultIds")
    fields = payload.get("fields")
    log = _log(ctx)
    done, failed = 0, []
    for i, result_id in enumerate(ids):
        if ctx.cancelled():
            break
        try:
            apply_result(
                ctx.db, result_id, fields=_strings(payload, "fields") if isinstance(fields, list) else None,
                exclude_performers=_strings(payload, "excludePerformers"),
                exclude_tags=_strings(payload, "excludeTags"), log=log,
            )  # fmt: skip
            done += 1
        except ObscuraError as exc:
            ctx.db.rollback()
            failed.append({"resultId": result_id, "error": exc.message})
            log("warning", f"result {result_id} not applied: {exc.message}")
        ctx.progress(100 * (i + 1) / len(ids), f"{i + 1} of {len(ids)}")
    return {"accepted": done, "failed": failed}


def _auto_accept(ctx: JobContext, rows: list[Any], log: Any) -> dict[str, Any] | None:
    """Accept the only result of a scrape when it matched by fingerprint."""
    matches = [r for r in rows if r.match_type == "fingerprint"]
    if len(rows) == 1 and len(matches) == 1:
        return apply_result(ctx.db, matches[0].id, log=log)
    if rows:
        log("info", f"{len(rows)} result(s), {len(matches)} by fingerprint: left for review")
    return None


def process_scrape(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Scrape one entity (``entityId``) or many (``entityIds``: in batches of the source's
    ``batch_size`` when it scrapes batches, else one by one; one entity's failure is logged and
    the others go on)."""
    kind, source_id, entity_type = payload.get("source"), payload.get("sourceId"), payload.get("entityType")
    ids = [payload["entityId"]] if isinstance(payload.get("entityId"), str) else _strings(payload, "entityIds")
    if not all(isinstance(v, str) for v in (kind, source_id, entity_type)) or not ids:
        raise PermanentJobError("metadata-import scrape: source, sourceId, entityType and entityId(s) are required.")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    log = _log(ctx)
    try:
        src, tgt = store.source(kind), store.target(entity_type)  # type: ignore[arg-type]
    except ObscuraError as exc:
        raise PermanentJobError(exc.message) from exc
    found: dict[str, list[Any]] = {}
    failed: list[dict[str, str]] = []
    step = src.batch_size if src.scrape_batch is not None else 1
    for start in range(0, len(ids), max(step, 1)):
        if ctx.cancelled():
            break
        chunk = ids[start : start + step]
        try:
            if src.scrape_batch is not None:
                found.update(scrape_batch(ctx.db, src, source_id, tgt, chunk, action=action, log=log))  # type: ignore[arg-type]
            else:
                found[chunk[0]] = scrape_entity(ctx.db, src, source_id, tgt, chunk[0], action=action, log=log)  # type: ignore[arg-type]
            ctx.db.commit()
        except ObscuraError as exc:
            ctx.db.rollback()
            if len(ids) == 1:
                raise PermanentJobError(exc.message) from exc
            failed += [{"entityId": i, "error": exc.message} for i in chunk]
            log("warning", f"{len(chunk)} not scraped: {exc.message}")
        ctx.progress(100 * min(start + step, len(ids)) / len(ids), f"{min(start + step, len(ids))} of {len(ids)}")
    accepted = []
    if payload.get("autoAccept"):
        for entity_id, rows in found.items():
            try:
                done = _auto_accept(ctx, rows, log)
            except ObscuraError as exc:
                ctx.db.rollback()
                log("warning", f"{entity_id}: the single match was not accepted: {exc.message}")
                continue
            if done:
                accepted.append(done)
    if len(ids) == 1 and not failed:
        rows = found.get(ids[0], [])
        return {"results": [r.id for r in rows], "accepted": accepted[0] if accepted else None}
    return {"scraped": len(found), "results": sum(len(r) for r in found.values()), "accepted": len(accepted),
            "failed": failed}  # fmt: skip


OPS = {"accept": process_accept, "accept-many": process_accept_many, "scrape": process_scrape}


def process_metadata_import(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    op = payload.get("op", "accept")
    run = OPS.get(op) if isinstance(op, str) else None
    if run is None:
        raise PermanentJobError(f"Unknown metadata-import op {op!r} (expected 'accept', 'accept-many' or 'scrape').")
    return run(payload, ctx)
