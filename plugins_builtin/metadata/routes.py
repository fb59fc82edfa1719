"""Metadata routes: scrape with a source, review results, accept or reject them, stash ids.

Which routes exist follows the loaded plugins: each source's scrape routes live under its
collection (``POST /api/scrapers/<id>/scrape``), each target's accept route under its collections
(``POST /api/videos/<id>/accept-scrape``, ``POST /api/performers/<id>/apply-scrape``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import BeforeValidator, Field, create_model
from sqlalchemy import func, select

from plugin_sdk import MetadataSource, MetadataTarget
from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, Pagination, api_route, ok, page
from plugin_sdk.jobs import enqueue_job, enqueue_jobs
from plugin_sdk.metadata import metadata_sources, metadata_targets
from plugins_builtin.metadata import store, typed
from plugins_builtin.metadata.accepting import check_acceptable, check_mask
from plugins_builtin.metadata.models import ACCEPTED, REJECTED, STATUSES, ScrapeResultRow, StashIdRow
from plugins_builtin.metadata.queues import ACCEPT_TARGET, QUEUE
from plugins_builtin.metadata.scraping import check_source, scrape_entity

logger = logging.getLogger("obscura.metadata")

MAX_BULK = 10_000
MAX_LOG_LINES = 200
LOG_LEVELS = {"trace": 5, "debug": logging.DEBUG, "info": logging.INFO, "progress": logging.INFO,
              "warning": logging.WARNING, "error": logging.ERROR}  # fmt: skip
SCRAPED_MEDIA = ("scene", "gallery", "group", "audio", "audio-library")
"""Kinds ``POST /api/<collection>/<id>/scrape`` takes (performers have ``scrape-performer``)."""
SCRAPED = (*SCRAPED_MEDIA, "performer")
ACCEPT_BATCH = 250
BATCHES_PER_JOB = 5
Text = str


class ScrapeIn(ApiModel):
    """Which entity (``videoId``, ``performerId``… or ``entityType`` + ``entityId``) and how."""

    entity_type: str | None = Field(None, max_length=32)
    entity_id: str | None = Field(None, max_length=64)
    action: str | None = Field(None, max_length=64)
    """An explicit action (``sceneByURL``…); omitted: URL → name → fragment → query-fragment."""
    url: str | None = Field(None, max_length=4000)
    query: str | None = Field(None, max_length=500)
    input: dict[str, Any] | None = None
    """For a source that takes one (a script plugin): input merged over the entity's own."""


class BulkIn(ApiModel):
    entity_type: str | None = Field(None, max_length=32)
    entity_ids: list[Text] | None = Field(None, max_length=MAX_BULK)
    filter: dict[str, Any] | None = None
    """Which entities, in the target's own terms (videos: ``{"organized": false, "rootId": …}``)."""
    action: str | None = Field(None, max_length=64)
    auto_accept: bool = False
    """Accept a result by itself when the scrape gives exactly one, matched by fingerprint."""


class IdentifyIn(BulkIn):
    entity_id: str | None = Field(None, max_length=64)
    url: str | None = Field(None, max_length=4000)
    query: str | None = Field(None, max_length=500)
    input: dict[str, Any] | None = None


class AcceptResultIn(ApiModel):
    fields: list[str] | None = Field(None, max_length=40)
    """The proposed fields to apply (all when omitted); a typed result's are the original's mask
    keys (``title``, ``overview``, ``tagline``, ``releaseDate``, ``genres``, ``cast``…)."""
    exclude_performers: list[str] = Field(default_factory=list, max_length=500)
    exclude_tags: list[str] = Field(default_factory=list, max_length=500)
    selected_images: dict[str, str | None] | None = None
    """A typed result's chosen images by slot (``poster``, ``backdrop``, ``logo``, ``still``): one
    of its candidates' URLs, or ``null`` for none; omitted slots take the first candidate."""
    accept_all_seasons: bool | None = None
    """A series: accept every season (default) or only those ``seasonOverrides`` accepts."""
    season_overrides: dict[str, dict[str, Any]] | None = None
    """A series: ``{season number: {accepted, fieldMask, selectedImages, episodes: {episode number:
    {accepted, fieldMask}}}}``."""


