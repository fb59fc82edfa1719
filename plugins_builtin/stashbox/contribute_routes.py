"""Contributing back to a stash-box: ``POST /api/stashbox-endpoints/<id>/submit-fingerprints``,
``POST /api/stashbox-endpoints/<id>/submit-draft`` and ``GET /api/phash-contributions``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, ValidationError
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, page
from plugins_builtin.stashbox import contributions, drafts, endpoints, jobs, submissions
from plugins_builtin.stashbox.models import StashBoxEndpointRow

MAX_VIDEOS = 10_000
ID_MAX = 64
IMAGE_MAX_CHARS = 28 * 1024 * 1024
"""Base64 of the largest cover taken (20 MiB), with room for a data URL prefix."""


class SubmitIn(ApiModel):
    """``videoId`` or ``videoIds``: whose fingerprints to submit."""

    video_id: str | None = Field(None, min_length=1, max_length=ID_MAX)
    video_ids: list[str] | None = Field(None, min_length=1, max_length=MAX_VIDEOS)


class SkippedOut(ApiModel):
    video_id: str
    reason: str
    """``not found``, ``not linked to this endpoint``, ``no fingerprints yet``, ``no duration``
    or ``already submitted``."""


class FailedOut(ApiModel):
    video_id: str
    algorithm: str
    hash: str
    error: str
    """What the server said of this fingerprint."""


class SubmitOut(ApiModel):
    submitted: int
    """Fingerprints the server took in this run."""
    videos: int
    """Videos with at least one fingerprint taken."""
    already_submitted: int
    """Fingerprints of the chosen videos submitted before (not sent again)."""
    skipped: list[SkippedOut]
    failed: list[FailedOut]
    batched: bool | None
    """Whether the batch mutation was used (``null``: nothing sent)."""


class SubmitQueuedOut(ApiModel):
    job_run_id: str
    videos: int


class DraftIn(ApiModel):
    video_id: str = Field(min_length=1, max_length=ID_MAX)
    image: str | None = Field(None, max_length=IMAGE_MAX_CHARS)
    """The cover: a JPEG, PNG, GIF or WebP image as base64 (or a ``data:image/…;base64,`` URL);
    without it the draft has no cover."""


class DraftOut(ApiModel):
    draft_id: str
    url: str
    """The draft's page on the server, where it is finished and submitted as an edit."""
    input: dict[str, Any]
    """The ``SceneDraftInput`` sent (without the image)."""
    image: bool
    """Whether a cover went with it."""


class ContributionsQuery(Pagination):
    endpoint_id: str | None = Field(None, max_length=ID_MAX)
    """Only the videos linked on this endpoint (default: on any configured endpoint)."""


class FingerprintStateOut(ApiModel):
    algorithm: str
    hash: str
    status: str
    """``submitted``, ``failed`` or ``pending``."""
    error: str | None = None
    submitted_at: str | None = None


class EndpointStateOut(ApiModel):
    endpoint_id: str
    endpoint_name: str
    endpoint: str
    stash_id: str
    status: str
    """``submitted`` (every fingerprint), ``pending`` or ``unavailable`` (nothing to send yet)."""
    reason: str | None = None
    fingerprints: list[FingerprintStateOut]


class ContributionOut(ApiModel):
    video_id: str
    title: str | None
    duration: int | None
    """Whole seconds, as submitted."""
    hashes: dict[str, str]
    """``{"OSHASH", "PHASH", "MD5"}`` as Stash sends them."""
    endpoints: list[EndpointStateOut]


def _usable(endpoint_id: str) -> tuple[Any, StashBoxEndpointRow]:
    db = get_db()
    row = endpoints.get(db, endpoint_id)
    if not row.enabled:
        raise ConflictError(f"{row.name} is disabled.", code="endpoint_disabled")
    return db, row


def add_contribute_routes(bp: Blueprint) -> None:
    """Register the contribution routes on ``bp``."""

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>/submit-fingerprints", ["POST"], body=SubmitIn,
               response=SubmitOut)  # fmt: skip
    def submit_fingerprints(endpoint_id: str, body: SubmitIn) -> Any:
        """Submit the fingerprints (OSHASH, PHASH, MD5; whole-second duration) of the videos linked
        to a scene on this endpoint, each once. Up to 50 videos are answered at once; more
        become a ``stashbox`` job (202 ``{jobRunId, videos}``)."""
        if (body.video_id is None) == (body.video_ids is None):
            raise ValidationError("body: give videoId or videoIds.")
        ids = [body.video_id] if body.video_id is not None else list(dict.fromkeys(body.video_ids or []))
        db, row = _usable(endpoint_id)
        if len(ids) > submissions.MAX_SYNC_VIDEOS:
            run_id = jobs.enqueue_submission(db, row, ids)
            db.commit()
            return ok(SubmitQueuedOut(job_run_id=run_id, videos=len(ids)), status=202)
        client = endpoints.client(row)
        return ok(submissions.submit(db, row, ids, client).answer())

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>/submit-draft", ["POST"], body=DraftIn,
               response=DraftOut)  # fmt: skip
    def submit_draft(endpoint_id: str, body: DraftIn) -> Any:
        """Submit a video as a scene draft (``submitSceneDraft``, a multipart request with the
        cover given as ``image``); answers the draft's id and page."""
        image = drafts.decode_image(body.image) if body.image else None
        db, row = _usable(endpoint_id)
        draft = drafts.draft_input(db, row, body.video_id)
        client = endpoints.client(row)
        db.commit()  # hold no transaction while the server answers
        draft_id = client.submit_scene_draft(draft, image)
        return ok(DraftOut(draft_id=draft_id, url=drafts.draft_url(row.endpoint, draft_id), input=draft,
                           image=image is not None))  # fmt: skip

    @api_route(bp, "/api/phash-contributions", query=ContributionsQuery, response=Page[ContributionOut])
    def phash_contributions(query: ContributionsQuery) -> Any:
        """Videos linked on the configured endpoints (the most recently linked first) with their
        hashes and, per endpoint, what was submitted."""
        db = get_db()
        rows = [endpoints.get(db, query.endpoint_id)] if query.endpoint_id else endpoints.listed(db)
        items, total = contributions.listing(db, rows, offset=query.offset, limit=query.per_page)
        return page(items, total, query)
