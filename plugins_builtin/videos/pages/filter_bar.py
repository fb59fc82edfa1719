"""The filter bar of ``/videos``: :class:`FilterBar` and :func:`filter_bar` (the series, codec,
duration and folder choices), the codec list with its per-database cache
(:func:`codec_options`, :func:`forget_codecs`), the duration and rating presets and their labels
(:func:`duration_label`, :func:`rating_label`), which the filter chips use too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, select, text
from sqlalchemy.orm import Session

from plugin_sdk.formatting import fmt_duration
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot
from plugin_sdk.pages import page_panels
from plugin_sdk.sfw import is_sfw
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.pages.browse_state import BrowseState
from plugins_builtin.videos.pages.cards import SERIES_TITLE
from plugins_builtin.videos.pages.formatting import codec_label
from plugins_builtin.videos.settings import SCAN_MOVIES

SERIES_SELECT_MAX = 300  # more series than this: the filter's <select> loads them on demand
DURATIONS = [  # (label, min seconds, max seconds)
    ("Under 5 min", None, 300),
    ("5–20 min", 300, 1200),
    ("20–60 min", 1200, 3600),
    ("1–2 hours", 3600, 7200),
    ("Over 2 hours", 7200, None),
]
RATINGS = [(20, "★ 1+"), (40, "★ 2+"), (60, "★ 3+"), (80, "★ 4+"), (100, "★ 5")]
COMMON_CODECS = ("h264", "hevc", "vp9", "av1", "mpeg4", "mpeg2video", "vc1", "wmv3")
_CODEC_CACHE: dict[str, tuple[float, list[str]]] = {}
CODEC_TTL_S = 60.0
CODEC_CACHE_MIN_ROWS = 20_000


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
    upload_roots = [
        {"id": r.id, "label": r.label, "path": r.path} for r in all_roots if r.enabled and root_option(r, SCAN_MOVIES)
    ]
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
