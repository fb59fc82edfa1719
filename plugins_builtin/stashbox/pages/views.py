"""What the stashbox pages show of the endpoints, and reading their query strings: anything
malformed is a 400 with a reason, never a 500 (HTML pages answer with Werkzeug's error page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk.pages import bad_query as bad
from plugins_builtin.stashbox import endpoints
from plugins_builtin.stashbox.models import StashBoxEndpointRow

ID_MAX = 64
GRAPHQL_SUFFIX = "/graphql"
REMOTE_KINDS = {"video": "scenes", "performer": "performers", "studio": "studios", "tag": "tags"}
"""Entity types with stash ids → the stash-box site's path for that kind (``/scenes/<id>``)."""


def site_url(endpoint: str) -> str:
    """The stash-box's web site for its GraphQL URL: the URL minus ``/graphql`` (and a trailing slash)."""
    url = endpoint.strip().rstrip("/")
    if url.lower().endswith(GRAPHQL_SUFFIX):
        url = url[: -len(GRAPHQL_SUFFIX)]
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class EndpointView:
    """One configured endpoint as the pages show it (never its key)."""

    id: str
    name: str
    endpoint: str
    site: str
    api_key_set: bool
    max_requests_per_minute: int
    exclude_tag_patterns: tuple[str, ...]
    enabled: bool
    submit_md5: bool = True

    def brief(self) -> dict[str, Any]:
        """What the browser needs to label a stash id: ``{id, name, endpoint, site, enabled}``."""
        return {"id": self.id, "name": self.name, "endpoint": self.endpoint, "site": self.site,
                "enabled": self.enabled}  # fmt: skip


def endpoint_view(row: StashBoxEndpointRow) -> EndpointView:
    return EndpointView(
        id=row.id, name=row.name, endpoint=row.endpoint, site=site_url(row.endpoint), api_key_set=bool(row.api_key),
        max_requests_per_minute=row.max_requests_per_minute,
        exclude_tag_patterns=tuple(row.exclude_tag_patterns or ()), enabled=row.enabled,
        submit_md5=bool(row.submit_md5),
    )  # fmt: skip


def endpoint_views(db: Session) -> list[EndpointView]:
    """Every configured endpoint, by name."""
    return [endpoint_view(row) for row in endpoints.listed(db)]


# ------------------------------------------------------------------------------------------ query strings


def id_list(raw: str | None, name: str, limit: int) -> list[str]:
    """A comma-separated list of ids (``?ids=a,b``), each at most 64 characters, at most ``limit``,
    without repeats (in the order given)."""
    ids = list(dict.fromkeys(part.strip() for part in (raw or "").split(",") if part.strip()))
    if len(ids) > limit or any(len(i) > ID_MAX for i in ids):
        bad(f"query.{name}: at most {limit} ids of at most {ID_MAX} characters, separated by commas.")
    return ids


def ordered(found: dict[str, Any], ids: Sequence[str]) -> list[tuple[str, Any]]:
    """``(id, value)`` of the ids ``found`` has, in the order of ``ids``."""
    return [(i, found[i]) for i in ids if i in found]
