"""``/videos`` (series, grid and list views of movies and episodes) and ``/series/<id>``.

Every bit of browse state lives in the query string, with the names of ``GET /api/videos``
(``search``, ``kind``, ``resolution``, ``sort``…) plus ``view``; the page renders its first page on
the server, and fragments serve what the browser asks for next:

- ``GET /videos/fragments/results?<state>``: the results region, when a filter or the view changes;
- ``GET /videos/fragments/more?<state>&cursor=…``: the next page of cards or rows (keyset cursor;
  ``page=`` for the episode-order sort, which has no cursor), followed by the next "Load more";
- ``GET /videos/fragments/series?<state>&offset=…``: more series cards in the series view.

Queries per page are constant (no N+1): the videos of a page, one lookup of their series titles,
one aggregate for the series cards shown and one for their posters.

This module holds the routes, the results region and its paging; beside it are the browse state
(:mod:`.browse_state`), the card view models (:mod:`.cards`), the filter bar (:mod:`.filter_bar`),
the series page's view model (:mod:`.series_detail`) and the formatting helpers (:mod:`.formatting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.formatting import fmt_count
from plugin_sdk.listpage import Chip, empty_reason, page_context
from plugin_sdk.models import LibraryRoot
from plugin_sdk.pages import render_panels
from plugin_sdk.search import ilike_contains
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.pages.browse_state import BrowseState, parse_state
from plugins_builtin.videos.pages.cards import SERIES_TITLE, Card, SeriesCard, cards, series_cards, series_titles
from plugins_builtin.videos.pages.filter_bar import (
    DURATIONS,
    RATINGS,
    _num,
    duration_label,
    filter_bar,
    rating_label,
)
from plugins_builtin.videos.pages.formatting import RESOLUTION_LABELS, codec_label
from plugins_builtin.videos.pages.series_detail import series_detail
from plugins_builtin.videos.routes.query import VideosQuery, fetch_page, filters
from plugins_builtin.videos.scanning.filetypes import VIDEO_EXTENSIONS

PER_PAGE = {"grid": 48, "list": 60, "series": 48}
SERIES_PER_PAGE = 24

SORTS = [
    ("recent", "Date added"),
    ("title", "Title"),
    ("duration", "Duration"),
    ("size", "File size"),
    ("rating", "Rating"),
    ("date", "Release date"),
    ("plays", "Play count"),
    ("episode", "Episode order"),
]
ORDER_WORDS = {  # sort → (descending, ascending)
    "recent": ("Newest first", "Oldest first"),
    "title": ("Z to A", "A to Z"),
    "duration": ("Longest first", "Shortest first"),
    "size": ("Largest first", "Smallest first"),
    "rating": ("Highest first", "Lowest first"),
    "date": ("Newest first", "Oldest first"),
    "plays": ("Most played", "Least played"),
    "episode": ("Reverse order", "In order"),
}


# ------------------------------------------------------------------------------------------ results


@dataclass
class Results:
    state: BrowseState
    view: str
    cards: list[Card] = field(default_factory=list)
    total: int = 0
    more_url: str | None = None  # fragment URL of the next page
    more_href: str | None = None  # the same page as a full page (no-JS fallback)
    series: list[SeriesCard] = field(default_factory=list)
    series_total: int = 0
    series_more_url: str | None = None
    show_movies: bool = True
    show_series: bool = True
    empty: str | None = None  # no-roots | no-videos | no-match
    chips: list[Chip] = field(default_factory=list)
    summary: str = ""


def _page_query(state: BrowseState, per_page: int, cursor: str | None = None, page: int = 1) -> VideosQuery:
    update: dict[str, Any] = {"per_page": per_page, "cursor": cursor, "page": page}
    if state.view == "series":
        update["kind"] = "movie"
    return state.query.model_copy(update=update)


def video_page(
    db: Session, state: BrowseState, cursor: str | None = None, page: int = 1
) -> tuple[list[Card], int, str | None, str | None]:
    """A page of cards, the total, and the fragment / full-page URLs of the next page."""
    per_page = PER_PAGE[state.view]
    q = _page_query(state, per_page, cursor, page)
    rows, total, next_cursor = fetch_page(db, q)
    more_url = more_href = None
    if next_cursor:
        more_url = "/videos/fragments/more?" + state.qs(view=state.view, cursor=next_cursor)
        more_href = state.url(cursor=next_cursor)
    elif len(rows) == per_page and page * per_page < total:  # episode order pages by number
        more_url = "/videos/fragments/more?" + state.qs(view=state.view, page=page + 1)
        more_href = state.url(page=page + 1)
    return cards(db, rows), total, more_url, more_href


def safe_video_page(db: Session, state: BrowseState) -> tuple[list[Card], int, str | None, str | None]:
    """:func:`video_page` at the state's cursor or page; from the start when the cursor is not
    one of this sort (a link shared from another sort, a stale bookmark)."""
    q = state.query
    if q.cursor:
        try:
            with db.begin_nested():
                return video_page(db, state, q.cursor, q.page)
        except (ValidationError, DBAPIError):
            state.query = q = q.model_copy(update={"cursor": None})
    return video_page(db, state, q.cursor, q.page)


def series_query(state: BrowseState) -> list[ColumnElement[bool]] | None:
    """Conditions on ``video_series`` for the series view (``None``: no series can match)."""
    q = state.query
    if q.kind == "movie":
        return None
    base = filters(q.model_copy(update={"search": None, "kind": None}))

    def has_episode(*conds: ColumnElement[bool]) -> ColumnElement[bool]:
        return select(Video.id).where(Video.series_id == VideoSeries.id, *conds).exists()

    conds: list[ColumnElement[bool]] = []
    if q.search:
        named = or_(ilike_contains(VideoSeries.title, q.search), ilike_contains(VideoSeries.custom_name, q.search))
        everything = filters(q.model_copy(update={"kind": None}))
        conds.append(or_(and_(named, has_episode(*base)), has_episode(*everything)))
    else:
        conds.append(has_episode(*base))
    if q.root:
        conds.append(VideoSeries.library_root_id == q.root)
    if q.series:
        conds.append(VideoSeries.id == q.series)
    return conds


def series_page(db: Session, state: BrowseState, offset: int = 0) -> tuple[list[SeriesCard], int, str | None]:
    conds = series_query(state)
    if conds is None:
        return [], 0, None
    total = db.execute(select(func.count()).select_from(VideoSeries).where(*conds)).scalar_one()
    if not total:
        return [], 0, None
    rows = db.execute(
        select(VideoSeries.id, SERIES_TITLE, VideoSeries.year)
        .where(*conds)
        .order_by(func.lower(SERIES_TITLE), VideoSeries.id)
        .offset(offset)
        .limit(SERIES_PER_PAGE)
    ).all()
    nxt = offset + SERIES_PER_PAGE
    more = "/videos/fragments/series?" + state.qs(view=state.view, offset=nxt) if nxt < total else None
    return series_cards(db, [tuple(r) for r in rows]), total, more


def _chips(db: Session, state: BrowseState, root_labels: dict[str, str]) -> list[Chip]:
    q = state.query
    chips: list[Chip] = []

    def add(label: str, *keys: str) -> None:
        chips.append(Chip(label, state.without(*keys), keys))

    if q.search:
        add(f"“{q.search}”", "search")
    if q.kind:
        add("Movies" if q.kind == "movie" else "Episodes", "kind")
    if q.series:
        title = series_titles(db, {q.series}).get(q.series, "Unknown series")
        add(f"Series: {title}", "series")
    if q.season is not None:
        add("Specials" if q.season == 0 else f"Season {q.season}", "season")
    if q.resolution:
        add(RESOLUTION_LABELS[q.resolution], "resolution")
    if q.codec:
        add(codec_label(q.codec), "codec")
    if q.duration_min is not None or q.duration_max is not None:
        add(duration_label(q.duration_min, q.duration_max), "durationMin", "durationMax")
    if q.rating_min is not None or q.rating_max is not None:
        add(rating_label(q.rating_min, q.rating_max), "ratingMin", "ratingMax")
    if q.date_from or q.date_to:
        add(f"Released {q.date_from or '…'} – {q.date_to or '…'}", "dateFrom", "dateTo")
    if q.organized is not None:
        add("Organized" if q.organized else "Not organized", "organized")
    if q.played is not None:
        add("Watched" if q.played else "Unwatched", "played")
    if q.root:
        add(f"Folder: {root_labels.get(q.root, 'unknown')}", "root")
    return chips


def results(db: Session, state: BrowseState, all_roots: list[LibraryRoot]) -> Results:
    res = Results(state=state, view=state.view)
    res.chips = _chips(db, state, {r.id: r.label for r in all_roots})
    q = state.query
    if state.view == "series":
        res.show_series = q.kind != "movie"
        res.show_movies = q.kind != "episode"
        if res.show_series:
            res.series, res.series_total, res.series_more_url = series_page(db, state)
        if res.show_movies:
            res.cards, res.total, res.more_url, res.more_href = safe_video_page(db, state)
        parts = []
        if res.show_series:
            parts.append(fmt_count(res.series_total, "series", "series"))
        if res.show_movies:
            parts.append(fmt_count(res.total, "movie"))
        res.summary = " · ".join(parts)
        nothing = not res.series_total and not res.total
    else:
        res.cards, res.total, res.more_url, res.more_href = safe_video_page(db, state)
        res.summary = fmt_count(res.total, "video")
        nothing = not res.total
    if nothing:
        res.empty = empty_reason(db, all_roots, state.filtered, Video) or "no-videos"
    return res


def _context(db: Session, state: BrowseState) -> dict[str, Any]:
    durations = [(label, f"{_num(a)}-{_num(b)}") for label, a, b in DURATIONS]
    return page_context(
        db, state, results, sorts=SORTS, resolutions=RESOLUTION_LABELS, durations=durations, ratings=RATINGS
    )


# ------------------------------------------------------------------------------------------ routes


def register(bp: Blueprint) -> None:
    """Add this module's routes (and the dashboard panels' fragments) to the pages blueprint."""
    from plugins_builtin.videos.pages import panels

    panels.register(bp)

    @bp.get("/videos")
    def browse() -> str:
        db = get_db()
        state = _state_or_empty(db)
        ctx = _context(db, state)
        ctx["bar"] = filter_bar(db, state, ctx["all_roots"])
        ctx["upload_accept"] = ",".join(sorted(VIDEO_EXTENSIONS))
        ctx["order_label"] = ORDER_WORDS[state.query.sort][0 if state.descending else 1]
        return render_template("videos/browse.html", **ctx)

    @bp.get("/videos/fragments/results")
    def results_fragment() -> str:
        db = get_db()
        return render_template("videos/_results.html", **_context(db, _state_or_empty(db)))

    @bp.get("/videos/fragments/more")
    def more_fragment() -> str:
        db = get_db()
        state = _state_or_empty(db)
        items: list[Card] = []
        more_url = more_href = None
        if state.query.cursor or state.query.page > 1:
            try:
                with db.begin_nested():
                    items, _, more_url, more_href = video_page(db, state, state.query.cursor, state.query.page)
            except (ValidationError, DBAPIError):  # not a cursor of this sort: nothing more to add
                items, more_url, more_href = [], None, None
        return render_template(
            "videos/_more.html", state=state, view=state.view, cards=items, more_url=more_url, more_href=more_href
        )

    @bp.get("/videos/fragments/series")
    def series_fragment() -> str:
        db = get_db()
        state = _state_or_empty(db)
        offset = max(request.args.get("offset", 0, type=int) or 0, 0)
        items, _, more = series_page(db, state, offset)
        return render_template("videos/_series_more.html", series=items, series_more_url=more)

    @bp.get("/series/<series_id>")
    def series_page_view(series_id: str):
        db = get_db()
        series = db.get(VideoSeries, series_id) if len(series_id) <= 64 else None
        if series is None:
            return render_template("videos/not_found.html", what="series", nav_active="/videos"), 404
        panels = render_panels("series", series.id, css_class="sx-panel")  # "People & tags"…
        return render_template("videos/series.html", **series_detail(db, series), panels=panels)


def _state_or_empty(db: Session) -> BrowseState:
    args = request.args
    state = parse_state(db, args)
    cursor = args.get("cursor", "").strip() or None
    page = args.get("page", 1, type=int) or 1
    if cursor and len(cursor) <= 500:
        state.query = state.query.model_copy(update={"cursor": cursor})
    if page > 1:
        state.query = state.query.model_copy(update={"page": min(page, 100_000)})
    return state
