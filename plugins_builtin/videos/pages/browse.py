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
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import ColumnElement, and_, case, distinct, false, func, or_, select, text
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.links import links_available
from plugin_sdk.models import LibraryRoot
from plugin_sdk.pages import page_panels, render_panels
from plugin_sdk.sfw import is_sfw
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
from plugins_builtin.videos.routes.query import RESOLUTIONS, VideosQuery, fetch_page, filters
from plugins_builtin.videos.routes.serialize import thumbnail_url
from plugins_builtin.videos.scanning.filetypes import VIDEO_EXTENSIONS

VIEWS = ("series", "grid", "list")
PER_PAGE = {"grid": 48, "list": 60, "series": 48}
SERIES_PER_PAGE = 24
SERIES_SELECT_MAX = 300  # more series than this: the filter's <select> loads them on demand

FILTER_PARAMS = (
    "search", "kind", "series", "season", "resolution", "codec", "durationMin", "durationMax",
    "dateFrom", "dateTo", "ratingMin", "ratingMax", "organized", "played", "root",
)  # fmt: skip
LINK_PARAMS = ("tags", "performers", "studio")  # with a plugin that keeps links (taxonomy); tags/performers repeat
SORT_PARAMS = ("sort", "order")
STATE_PARAMS = ("view", *FILTER_PARAMS, *LINK_PARAMS, *SORT_PARAMS)

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
RESOLUTION_LABELS = {"240p": "240p", "360p": "360p", "480p": "480p", "720p": "720p", "1080p": "1080p",
                     "1440p": "1440p", "4k": "4K"}  # fmt: skip
DURATIONS = [  # (label, min seconds, max seconds)
    ("Under 5 min", None, 300),
    ("5–20 min", 300, 1200),
    ("20–60 min", 1200, 3600),
    ("1–2 hours", 3600, 7200),
    ("Over 2 hours", 7200, None),
]
RATINGS = [(20, "★ 1+"), (40, "★ 2+"), (60, "★ 3+"), (80, "★ 4+"), (100, "★ 5")]
COMMON_CODECS = ("h264", "hevc", "vp9", "av1", "mpeg4", "mpeg2video", "vc1", "wmv3")
CODEC_LABELS = {"h264": "H.264", "hevc": "HEVC", "vp9": "VP9", "av1": "AV1", "mpeg4": "MPEG-4", "vp8": "VP8",
                "mpeg2video": "MPEG-2", "vc1": "VC-1", "wmv3": "WMV", "prores": "ProRes"}  # fmt: skip
_CODEC_CACHE: dict[str, tuple[float, list[str]]] = {}
CODEC_TTL_S = 60.0
CODEC_CACHE_MIN_ROWS = 20_000


# ------------------------------------------------------------------------------------------ formatting


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    s = int(seconds)
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_runtime(seconds: float | None) -> str:
    """A long total in words: ``3 h 20 min``, ``2 days 4 h``."""
    if not seconds:
        return "0 min"
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{max(mins, 1)} min"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return ""
    value, unit = float(n), "B"
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if value < 1000 or unit == "PB":
            break
        value /= 1000
    return f"{value:.0f} {unit}" if unit == "B" or value >= 10 else f"{value:.1f} {unit}"


def fmt_date(d: datetime | None) -> str:
    return f"{d:%b} {d.day}, {d.year}" if d else ""


