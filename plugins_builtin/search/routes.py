"""``GET /api/search?q=&kinds=&limit=&offset=``: hits grouped by kind."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel, api_route, ok
from plugins_builtin.search.groups import LIMIT_MAX, OFFSET_MAX, clean_query, parse_kinds, run

DEFAULT_LIMIT = 8


class SearchQuery(ApiModel):
    q: str = Field("", max_length=1000, description="what to search for (trimmed, cut to 200 characters)")
    kinds: str | None = Field(None, max_length=400, description="comma-separated kinds, e.g. video,performer")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=LIMIT_MAX, description="hits per kind")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="hits of each kind to skip (paging one kind)")


class SearchItem(ApiModel):
    kind: str
    id: str
    title: str
    subtitle: str | None = None
    url: str
    thumbnail_url: str | None = None
    score: float


class SearchGroup(ApiModel):
    kind: str
    label: str
    has_more: bool
    items: list[SearchItem]


class SearchResults(ApiModel):
    query: str
    mode: str = Field(description="trigram (pg_trgm) or fallback")
    offset: int
    limit: int
    duration_ms: float
    groups: list[SearchGroup]


def make_api_blueprint() -> Blueprint:
    bp = Blueprint("search_api", __name__)

    @api_route(bp, "/api/search", query=SearchQuery, response=SearchResults)
    def search(query: SearchQuery) -> Any:
        """Search every kind: typos and partial words included, best first, grouped by kind."""
        q = clean_query(query.q)
        results = run(get_db(), q, parse_kinds(query.kinds), query.limit, query.offset)
        return ok(results.dump())

    return bp
