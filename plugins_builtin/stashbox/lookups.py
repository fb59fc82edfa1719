"""Looking a performer, studio or tag up on a stash-box by name or by its id (Stash's "Search
StashBox" on those pages): a stash id is found with ``findPerformer`` / ``findStudio`` / ``findTag``;
a name is searched with ``searchPerformer``, ``findStudio(name)`` or ``queryTags`` (exact names
first). Answers are in Stash's scraped shapes (``ScrapedPerformer``, ``ScrapedStudio``,
``ScrapedTag``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from plugins_builtin.stashbox import convert
from plugins_builtin.stashbox.client import StashBoxClient
from plugins_builtin.stashbox.source import is_remote_id

KINDS = ("performer", "studio", "tag")
MAX_RESULTS = 25


def _performers(client: StashBoxClient, query: str) -> list[Mapping[str, Any] | None]:
    if is_remote_id(query):
        return [client.find_performer(query.lower())]
    return list(client.search_performer(query)[:MAX_RESULTS])


def _studios(client: StashBoxClient, query: str) -> list[Mapping[str, Any] | None]:
    if is_remote_id(query):
        return [client.find_studio(studio_id=query.lower())]
    return [client.find_studio(name=query)]


def _tags(client: StashBoxClient, query: str) -> list[Mapping[str, Any] | None]:
    if is_remote_id(query):
        return [client.find_tag(tag_id=query.lower())]
    wanted = query.casefold()
    found = client.query_tags(query, per_page=MAX_RESULTS)
    return sorted(found, key=lambda t: str(t.get("name", "")).casefold() != wanted)  # exact names first, stable


FINDERS: dict[str, tuple[Callable[[StashBoxClient, str], list[Mapping[str, Any] | None]],
                         Callable[[Mapping[str, Any]], dict[str, Any]]]] = {
    "performer": (_performers, convert.performer),
    "studio": (_studios, convert.studio),
    "tag": (_tags, convert.tag),
}  # fmt: skip


def lookup(client: StashBoxClient, kind: str, query: str) -> list[dict[str, Any]]:
    """``[{"remoteId", "name", "raw"}]`` for ``query`` (a name, or a stash id) of ``kind``."""
    find, shape = FINDERS[kind]
    found = [item for item in find(client, query.strip()) if item]
    return [{"remoteId": item.get("id"), "name": item.get("name"), "raw": shape(item)} for item in found]
