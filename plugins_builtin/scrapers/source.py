"""The ``scrapers`` metadata source: runs an installed community scraper for the ``metadata`` plugin.

``describe`` says what an installed, enabled scraper package can do; ``scrape`` runs one explicit
action or the engine's cascade for a kind and hands back the results in Stash's scraped shape,
each with the action that produced it and how it matched (``url``, ``name``, ``fingerprint``,
``fragment``). Scrape failures are 400s the user can read (``scrape_failed``, ``scrape_timeout``).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.types import MetadataSource, ScrapeRequest, ScrapeResult
from plugins_builtin.scrapers import packages
from plugins_builtin.scrapers.capabilities import action_kind, kinds, supported_actions
from plugins_builtin.scrapers.models import ScraperPackage

TIMEOUT_S = 30.0
KIND = "scrapers"
_HASH_PLACEHOLDER = re.compile(r"\{(oshash|checksum|phash)\}")


@functools.lru_cache(maxsize=128)
def _load(path: str, mtime_ns: int) -> Any:
    """Load a scraper YAML once per version of the file (its path and modification time)."""
    from plugins_builtin.scrapers.engine.config import load_scraper

    return load_scraper(Path(path))


def load(row: ScraperPackage) -> Any:
    """The installed package's scraper (the engine's ``ScraperDef``), cached until its YAML changes."""
    from plugins_builtin.scrapers.engine.errors import ScraperConfigError

    path = packages.scraper_yaml(row)
    if path is None:
        raise NotFoundError(f"{row.id} is a library, not a scraper.", code="scraper_not_found")
    try:
        return _load(str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise NotFoundError(
            f"The files of {row.id} are missing; install it again.", code="scraper_files_missing"
        ) from None
    except ScraperConfigError as exc:
        raise ValidationError(f"The scraper {row.id} is not valid: {exc}", code="invalid_scraper") from None


def _runnable(db: Session, source_id: str) -> ScraperPackage | None:
    row = db.get(ScraperPackage, source_id) if 0 < len(source_id) <= 200 else None
    if row is None or not row.enabled or row.is_library:
        return None
    return row


def describe(db: Session, source_id: str) -> dict[str, Any] | None:
    """``{"id", "name", "kinds", "actions"}`` of an installed, enabled scraper; ``None`` otherwise."""
    row = _runnable(db, source_id)
    return None if row is None else _described(row)


def entries(db: Session) -> list[dict[str, Any]]:
    """Every installed, enabled scraper (not the helper libraries), by name: "Scrape with…"."""
    rows = db.scalars(
        select(ScraperPackage)
        .where(ScraperPackage.enabled.is_(True), ScraperPackage.scraper_file.is_not(None))
        .order_by(func.lower(ScraperPackage.name), ScraperPackage.id)
    ).all()
    return [_described(row) for row in rows]


def _described(row: ScraperPackage) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "kinds": kinds(row.capabilities),
        "actions": supported_actions(row.capabilities),
    }


def match_type(action: str, defn: Any = None) -> str:
    """How a result of ``action`` matched: ``url`` (``*ByURL``), ``name`` (``*ByName``),
    ``fingerprint`` (``sceneByFragment`` looking the file's hash up), else ``fragment``."""
    if action.endswith("ByURL"):
        return "url"
    if action.endswith("ByName"):
        return "name"
    if action == "sceneByFragment" and defn is not None:
        config = defn.action_config(action)
        if config is not None and _HASH_PLACEHOLDER.search(config.query_url or ""):
            return "fingerprint"
    return "fragment"


def _first_url(fragment: Mapping[str, Any]) -> str | None:
    url = fragment.get("url")
    if isinstance(url, str) and url.strip():
        return url.strip()
    urls = fragment.get("urls")
    if isinstance(urls, list):
        return next((u.strip() for u in urls if isinstance(u, str) and u.strip()), None)
    return None


def action_input(request: ScrapeRequest, action: str) -> dict[str, Any]:
    """What an explicit action is given: ``{"url"}`` for ``*ByURL``, ``{"name"}`` for ``*ByName``,
    else the entity's fragment.

    :raises ValidationError: (``missing_input``) no URL or name to give.
    """
    fragment = request.fragment or {}
    if action.endswith("ByURL"):
        url = (request.url or "").strip() or _first_url(fragment)
        if not url:
            raise ValidationError(f"{action} needs a URL: give url.", code="missing_input")
        return {"url": url}
    if action.endswith("ByName"):
        name = (request.query or "").strip() or str(fragment.get("title") or fragment.get("name") or "").strip()
        if not name:
            raise ValidationError(f"{action} needs a name to search for: give query.", code="missing_input")
        return {"name": name}
    return dict(fragment)


def results(raw: Any, action: str, defn: Any = None) -> list[ScrapeResult]:
    """A scrape's answer as results: a dict is one, a list (``*ByName``) one per item, ``None`` none."""
    items = raw if isinstance(raw, list) else [raw]
    kind = match_type(action, defn)
    return [ScrapeResult(raw=item, action=action, match_type=kind) for item in items if isinstance(item, Mapping)]


def scrape(db: Session, request: ScrapeRequest) -> Sequence[ScrapeResult]:
    """Run ``request.action`` (or the cascade for ``request.kind``) with the installed scraper.

    :raises NotFoundError: the package is unknown, disabled or a library.
    :raises ValidationError: the action or kind is not supported (``unsupported_action``,
        ``unsupported_kind``), an input is missing, the scrape failed (``scrape_failed``) or ran
        out of time (``scrape_timeout``).
    """
    from plugins_builtin.scrapers.engine import run
    from plugins_builtin.scrapers.engine.errors import ScrapeError, ScrapeTimeout
    from plugins_builtin.scrapers.engine.log import ScrapeLog

    row = _runnable(db, request.source_id)
    if row is None:
        raise NotFoundError(
            f"No enabled community scraper {request.source_id[:80]!r} is installed.", code="scraper_not_found"
        )
    defn = load(row)
    log = ScrapeLog(row.name, request.log)
    try:
        if request.action:
            if not defn.supports(request.action):
                raise ValidationError(f"{row.name} does not support {request.action}.", code="unsupported_action")
            expected = action_kind(request.action)
            if expected is not None and request.kind and expected != request.kind:
                raise ValidationError(
                    f"{request.action} scrapes a {expected}, not a {request.kind}.", code="unsupported_action"
                )
            answer = run.scrape(
                defn,
                request.action,
                action_input(request, request.action),
                log=log,
                timeout=TIMEOUT_S,
                python=sys.executable,
            )
            return results(answer, request.action, defn)
        if request.kind not in kinds(row.capabilities):
            raise ValidationError(f"{row.name} cannot scrape a {request.kind}.", code="unsupported_kind")
        action, answer = run.cascade(
            defn,
            request.kind,
            dict(request.fragment or {}),
            url=request.url,
            query=request.query,
            log=log,
            timeout=TIMEOUT_S,
            python=sys.executable,
        )
    except ScrapeTimeout as exc:
        raise ValidationError(f"{row.name} ran out of time: {exc}", code="scrape_timeout") from None
    except ScrapeError as exc:
        raise ValidationError(f"{row.name} failed: {exc}", code="scrape_failed") from None
    if answer is None or not action:
        return []
    return results(answer, str(action), defn)


SOURCE = MetadataSource(
    kind=KIND,
    collection="scrapers",
    label="Community scrapers",
    scrape=scrape,
    describe=describe,
    entries=entries,
)
