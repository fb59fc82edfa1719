"""Stash rows (as :class:`~plugins_builtin.stash_import.reader.StashReader` yields them) → the
record fields each owning plugin's importer documents.

Pure functions: ids of other entities are resolved by the caller's ``ids`` (Stash id → id here),
paths by its :class:`~plugins_builtin.stash_import.paths.PathMap`. Image bytes are not read here:
a record names its blob (``cover_blob``…) and :mod:`.run` loads it only when the record is handed
over, so a re-run of an unchanged library reads no blobs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from plugins_builtin.stash_import.paths import PathMap, exists

Resolve = Callable[[Iterable[Any]], list[str]]
"""Stash ids → ids here, in order, leaving out the ones not imported."""

_CAREER = re.compile(r"^\s*(\d{4})\s*(?:-|–|—|to)?\s*(\d{4}|present|now|current)?\s*$", re.IGNORECASE)


def partial_date(value: str | None, precision: int | None) -> str | None:
    """Stash's date at its precision (75+: 0 day, 1 month, 2 year) as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    if not value:
        return None
    value = str(value)[:10]
    if precision == 2:
        return value[:4]
    if precision == 1:
        return value[:7]
    return value


def career(length: str | None) -> tuple[int | None, int | None, str | None]:
    """``career_length`` (free text such as ``2010 - 2015`` or ``2012-``) → (start, end, the text
    when it is not a span of years)."""
    if not length or not str(length).strip():
        return None, None, None
    m = _CAREER.match(str(length))
    if not m:
        return None, None, str(length).strip()
    end = m.group(2)
    return int(m.group(1)), int(end) if end and end.isdigit() else None, None


def _epoch(value: Any) -> float | None:
    return value.timestamp() if value is not None else None


def _on_disk(path: str, f: Mapping[str, Any]) -> tuple[int | None, float | None, Mapping[str, Any]]:
    """``(size, mtime, fingerprints)`` of a file as it is here: the disk's size and time (so our
    scans see it unchanged), ``mtime`` ``None`` when it is not on disk. A file whose size changed
    since Stash saw it has new content: its stored fingerprints are dropped (ours recompute them)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return f["size"], None, f["fingerprints"]
    if f["size"] is not None and st.st_size != f["size"]:
        return st.st_size, st.st_mtime, {}
    return st.st_size, st.st_mtime, f["fingerprints"]


def scene_video(scene: Mapping[str, Any], paths: PathMap) -> dict[str, Any] | None:
    """A scene's ``video`` record from its primary file (``None`` for a scene without files)."""
    files = scene["files"]
    if not files:
        return None
    f = files[0]
    path = paths.apply(f["path"])
    size, mtime, fp = _on_disk(path, f)
    return {
        "path": path,
        "missing": mtime is None,
        "size": size,
        "mtime": mtime if mtime is not None else _epoch(f["mod_time"]),
        "title": scene["title"] or None,
        "code": scene["code"] or None,
        "details": scene["details"] or None,
        "director": scene["director"] or None,
        "date": partial_date(scene["date"], scene["date_precision"]),
        "rating": scene["rating"],
        "organized": scene["organized"],
        "urls": list(scene["urls"]),
        "created_at": scene["created_at"],
        "updated_at": scene["updated_at"],
        "duration": f.get("duration"),
        "width": f.get("width"),
        "height": f.get("height"),
        "frame_rate": f.get("frame_rate"),
        "bit_rate": f.get("bit_rate"),
        "video_codec": f.get("video_codec") or None,
        "audio_codec": f.get("audio_codec") or None,
        "container": f.get("format") or None,
        "md5": fp.get("md5"),
        "oshash": fp.get("oshash"),
        "phash": fp.get("phash"),
        "play_count": scene["play_count"],
        "play_duration": float(scene["play_duration"] or 0),
        "resume_time": scene["resume_time"] or None,
        "play_history": list(scene["play_history"]),
        "o_counter": scene["o_counter"],
        "o_history": list(scene["o_history"]),
        "cover_blob": scene["cover_blob"],
        "interactive": bool(f.get("interactive")),
        "interactive_speed": f.get("interactive_speed"),
    }


