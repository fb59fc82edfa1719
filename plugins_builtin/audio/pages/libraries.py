"""``/audio``: the grid of top-level audio libraries, with covers, counts and totals.

The state lives in the query string: ``search`` (library titles at any depth, plus the tracks whose
title, artist or album match), ``sort`` (``title``, ``recent``, ``tracks``) and ``page``. Invalid
values are ignored rather than refused, as a page should be. The page module (``libraries.js``)
swaps the results region (``GET /audio/fragments/results?<state>``) as the user types and keeps the
URL in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_count
from plugin_sdk.models import LibraryRoot
from plugin_sdk.search import ilike_contains
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.pages.views import (
    LibraryCard,
    TrackRow,
    fmt_runtime,
    library_cards,
    track_rows,
)

SORTS = [("title", "Title A–Z"), ("recent", "Recently added"), ("tracks", "Most tracks")]
PER_PAGE = 60
TRACK_HITS = 50
MAX_PAGE = 10_000


@dataclass(slots=True)
class GridState:
    """The grid's state from the query string (invalid values dropped)."""

    search: str
    sort: str
    page: int

    def url(self, **changes: Any) -> str:
        values = {"search": self.search, "sort": self.sort, "page": self.page, **changes}
        params = [
            (key, value)
            for key, value in values.items()
            if value and not (key == "sort" and value == "title") and not (key == "page" and value == 1)
        ]
        return "/audio" + (f"?{urlencode(params)}" if params else "")


def parse_state() -> GridState:
    args = request.args
    search = " ".join(args.get("search", "").split())[:200]
    sort = args.get("sort", "title")
    if sort not in dict(SORTS):
        sort = "title"
    try:
        page = min(max(int(args.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return GridState(search=search, sort=sort, page=page)


@dataclass(slots=True)
class GridResults:
    """What the grid's results region shows."""

    cards: list[LibraryCard]
    total: int
    tracks: list[TrackRow]
    track_total: int
    more_url: str | None
    items: list[dict[str, Any]]  # the playable tracks, as the mini player queues them
    empty: str | None  # "no-roots" | "no-audio" | "no-match" | None
    search: str = ""

    @property
    def summary(self) -> str:
        """``1 library and 2 tracks match “x”`` (the parts that found something)."""
        parts = []
        if self.total:
            parts.append(fmt_count(self.total, "library", "libraries"))
        if self.track_total:
            parts.append(fmt_count(self.track_total, "track"))
        verb = "matches" if len(parts) == 1 and (self.total or self.track_total) == 1 else "match"
        return f"{' and '.join(parts)} {verb} “{self.search}”"


def _order(sort: str) -> list[Any]:
    if sort == "recent":
        return [AudioLibrary.created_at.desc(), AudioLibrary.id]
    if sort == "tracks":
        return [AudioLibrary.track_count.desc(), AudioLibrary.sort_title, AudioLibrary.id]
    return [AudioLibrary.sort_title, AudioLibrary.id]


def grid_results(db: Session, state: GridState) -> GridResults:
    """The libraries (and, when searching, the tracks) the grid shows for ``state``."""
    conds: list[Any] = []
    if state.search:
        conds.append(ilike_contains(AudioLibrary.title, state.search))
    else:
        conds.append(AudioLibrary.parent_id.is_(None))
    total = db.execute(select(func.count()).select_from(AudioLibrary).where(*conds)).scalar_one()
    rows = list(
        db.execute(
            select(AudioLibrary)
            .where(*conds)
            .order_by(*_order(state.sort))
            .offset((state.page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        ).scalars()
    )
    tracks: list[TrackRow] = []
    track_total = 0
    if state.search and state.page == 1:
        columns = (AudioTrack.title, AudioTrack.artist, AudioTrack.album)
        match = or_(*(ilike_contains(col, state.search) for col in columns))
        track_total = db.execute(select(func.count()).select_from(AudioTrack).where(match)).scalar_one()
        found = db.execute(
            select(AudioTrack).where(match).order_by(AudioTrack.sort_title, AudioTrack.id).limit(TRACK_HITS)
        ).scalars()
        tracks = track_rows(db, list(found), numbers=False)
    empty = None
    if not rows and not tracks:
        if state.search:
            empty = "no-match"
        elif not db.execute(select(func.count()).select_from(LibraryRoot)).scalar_one():
            empty = "no-roots"
        else:
            empty = "no-audio"
    more = state.url(page=state.page + 1) if state.page * PER_PAGE < total else None
    return GridResults(
        cards=library_cards(db, rows), total=total, tracks=tracks, track_total=track_total, more_url=more,
        items=[t.item() for t in tracks if t.playable], empty=empty, search=state.search,
    )  # fmt: skip


def totals(db: Session) -> str:
    """``12 libraries · 140 tracks · 9 h 12 min`` for the whole audio collection."""
    libraries = db.execute(select(func.count()).select_from(AudioLibrary)).scalar_one()
    tracks, seconds = db.execute(
        select(func.count(), func.coalesce(func.sum(AudioTrack.duration), 0)).select_from(AudioTrack)
    ).one()
    parts = [fmt_count(libraries, "library", "libraries"), fmt_count(tracks, "track")]
    if seconds:
        parts.append(fmt_runtime(float(seconds)))
    return " · ".join(parts)


def register(bp: Blueprint) -> None:
    """Add ``/audio`` to the pages blueprint."""

    @bp.get("/audio")
    def grid() -> str:
        db = get_db()
        state = parse_state()
        return render_template(
            "audio/libraries.html",
            state=state,
            res=grid_results(db, state),
            sorts=SORTS,
            summary=totals(db),
            nav_active="/audio",
        )

    @bp.get("/audio/fragments/results")
    def grid_results_fragment() -> str:
        """The results region alone, for the same query string (the list pages' fragment convention)."""
        db = get_db()
        state = parse_state()
        return render_template("audio/_results.html", state=state, res=grid_results(db, state))
