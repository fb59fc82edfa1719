"""The pHash contributions page's data: linked videos, their hashes as Stash sends them, and what was
submitted to each endpoint they are linked on.

Each fingerprint is ``submitted`` (recorded as taken by that scene), ``failed`` (the server
refused it; tried again on the next run) or ``pending`` (never sent, or sent to another scene
than the one the video is linked to now). An endpoint is ``submitted`` once every fingerprint
is, ``pending`` otherwise, and ``unavailable`` (with the reason) when the video has nothing to
send yet (no fingerprints, no duration).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins_builtin.stashbox import linked
from plugins_builtin.stashbox.fingerprints import of_fragment
from plugins_builtin.stashbox.models import FAILED, SUBMITTED, FingerprintSubmissionRow, StashBoxEndpointRow
from plugins_builtin.stashbox.submissions import (
    NO_DURATION,
    NO_FINGERPRINTS,
    describe_videos,
    file_duration,
    sent_fingerprints,
)

PENDING, UNAVAILABLE = "pending", "unavailable"


def _recorded(
    db: Session, endpoint_ids: Sequence[str], video_ids: Sequence[str]
) -> dict[tuple[str, str], dict[tuple[str, str], FingerprintSubmissionRow]]:
    """``{(endpoint id, video id): {(algorithm, hash): row}}``."""
    out: dict[tuple[str, str], dict[tuple[str, str], FingerprintSubmissionRow]] = {}
    if not endpoint_ids or not video_ids:
        return out
    rows = db.scalars(
        select(FingerprintSubmissionRow).where(
            FingerprintSubmissionRow.endpoint_id.in_(list(endpoint_ids)),
            FingerprintSubmissionRow.video_id.in_(list(video_ids)),
        )
    )
    for row in rows:
        out.setdefault((row.endpoint_id, row.video_id), {})[(row.algorithm, row.hash)] = row
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _endpoint_state(
    endpoint: StashBoxEndpointRow, stash_id: str, fragment: Mapping[str, Any],
    rows: Mapping[tuple[str, str], FingerprintSubmissionRow],
) -> dict[str, Any]:  # fmt: skip
    """One endpoint's part of a video's entry."""
    duration = file_duration(fragment)
    fps = sent_fingerprints(fragment, md5=endpoint.submit_md5)
    entry: dict[str, Any] = {"endpointId": endpoint.id, "endpointName": endpoint.name, "endpoint": endpoint.endpoint,
                             "stashId": stash_id}  # fmt: skip
    if not fps or duration is None:
        return {**entry, "status": UNAVAILABLE, "reason": NO_FINGERPRINTS if not fps else NO_DURATION,
                "fingerprints": []}  # fmt: skip
    states = []
    for fp in fps:
        row = rows.get((fp.algorithm, fp.hash))
        state: dict[str, Any] = {"algorithm": fp.algorithm, "hash": fp.hash, "status": PENDING, "error": None,
                                 "submittedAt": None}  # fmt: skip
        if row is not None and row.stash_id == stash_id and row.status in (SUBMITTED, FAILED):
            state.update(status=row.status, submittedAt=_iso(row.submitted_at),
                         error=row.error if row.status == FAILED else None)  # fmt: skip
        states.append(state)
    done = all(s["status"] == SUBMITTED for s in states)
    return {**entry, "status": SUBMITTED if done else PENDING, "fingerprints": states}


def listing(
    db: Session, endpoints: Sequence[StashBoxEndpointRow], *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """``(items, total)``: one page of the videos linked on any of ``endpoints``, the most
    recently linked first, each with its hashes and per-endpoint state."""
    by_url = {e.endpoint: e for e in endpoints}
    total, ids = linked.linked_entities(db, "video", list(by_url), offset=offset, limit=limit)
    if not ids:
        return [], total
    links = linked.links_by_endpoint(db, "video", ids, list(by_url))
    fragments = describe_videos(db, ids)
    recorded = _recorded(db, [e.id for e in endpoints], ids)
    items = []
    for video_id in ids:
        fragment = fragments.get(video_id)
        if fragment is None:  # linked, but its row is gone (deleted before the link was dropped)
            continue
        hashes = {fp.algorithm: fp.hash for fp in of_fragment(fragment)}
        states = [
            _endpoint_state(by_url[url], stash_id, fragment, recorded.get((by_url[url].id, video_id), {}))
            for url, stash_id in sorted(links.get(video_id, {}).items(), key=lambda kv: by_url[kv[0]].name.lower())
        ]  # fmt: skip
        items.append({"videoId": video_id, "title": fragment.get("title"), "duration": file_duration(fragment),
                      "hashes": hashes, "endpoints": states})  # fmt: skip
    return items, total
