"""Configured endpoints: checking what the user gives, storing the key encrypted, and building a
client for a row.

The key is decrypted only to talk to the server, and kept decrypted in this process's memory
(keyed by its ciphertext, so a changed key is read again).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk import secrets
from plugin_sdk.errors import NotFoundError, ObscuraError, ValidationError
from plugins_builtin.stashbox.client import EndpointConfig, StashBoxClient
from plugins_builtin.stashbox.models import StashBoxEndpointRow
from plugins_builtin.stashbox.ratelimit import bucket_for

ID_MAX = 36


class SecretUnavailable(ObscuraError):
    """``OBSCURA_SECRET`` is missing or is not the one the key was stored with."""

    status = 400
    code = "secret_unavailable"


def check_url(value: str) -> str:
    """The endpoint URL, trimmed; an ``http(s)://host/…`` URL or a ``ValidationError``."""
    url = value.strip()
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValidationError("body.endpoint: the URL holds spaces or control characters.", code="invalid_endpoint")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"body.endpoint: '{url[:200]}' is not an http(s) URL (a stash-box's GraphQL endpoint looks like "
            "https://stashdb.org/graphql).",
            code="invalid_endpoint",
        )
    return url


def check_patterns(patterns: Iterable[str]) -> list[str]:
    """The exclude patterns, each a valid regular expression (blank ones dropped)."""
    out = []
    for i, pattern in enumerate(patterns):
        if not pattern.strip():
            continue
        try:
            re.compile(pattern.lower())
        except re.error as exc:
            raise ValidationError(
                f"body.excludeTagPatterns.{i}: '{pattern[:100]}' is not a regular expression ({exc}).",
                code="invalid_pattern",
            ) from None
        out.append(pattern)
    return out


def encrypt_key(api_key: str | None) -> str | None:
    """What is stored for ``api_key`` (``None`` for none); a key that cannot be an HTTP header value
    (spaces, control or non-ASCII characters) is refused."""
    key = (api_key or "").strip()
    if not key:
        return None
    if not key.isascii() or any(c.isspace() or not c.isprintable() for c in key):
        raise ValidationError("body.apiKey: an API key is printable ASCII without spaces.", code="invalid_api_key")
    try:
        return secrets.encrypt(key)
    except RuntimeError as exc:
        raise SecretUnavailable(f"The API key cannot be stored: {exc}.") from None


@functools.lru_cache(maxsize=64)
def _decrypted(stored: str) -> str:
    return secrets.decrypt(stored)


def api_key(row: StashBoxEndpointRow) -> str | None:
    """The endpoint's key in clear (only to send it to the server)."""
    if not row.api_key:
        return None
    try:
        return _decrypted(row.api_key)
    except secrets.DecryptionError:
        raise SecretUnavailable(
            f"The API key of {row.name} cannot be decrypted with the current OBSCURA_SECRET: enter it again."
        ) from None
    except RuntimeError as exc:
        raise SecretUnavailable(f"The API key of {row.name} cannot be read: {exc}.") from None


def find(db: Session, endpoint_id: str) -> StashBoxEndpointRow | None:
    """The row, or ``None`` (an id that cannot be one is simply unknown)."""
    if not endpoint_id or len(endpoint_id) > ID_MAX:
        return None
    return db.get(StashBoxEndpointRow, endpoint_id)


def get(db: Session, endpoint_id: str) -> StashBoxEndpointRow:
    """The row; ``NotFoundError`` if unknown."""
    row = find(db, endpoint_id)
    if row is None:
        raise NotFoundError(f"StashBox endpoint {endpoint_id[:64]} not found.", code="endpoint_not_found")
    return row


def enabled(db: Session, endpoint_id: str) -> StashBoxEndpointRow | None:
    """The row when it exists and is enabled."""
    row = find(db, endpoint_id)
    return row if row is not None and row.enabled else None


def listed(db: Session, *, only_enabled: bool = False) -> list[StashBoxEndpointRow]:
    """Every endpoint, by name."""
    stmt = select(StashBoxEndpointRow).order_by(func.lower(StashBoxEndpointRow.name), StashBoxEndpointRow.id)
    if only_enabled:
        stmt = stmt.where(StashBoxEndpointRow.enabled.is_(True))
    return list(db.scalars(stmt))


def taken(db: Session, url: str, *, other_than: str | None = None) -> bool:
    """Whether another endpoint already has this URL."""
    stmt = select(StashBoxEndpointRow.id).where(StashBoxEndpointRow.endpoint == url)
    if other_than is not None:
        stmt = stmt.where(StashBoxEndpointRow.id != other_than)
    return db.scalar(stmt.limit(1)) is not None


def config(row: StashBoxEndpointRow) -> EndpointConfig:
    """The client's view of a row (the key decrypted)."""
    return EndpointConfig(
        id=row.id, name=row.name, url=row.endpoint, api_key=api_key(row),
        max_requests_per_minute=row.max_requests_per_minute,
        exclude_tag_patterns=tuple(row.exclude_tag_patterns or ()),
    )  # fmt: skip


def client(row: StashBoxEndpointRow, **options: object) -> StashBoxClient:
    """A client for the row, behind the endpoint's shared rate limit."""
    cfg = config(row)
    return StashBoxClient(cfg, limiter=bucket_for(row.id, cfg.max_requests_per_minute), **options)  # type: ignore[arg-type]
