"""The Obscura community plugin index: where it is, reading and caching it.

``OBSCURA_PLUGIN_INDEX_URL`` (read at each call; default the community repository on GitHub) is an
``http(s)://`` base, a ``file://`` URL or a path: a folder (or a URL not ending in ``.yml``) means
the ``index.yml`` inside it. The index is a YAML list of ``{id, name, version, date, path, sha256,
runtime, isNsfw, capabilities, description, author, requires}``; ``path`` (the package's zip) is
relative to the index. A read index is kept in this process for five minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from plugin_sdk.remote import (
    INDEX_FILE,
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
from plugins_builtin.packages.manifest import TextScalarsLoader, valid_plugin_id

ENV = "OBSCURA_PLUGIN_INDEX_URL"
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/pauljoda/obscura-community-plugins/main"
CACHE_TTL_S = 300.0
INDEX_MAX_BYTES = 5 * 1024 * 1024


PluginIndexError = IndexUnavailableError
"""502: the plugin index could not be read (``index_unavailable``), or is not an index (``index_invalid``)."""
_WHAT = "plugin index"


@dataclass(frozen=True)
class IndexEntry(PackageEntry):
    """One plugin the index offers (``sha256`` ``None``: the zip installs unverified)."""

    runtime: str | None = None
    is_nsfw: bool = False
    capabilities: dict[str, bool] = field(default_factory=dict)
    description: str | None = None
    author: str | None = None


class PluginIndex(PackageIndex[IndexEntry]):
    """A read plugin index."""

    @property
    def is_default(self) -> bool:
        """The community index Obscura points at by default."""
        return self.source.rstrip("/") == DEFAULT_INDEX_URL

    def zip_location(self, entry: IndexEntry) -> Location:
        """Where ``entry``'s zip is (its ``path`` seen from the index file)."""
        try:
            return self.location.join(entry.path)
        except FetchError as exc:
            raise PluginIndexError(f"The plugin index's path for {entry.id} is not usable: {exc}") from None


def index_source() -> str:
    """The configured index (``OBSCURA_PLUGIN_INDEX_URL``, else the community repository)."""
    return os.environ.get(ENV, "").strip() or DEFAULT_INDEX_URL


def index_location(source: str | None = None) -> Location:
    """Where the index file is: a folder or a base URL means its ``index.yml``.

    :raises PluginIndexError: an unusable location (``ftp://``…).
    """
    source = source or index_source()
    try:
        location = parse_location(source, index=True)
    except FetchError as exc:
        raise PluginIndexError(f"The plugin index location is not usable: {exc}") from None
    if location.url is not None and not location.url.lower().endswith((".yml", ".yaml")):
        location = Location(url=location.url.rstrip("/") + "/" + INDEX_FILE)
    return location


_cache: IndexCache[PluginIndex] = IndexCache(CACHE_TTL_S)


def load_index(refresh: bool = False) -> PluginIndex:
    """The index, from this process's cache when read less than five minutes ago (unless ``refresh``).

    :raises PluginIndexError: (502) unreachable, missing, too large or not an index.
    """
    source = index_source()

    def load() -> PluginIndex:
        location = index_location(source)
        return fetch_index(
            source, location, limit=INDEX_MAX_BYTES, what=_WHAT, parse=parse_index, index_class=PluginIndex
        )

    return _cache.get(source, load, refresh=refresh)


def clear_cache() -> None:
    """Forget every read index (tests, and a changed location)."""
    _cache.clear()


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _entry(item: dict[str, Any]) -> IndexEntry | None:
    """One entry, or ``None`` when it has no usable id or path (it is left out)."""
    plugin_id, path = _text(item.get("id")), _text(item.get("path"))
    if plugin_id is None or path is None or not valid_plugin_id(plugin_id):
        return None
    caps = item.get("capabilities")
    requires = item.get("requires") or []
    return IndexEntry(
        id=plugin_id,
        name=_text(item.get("name")) or plugin_id,
        version=_text(item.get("version")),
        date=_text(item.get("date")),
        path=path,
        sha256=(_text(item.get("sha256")) or "").lower() or None,
        runtime=_text(item.get("runtime")),
        is_nsfw=item.get("isNsfw") is True,
        capabilities={str(k): v for k, v in caps.items() if isinstance(v, bool)} if isinstance(caps, dict) else {},
        description=_text(item.get("description")),
        author=_text(item.get("author")),
        requires=tuple(r for r in (_text(x) for x in (requires if isinstance(requires, list) else [requires])) if r),
    )


def parse_index(raw: bytes, where: str = "index") -> dict[str, IndexEntry]:
    """The entries of an index document, by id (entries without an id or path are left out).

    :raises PluginIndexError: not YAML, or not a list of entries.
    """
    doc = yaml_list(raw, where, _WHAT, TextScalarsLoader)
    entries: dict[str, IndexEntry] = {}
    for item in doc:
        entry = _entry(item) if isinstance(item, dict) else None
        if entry is not None:
            entries[entry.id] = entry
    return entries
