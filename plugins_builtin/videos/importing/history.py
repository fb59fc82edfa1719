"""Imported plays and o's: events added to ``video_history`` unless already there."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from plugins_builtin.videos.models import O_EVENT, PLAY_EVENT

ADD_EVENTS_SQL = text(
    """
    INSERT INTO video_history (video_id, kind, at)
    SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:ats AS timestamptz[]))
    ON CONFLICT DO NOTHING
    RETURNING video_id
    """
)
"""Every event of a batch in one statement (three arrays, whatever their length)."""


HELD_SQL = text("SELECT video_id, kind, at FROM video_history WHERE video_id = ANY(CAST(:ids AS text[]))")


def add_events(
    db: Session, events: Iterable[tuple[str, list[datetime], list[datetime]]], known: Collection[str] = ()
) -> set[str]:
    """Add each video's ``(id, plays, os)`` events that ``video_history`` does not hold yet (the
    key is the whole event, so a second import adds nothing). ``known``: the videos that may hold
    some already (rows that were here before), whose events are read first: reading them costs a
    third of asking the database to skip them. Returns the videos that gained an event."""
    events = [e for e in events if e[1] or e[2]]
    held: set[tuple[str, str, datetime]] = set()
    asked = [video_id for video_id, _, _ in events if video_id in known]
    if asked:
        held = {tuple(row) for row in db.execute(HELD_SQL, {"ids": asked})}  # type: ignore[misc]
    ids: list[str] = []
    kinds: list[str] = []
    ats: list[datetime] = []
    for video_id, plays, os_ in events:
        for kind, times in ((PLAY_EVENT, plays), (O_EVENT, os_)):
            for at in times:
                if (video_id, kind, at) not in held:
                    ids.append(video_id)
                    kinds.append(kind)
                    ats.append(at)
    if not ids:
        return set()
    return set(db.execute(ADD_EVENTS_SQL, {"ids": ids, "kinds": kinds, "ats": ats}).scalars())
