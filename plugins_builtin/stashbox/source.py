"""The ``stashbox`` metadata source: identifies videos and performers against a configured stash-box.

For a video (a Stash *scene*) the cascade is Stash's tagger's, first usable step wins:

1. its stash id on this endpoint (``fragment["stash_ids"] = [{"endpoint", "stash_id"}]``) →
   ``findScene`` (match type ``stashid``, action ``findById``);
2. its files' fingerprints (OSHASH, PHASH, MD5) → ``findScenesBySceneFingerprints``
   (``fingerprint``, ``findByFingerprint``); in :func:`scrape_batch` up to 40 videos go in one
   request;
3. its title → ``searchScene`` (``title``, ``searchByTitle``).

An explicit ``url`` naming a remote scene (``…/scenes/<uuid>``) or a ``query`` that is a scene
id is looked up by id; another ``query`` is searched as a title. A performer is looked up by id
(a URL or a ``query`` that is one) or searched by name. Results carry the remote scene in Stash's
``ScrapedScene`` shape (see ``convert``); the ``metadata`` plugin stores them, and on accept keeps
``remote_id`` as a stash id on ``describe()["endpoint"]``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.types import MetadataSource, ScrapeRequest, ScrapeResult
from plugins_builtin.stashbox import convert, endpoints
from plugins_builtin.stashbox.client import FINGERPRINT_GROUPS, StashBoxClient, StashBoxError
from plugins_builtin.stashbox.fingerprints import Fingerprint, matched, of_fragment
from plugins_builtin.stashbox.models import StashBoxEndpointRow

KIND = "stashbox"
COLLECTION = "stashbox-endpoints"
KINDS = ("scene", "performer")
FIND_BY_ID, FIND_BY_FINGERPRINT, SEARCH_BY_TITLE, SEARCH_BY_NAME = (
    "findById", "findByFingerprint", "searchByTitle", "searchByName",
)  # fmt: skip
SCENE_ACTIONS = (FIND_BY_ID, FIND_BY_FINGERPRINT, SEARCH_BY_TITLE)
PERFORMER_ACTIONS = (FIND_BY_ID, SEARCH_BY_NAME)
TITLE_RESULTS = 5
"""Scenes of a title search kept as candidates (the best first, as the server ranks them)."""
NAME_RESULTS = 10
"""Performers of a name search kept as candidates."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_REMOTE_URL = re.compile(r"/(scenes|performers)/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                         r"[0-9a-fA-F]{12})/?(?:[?#].*)?$")  # fmt: skip
_FILE_NAME_NOISE = re.compile(r"[._]+")


@dataclass(frozen=True, slots=True)
class _Run:
    """One endpoint, ready to be asked."""

    row: StashBoxEndpointRow
    client: StashBoxClient
    tags: convert.TagFilter


def _described(row: StashBoxEndpointRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kinds": list(KINDS), "actions": list(SCENE_ACTIONS),
            "endpoint": row.endpoint}  # fmt: skip


def describe(db: Session, source_id: str) -> dict[str, Any] | None:
    """``{"id", "name", "kinds", "actions", "endpoint"}`` of an enabled endpoint; ``None`` otherwise."""
    row = endpoints.enabled(db, source_id)
    return None if row is None else _described(row)


def entries(db: Session) -> list[dict[str, Any]]:
    """Every enabled endpoint, by name ("Scrape with…")."""
    return [_described(row) for row in endpoints.listed(db, only_enabled=True)]


def _run(db: Session, source_id: str) -> _Run:
    row = endpoints.enabled(db, source_id)
    if row is None:
        raise NotFoundError(f"No enabled StashBox endpoint {source_id[:64]!r}.", code="endpoint_not_found")
    return _Run(row, endpoints.client(row), convert.TagFilter(row.exclude_tag_patterns or ()))


# ---- the steps ----------------------------------------------------------------------------------


def is_remote_id(text: str) -> bool:
    """Whether ``text`` is a stash-box id (a UUID) rather than a name or title."""
    return _UUID.match(text.strip()) is not None


def _remote_id(url: str, kind: str) -> str:
    """The remote id of a stash-box ``…/<kind>/<uuid>`` page URL."""
    found = _REMOTE_URL.search(url.strip())
    if found is None or found.group(1) != kind:
        raise ValidationError(f"url: '{url[:200]}' is not a stash-box {kind[:-1]} URL (…/{kind}/<id>).",
                              code="unsupported_url")  # fmt: skip
    return found.group(2).lower()


def stash_ids(fragment: Mapping[str, Any], endpoint: str) -> list[str]:
    """The entity's stash ids on ``endpoint`` (``fragment["stash_ids"]``, when the target gives them)."""
    out = []
    for item in fragment.get("stash_ids") or []:
        if isinstance(item, Mapping) and item.get("endpoint") == endpoint and isinstance(item.get("stash_id"), str):
            out.append(item["stash_id"])
    return out


