"""Running a source for one entity (or a batch): describe it, scrape, store the results as pending rows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import MetadataSource, MetadataTarget, ScrapeRequest, ScrapeResult
from plugin_sdk.errors import NotFoundError, ObscuraError, ValidationError
from plugins_builtin.metadata import store
from plugins_builtin.metadata.models import ScrapeResultRow, StashIdRow

logger = logging.getLogger("obscura.metadata")


class SourceFailed(ObscuraError):
    """The source's plugin raised something other than a clear error (answered 502)."""

    status = 502
    code = "source_failed"


def _no_log(level: str, message: str) -> None:
    """Log lines of a scrape run in a request are dropped (the answer holds the outcome)."""


def check_source(db: Session, src: MetadataSource, source_id: str) -> dict[str, Any]:
    """The source's description of ``source_id``; ``NotFoundError`` if unknown or disabled."""
    described = src.describe(db, source_id)
    if not described:
        raise NotFoundError(f"{src.label}: '{source_id}' is not installed or not enabled.")
    return dict(described)


def _check_kind(described: dict[str, Any], source_id: str, tgt: MetadataTarget) -> None:
    kinds = described.get("kinds")
    if isinstance(kinds, list | tuple) and kinds and tgt.kind not in kinds:
        name = described.get("name") or source_id
        raise ValidationError(f"{name} cannot scrape a {tgt.kind}.", code="unsupported_kind")


def fragments(db: Session, tgt: MetadataTarget, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The entities as Stash hands them to scrapers, with their known stash ids added
    (``stash_ids: [{"endpoint", "stash_id"}]``, as Stash's scene JSON has them)."""
    described = {k: dict(v) for k, v in tgt.describe(db, list(entity_ids)).items()}
    if described:
        rows = db.execute(
            select(StashIdRow.entity_id, StashIdRow.endpoint, StashIdRow.stash_id)
            .where(StashIdRow.entity_type == tgt.entity_type, StashIdRow.entity_id.in_(list(described)))
            .order_by(StashIdRow.endpoint)
        ).all()
        for fragment in described.values():
            fragment.setdefault("stash_ids", [])
        for entity_id, endpoint, stash_id in rows:
            described[entity_id]["stash_ids"].append({"endpoint": endpoint, "stash_id": stash_id})
    return described


def typed_inputs(
    db: Session, src: MetadataSource, tgt: MetadataTarget, entity_ids: Sequence[str]
) -> dict[str, Mapping[str, Any]]:
    """The entities as typed sources see them, for a source that wants them (else nothing)."""
    if not src.typed or tgt.describe_typed is None or not entity_ids:
        return {}
    try:
        return {str(k): v for k, v in (tgt.describe_typed(db, list(entity_ids)) or {}).items()}
    except Exception:
        logger.exception("metadata target %r failed describing %d entities for typed sources", tgt.entity_type,
                         len(entity_ids))  # fmt: skip
        return {}


def _calling(src: MetadataSource, what: str, call: Callable[[], Any]) -> Any:
    """Call the source; a fault of its plugin becomes a clear answer, not a stack trace."""
    try:
        return call()
    except ObscuraError:
        raise
    except Exception as exc:
        logger.exception("metadata source %r failed scraping %s", src.kind, what)
        raise SourceFailed(f"{src.label} failed: {type(exc).__name__}: {str(exc)[:300]}") from exc


def scrape_entity(
    db: Session,
    src: MetadataSource,
    source_id: str,
    tgt: MetadataTarget,
    entity_id: str,
    *,
    action: str | None = None,
    url: str | None = None,
    query: str | None = None,
    log: Callable[[str, str], None] = _no_log,
    input: Mapping[str, Any] | None = None,
) -> list[ScrapeResultRow]:
    """Scrape one entity with one of a source's scrapers and store what came back (the caller
    commits). Errors of the source (``ObscuraError``) reach the caller unchanged."""
    described = check_source(db, src, source_id)
    _check_kind(described, source_id, tgt)
    fragment = fragments(db, tgt, [entity_id]).get(entity_id)
    if fragment is None:
        raise NotFoundError(f"{tgt.label or tgt.entity_type} {entity_id} not found.")
    request = ScrapeRequest(
        source_id, tgt.kind, fragment, action=action, url=url, query=query, log=log,
        typed=typed_inputs(db, src, tgt, [entity_id]).get(entity_id), input=input,
    )  # fmt: skip
    results = _calling(src, f"{tgt.entity_type} {entity_id}", lambda: src.scrape(db, request))
    return store.record(db, tgt, entity_id, src, source_id, described.get("name"), list(results or []))


def scrape_batch(
    db: Session,
    src: MetadataSource,
    source_id: str,
    tgt: MetadataTarget,
    entity_ids: Sequence[str],
    *,
    action: str | None = None,
    log: Callable[[str, str], None] = _no_log,
) -> dict[str, list[ScrapeResultRow]]:
    """Scrape many entities in one call of the source's ``scrape_batch`` and store the results
    (the caller commits); entities that no longer exist are left out."""
    if src.scrape_batch is None:
        raise ValidationError(f"{src.label} scrapes one entity at a time.")
    described = check_source(db, src, source_id)
    _check_kind(described, source_id, tgt)
    found = fragments(db, tgt, entity_ids)
    ids = [i for i in entity_ids if i in found]
    inputs = typed_inputs(db, src, tgt, ids)
    requests = [ScrapeRequest(source_id, tgt.kind, found[i], action=action, log=log, typed=inputs.get(i)) for i in ids]
    answers = list(_calling(src, f"{len(ids)} {tgt.entity_type} rows", lambda: src.scrape_batch(db, requests)))
    if len(answers) != len(ids):
        raise SourceFailed(f"{src.label} failed: {len(answers)} answers for {len(ids)} entities.")
    name = described.get("name")
    return {i: store.record(db, tgt, i, src, source_id, name, list(a or [])) for i, a in zip(ids, answers, strict=True)}


def propose(
    db: Session, source_kind: str, source_id: str, entity_type: str, entity_id: str, results: Sequence[ScrapeResult]
) -> list[dict[str, Any]]:
    """``MetadataStore.propose``: store results a source's plugin got by itself (the caller commits)."""
    src, tgt = store.source(source_kind), store.target(entity_type)
    described = check_source(db, src, source_id)
    if entity_id not in tgt.describe(db, [entity_id]):
        raise NotFoundError(f"{tgt.label or tgt.entity_type} {entity_id} not found.")
    rows = store.record(db, tgt, entity_id, src, source_id, described.get("name"), list(results))
    return [store.dump(r) for r in rows]
