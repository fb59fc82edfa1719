"""StashBox endpoint routes: ``GET|POST /api/stashbox-endpoints``,
``GET|PATCH|DELETE /api/stashbox-endpoints/<id>``, ``POST /api/stashbox-endpoints/<id>/test``,
``POST /api/stashbox-endpoints/<id>/lookup/{performer,studio,tag}`` and
``POST /api/stashbox-endpoints/<id>/identify-performer``; the contribution routes are in
``contribute_routes``.

No answer holds the API key: they say ``apiKeySet``. The scrape routes under
``/api/stashbox-endpoints/<id>/…`` (``scrape``, ``scrape-performer``, ``scrape-bulk``,
``identify``) belong to the ``metadata`` plugin, which runs this plugin's ``MetadataSource``;
``identify-performer`` is an alias of its ``scrape-performer``, reached through the app's URL map
(this plugin does not import ``metadata``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import Field
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound

from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, model_from, ok
from plugins_builtin.stashbox import endpoints, lookups
from plugins_builtin.stashbox.contribute_routes import add_contribute_routes
from plugins_builtin.stashbox.models import DEFAULT_MAX_REQUESTS_PER_MINUTE, StashBoxEndpointRow

RATE_MAX = 60_000
PATTERNS_MAX = 200


class EndpointIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    endpoint: str = Field(min_length=1, max_length=2000)
    """The server's GraphQL URL (``https://stashdb.org/graphql``)."""
    api_key: str | None = Field(None, max_length=2000)
    max_requests_per_minute: int = Field(DEFAULT_MAX_REQUESTS_PER_MINUTE, ge=1, le=RATE_MAX)
    exclude_tag_patterns: list[str] = Field(default_factory=list, max_length=PATTERNS_MAX)
    """Regular expressions; scraped tags whose name matches one are dropped."""
    enabled: bool = True
    submit_md5: bool = True
    """Submit MD5 fingerprints too (Stash does; newer stash-box servers ignore them)."""


class EndpointPatch(ApiModel):
    """The fields to change; ``apiKey: null`` (or ``""``) removes the key."""

    name: str | None = Field(None, min_length=1, max_length=200)
    endpoint: str | None = Field(None, min_length=1, max_length=2000)
    api_key: str | None = Field(None, max_length=2000)
    max_requests_per_minute: int | None = Field(None, ge=1, le=RATE_MAX)
    exclude_tag_patterns: list[str] | None = Field(None, max_length=PATTERNS_MAX)
    enabled: bool | None = None
    submit_md5: bool | None = None


class EndpointOut(ApiModel):
    id: str
    name: str
    endpoint: str
    api_key_set: bool
    """Whether a key is stored (the key itself is never answered)."""
    max_requests_per_minute: int
    exclude_tag_patterns: list[str]
    enabled: bool
    submit_md5: bool
    created_at: datetime
    updated_at: datetime


class TestOut(ApiModel):
    name: str
    """The name of the key's user on the server."""


class DeletedOut(ApiModel):
    deleted: str


class LookupIn(ApiModel):
    query: str = Field(min_length=1, max_length=200)
    """A name, or the object's id on the server."""


class LookupItem(ApiModel):
    remote_id: str | None = None
    name: str | None = None
    raw: dict[str, Any]
    """The object in Stash's scraped shape (``ScrapedPerformer`` / ``ScrapedStudio`` / ``ScrapedTag``)."""


class LookupOut(ApiModel):
    results: list[LookupItem]


class IdentifyPerformerIn(ApiModel):
    """As ``scrape-performer``: the performer, and optionally how (by default its stash id on
    this endpoint, else its name)."""

    performer_id: str = Field(min_length=1, max_length=64)
    action: str | None = Field(None, max_length=64)
    """``findById`` or ``searchByName``."""
    url: str | None = Field(None, max_length=4000)
    query: str | None = Field(None, max_length=500)


def endpoint_out(row: StashBoxEndpointRow) -> EndpointOut:
    return model_from(EndpointOut, row, api_key_set=bool(row.api_key),
                      exclude_tag_patterns=list(row.exclude_tag_patterns or []))  # fmt: skip


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValidationError("body.name: must not be blank.")
    return name


def _url(db: Any, value: str, other_than: str | None = None) -> str:
    url = endpoints.check_url(value)
    if endpoints.taken(db, url, other_than=other_than):
        raise ConflictError(f"An endpoint for {url[:200]} is already configured.", code="endpoint_exists")
    return url