def search_term(fragment: Mapping[str, Any]) -> str | None:
    """What to search a video by: its title, or its file's name without extension and separators
    when the title is only the file name (as Stash's tagger does)."""
    title = fragment.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    title = title.strip()
    paths = [f.get("path") for f in fragment.get("files") or [] if isinstance(f, Mapping)]
    if any(isinstance(p, str) and os.path.basename(p) == title for p in paths):
        title = _FILE_NAME_NOISE.sub(" ", os.path.splitext(title)[0])
    return " ".join(title.split()) or None


def _scene_result(run: _Run, remote: Mapping[str, Any], action: str, match_type: str,
                  details: Mapping[str, Any] | None = None) -> ScrapeResult:  # fmt: skip
    raw = convert.scene(remote, run.tags)
    return ScrapeResult(raw=raw, action=action, match_type=match_type, remote_id=remote.get("id"),
                        match_details=details)  # fmt: skip


def _scene_by_id(run: _Run, scene_id: str, match_type: str = "stashid") -> list[ScrapeResult]:
    remote = run.client.find_scene(scene_id)
    if remote is None:
        return []
    return [_scene_result(run, remote, FIND_BY_ID, match_type, {"stashId": scene_id})]


def _by_fingerprints(run: _Run, ours: Sequence[Fingerprint], scenes: Sequence[Mapping[str, Any]]) -> list[ScrapeResult]:
    return [
        _scene_result(run, remote, FIND_BY_FINGERPRINT, "fingerprint",
                      {"fingerprints": matched(ours, remote.get("fingerprints"))})
        for remote in scenes
    ]  # fmt: skip


def _by_title(run: _Run, term: str | None) -> list[ScrapeResult]:
    if not term:
        return []
    found = run.client.search_scene(term)[:TITLE_RESULTS]
    return [_scene_result(run, remote, SEARCH_BY_TITLE, "title", {"term": term}) for remote in found]


def _usable(results: Sequence[ScrapeResult]) -> bool:
    return any(convert.usable(r.raw) for r in results)


def _log(request: ScrapeRequest, step: str, results: Sequence[ScrapeResult]) -> None:
    request.log("info", f"{step}: {len(results)} scene(s)")


def _scene(run: _Run, request: ScrapeRequest) -> list[ScrapeResult]:
    """One video: an explicit URL, id, query or action, else the cascade."""
    fragment = request.fragment or {}
    action = request.action
    if action is not None and action not in SCENE_ACTIONS:
        raise ValidationError(f"A StashBox cannot run {action[:64]!r} (one of {', '.join(SCENE_ACTIONS)}).",
                              code="unsupported_action")  # fmt: skip
    if request.url:
        return _scene_by_id(run, _remote_id(request.url, "scenes"), "url")
    query = (request.query or "").strip()
    if query and is_remote_id(query):
        return _scene_by_id(run, query.lower())
    if action == FIND_BY_ID:
        known = stash_ids(fragment, run.row.endpoint)
        if not known:
            raise ValidationError(f"This video has no stash id on {run.row.name}: give its id as query.",
                                  code="missing_input")  # fmt: skip
        return _scene_by_id(run, known[0])
    if action == SEARCH_BY_TITLE or query:
        return _by_title(run, query or search_term(fragment))
    ours = of_fragment(fragment)
    if action == FIND_BY_FINGERPRINT:
        if not ours:
            raise ValidationError("This video has no fingerprints yet.", code="missing_input")
        return _by_fingerprints(run, ours, run.client.find_scenes_by_fingerprints([_inputs(ours)])[0])
    for scene_id in stash_ids(fragment, run.row.endpoint):
        results = _scene_by_id(run, scene_id)
        _log(request, "stash id", results)
        if _usable(results):
            return results
    if ours:
        results = _by_fingerprints(run, ours, run.client.find_scenes_by_fingerprints([_inputs(ours)])[0])
        _log(request, "fingerprints", results)
        if _usable(results):
            return results
    results = _by_title(run, search_term(fragment))
    _log(request, "title", results)
    return results


def _inputs(ours: Sequence[Fingerprint]) -> list[dict[str, str]]:
    return [fp.query_input() for fp in ours]


def _performer(run: _Run, request: ScrapeRequest) -> list[ScrapeResult]:
    """A performer: by id (URL, id query or stash id), else searched by name."""
    fragment = request.fragment or {}
    action = request.action
    if action is not None and action not in PERFORMER_ACTIONS:
        raise ValidationError(f"A StashBox cannot run {action[:64]!r} for a performer (one of "
                              f"{', '.join(PERFORMER_ACTIONS)}).", code="unsupported_action")  # fmt: skip
    query = (request.query or "").strip()
    wanted: tuple[str, str] | None = None
    if request.url:
        wanted = (_remote_id(request.url, "performers"), "url")
    elif query and is_remote_id(query):
        wanted = (query.lower(), "stashid")
    elif action != SEARCH_BY_NAME and not query:
        known = stash_ids(fragment, run.row.endpoint)
        wanted = (known[0], "stashid") if known else None
    if wanted is not None:
        remote = run.client.find_performer(wanted[0])
        if remote is None:
            return []
        return [ScrapeResult(convert.performer(remote), FIND_BY_ID, wanted[1], remote.get("id"))]
    name = query or str(fragment.get("name") or "").strip()
    if not name:
        raise ValidationError("A performer search needs a name: give query.", code="missing_input")
    found = run.client.search_performer(name)[:NAME_RESULTS]
    return [ScrapeResult(convert.performer(p), SEARCH_BY_NAME, "name", p.get("id")) for p in found]