def fmt_count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def resolution_label(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    short = min(width, height)
    label = None
    for name, low in RESOLUTIONS.items():
        if short >= low:
            label = RESOLUTION_LABELS[name]
    return label or f"{short}p"


def codec_label(codec: str | None) -> str:
    return CODEC_LABELS.get((codec or "").lower(), (codec or "").upper())


def episode_label(season: int | None, episode: int | None, end: int | None, absolute: int | None) -> str | None:
    if episode is not None:
        tail = f"–E{end:02d}" if end and end != episode else ""
        return f"S{season or 0:02d}E{episode:02d}{tail}" if season is not None else f"E{episode:02d}{tail}"
    if absolute is not None:
        return f"E{absolute:02d}"
    return None


def stars(rating: int | None) -> int | None:
    """0–100 → 0–5 stars (rounded), ``None`` when unrated."""
    return None if rating is None else max(0, min(5, round(rating / 20)))


def thumb_url(video_id: str, thumbnail_at: datetime | None, custom: bool, updated_at: datetime | None) -> str | None:
    """:func:`serialize.thumbnail_url` for a row that is not a loaded ``Video``."""
    if custom or thumbnail_at:
        stamp = thumbnail_at or updated_at
        return f"/api/videos/{video_id}/thumbnail?v={int(stamp.timestamp()) if stamp else 0}"
    return None


# ------------------------------------------------------------------------------------------ view models


@dataclass(slots=True)
class Card:
    """What a video card, list row or episode row shows (strings already formatted)."""

    id: str
    kind: str
    title: str
    url: str
    thumb: str | None
    preview: str | None
    duration: str
    resolution: str | None
    episode: str | None
    series_id: str | None
    series_title: str | None
    progress: int | None  # percent watched of an unfinished play
    plays: int
    codec: str
    size: str
    stars: int | None
    rating: int | None
    added: str
    year: int | None
    details: str | None = None


def card(v: Video, series_title: str | None = None) -> Card:
    progress = None
    if v.resume_time and v.duration:
        progress = max(1, min(99, round(100 * v.resume_time / v.duration)))
    return Card(
        id=v.id,
        kind=v.kind,
        title=v.title,
        url=f"/videos/{v.id}",
        thumb=thumbnail_url(v),
        preview=f"/api/videos/{v.id}/preview" if v.preview_at else None,
        duration=fmt_duration(v.duration),
        resolution=resolution_label(v.width, v.height),
        episode=episode_label(v.season_number, v.episode_number, v.episode_end, v.absolute_episode_number)
        if v.kind == "episode"
        else None,
        series_id=v.series_id,
        series_title=series_title,
        progress=progress,
        plays=v.play_count,
        codec=codec_label(v.video_codec),
        size=fmt_bytes(v.file_size),
        stars=stars(v.rating),
        rating=v.rating,
        added=fmt_date(v.created_at),
        year=v.year,
        details=v.details,
    )


def series_titles(db: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.execute(
        select(VideoSeries.id, func.coalesce(VideoSeries.custom_name, VideoSeries.title)).where(VideoSeries.id.in_(ids))
    ).all()
    return {sid: title for sid, title in rows}


def cards(db: Session, rows: list[Video]) -> list[Card]:
    titles = series_titles(db, {r.series_id for r in rows if r.series_id})
    return [card(r, titles.get(r.series_id or "")) for r in rows]


@dataclass(slots=True)
class SeriesCard:
    id: str
    title: str
    year: int | None
    url: str
    thumb: str | None
    seasons: int
    episodes: int
    unwatched: int
    runtime: str


SERIES_TITLE = func.coalesce(VideoSeries.custom_name, VideoSeries.title)


def series_stats(db: Session, ids: list[str]) -> dict[str, tuple[int, int, int, float]]:
    """Per series: (seasons without specials, episodes, unwatched episodes, total seconds), one query."""
    if not ids:
        return {}
    rows = db.execute(
        select(
            Video.series_id,
            func.count(distinct(Video.season_number)).filter(Video.season_number > 0),
            func.count(),
            func.count().filter(Video.play_count == 0),
            func.coalesce(func.sum(Video.duration), 0),
        )
        .where(Video.series_id.in_(ids))
        .group_by(Video.series_id)
    ).all()
    return {sid: (seasons, episodes, unwatched, float(total)) for sid, seasons, episodes, unwatched, total in rows}


def series_posters(db: Session, ids: list[str]) -> dict[str, str]:
    """Per series, the thumbnail of its first episode that has one (regular seasons before specials)."""
    if not ids:
        return {}
    specials_last = case((func.coalesce(Video.season_number, 1) == 0, 1), else_=0)
    rows = db.execute(
        select(Video.series_id, Video.id, Video.thumbnail_at, Video.custom_thumbnail, Video.updated_at)
        .where(Video.series_id.in_(ids), or_(Video.thumbnail_at.is_not(None), Video.custom_thumbnail.is_(True)))
        .ext(distinct_on(Video.series_id))
        .order_by(
            Video.series_id,
            specials_last,
            Video.season_number,
            Video.episode_number.nulls_last(),
            Video.absolute_episode_number.nulls_last(),
            Video.sort_title,
            Video.id,
        )
    ).all()
    out = {}
    for sid, vid, at, custom, updated in rows:
        url = thumb_url(vid, at, custom, updated)
        if url:
            out[sid] = url
    return out


def series_cards(db: Session, rows: list[tuple[str, str, int | None]]) -> list[SeriesCard]:
    ids = [r[0] for r in rows]
    stats = series_stats(db, ids)
    posters = series_posters(db, ids)
    out = []
    for sid, title, year in rows:
        seasons, episodes, unwatched, total = stats.get(sid, (0, 0, 0, 0.0))
        out.append(
            SeriesCard(
                id=sid, title=title, year=year, url=f"/series/{sid}", thumb=posters.get(sid),
                seasons=seasons, episodes=episodes, unwatched=unwatched, runtime=fmt_runtime(total),
            )
        )  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------ state


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class BrowseState:
    """The browse state read from the query string; invalid values are dropped (and listed)."""

    query: VideosQuery
    view: str
    explicit_view: bool
    params: dict[str, Any]  # valid state params, as given (without view); tags/performers are lists
    ignored: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return any(k in self.params for k in (*FILTER_PARAMS, *LINK_PARAMS))

    @property
    def filter_count(self) -> int:
        keys = {k for k in self.params if k in (*FILTER_PARAMS, *LINK_PARAMS) and k != "search"}
        # a range counts once
        for a, b in (("durationMin", "durationMax"), ("ratingMin", "ratingMax"), ("dateFrom", "dateTo")):
            if a in keys and b in keys:
                keys.discard(b)
        return len(keys)

    @property
    def descending(self) -> bool:
        return self.query.descending

    def qs(self, **changes: Any) -> str:
        """This state's query string with ``changes`` (``None`` removes a key), keys in a stable order."""
        p: dict[str, Any] = dict(self.params)
        if self.explicit_view:
            p["view"] = self.view
        for key, value in changes.items():
            if value is None:
                p.pop(key, None)
            else:
                p[key] = value
        order = [*STATE_PARAMS, "cursor", "page", "offset"]
        pairs = [(k, v) for k in order if k in p for v in (p[k] if isinstance(p[k], list) else [p[k]])]
        return urlencode([(k, str(v).lower() if isinstance(v, bool) else v) for k, v in pairs])

    def url(self, **changes: Any) -> str:
        qs = self.qs(**changes)
        return "/videos" + (f"?{qs}" if qs else "")

    def without(self, *keys: str) -> str:
        return self.url(**dict.fromkeys(keys))

    @property
    def clear_url(self) -> str:
        """The same view and sort without any filter."""
        return self.without(*FILTER_PARAMS, *LINK_PARAMS)


def parse_state(db: Session, args: MultiDict[str, str]) -> BrowseState:
    raw = {k: args.get(k, "").strip() for k in (*FILTER_PARAMS, *SORT_PARAMS)}
    span = args.get("duration", "")  # the filter form's duration select, submitted without JS
    if span.count("-") == 1 and not (raw["durationMin"] or raw["durationMax"]):
        raw["durationMin"], raw["durationMax"] = (part.strip() for part in span.split("-"))
    raw: dict[str, Any] = {k: v for k, v in raw.items() if v}
    if links_available():  # without a plugin keeping links, the API would refuse these filters
        for key in LINK_PARAMS:
            values = [v.strip() for v in args.getlist(key) if v.strip()]
            if values:
                raw[key] = values[0] if key == "studio" else values
    ignored: list[str] = []
    while True:
        try:
            query = VideosQuery.model_validate(raw)
            break
        except PydanticValidationError as exc:
            bad = {to_camel(str(e["loc"][0])) for e in exc.errors() if e["loc"]} & raw.keys()
            if not bad:
                ignored += list(raw)
                raw = {}
                continue
            for key in sorted(bad):
                raw.pop(key)
                ignored.append(key)
    view = args.get("view", "")
    explicit = view in VIEWS
    if not explicit:
        has_series = db.execute(select(VideoSeries.id).limit(1)).first() is not None
        view = "series" if has_series else "grid"
    return BrowseState(query=query, view=view, explicit_view=explicit, params=raw, ignored=ignored)


# ------------------------------------------------------------------------------------------ results


@dataclass
class Chip:
    label: str
    remove_url: str
    keys: tuple[str, ...]


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
        like = _like(q.search)
        named = or_(VideoSeries.title.ilike(like), VideoSeries.custom_name.ilike(like))
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


def roots(db: Session) -> list[LibraryRoot]:
    return list(db.execute(select(LibraryRoot).order_by(LibraryRoot.label, LibraryRoot.path)).scalars())


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


def duration_label(lo: float | None, hi: float | None) -> str:
    for label, a, b in DURATIONS:
        if a == lo and b == hi:
            return label
    if lo is not None and hi is not None:
        return f"{fmt_duration(lo)}–{fmt_duration(hi)}"
    return f"Over {fmt_duration(lo)}" if lo is not None else f"Under {fmt_duration(hi)}"


def rating_label(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is None:
        return dict(RATINGS).get(lo, f"Rating ≥ {lo}")
    if lo is None:
        return f"Rating ≤ {hi}"
    return f"Rating {lo}–{hi}"


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
        if not all_roots:
            res.empty = "no-roots"
        elif state.filtered and db.execute(select(Video.id).limit(1)).first() is not None:
            res.empty = "no-match"
        else:
            res.empty = "no-videos"
    return res


# ------------------------------------------------------------------------------------------ filter bar


@dataclass
class FilterBar:
    link_filters: list[Any]  # template panels of ``obscura_panels("videos-filters")`` (tags, performers…)
    series: list[tuple[str, str]]
    series_lazy: bool
    codecs: list[tuple[str, str]]
    duration_value: str
    duration_custom: str | None
    upload_roots: list[dict[str, str]]
    roots: list[LibraryRoot]


def codec_options(db: Session) -> list[str]:
    """Distinct codecs in the library. A full scan, so in a big library (≥ 20k rows by the planner's
    estimate) the list is kept a minute per database; a small one is always read afresh."""
    key = f"{db.get_bind().url}|sfw={is_sfw(db)}"  # SFW mode lists the codecs of visible videos only
    now = time.monotonic()
    hit = _CODEC_CACHE.get(key)
    if hit and now - hit[0] < CODEC_TTL_S:
        return hit[1]
    estimate = db.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'videos'::regclass")).scalar() or 0
    found = db.execute(
        select(func.lower(Video.video_codec))
        .where(Video.video_codec.is_not(None))
        .group_by(func.lower(Video.video_codec))
    ).scalars()
    codecs = sorted(c for c in found if c)
    if estimate >= CODEC_CACHE_MIN_ROWS:
        _CODEC_CACHE[key] = (now, codecs)
    return codecs


def forget_codecs() -> None:
    _CODEC_CACHE.clear()


def filter_bar(db: Session, state: BrowseState, all_roots: list[LibraryRoot]) -> FilterBar:
    q = state.query
    count = db.execute(select(func.count()).select_from(VideoSeries)).scalar_one()
    lazy = count > SERIES_SELECT_MAX
    stmt = select(VideoSeries.id, SERIES_TITLE).order_by(func.lower(SERIES_TITLE), VideoSeries.id)
    if lazy:
        stmt = stmt.where(VideoSeries.id == q.series) if q.series else stmt.where(false())
    series = [(sid, title) for sid, title in db.execute(stmt).all()]
    if q.series and q.series not in {s for s, _ in series}:
        series.append((q.series, "Unknown series"))
    known = codec_options(db)
    if q.codec and q.codec.lower() not in known:
        known = sorted([*known, q.codec.lower()])
    codecs = [(c, codec_label(c)) for c in known]
    lo, hi = q.duration_min, q.duration_max
    value = "" if lo is None and hi is None else f"{_num(lo)}-{_num(hi)}"
    preset = any(a == lo and b == hi for _, a, b in DURATIONS)
    upload_roots = [{"id": r.id, "label": r.label, "path": r.path} for r in all_roots if r.enabled and r.scan_movies]
    return FilterBar(
        link_filters=[panel for _, panel in page_panels("videos-filters") if panel.template],
        series=series,
        series_lazy=lazy,
        codecs=codecs,
        duration_value=value,
        duration_custom=None if preset or not value else duration_label(lo, hi),
        upload_roots=upload_roots,
        roots=all_roots,
    )


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def _context(db: Session, state: BrowseState) -> dict[str, Any]:
    all_roots = roots(db)
    return {
        "state": state,
        "res": results(db, state, all_roots),
        "sorts": SORTS,
        "resolutions": RESOLUTION_LABELS,
        "durations": [(label, f"{_num(a)}-{_num(b)}") for label, a, b in DURATIONS],
        "ratings": RATINGS,
        "all_roots": all_roots,
    }


# ------------------------------------------------------------------------------------------ series page


@dataclass
class SeasonView:
    number: int | None
    label: str
    episodes: list[Card]
    watched: int
    runtime: str


def series_detail(db: Session, series: VideoSeries) -> dict[str, Any]:
    title = series.custom_name or series.title
    seasons = {
        s.season_number: s for s in db.execute(select(VideoSeason).where(VideoSeason.series_id == series.id)).scalars()
    }
    episodes = db.execute(
        select(Video)
        .where(Video.series_id == series.id)
        .order_by(
            Video.season_number.nulls_first(),
            Video.episode_number.nulls_last(),
            Video.absolute_episode_number.nulls_last(),
            Video.sort_title,
            Video.id,
        )
    ).scalars()
    groups: dict[int | None, list[Card]] = {}
    raw: dict[int | None, list[Video]] = {}
    for ep in episodes:
        groups.setdefault(ep.season_number, []).append(card(ep, title))
        raw.setdefault(ep.season_number, []).append(ep)
    only_specials = set(groups) <= {0, None}
    order = sorted(groups, key=lambda n: (n == 0, n if n is not None else -1))
    views = []
    for n in order:
        named = seasons.get(n) if n is not None else None
        if n == 0:
            label = "Episodes" if only_specials else "Specials"
        elif n is None:
            label = "Episodes"
        else:
            label = f"Season {n}"
        if named and named.title and named.title.strip() and not named.title.lower().startswith("season"):
            label = named.title.strip() if n != 0 or not only_specials else label
        vids = raw[n]
        views.append(
            SeasonView(
                number=n,
                label=label,
                episodes=groups[n],
                watched=sum(1 for v in vids if v.play_count > 0),
                runtime=fmt_runtime(sum(v.duration or 0 for v in vids)),
            )
        )
    all_eps = [v for n in order for v in raw[n]]
    poster = next((c.thumb for s in views if s.number != 0 for c in s.episodes if c.thumb), None) or next(
        (c.thumb for s in views for c in s.episodes if c.thumb), None
    )
    next_up = next((c for s in views if s.number != 0 for c in s.episodes if c.progress), None) or next(
        (c for s in views if s.number != 0 for c in s.episodes if not c.plays), None
    )
    return {
        "series": series,
        "title": title,
        "seasons": views,
        "regular_seasons": sum(1 for s in views if s.number not in (0, None)),
        "episode_count": len(all_eps),
        "watched_count": sum(1 for v in all_eps if v.play_count > 0),
        "runtime": fmt_runtime(sum(v.duration or 0 for v in all_eps)),
        "poster": poster,
        "next_up": next_up,
        "stars": stars(series.rating),
        "nav_active": "/videos",
    }


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