class AcceptIn(AcceptResultIn):
    result_id: str = Field(max_length=64)


class AcceptManyIn(AcceptResultIn):
    result_ids: list[str] = Field(min_length=1, max_length=MAX_BULK)


class ResultsQuery(Pagination):
    status: Literal["pending", "accepted", "rejected"] | None = None
    entity_type: str | None = Field(None, max_length=32)
    entity_id: str | None = Field(None, max_length=64)
    source: str | None = Field(None, max_length=32)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class StashIdsQuery(ApiModel):
    """One entity's stash ids (``entityId``), or who has a stash id (``endpoint`` + ``stashId``)."""

    entity_type: str = Field(max_length=32)
    entity_id: str | None = Field(None, max_length=64)
    endpoint: str | None = Field(None, max_length=2000)
    stash_id: Annotated[list[Annotated[str, Field(max_length=200)]] | None, BeforeValidator(_as_list)] = Field(
        None, max_length=500
    )
    """Repeatable (``?stashId=a&stashId=b``)."""


class StashIdIn(ApiModel):
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    endpoint: str = Field(min_length=1, max_length=2000)
    stash_id: str = Field(min_length=1, max_length=200)


def _with_id_fields(model: type[ApiModel], many: bool = False) -> type[ApiModel]:
    """``model`` plus each target's id field (``videoId``; ``videoIds`` for bulk)."""
    extra: dict[str, Any] = {}
    for tgt in metadata_targets().values():
        name = _snake(tgt.id_field)
        extra[name + "s" if many else name] = (
            (list[Text] | None, Field(None, max_length=MAX_BULK)) if many else (str | None, Field(None, max_length=64))
        )
    return create_model(model.__name__, __base__=model, __module__=__name__, **extra) if extra else model