def _scrape(run: _Run, request: ScrapeRequest) -> list[ScrapeResult]:
    if request.kind == "performer":
        return _performer(run, request)
    if request.kind != "scene":
        raise ValidationError(f"A StashBox cannot scrape a {request.kind[:32]} (only scenes and performers).",
                              code="unsupported_kind")  # fmt: skip
    return _scene(run, request)


def scrape(db: Session, request: ScrapeRequest) -> list[ScrapeResult]:
    """Identify one video or performer (see the module's docstring).

    :raises NotFoundError: the endpoint is unknown or disabled.
    :raises ValidationError: an unsupported kind, action or URL, or a missing input.
    :raises StashBoxError: the server refused the key, could not be reached or answered an error.
    """
    return _scrape(_run(db, request.source_id), request)


def _batched(request: ScrapeRequest) -> bool:
    """Whether a request takes part in the batched steps: the plain cascade, or an explicit
    fingerprint lookup (no URL or query)."""
    plain = request.kind == "scene" and not request.url and not request.query
    return plain and request.action in (None, FIND_BY_FINGERPRINT)


def scrape_batch(db: Session, requests: Sequence[ScrapeRequest]) -> list[list[ScrapeResult]]:
    """Identify many videos at once, the results of each request in order.

    The stash-id step runs per video (``findScene``); the fingerprint step asks for up to 40
    videos in one ``findScenesBySceneFingerprints``; the title step runs per video, only for
    those the first two steps found nothing usable for (a title search the server answers with an
    error is logged and leaves that video without result). An explicit ``findByFingerprint``
    runs the fingerprint step alone. Other requests (an action, URL or query; performers) run as
    in :func:`scrape`; one of them that is not valid is logged and answered with no result, so it
    does not fail the others.
    """
    out: list[list[ScrapeResult]] = [[] for _ in requests]
    by_source: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        by_source.setdefault(request.source_id, []).append(index)
    for source_id, indexes in by_source.items():
        run = _run(db, source_id)
        pending: list[int] = []
        for i in indexes:
            request = requests[i]
            if not _batched(request):
                try:
                    out[i] = _scrape(run, request)
                except ValidationError as exc:
                    request.log("warning", exc.message)
                continue
            stash_id = request.action is None and next(iter(stash_ids(request.fragment or {}, run.row.endpoint)), None)
            results = _scene_by_id(run, stash_id) if stash_id else []
            if _usable(results):
                out[i] = results
            else:
                pending.append(i)
        unmatched = _fingerprint_step(run, requests, pending, out)
        for i in sorted(unmatched):
            if requests[i].action == FIND_BY_FINGERPRINT:
                continue
            try:
                out[i] = _by_title(run, search_term(requests[i].fragment or {}))
            except StashBoxError as exc:
                if exc.code != "graphql_error":  # the server or the key: every other search would fail too
                    raise
                requests[i].log("warning", f"title search failed: {exc.message}")
                continue
            _log(requests[i], "title", out[i])
    return out


def _fingerprint_step(run: _Run, requests: Sequence[ScrapeRequest], pending: Sequence[int],
                      out: list[list[ScrapeResult]]) -> list[int]:  # fmt: skip
    """Fill ``out`` for the pending videos a fingerprint matches (40 per request); the others'
    indexes are returned."""
    ours = {i: of_fragment(requests[i].fragment or {}) for i in pending}
    asked = [i for i in pending if ours[i]]
    unmatched = [i for i in pending if not ours[i]]
    for start in range(0, len(asked), FINGERPRINT_GROUPS):
        part = asked[start : start + FINGERPRINT_GROUPS]
        found = run.client.find_scenes_by_fingerprints([_inputs(ours[i]) for i in part])
        for i, scenes in zip(part, found, strict=True):
            results = _by_fingerprints(run, ours[i], scenes)
            _log(requests[i], "fingerprints", results)
            if _usable(results):
                out[i] = results
            else:
                unmatched.append(i)
    return unmatched


SOURCE = MetadataSource(
    kind=KIND,
    collection=COLLECTION,
    label="StashBox",
    scrape=scrape,
    describe=describe,
    entries=entries,
    scrape_batch=scrape_batch,
    batch_size=FINGERPRINT_GROUPS,
)
