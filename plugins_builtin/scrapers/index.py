"""The CommunityScrapers index: where it is, reading and caching it, and comparing versions.

The index is a YAML list of ``{id, name, version, date, path, sha256, requires?}`` (what
CommunityScrapers' ``build_site.sh`` publishes); ``path`` is the package's zip, relative to the
index. Its location is ``OBSCURA_SCRAPER_INDEX_URL`` (read at each call), an ``http(s)://`` URL, a
``file://`` URL or a path, to the ``index.yml`` or to the folder holding it. A read index is kept
in this process for five minutes.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml

from plugin_sdk.errors import ObscuraError
from plugins_builtin.scrapers.fetch import FetchError, Location, parse_location, read

ENV = "OBSCURA_SCRAPER_INDEX_URL"
DEFAULT_INDEX_URL = "https://stashapp.github.io/CommunityScrapers/stable/index.yml"
CACHE_TTL_S = 300.0
INDEX_MAX_BYTES = 20 * 1024 * 1024


class IndexUnavailableError(ObscuraError):
    """502: the index could not be read, or is not a CommunityScrapers index."""

    status = 502
    code = "index_unavailable"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One package of the index."""

    id: str
    name: str
    version: str | None
    date: str | None
    path: str
    sha256: str | None
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Index:
    """A read index: where it came from, its entries by id, and when it was read."""

    source: str
    location: Location
    entries: dict[str, IndexEntry]
    fetched_at: datetime
    loaded_at: float = field(default=0.0, compare=False)

    def get(self, package_id: str) -> IndexEntry | None:
        return self.entries.get(package_id)


def index_source() -> str:
    """The configured index location (``OBSCURA_SCRAPER_INDEX_URL``, else CommunityScrapers' stable)."""
    return os.environ.get(ENV, "").strip() or DEFAULT_INDEX_URL


def index_location(source: str | None = None) -> Location:
    """Where the index file is (a folder means its ``index.yml``)."""
    source = source or index_source()
    try:
        return parse_location(source, index=True)
    except FetchError as exc:
        raise IndexUnavailableError(f"The scraper index location is not usable: {exc}") from None


_lock = threading.Lock()
_cache: dict[str, Index] = {}


def load_index(force: bool = False) -> Index:
    """The index, from this process's cache when read less than five minutes ago (and not ``force``).

    :raises IndexUnavailableError: (502) unreachable, missing, too large or malformed.
    """
    source = index_source()
    with _lock:
        cached = _cache.get(source)
        if cached is not None and not force and time.monotonic() - cached.loaded_at < CACHE_TTL_S:
            return cached
    location = index_location(source)
    try:
        raw = read(location, INDEX_MAX_BYTES)
    except FetchError as exc:
        raise IndexUnavailableError(f"The scraper index could not be read: {exc}") from None
    entries = parse_index(raw, str(location))
    index = Index(source, location, entries, datetime.now(UTC), loaded_at=time.monotonic())
    with _lock:
        _cache[source] = index
    return index


def cached_index() -> Index | None:
    """The last index read from the configured location (however old), without reading it."""
    with _lock:
        return _cache.get(index_source())


def clear_cache() -> None:
    """Forget every read index (tests, and a changed location)."""
    with _lock:
        _cache.clear()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_index(raw: bytes, where: str = "index") -> dict[str, IndexEntry]:
    """The entries of an index document, by id. Scalars are read as text (``version: 0123`` stays
    ``"0123"``, dates stay as written); entries without an ``id`` or ``path`` are left out.

    :raises IndexUnavailableError: not YAML, or not a list of entries.
    """
    try:
        doc = yaml.load(raw, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # BaseLoader: every scalar as text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise IndexUnavailableError(f"The scraper index {where} is not valid YAML{at}.", code="index_invalid") from None
    if not isinstance(doc, list):
        raise IndexUnavailableError(
            f"The scraper index {where} is not a list of packages.", code="index_invalid"
        ) from None
    entries: dict[str, IndexEntry] = {}
    for item in doc:
        if not isinstance(item, dict):
            continue
        package_id, path = _text(item.get("id")), _text(item.get("path"))
        if not package_id or not path:
            continue
        requires = item.get("requires") or []
        if not isinstance(requires, list):
            requires = [requires]
        entries[package_id] = IndexEntry(
            id=package_id,
            name=_text(item.get("name")) or package_id,
            version=_text(item.get("version")),
            date=_text(item.get("date")),
            path=path,
            sha256=(_text(item.get("sha256")) or "").lower() or None,
            requires=tuple(r for r in (_text(x) for x in requires if not isinstance(x, dict | list)) if r),
        )
    return entries


def _version_key(version: str) -> tuple[int, ...] | None:
    """``1.2.10`` → ``(1, 2, 10)``; ``None`` for a version that is not dotted numbers (a git hash)."""
    parts = version.lstrip("vV").split(".")
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def is_newer(entry: IndexEntry, version: str | None, date: str | None) -> bool:
    """Whether ``entry`` is an update of an installed ``version`` released at ``date``: a different
    version string, newer by date when both dates are known and differ, else by dotted version
    numbers when both are numbers; a different version that cannot be ordered counts as newer."""
    if entry.version is None or entry.version == version:
        return False
    if entry.date and date and entry.date != date:
        return entry.date > date  # "YYYY-MM-DD HH:MM:SS" orders as text
    new, old = _version_key(entry.version), _version_key(version or "")
    if new is not None and old is not None:
        return new > old
    return True
