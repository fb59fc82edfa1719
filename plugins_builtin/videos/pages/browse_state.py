"""The browse state of ``/videos``, read from the query string: :class:`BrowseState` (the validated
``VideosQuery``, the view, the params as given and those dropped as invalid, and the URLs of
changed states) and :func:`parse_state`, with the names of the params that make up a state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from plugin_sdk.http import validate_dropping
from plugin_sdk.links import links_available
from plugins_builtin.videos.models import VideoSeries
from plugins_builtin.videos.routes.query import VideosQuery, videos_query

VIEWS = ("series", "grid", "list")

FILTER_PARAMS = (
    "search", "kind", "series", "season", "resolution", "codec", "durationMin", "durationMax",
    "dateFrom", "dateTo", "ratingMin", "ratingMax", "organized", "played", "root",
)  # fmt: skip
LINK_PARAMS = ("tags", "performers", "studio")  # offered when a plugin keeps links; tags/performers repeat
SORT_PARAMS = ("sort", "order")
STATE_PARAMS = ("view", *FILTER_PARAMS, *LINK_PARAMS, *SORT_PARAMS)


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
    query, raw, ignored = validate_dropping(videos_query(), raw)
    view = args.get("view", "")
    explicit = view in VIEWS
    if not explicit:
        has_series = db.execute(select(VideoSeries.id).limit(1)).first() is not None
        view = "series" if has_series else "grid"
    return BrowseState(query=query, view=view, explicit_view=explicit, params=raw, ignored=ignored)
