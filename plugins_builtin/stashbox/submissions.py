"""Contributing fingerprints: each linked video's hashes sent to the stash-box scene it is linked to,
as Stash sends them (``pkg/stashbox/scene.go`` ``SubmitFingerprints``), each sent once.

Per video: its stash id on the endpoint (no link: skipped), its file's OSHASH, PHASH and MD5
(MD5 unless the endpoint's ``submit_md5`` is off) in Stash's formats (``fingerprints``), and its
duration in whole seconds as Stash computes it (``int(duration)``: truncated, at least 1; no
duration: skipped). What was sent is recorded in ``stashbox_fingerprint_submissions``: a
fingerprint already ``submitted`` to the same scene is not sent again; a ``failed`` one is.

Sending uses stash-box's batch ``submitFingerprints`` (50 items a request, as Stash) and falls
back to one ``submitFingerprint`` each on a server without it (remembered per endpoint in this
process). A refused key, an unreachable server or any error of the whole request stops the run
with that error; what went through before is recorded. An error the server gives for one item
(an unknown scene…) marks that item ``failed`` and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.errors import ObscuraError
from plugin_sdk.metadata import metadata_targets
from plugins_builtin.stashbox import linked
from plugins_builtin.stashbox.client import NotGraphQL, StashBoxClient, StashBoxError
from plugins_builtin.stashbox.fingerprints import MD5, Fingerprint, of_fragment
from plugins_builtin.stashbox.models import FAILED, SUBMITTED, FingerprintSubmissionRow, StashBoxEndpointRow

BATCH = 50
"""Fingerprints per ``submitFingerprints`` request (Stash's batch size; the server takes 1000)."""
MAX_SYNC_VIDEOS = 50
"""Videos submitted within the request; more become a job."""
ERROR_MAX = 500

NOT_FOUND, NOT_LINKED, NO_FINGERPRINTS, NO_DURATION, ALREADY = (
    "not found", "not linked to this endpoint", "no fingerprints yet", "no duration", "already submitted",
)  # fmt: skip
"""The reasons a video is skipped."""

_no_batch: set[tuple[str, str]] = set()
"""``(endpoint id, URL)`` of the servers found without ``submitFingerprints`` (this process)."""

Progress = Callable[[int, int], None]


class VideosUnavailable(ObscuraError):
    """No loaded plugin describes videos."""

    status = 409
    code = "plugin_missing"


def whole_seconds(duration: Any) -> int | None:
    """A file's duration as Stash submits it: ``int(duration)`` (truncated), at least 1 second;
    ``None`` for no duration (Stash skips files whose duration is 0)."""
    if isinstance(duration, bool) or not isinstance(duration, int | float) or not duration > 0:
        return None
    return max(1, int(duration))


def file_duration(fragment: Mapping[str, Any]) -> int | None:
    """The whole-second duration of the fragment's first file (``files[0].duration``)."""
    files = [f for f in fragment.get("files") or [] if isinstance(f, Mapping)]
    return whole_seconds(files[0].get("duration")) if files else None


def sent_fingerprints(fragment: Mapping[str, Any], *, md5: bool = True) -> list[Fingerprint]:
    """The fingerprints Stash would send for the fragment's files (MD5 only when ``md5``)."""
    return [fp for fp in of_fragment(fragment) if md5 or fp.algorithm != MD5]


def describe_videos(db: Session, video_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
    """The videos as scene fragments (``MetadataTarget.describe`` of the loaded ``video`` target)."""
    target = metadata_targets().get("video")
    if target is None:
        raise VideosUnavailable("No loaded plugin describes videos (the videos plugin is not loaded).")
    return dict(target.describe(db, list(video_ids)))


@dataclass(frozen=True, slots=True)
class Item:
    """One fingerprint to send."""

    video_id: str
    stash_id: str
    algorithm: str
    hash: str
    duration: int

    def batch_input(self) -> dict[str, Any]:
        """A ``FingerprintBatchSubmission``."""
        return {"scene_id": self.stash_id, "hash": self.hash, "algorithm": self.algorithm, "duration": self.duration}

    def fingerprint_input(self) -> dict[str, Any]:
        """A ``FingerprintInput`` (what ``submitFingerprint`` carries)."""
        return {"hash": self.hash, "algorithm": self.algorithm, "duration": self.duration}


@dataclass
class Plan:
    """What a run sends, and the videos it leaves out."""

    items: list[Item] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    already: int = 0
    """Fingerprints of the chosen videos already submitted (not sent again)."""


@dataclass
class Outcome:
    """What a run did: ``answer()`` is the route's answer."""

    submitted: int = 0
    videos: set[str] = field(default_factory=set)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    already: int = 0
    batched: bool | None = None

    def answer(self) -> dict[str, Any]:
        return {"submitted": self.submitted, "videos": len(self.videos), "alreadySubmitted": self.already,
                "skipped": self.skipped, "failed": self.failed, "batched": self.batched}  # fmt: skip


def recorded(db: Session, endpoint_id: str, video_ids: Sequence[str]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """``{(video id, algorithm, hash): (status, stash id)}`` of the videos' recorded submissions."""
    if not video_ids:
        return {}
    rows = db.execute(
        select(FingerprintSubmissionRow.video_id, FingerprintSubmissionRow.algorithm, FingerprintSubmissionRow.hash,
               FingerprintSubmissionRow.status, FingerprintSubmissionRow.stash_id)
        .where(FingerprintSubmissionRow.endpoint_id == endpoint_id,
               FingerprintSubmissionRow.video_id.in_(list(video_ids)))
    ).all()  # fmt: skip
    return {(v, a, h): (status, stash_id) for v, a, h, status, stash_id in rows}


def plan(db: Session, row: StashBoxEndpointRow, video_ids: Sequence[str]) -> Plan:
    """The fingerprints to send for ``video_ids`` (each once, in order) and the skipped videos."""
    ids = list(dict.fromkeys(video_ids))
    fragments = describe_videos(db, ids)
    links = linked.stash_ids(db, "video", list(fragments), row.endpoint)
    done = recorded(db, row.id, list(fragments))
    out = Plan()
    for video_id in ids:
        fragment = fragments.get(video_id)
        stash_id = links.get(video_id)
        fps = sent_fingerprints(fragment, md5=row.submit_md5) if fragment is not None else []
        duration = file_duration(fragment) if fragment is not None else None
        reason = (NOT_FOUND if fragment is None else NOT_LINKED if stash_id is None else
                  NO_FINGERPRINTS if not fps else NO_DURATION if duration is None else None)  # fmt: skip
        if reason is not None or stash_id is None or duration is None:
            out.skipped.append({"videoId": video_id, "reason": reason or NOT_FOUND})
            continue
        todo = [fp for fp in fps if done.get((video_id, fp.algorithm, fp.hash)) != (SUBMITTED, stash_id)]
        out.already += len(fps) - len(todo)
        if not todo:
            out.skipped.append({"videoId": video_id, "reason": ALREADY})
        out.items += [Item(video_id, stash_id, fp.algorithm, fp.hash, duration) for fp in todo]
    return out


def record(db: Session, endpoint_id: str, items: Sequence[Item], errors: Sequence[str | None]) -> None:
    """Upsert one row per item (``submitted``, or ``failed`` with its error); the caller commits."""
    if not items:
        return
    values = [
        {"endpoint_id": endpoint_id, "video_id": i.video_id, "stash_id": i.stash_id, "algorithm": i.algorithm,
         "hash": i.hash, "duration": i.duration, "status": FAILED if error else SUBMITTED,
         "error": error[:ERROR_MAX] if error else None}
        for i, error in zip(items, errors, strict=True)
    ]  # fmt: skip
    stmt = pg_insert(FingerprintSubmissionRow).values(values)
    excluded = stmt.excluded
    db.execute(stmt.on_conflict_do_update(
        constraint="uq_stashbox_fingerprint_submissions_fingerprint",
        set_={"stash_id": excluded.stash_id, "duration": excluded.duration, "status": excluded.status,
              "error": excluded.error, "submitted_at": func.now()},
    ))  # fmt: skip


def batch_unsupported(exc: StashBoxError) -> bool:
    """Whether an error means the server has no ``submitFingerprints`` (an older stash-box), as
    Stash tells: a validation error naming the field or its input type."""
    said = exc.message
    return isinstance(exc, NotGraphQL) and exc.code == "not_stashbox" and (
        '"submitFingerprints"' in said or "FingerprintBatchSubmission" in said
        or "field submitFingerprints" in said
    )  # fmt: skip


def _send_one(client: StashBoxClient, item: Item) -> str | None:
    """``submitFingerprint`` for one item: ``None``, or the server's error for it."""
    try:
        taken = client.submit_fingerprint(item.stash_id, item.fingerprint_input())
    except StashBoxError as exc:
        if exc.code != "graphql_error":  # the key, the server, the schema: every other item would fail too
            raise
        return exc.message
    return None if taken else "the server did not take it"


def send(
    db: Session, row: StashBoxEndpointRow, client: StashBoxClient, items: Sequence[Item], outcome: Outcome,
    progress: Progress | None = None,
) -> None:  # fmt: skip
    """Send ``items`` (batches while the server has the batch mutation, else one by one),
    recording and committing after each request."""
    key = (row.id, row.endpoint)
    position = 0
    while position < len(items):
        batched = key not in _no_batch
        part = list(items[position : position + (BATCH if batched else 1)])
        if batched:
            try:
                errors = client.submit_fingerprints([i.batch_input() for i in part])
            except StashBoxError as exc:
                if not batch_unsupported(exc):
                    raise
                _no_batch.add(key)
                continue
        else:
            errors = [_send_one(client, part[0])]
        outcome.batched = batched if outcome.batched is None else outcome.batched and batched
        record(db, row.id, part, errors)
        db.commit()
        for item, error in zip(part, errors, strict=True):
            if error:
                outcome.failed.append({"videoId": item.video_id, "algorithm": item.algorithm, "hash": item.hash,
                                       "error": error[:ERROR_MAX]})  # fmt: skip
            else:
                outcome.submitted += 1
                outcome.videos.add(item.video_id)
        position += len(part)
        if progress is not None:
            progress(position, len(items))


def submit(
    db: Session, row: StashBoxEndpointRow, video_ids: Sequence[str], client: StashBoxClient,
    progress: Progress | None = None,
) -> Outcome:  # fmt: skip
    """Submit the videos' fingerprints to ``row``'s server (see the module's docstring). The
    session's transaction is committed before the first request and after each one."""
    planned = plan(db, row, video_ids)
    db.commit()  # hold no transaction while the server answers
    outcome = Outcome(skipped=planned.skipped, already=planned.already)
    send(db, row, client, planned.items, outcome, progress)
    return outcome


def forget_videos(db: Session, video_ids: Sequence[str]) -> None:
    """Drop the submissions of deleted videos (in the deleting transaction)."""
    db.execute(delete(FingerprintSubmissionRow).where(FingerprintSubmissionRow.video_id.in_(list(video_ids))))
