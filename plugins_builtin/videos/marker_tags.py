"""Markers' tags (``primary_tag_id``, ``tag_ids``: taxonomy tag ids, no foreign key since the
taxonomy plugin is optional) forgotten when the tags are deleted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import cast, func, literal, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from plugins_builtin.videos.models import VideoMarker


def forget_tags(db: Session, tag_ids: Sequence[str]) -> None:
    """Clear the deleted tags ``tag_ids`` from every marker naming them (two set-based UPDATEs, in
    the deleting transaction)."""
    ids = list(tag_ids)
    db.execute(update(VideoMarker).where(VideoMarker.primary_tag_id.in_(ids)).values(primary_tag_id=None))
    gone = cast(literal(ids, ARRAY(Text)), ARRAY(Text))
    db.execute(
        update(VideoMarker)
        .where(VideoMarker.tag_ids.op("?|")(gone))
        .values(tag_ids=VideoMarker.tag_ids.op("-")(gone), updated_at=func.now())
    )