def make_blueprint() -> Blueprint:
    bp = Blueprint("stashbox_api", __name__)

    @api_route(bp, "/api/stashbox-endpoints", response=list[EndpointOut])
    def list_endpoints() -> Any:
        """The configured StashBox endpoints, by name."""
        return ok([endpoint_out(row) for row in endpoints.listed(get_db())])

    @api_route(bp, "/api/stashbox-endpoints", ["POST"], body=EndpointIn, response=EndpointOut, status=201)
    def create(body: EndpointIn) -> Any:
        """Add a StashBox endpoint (its API key is stored encrypted)."""
        db = get_db()
        row = StashBoxEndpointRow(
            name=_name(body.name), endpoint=_url(db, body.endpoint), api_key=endpoints.encrypt_key(body.api_key),
            max_requests_per_minute=body.max_requests_per_minute,
            exclude_tag_patterns=endpoints.check_patterns(body.exclude_tag_patterns), enabled=body.enabled,
            submit_md5=body.submit_md5,
        )  # fmt: skip
        db.add(row)
        db.commit()
        return ok(endpoint_out(row), status=201)

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>", response=EndpointOut)
    def get_endpoint(endpoint_id: str) -> Any:
        """One StashBox endpoint."""
        return ok(endpoint_out(endpoints.get(get_db(), endpoint_id)))

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>", ["PATCH"], body=EndpointPatch, response=EndpointOut)
    def patch(endpoint_id: str, body: EndpointPatch) -> Any:
        """Change an endpoint: only the fields given."""
        db = get_db()
        row = endpoints.get(db, endpoint_id)
        given = body.model_fields_set
        if not given:
            raise ValidationError("body: give at least one field to change.")
        for key in ("name", "endpoint", "max_requests_per_minute", "exclude_tag_patterns", "enabled", "submit_md5"):
            if key in given and getattr(body, key) is None:
                raise ValidationError(f"body.{key}: must not be null.")
        if body.name is not None:
            row.name = _name(body.name)
        if body.endpoint is not None:
            row.endpoint = _url(db, body.endpoint, other_than=row.id)
        if "api_key" in given:
            row.api_key = endpoints.encrypt_key(body.api_key)
        if body.max_requests_per_minute is not None:
            row.max_requests_per_minute = body.max_requests_per_minute
        if body.exclude_tag_patterns is not None:
            row.exclude_tag_patterns = endpoints.check_patterns(body.exclude_tag_patterns)
        if body.enabled is not None:
            row.enabled = body.enabled
        if body.submit_md5 is not None:
            row.submit_md5 = body.submit_md5
        db.commit()
        return ok(endpoint_out(row))

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>", ["DELETE"], response=DeletedOut)
    def delete(endpoint_id: str) -> Any:
        """Remove an endpoint (its stash ids stay: they name the server by URL)."""
        db = get_db()
        row = endpoints.get(db, endpoint_id)
        db.delete(row)
        db.commit()
        return ok({"deleted": endpoint_id})

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>/test", ["POST"], response=TestOut)
    def test(endpoint_id: str) -> Any:
        """Check the server and the key with ``query Me { me { name } }``: the key's user name, or
        a clear error (``bad_api_key`` 400; ``unreachable`` / ``not_graphql`` 502)."""
        db = get_db()
        row = endpoints.get(db, endpoint_id)
        client = endpoints.client(row, attempts=1)
        db.commit()  # the request may take long: hold no transaction meanwhile
        return ok(TestOut(name=client.me()))

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>/lookup/<kind>", ["POST"], body=LookupIn,
               response=LookupOut)  # fmt: skip
    def lookup(endpoint_id: str, kind: str, body: LookupIn) -> Any:
        """Look a performer, studio or tag up by name or stash id (``kind``: ``performer``,
        ``studio`` or ``tag``)."""
        if kind not in lookups.KINDS:
            raise NotFoundError(f"Nothing to look up as '{kind[:32]}' (one of {', '.join(lookups.KINDS)}).")
        db = get_db()
        row = endpoints.get(db, endpoint_id)
        if not row.enabled:
            raise ConflictError(f"{row.name} is disabled.", code="endpoint_disabled")
        if not body.query.strip():
            raise ValidationError("body.query: must not be blank.")
        client = endpoints.client(row)
        db.commit()
        return ok({"results": lookups.lookup(client, kind, body.query)})

    @api_route(bp, "/api/stashbox-endpoints/<endpoint_id>/identify-performer", ["POST"], body=IdentifyPerformerIn)
    def identify_performer(endpoint_id: str, body: IdentifyPerformerIn) -> Any:
        """Identify a performer on this endpoint: pending performer results, exactly as the
        metadata plugin's ``scrape-performer`` makes them (its view answers)."""
        endpoints.get(get_db(), endpoint_id)
        return scrape_performer_view(endpoint_id)

    add_contribute_routes(bp)
    return bp


def scrape_performer_view(endpoint_id: str) -> Any:
    """Answer this request with the view the app serves at
    ``POST /api/stashbox-endpoints/<id>/scrape-performer`` (the metadata plugin's), found in the
    URL map: the same body, the same answer. 404 when no loaded plugin serves it."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        name, args = adapter.match(f"/api/stashbox-endpoints/{endpoint_id}/scrape-performer", method="POST")
    except (RouteNotFound, MethodNotAllowed):
        raise NotFoundError("Identifying performers needs the metadata plugin, which is not loaded.",
                            code="plugin_missing") from None  # fmt: skip
    return current_app.view_functions[name](**args)
