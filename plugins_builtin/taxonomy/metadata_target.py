"""Performers as a metadata target: what a ``performerByFragment`` scraper gets, and applying an
accepted ``ScrapedPerformer`` (Stash's "Scrape with…" on a performer page)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata, MetadataTarget
from plugin_sdk.errors import NotFoundError, ObscuraError
from plugins_builtin.taxonomy import pictures
from plugins_builtin.taxonomy.edit import apply_fields, flush_unique
from plugins_builtin.taxonomy.kinds import PERFORMERS, STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.links import apply_changes
from plugins_builtin.taxonomy.models import Performer

COLUMNS = {
    "name": "name", "disambiguation": "disambiguation", "gender": "gender", "birthdate": "birthdate",
    "country": "country", "ethnicity": "ethnicity", "eyeColor": "eye_color", "hairColor": "hair_color",
    "height": "height", "weight": "weight", "measurements": "measurements", "tattoos": "tattoos",
    "piercings": "piercings", "details": "details",
}  # fmt: skip
NOT_KEPT = ("deathDate", "fakeTits")
_YEARS = re.compile(r"\b(19\d\d|20\d\d)\b")


def _fragment(p: Performer) -> dict[str, Any]:
    career = "-".join(str(y) for y in (p.career_start, p.career_end) if y) or None
    return {
        "stored_id": p.id, "name": p.name, "disambiguation": p.disambiguation, "gender": p.gender,
        "url": (p.urls or [None])[0], "urls": p.urls or [], "birthdate": p.birthdate, "ethnicity": p.ethnicity,
        "country": p.country, "eye_color": p.eye_color, "height": str(p.height) if p.height else None,
        "measurements": p.measurements, "career_length": career, "tattoos": p.tattoos, "piercings": p.piercings,
        "aliases": ", ".join(p.aliases or []) or None, "details": p.details, "hair_color": p.hair_color,
        "weight": str(p.weight) if p.weight else None,
    }  # fmt: skip


def describe(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(Performer).where(Performer.id.in_(list(ids)))).all() if ids else []
    return {p.id: _fragment(p) for p in rows}


def _career(value: Any) -> dict[str, int | None]:
    years = [int(y) for y in _YEARS.findall(str(value or ""))]
    if not years:
        return {}
    ongoing = str(value).rstrip().endswith(("-", "present", "Present"))
    return {"career_start": years[0], "career_end": None if ongoing or len(years) < 2 else years[-1]}


def apply(db: Session, performer_id: str, accepted: AcceptedMetadata) -> list[str]:
    row = db.get(Performer, performer_id)
    if row is None:
        raise NotFoundError(f"Performer {performer_id} not found.")
    fields = accepted.fields
    changes: dict[str, Any] = {COLUMNS[k]: v for k, v in fields.items() if k in COLUMNS}
    if "aliases" in fields:
        changes["aliases"] = [*(row.aliases or []), *fields["aliases"]]
    if "urls" in fields:
        changes["urls"] = [*(row.urls or []), *fields["urls"]]
    changes.update(_career(fields.get("careerLength")))
    warnings = [f"{k} not applied: performers do not keep it" for k in NOT_KEPT if k in fields]
    apply_fields(db, PERFORMERS, row, changes)
    flush_unique(db, PERFORMERS, row)
    if fields.get("tags"):
        apply_changes(db, "performer", [row.id], {"tag_names": list(fields["tags"])})
    if accepted.image:
        try:
            row.image_format = pictures.store(PERFORMERS.plural, row.id, accepted.image)
            row.image_at = datetime.now(UTC)
            row.image_source = None  # chosen here: an import never replaces it
        except ObscuraError as exc:
            warnings.append(f"image not applied: {exc.message}")
    return warnings


def _named(kind: Kind, **extra: Callable[[Any], Any]) -> Callable[[Session, Sequence[str]], dict[str, Any]]:
    """``describe`` of studios or tags: Stash's scraped shape of their own fields."""

    def describe_rows(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows = db.scalars(select(kind.model).where(kind.model.id.in_(list(ids)))).all() if ids else []
        return {r.id: {"stored_id": r.id, "name": r.name, "aliases": ", ".join(r.aliases or []) or None,
                       **{k: get(r) for k, get in extra.items()}} for r in rows}  # fmt: skip

    return describe_rows


def _apply_named(kind: Kind, columns: Mapping[str, str]) -> Callable[[Session, str, AcceptedMetadata], list[str]]:
    """``apply`` of studios or tags: their fields, aliases added to the current ones."""

    def apply_row(db: Session, entity_id: str, accepted: AcceptedMetadata) -> list[str]:
        row = db.get(kind.model, entity_id)
        if row is None:
            raise NotFoundError(f"{kind.key.capitalize()} {entity_id} not found.")
        fields = accepted.fields
        changes: dict[str, Any] = {columns[k]: v for k, v in fields.items() if k in columns}
        if "aliases" in fields:
            changes["aliases"] = [*(row.aliases or []), *fields["aliases"]]
        if fields.get("urls") and hasattr(row, "url"):
            changes["url"] = row.url or fields["urls"][0]
            changes["urls"] = [*(row.urls or []), *fields["urls"]]
        apply_fields(db, kind, row, changes)
        flush_unique(db, kind, row)
        warnings = [f"{k} not applied: {kind.plural} do not keep it" for k in ("parent",) if k in fields]
        if accepted.image:
            try:
                row.image_format = pictures.store(kind.plural, row.id, accepted.image)
                row.image_at = datetime.now(UTC)
                row.image_source = None  # chosen here: an import never replaces it
            except ObscuraError as exc:
                warnings.append(f"image not applied: {exc.message}")
        return warnings

    return apply_row


def targets() -> list[MetadataTarget]:
    """``obscura_metadata_targets``: performers (``POST /api/performers/<id>/apply-scrape``),
    studios and tags (their StashBox matches, stash ids)."""
    return [
        MetadataTarget(
            "performer", "performer", "performerId", ("performers",),
            describe=describe, apply=apply, verb="apply-scrape", label="performer",
        ),
        MetadataTarget(
            "studio", "studio", "studioId", ("studios",), verb="apply-scrape", label="studio",
            describe=_named(STUDIOS, url=lambda r: r.url, details=lambda r: r.details),
            apply=_apply_named(STUDIOS, {"name": "name", "details": "details"}),
        ),
        MetadataTarget(
            "tag", "tag", "tagId", ("tags",), verb="apply-scrape", label="tag",
            describe=_named(TAGS, description=lambda r: r.description),
            apply=_apply_named(TAGS, {"name": "name", "details": "description"}),
        ),
    ]  # fmt: skip