def _snake(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


def _chosen(body: ApiModel, kinds: tuple[str, ...], many: bool = False) -> tuple[MetadataTarget, Any]:
    """The target and the id(s) the body names (exactly one target)."""
    named: list[tuple[MetadataTarget, Any]] = []
    for tgt in metadata_targets().values():
        value = getattr(body, _snake(tgt.id_field) + ("s" if many else ""), None)
        if value is not None and tgt.kind in kinds:
            named.append((tgt, value))
    entity_type = getattr(body, "entity_type", None)
    if entity_type is not None:
        tgt = store.target(entity_type)
        if tgt.kind not in kinds:
            raise ValidationError(f"body.entityType: a {tgt.kind} cannot be scraped here.")
        named.append((tgt, getattr(body, "entity_ids" if many else "entity_id", None)))
    if not named and many and getattr(body, "filter", None) is not None:
        scenes = [t for t in metadata_targets().values() if t.kind in kinds and t.select is not None]
        named = [(scenes[0], None)] if len(scenes) == 1 else []
    if len(named) != 1:
        wanted = [t.id_field + ("s" if many else "") for t in metadata_targets().values() if t.kind in kinds]
        raise ValidationError(f"body: name exactly one of {', '.join(wanted) or 'entityType + entityId'}.")
    return named[0]


def _scrape_view(src: MetadataSource, kinds: tuple[str, ...]) -> Any:
    def view(source_id: str, body: Any) -> Any:
        db = get_db()
        tgt, entity_id = _chosen(body, kinds)
        if entity_id is None:
            raise ValidationError("body.entityId: required with entityType.")
        lines: list[dict[str, str]] = []

        def log(level: str, message: str) -> None:  # the scraper's log, answered with the results
            logger.log(LOG_LEVELS.get(level, logging.INFO), "%s", message)
            if len(lines) < MAX_LOG_LINES:
                lines.append({"level": level, "message": message[:2000]})

        rows = scrape_entity(
            db, src, source_id, tgt, entity_id, action=body.action, url=body.url, query=body.query, log=log,
            input=body.input,
        )  # fmt: skip
        db.commit()
        return ok({"results": [store.dump(r) for r in rows], "log": lines})

    return view


def _bulk_view(src: MetadataSource) -> Any:
    def view(source_id: str, body: Any) -> Any:
        db = get_db()
        tgt, ids = _chosen(body, SCRAPED, many=True)
        described = check_source(db, src, source_id)
        if ids is None:
            if body.filter is None:
                raise ValidationError(f"body: give {tgt.id_field}s or a filter.")
            if tgt.select is None:
                raise ValidationError(f"body.filter: {tgt.entity_type} cannot be chosen by filter; give ids.")
            ids = list(tgt.select(db, body.filter))[:MAX_BULK]
        known = list(tgt.describe(db, ids)) if ids else []
        name = described.get("name") or source_id
        base = {"op": "scrape", "source": src.kind, "sourceId": source_id, "entityType": tgt.entity_type,
                "action": body.action, "autoAccept": body.auto_accept}  # fmt: skip
        if src.scrape_batch is not None:  # jobs of a few batches each, with progress
            per_job = max(src.batch_size, 1) * BATCHES_PER_JOB
            chunks = [known[i : i + per_job] for i in range(0, len(known), per_job)]
            label = f"Identify · {name} · {{}} × {tgt.label}"
            runs = [enqueue_job(db, QUEUE, {**base, "entityIds": c}, target_label=label.format(len(c))) for c in chunks]
            db.commit()
            out = {"enqueued": len(runs), "jobRunIds": runs, "entities": len(known), "skipped": len(ids) - len(known)}
            return ok(out, status=202)
        else:
            kind = f"scrape:{src.kind}:{source_id}"
            items = [({**base, "entityId": i}, kind, f"{tgt.entity_type}:{i}", f"Scrape · {name} · {i[:8]}")
                     for i in known]  # fmt: skip
        created = enqueue_jobs(db, QUEUE, items)
        db.commit()
        return ok({"enqueued": created, "entities": len(known), "skipped": len(ids) - len(known)}, status=202)

    return view


def _identify_view(src: MetadataSource) -> Any:
    """One entity (``videoId``): scraped now with the automatic cascade; many (``videoIds``, a
    ``filter``): jobs, as ``scrape-bulk``."""
    scrape, bulk = _scrape_view(src, SCRAPED), _bulk_view(src)

    def view(source_id: str, body: Any) -> Any:
        singles = [t for t in metadata_targets().values() if getattr(body, _snake(t.id_field), None) is not None]
        if singles or body.entity_id is not None:
            return scrape(source_id, body)
        return bulk(source_id, body)

    return view


def _accept_view(tgt: MetadataTarget) -> Any:
    def view(entity_id: str, body: AcceptIn) -> Any:
        db = get_db()
        row = store.get(db, body.result_id, lock=True)
        if row.entity_type != tgt.entity_type or row.entity_id != entity_id:
            raise ValidationError(f"body.resultId: result {row.id} is not for this {tgt.label or tgt.entity_type}.")
        return _enqueue_accept(db, row, body)

    return view


def _options(body: AcceptResultIn) -> dict[str, Any]:
    """A typed result's accept options, as the job's payload carries them."""
    out: dict[str, Any] = {}
    for key, value in (("selectedImages", body.selected_images), ("acceptAllSeasons", body.accept_all_seasons),
                       ("seasonOverrides", body.season_overrides)):  # fmt: skip
        if value is not None:
            out[key] = value
    return out


def _enqueue_accept(db: Any, row: ScrapeResultRow, body: AcceptResultIn) -> Any:
    check_acceptable(row)
    check_mask(row.kind, body.fields)
    options = _options(body)
    if row.kind in typed.KINDS:  # refuse a bad image choice now rather than in the job
        typed.image_slots(row.kind, row.proposed, options)
        typed.accepted_fields(row.kind, row.proposed, body.fields, options)
    run_id = enqueue_job(
        db, QUEUE,
        {"op": "accept", "resultId": row.id, "fields": body.fields, "options": options,
         "excludePerformers": body.exclude_performers, "excludeTags": body.exclude_tags},
        target_type=ACCEPT_TARGET, target_id=row.id,
        target_label=f"Accept · {row.source_name or row.source_id} · {_title(row)}",
    )  # fmt: skip
    db.commit()
    return ok({"jobRunId": run_id, "resultId": row.id}, status=202)


def _title(row: ScrapeResultRow) -> str:
    return str(row.proposed.get("title") or row.proposed.get("name") or row.entity_id)


def make_blueprint() -> Blueprint:
    bp = Blueprint("metadata", __name__)
    scrape_body = _with_id_fields(ScrapeIn)
    bulk_body = _with_id_fields(BulkIn, many=True)
    identify_body = _with_id_fields(_with_id_fields(IdentifyIn, many=True))
    for src in metadata_sources().values():
        base = f"/api/{src.collection}/<source_id>"
        for verb, kinds in (("scrape", SCRAPED_MEDIA), ("scrape-performer", ("performer",))):
            view = _scrape_view(src, kinds)
            view.__name__ = f"{src.kind}_{verb}".replace("-", "_")
            view.__doc__ = f"Scrape with one of the {src.label}; the results are stored as pending."
            api_route(bp, f"{base}/{verb}", ["POST"], body=scrape_body)(view)
        bulk = _bulk_view(src)
        bulk.__name__, bulk.__doc__ = f"{src.kind}_scrape_bulk", f"Scrape many entities with {src.label}, as jobs."
        api_route(bp, f"{base}/scrape-bulk", ["POST"], body=bulk_body, status=202)(bulk)
        identify = _identify_view(src)
        identify.__name__ = f"{src.kind}_identify"
        identify.__doc__ = f"Identify with {src.label}: one entity answered at once, many as jobs."
        api_route(bp, f"{base}/identify", ["POST"], body=identify_body)(identify)
    for tgt in metadata_targets().values():
        for collection in tgt.collections:
            view = _accept_view(tgt)
            view.__name__ = f"accept_{collection}".replace("/", "_").replace("-", "_")
            view.__doc__ = f"Accept a scrape result for this {tgt.label or tgt.entity_type} (a metadata-import job)."
            api_route(bp, f"/api/{collection}/<entity_id>/{tgt.verb}", ["POST"], body=AcceptIn, status=202)(view)

    @api_route(bp, "/api/metadata-sources")
    def list_sources() -> Any:
        """The loaded metadata sources and what each offers (installed scrapers, servers…)."""
        return ok([_source_out(get_db(), src) for src in metadata_sources().values()])

    @api_route(bp, "/api/scrape-results", query=ResultsQuery)
    def list_results(query: ResultsQuery) -> Any:
        """Scrape results, newest first (the review queue: ``?status=pending``)."""
        db = get_db()
        wanted = (
            (ScrapeResultRow.status, query.status),
            (ScrapeResultRow.entity_type, query.entity_type),
            (ScrapeResultRow.entity_id, query.entity_id),
            (ScrapeResultRow.source_kind, query.source),
        )
        conds = [column == value for column, value in wanted if value is not None]
        total = db.scalar(select(func.count()).select_from(ScrapeResultRow).where(*conds)) or 0
        rows = db.scalars(
            select(ScrapeResultRow).where(*conds).order_by(ScrapeResultRow.created_at.desc(), ScrapeResultRow.id)
            .offset(query.offset).limit(query.per_page)
        ).all()  # fmt: skip
        return page([store.dump(r) for r in rows], total, query)

    @api_route(bp, "/api/scrape-results/<result_id>")
    def get_result(result_id: str) -> Any:
        """One scrape result."""
        return ok(store.dump(store.get(get_db(), result_id)))

    @api_route(bp, "/api/scrape-results/<result_id>/reject", ["POST"])
    def reject(result_id: str) -> Any:
        """Reject a pending result (an accepted one cannot be)."""
        db = get_db()
        row = store.get(db, result_id, lock=True)
        if row.status == ACCEPTED:
            raise ConflictError(f"Scrape result {row.id} was already accepted.", code="already_accepted")
        row.status = REJECTED
        db.commit()
        return ok(store.dump(row))

    @api_route(bp, "/api/scrape-results/<result_id>/accept", ["POST"], body=AcceptResultIn, status=202)
    def accept(result_id: str, body: AcceptResultIn) -> Any:
        """Accept a result for the entity it was scraped for (a metadata-import job)."""
        db = get_db()
        row = store.get(db, result_id, lock=True)
        store.target(row.entity_type)
        return _enqueue_accept(db, row, body)

    @api_route(bp, "/api/scrape-results/accept", ["POST"], body=AcceptManyIn, status=202)
    def accept_many(body: AcceptManyIn) -> Any:
        """Accept many results at once ("accept selected" in the review queue), as batch jobs."""
        db = get_db()
        ids = list(dict.fromkeys(body.result_ids))
        stmt = select(ScrapeResultRow.id, ScrapeResultRow.status).where(ScrapeResultRow.id.in_(ids))
        found = dict(db.execute(stmt).all())
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"Scrape result {missing[0]} not found.")
        pending = [i for i in ids if found[i] != ACCEPTED]
        if body.fields is not None:
            for kind in set(db.scalars(select(ScrapeResultRow.kind).where(ScrapeResultRow.id.in_(pending)))):
                check_mask(kind, body.fields)
        runs = [
            enqueue_job(db, QUEUE, {"op": "accept-many", "resultIds": chunk, "fields": body.fields,
                                    "excludePerformers": body.exclude_performers, "excludeTags": body.exclude_tags},
                        target_label=f"Accept {len(chunk)} scrape results")
            for chunk in (pending[i : i + ACCEPT_BATCH] for i in range(0, len(pending), ACCEPT_BATCH))
        ]  # fmt: skip
        db.commit()
        out = {"jobRunIds": runs, "accepting": len(pending), "alreadyAccepted": len(ids) - len(pending)}
        return ok(out, status=202)

    @api_route(bp, "/api/stash-ids", query=StashIdsQuery)
    def list_stash_ids(query: StashIdsQuery) -> Any:
        """An entity's ids at StashBox servers, or the entities holding some ids on one server."""
        conds = [StashIdRow.entity_type == query.entity_type]
        if query.entity_id is not None:
            conds.append(StashIdRow.entity_id == query.entity_id)
        elif query.endpoint and query.stash_id:
            conds += [StashIdRow.endpoint == query.endpoint, StashIdRow.stash_id.in_(query.stash_id)]
        else:
            raise ValidationError("query: give entityId, or endpoint and stashId.")
        if query.endpoint is not None:
            conds.append(StashIdRow.endpoint == query.endpoint)
        rows = get_db().scalars(select(StashIdRow).where(*conds).order_by(StashIdRow.endpoint, StashIdRow.id)).all()
        return ok([_stash_id(r) for r in rows])

    @api_route(bp, "/api/stash-ids", ["POST"], body=StashIdIn, status=201)
    def add_stash_id(body: StashIdIn) -> Any:
        """Link an entity to its id at a StashBox server (one per server)."""
        db = get_db()
        tgt = store.target(body.entity_type)
        if body.entity_id not in tgt.describe(db, [body.entity_id]):
            raise NotFoundError(f"{tgt.label or tgt.entity_type} {body.entity_id} not found.")
        existing = db.scalar(select(StashIdRow).where(
            StashIdRow.entity_type == body.entity_type, StashIdRow.entity_id == body.entity_id,
            StashIdRow.endpoint == body.endpoint))  # fmt: skip
        row = existing or StashIdRow(entity_type=body.entity_type, entity_id=body.entity_id, endpoint=body.endpoint)
        row.stash_id = body.stash_id
        db.add(row)
        db.commit()
        return ok(_stash_id(row), status=201)

    @api_route(bp, "/api/stash-ids/<row_id>", ["DELETE"])
    def delete_stash_id(row_id: str) -> Any:
        """Forget one stash id link."""
        db = get_db()
        row = db.get(StashIdRow, row_id)
        if row is None:
            raise NotFoundError(f"Stash id {row_id} not found.")
        db.delete(row)
        db.commit()
        return ok({"deleted": row_id})

    return bp


def _source_out(db: Any, src: MetadataSource) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    if src.entries is not None:
        try:
            entries = [dict(e) for e in src.entries(db)]
        except Exception:  # one source's fault leaves the others listed
            logger.exception("metadata source %r failed listing its entries", src.kind)
    return {"kind": src.kind, "collection": src.collection, "label": src.label, "entries": entries}


def _stash_id(row: StashIdRow) -> dict[str, Any]:
    return {"id": row.id, "entityType": row.entity_type, "entityId": row.entity_id,
            "endpoint": row.endpoint, "stashId": row.stash_id}  # fmt: skip


__all__ = ["STATUSES", "make_blueprint"]
