"""The CommunityScrapers index: where it is, reading and caching it, and comparing versions.

The index is a YAML list of ``{id, name, version, date, path, sha256, requires?}`` (what
CommunityScrapers' ``build_site.sh`` publishes); ``path`` is the package's zip, relative to the
index. Its location is ``OBSCURA_SCRAPER_INDEX_URL`` (read at each call), an ``http(s)://`` URL, a
``file://`` URL or a path, to the ``index.yml`` or to the folder holding it. A read index is kept
in this process for five minutes.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from plugin_sdk.remote import (
    FetchError,
    IndexCache,
    IndexUnavailableError,
    Location,
    PackageEntry,
    PackageIndex,
    fetch_index,
    parse_location,
    yaml_list,
)

ENV = "OBSCURA_SCRAPER_INDEX_URL"
DEFAULT_INDEX_URL = "https://stashapp.github.io/CommunityScrapers/stable/index.yml"
CACHE_TTL_S = 300.0
INDEX_MAX_BYTES = 20 * 1024 * 1024


IndexEntry = PackageEntry
"""One package of the index."""


class Index(PackageIndex[IndexEntry]):
    """A read CommunityScrapers index."""


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


_cache: IndexCache[Index] = IndexCache(CACHE_TTL_S)
_WHAT = "scraper index"


def load_index(force: bool = False) -> Index:
    """The index, from this process's cache when read less than five minutes ago (and not ``force``).

    :raises IndexUnavailableError: (502) unreachable, missing, too large or malformed.
    """
    source = index_source()

    def load() -> Index:
        location = index_location(source)
        return fetch_index(source, location, limit=INDEX_MAX_BYTES, what=_WHAT, parse=parse_index, index_class=Index)

    return _cache.get(source, load, refresh=force)


def cached_index() -> Index | None:
    """The last index read from the configured location (however old), without reading it."""
    return _cache.last(index_source())


def clear_cache() -> None:
    """Forget every read index (tests, and a changed location)."""
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
    doc = yaml_list(raw, where, _WHAT, getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # every scalar as text
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
