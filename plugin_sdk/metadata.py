"""Metadata sources and targets of the loaded plugins, and the Stash-shaped fragments targets give.

A *source* (``obscura_metadata_sources``) proposes results for an entity; a *target*
(``obscura_metadata_targets``) describes its entities to sources and applies accepted results to
its own rows. The plugin keeping scrape results reads both from here; nobody imports anybody::

    @hookimpl
    def obscura_metadata_targets():
        return [MetadataTarget("video", "scene", "videoId", ("videos",), describe=describe, apply=apply)]

    def describe(db, ids):
        return {v.id: scene_fragment(v.id, title=v.title, path=v.file_path, oshash=v.oshash) for v in rows(db, ids)}
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from plugin_sdk.errors import ConflictError
from plugin_sdk.types import AcceptedMetadata, LinkKind, MetadataSource, MetadataStore, MetadataTarget


def _registry() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime().registry


def metadata_sources() -> dict[str, MetadataSource]:
    """``{kind: source}`` of the loaded plugins (``obscura_metadata_sources``)."""
    return {kind: src for kind, (_, src) in _registry().metadata_sources.items()}


def metadata_targets() -> dict[str, MetadataTarget]:
    """``{entity type: target}`` of the loaded plugins (``obscura_metadata_targets``)."""
    return {kind: tgt for kind, (_, tgt) in _registry().metadata_targets.items()}


def metadata_store() -> MetadataStore:
    """The plugin keeping scrape results (``obscura_metadata_store``); a 409 when none is loaded."""
    found = _registry().metadata_store
    if found is None:
        message = "Scrape results are kept by the metadata plugin, which is not loaded."
        raise ConflictError(message, code="plugin_missing")
    return found[1]


def scene_fragment(
    entity_id: str,
    *,
    title: str | None = None,
    code: str | None = None,
    urls: Sequence[str] = (),
    date_value: date | str | None = None,
    details: str | None = None,
    director: str | None = None,
    path: str | None = None,
    size: int | None = None,
    duration: float | None = None,
    width: int | None = None,
    height: int | None = None,
    video_codec: str | None = None,
    audio_codec: str | None = None,
    frame_rate: float | None = None,
    bit_rate: int | None = None,
    md5: str | None = None,
    oshash: str | None = None,
    phash: str | None = None,
) -> dict[str, Any]:
    """A scene as Stash hands it to a ``sceneByFragment`` scraper (its stored-scene JSON).

    The title falls back to the file's name, as in Stash; fingerprints are ``md5``, ``oshash``
    and ``phash`` (16 hex digits).
    """
    fingerprints = [
        {"type": kind, "fingerprint": value}
        for kind, value in (("oshash", oshash), ("md5", md5), ("phash", phash))
        if value
    ]
    files = []
    if path:
        files.append({
            "path": path, "basename": os.path.basename(path), "size": size, "duration": duration,
            "width": width, "height": height, "video_codec": video_codec, "audio_codec": audio_codec,
            "frame_rate": frame_rate, "bitrate": bit_rate, "fingerprints": fingerprints,
        })  # fmt: skip
    day = date_value.isoformat() if isinstance(date_value, date) else date_value
    return {
        "id": entity_id,
        "title": title or (os.path.basename(path) if path else None),
        "code": code,
        "url": urls[0] if urls else None,
        "urls": list(urls),
        "date": day or None,
        "details": details,
        "director": director,
        "files": files,
    }


STASH_RELATIONS = ("studio", "performers", "tags")
"""The relations of Stash's scraped results: accepted fields naming linked entities."""


def linked_fields() -> dict[str, LinkKind]:
    """``{accepted field: link kind}``: the relations (``performers``…) a loaded plugin keeps
    links for (``LinkKind.scraped``)."""
    from plugin_sdk.links import link_kinds

    return {kind.scraped: kind for kind in link_kinds() if kind.scraped}


NAME_LISTS = ("performers", "tags")
"""Accepted fields naming linked entities by the list."""


def with_current_names(db: Any, entity_type: str, entity_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with the entity's current performers and tags kept, as in Stash's scrape dialog:
    accepting never unlinks a name (the current ones first, then the new ones, without
    duplicates). Fields without those lists are returned as they are."""
    out = dict(fields)
    wanted = [key for key in NAME_LISTS if key in out]
    if not wanted:
        return out
    from plugin_sdk.links import links_for

    current = links_for(db, entity_type, [entity_id]).get(entity_id, {})
    for key in wanted:
        have = [c.get("name") for c in current.get(key) or [] if isinstance(c, Mapping)]
        merged: dict[str, str] = {}
        for name in [*have, *out[key]]:
            if isinstance(name, str) and name.strip():
                merged.setdefault(name.casefold(), name)
        out[key] = list(merged.values())
    return out


def accepted_changes(
    accepted: AcceptedMetadata, columns: Mapping[str, str], *, organized: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """An accepted result as the changes of a media PATCH (for ``plugin_sdk.edits.apply_patch``).

    :param columns: accepted field → the row's PATCH field (``{"title": "title", "details":
        "overview"}``); fields not named here and not linked are left out.
    :param organized: also set ``organized`` (Stash and the original do on accept).
    :return: ``(changes, warnings)``: studio, performers and tags go to the link fields of the
        plugin keeping links (a warning when none is loaded); a partial date (``2021-05``) is
        left out with a warning.
    """
    linked = linked_fields()
    changes: dict[str, Any] = {"organized": True} if organized else {}
    warnings: list[str] = []
    for key, value in accepted.fields.items():
        if key in linked or key in STASH_RELATIONS:
            kind = linked.get(key)
            if kind is None:
                warnings.append(f"{key} not applied: no loaded plugin keeps these links")
                continue
            names = [value] if isinstance(value, str) else list(value or [])
            changes[kind.field] = names if kind.many else (names[0] if names else "")
        elif key in columns:
            if key == "date" and isinstance(value, str) and len(value) != 10:
                warnings.append(f"date not applied: '{value}' is not a full date")
                continue
            changes[columns[key]] = value
    return changes, warnings