def tag(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "sort_name": row["sort_name"] or None,
        "aliases": list(row["aliases"]),
        "description": row["description"] or None,
        "favorite": row["favorite"],
        "ignore_auto_tag": row["ignore_auto_tag"],
        "image_blob": row["image_blob"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def studio(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "aliases": list(row["aliases"]),
        "urls": list(row["urls"]),
        "details": row["details"] or None,
        "rating": row["rating"],
        "favorite": row["favorite"],
        "ignore_auto_tag": row["ignore_auto_tag"],
        "image_blob": row["image_blob"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def performer(row: Mapping[str, Any]) -> dict[str, Any]:
    start, end, length = career(row.get("career_length"))
    if row.get("career_start") is not None or row.get("career_end") is not None:  # newer Stash: two years
        start, end, length = row.get("career_start"), row.get("career_end"), None
    return {
        "name": row["name"],
        "disambiguation": row.get("disambiguation") or None,
        "aliases": list(row["aliases"]),
        "gender": row.get("gender") or None,
        "birthdate": partial_date(row.get("birthdate"), row.get("birthdate_precision")),
        "birthdate_precision": row.get("birthdate_precision"),
        "death_date": partial_date(row.get("death_date"), row.get("death_date_precision")),
        "country": row.get("country") or None,
        "ethnicity": row.get("ethnicity") or None,
        "eye_color": row.get("eye_color") or None,
        "hair_color": row.get("hair_color") or None,
        "height": row.get("height") or None,
        "weight": row.get("weight") or None,
        "measurements": row.get("measurements") or None,
        "fake_tits": row.get("fake_tits") or None,
        "penis_length": row.get("penis_length"),
        "circumcised": row.get("circumcised") or None,
        "tattoos": row.get("tattoos") or None,
        "piercings": row.get("piercings") or None,
        "career_start": start,
        "career_end": end,
        "career_length": length,
        "details": row.get("details") or None,
        "urls": list(row["urls"]),
        "favorite": row["favorite"],
        "rating": row.get("rating"),
        "ignore_auto_tag": row["ignore_auto_tag"],
        "custom_fields": dict(row["custom_fields"]),
        "image_blob": row.get("image_blob"),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def gallery(row: Mapping[str, Any], paths: PathMap) -> dict[str, Any]:
    path: str | None = None
    if row["kind"] == "folder":
        path = paths.apply(row["folder_path"])
    elif row["kind"] == "zip":
        path = paths.apply(row["files"][0]["path"])
    return {
        "kind": row["kind"],
        "path": path,
        "missing": path is not None and not exists(path),
        "title": row["title"] or None,
        "code": row["code"] or None,
        "details": row["details"] or None,
        "photographer": row["photographer"] or None,
        "date": partial_date(row["date"], row["date_precision"]),
        "rating": row["rating"],
        "organized": row["organized"],
        "urls": list(row["urls"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "chapters": [{"title": c["title"] or "", "image_index": c["image_index"]} for c in row["chapters"]],
    }


def image(row: Mapping[str, Any], paths: PathMap, galleries: Resolve, covers: Resolve) -> dict[str, Any] | None:
    """An ``image`` record from the image's primary file (a zip member: the zip and the member)."""
    if not row["files"]:
        return None
    f = row["files"][0]
    if f["zip_path"]:
        path = paths.apply(f["zip_path"])
        inner = f["path"]
        zip_prefix = f["zip_path"].rstrip("/\\")
        member = inner[len(zip_prefix) :].lstrip("/\\") if inner.startswith(zip_prefix) else f["basename"]
        member = member.replace("\\", "/")
    else:
        path, member = paths.apply(f["path"]), ""
    if member:  # a zip member: the zip's own size and time are not the member's
        present, fp = exists(path), f["fingerprints"]
        size, mtime = f["size"], _epoch(f["mod_time"])
    else:
        size, disk_mtime, fp = _on_disk(path, f)
        present = disk_mtime is not None
        mtime = disk_mtime if present else _epoch(f["mod_time"])
    return {
        "path": path,
        "member": member,
        "missing": not present,
        "size": size,
        "mtime": mtime,
        "width": f.get("width"),
        "height": f.get("height"),
        "format": f.get("format") or None,
        "md5": fp.get("md5"),
        "oshash": fp.get("oshash"),
        "phash": fp.get("phash"),
        "title": row["title"] or None,
        "code": row["code"] or None,
        "details": row["details"] or None,
        "photographer": row["photographer"] or None,
        "date": partial_date(row["date"], row["date_precision"]),
        "rating": row["rating"],
        "organized": row["organized"],
        "o_counter": row["o_counter"] or 0,
        "urls": list(row["urls"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "gallery_ids": galleries(row["gallery_ids"]),
        "cover_of": covers([row["id"]]),
    }


def marker(row: Mapping[str, Any], video_id: str, tags: Resolve) -> dict[str, Any]:
    primary = tags([row["primary_tag_id"]]) if row["primary_tag_id"] is not None else []
    return {
        "video_id": video_id,
        "title": row["title"] or "",
        "seconds": float(row["seconds"]),
        "end_seconds": float(row["end_seconds"]) if row["end_seconds"] is not None else None,
        "primary_tag_id": primary[0] if primary else None,
        "tag_ids": tags(row["tag_ids"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def links(
    entity_type: str,
    entity_id: str,
    *,
    tag_ids: list[str] | None = None,
    performer_ids: list[str] | None = None,
    studio_id: str | None = None,
) -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "tag_ids": tag_ids or [],
        "performer_ids": performer_ids or [],
        "studio_id": studio_id,
    }


def group(row: Mapping[str, Any], scene_ids: list[str], unmapped: list[str]) -> dict[str, Any]:
    """A Stash group (movie) → a manual collection of its scenes in the group's order."""
    desc = row["description"] or None
    extra = []
    for key, label in (("aliases", "aliases"), ("director", "director"), ("date", "date"), ("duration", "duration")):
        if row.get(key):
            extra.append(f"{label}: {row[key]}")
    if extra:
        desc = "\n".join(filter(None, [desc, " · ".join(extra)]))
    return {
        "name": row["name"],
        "description": desc,
        "mode": "manual",
        "rule_tree": None,
        "items": [{"entity_type": "video", "entity_id": s} for s in scene_ids],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "unmapped_fields": unmapped,
    }
