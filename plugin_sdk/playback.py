"""Playback history of playable rows (:class:`~plugin_sdk.columns.PlaybackMixin`): counting a
play and remembering where playback stopped.

The play and progress routes of the built-in videos and audio tracks::

    @api_route(bp, "/api/clips/<clip_id>/play", methods=["POST"])
    def play(clip_id: str):
        db = get_db()
        clip = record_play(db, "clip", get_clip(db, clip_id))
        return ok({"playCount": clip.play_count})

    @api_route(bp, "/api/clips/<clip_id>/progress", methods=["POST"], body=ProgressIn)
    def progress(clip_id: str, body: ProgressIn):
        db = get_db()
        return ok(record_progress(db, get_clip(db, clip_id), body))   # {"resumeTime", "playDuration"}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Field

from plugin_sdk.edits import entity_changed
from plugin_sdk.http import ApiModel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["MAX_PLAYED_SECONDS", "ProgressIn", "near_end", "record_play", "record_progress"]

R = TypeVar("R")

MAX_PLAYED_SECONDS = 86400
"""The most listening or watching time one progress report may add."""


class ProgressIn(ApiModel):
    """A progress report: where playback is now (``resumeTime``) and the seconds played since the
    last report (``playedSeconds``); either may be left out."""

    resume_time: float | None = Field(None, ge=0)
    played_seconds: float | None = Field(None, ge=0, le=MAX_PLAYED_SECONDS)


def near_end(duration: float | None, position: float) -> bool:
    """Whether ``position`` (s) is within the last 5 s of ``duration``, or its last 5 % when that is
    shorter: playback finished, so the next one starts from the beginning."""
    if not duration:
        return False
    return position > duration - min(5.0, 0.05 * duration)


def record_play(db: Session, entity_type: str, row: R) -> R:
    """Count a play of ``row`` (``play_count`` + 1, ``last_played_at`` now), tell every plugin
    (``obscura_entity_changed``) and commit; answers ``row``."""
    row.play_count += 1  # type: ignore[attr-defined]
    row.last_played_at = datetime.now(UTC)  # type: ignore[attr-defined]
    entity_changed(db, entity_type, [row.id], ("play_count", "last_played_at"))  # type: ignore[attr-defined]
    db.commit()
    return row


def record_progress(db: Session, row: Any, body: ProgressIn) -> dict[str, Any]:
    """Store a progress report on ``row`` and commit: the resume position (none once
    :func:`near_end`), and the seconds played added to ``play_duration``.

    :return: ``{"resumeTime", "playDuration"}``, the answer of a progress route.
    """
    if body.resume_time is not None:
        row.resume_time = None if near_end(row.duration, body.resume_time) else body.resume_time
    if body.played_seconds:
        row.play_duration += body.played_seconds
    db.commit()
    return {"resumeTime": row.resume_time, "playDuration": row.play_duration}
