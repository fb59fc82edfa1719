"""Running a source for one entity: describe it, scrape, store the results as pending rows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import MetadataSource, MetadataTarget, ScrapeRequest
from plugin_sdk.errors import NotFoundError, ObscuraError, ValidationError
from plugins_builtin.metadata import store
from plugins_builtin.metadata.models import ScrapeResultRow

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
) -> list[ScrapeResultRow]:
    """Scrape one entity with one of a source's scrapers and store what came back (the caller
    commits). Errors of the source (``ObscuraError``) reach the caller unchanged."""
    described = check_source(db, src, source_id)
    kinds = described.get("kinds")
    if isinstance(kinds, list | tuple) and kinds and tgt.kind not in kinds:
        name = described.get("name") or source_id
        raise ValidationError(f"{name} cannot scrape a {tgt.kind}.", code="unsupported_kind")
    fragment = tgt.describe(db, [entity_id]).get(entity_id)
    if fragment is None:
        raise NotFoundError(f"{tgt.label or tgt.entity_type} {entity_id} not found.")
    request = ScrapeRequest(source_id, tgt.kind, fragment, action=action, url=url, query=query, log=log)
    try:
        results = src.scrape(db, request)
    except ObscuraError:
        raise
    except Exception as exc:  # a fault of the source's plugin: a clear answer, not a stack trace
        logger.exception("metadata source %r failed scraping %s %s", src.kind, tgt.entity_type, entity_id)
        raise SourceFailed(f"{src.label} failed: {type(exc).__name__}: {str(exc)[:300]}") from exc
    return store.record(db, tgt, entity_id, src, source_id, described.get("name"), list(results or []))
