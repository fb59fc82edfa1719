"""Applying an accepted result: the ``metadata-import`` job's work, in one transaction.

The image is fetched first, outside the transaction (a failed fetch is a warning); then the
target plugin applies the kept fields to its row, a StashBox id is linked when the result has a
remote id, and the result is marked accepted. A result already accepted is left alone, so running
the job twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata
from plugin_sdk.errors import ConflictError, ValidationError
from plugin_sdk.links import links_for
from plugin_sdk.metadata import metadata_targets
from plugins_builtin.metadata import normalize, store
from plugins_builtin.metadata.images import ImageError, fetch_image
from plugins_builtin.metadata.models import ACCEPTED, ScrapeResultRow, StashIdRow

Log = Callable[[str, str], None]
NAME_LISTS = ("performers", "tags")


def check_mask(kind: str, fields: Iterable[str] | None) -> list[str] | None:
    """The requested field mask, checked against the kind's fields (``None``: every field)."""
    if fields is None:
        return None
    known = normalize.FIELDS.get(kind, normalize.SCENE_FIELDS)
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise ValidationError(f"body.fields: unknown field '{unknown[0]}' (one of {', '.join(known)}).")
    return list(dict.fromkeys(fields))


def check_acceptable(row: ScrapeResultRow) -> None:
    if row.status == ACCEPTED:
        raise ConflictError(f"Scrape result {row.id} was already accepted.", code="already_accepted")


def _image(fields: dict[str, Any], warnings: list[str], log: Log) -> tuple[bytes | None, str | None]:
    url = fields.pop("image", None)
    if not url:
        return None, None
    try:
        return fetch_image(url)
    except ImageError as exc:
        warnings.append(f"image not applied: {exc}")
        log("warning", f"image not applied: {exc}")
        return None, None


def _stash_id(db: Session, row: ScrapeResultRow, endpoint: str | None) -> None:
    if not (row.remote_id and endpoint):
        return
    stmt = pg_insert(StashIdRow).values(
        entity_type=row.entity_type, entity_id=row.entity_id, endpoint=endpoint, stash_id=row.remote_id
    )
    db.execute(stmt.on_conflict_do_update(constraint="uq_stash_ids_entity_endpoint", set_={"stash_id": row.remote_id}))


def apply_result(
    db: Session,
    result_id: str,
    *,
    fields: Iterable[str] | None = None,
    exclude_performers: Iterable[str] = (),
    exclude_tags: Iterable[str] = (),
    log: Log,
) -> dict[str, Any]:
    """Apply one result to its entity and commit; a result already accepted is reported, not redone."""
    row = store.get(db, result_id, lock=True)
    if row.status == ACCEPTED:
        db.rollback()
        return {"resultId": row.id, "status": ACCEPTED, "alreadyAccepted": True}
    tgt = store.target(row.entity_type)
    kept = normalize.masked(row.proposed, check_mask(row.kind, fields), exclude_performers, exclude_tags)
    warnings: list[str] = []
    image, image_type = None, None
    if kept.get("image"):  # fetched outside the transaction: it may take long
        db.rollback()
        image, image_type = _image(kept, warnings, log)
        row = store.get(db, result_id, lock=True)
        if row.status == ACCEPTED:  # another run got here first
            db.rollback()
            return {"resultId": row.id, "status": ACCEPTED, "alreadyAccepted": True}
    kept.pop("image", None)
    excluded = {"performers": _missing(row.proposed, kept, "performers"), "tags": _missing(row.proposed, kept, "tags")}
    endpoint = _endpoint(db, row) if _remote_ids(row.raw_result) or row.remote_id else None
    if endpoint:
        _names_by_stash_id(db, row, kept, endpoint)
    _keep_current_names(db, row, kept)
    accepted = AcceptedMetadata(
        kind=row.kind, fields=kept, image=image, image_type=image_type, raw=row.raw_result,
        source=f"{row.source_kind}:{row.source_id}", remote_id=row.remote_id,
    )  # fmt: skip
    warnings += [str(w) for w in tgt.apply(db, row.entity_id, accepted) or ()]
    if endpoint:
        _stash_id(db, row, endpoint)
        _link_stash_ids(db, row, kept, endpoint)
    if "performers" in kept and row.kind != "performer":
        _fill_performers(db, row, endpoint)
    applied = {"fields": sorted(kept) + (["image"] if image else []), "warnings": warnings,
               "excludedPerformers": excluded["performers"], "excludedTags": excluded["tags"]}  # fmt: skip
    row.status, row.applied, row.applied_at = ACCEPTED, applied, datetime.now(UTC)
    db.commit()
    return {"resultId": row.id, "status": ACCEPTED, **applied}


LINKED = (("studio", "studio"), ("performers", "performer"), ("tags", "tag"))
"""Proposed fields naming linked entities, and the entity type of those entities."""


def _remote_ids(raw: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """``{field: [(name, remote id)]}`` of the studio, performers and tags of a raw result that
    carry their id at the source (Stash's ``remote_site_id``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, _ in LINKED:
        value = raw.get(key)
        items = value if isinstance(value, list) else [value]
        pairs = []
        for item in items:
            if isinstance(item, Mapping):
                name, remote = normalize.text(item.get("name")), item.get("remote_site_id")
                if name and isinstance(remote, str) and remote:
                    pairs.append((name, remote))
        if pairs:
            out[key] = pairs
    return out


def _local_ids(db: Session, entity_type: str, endpoint: str, remote: list[str]) -> dict[str, str]:
    """``{remote id: local id}`` of the entities already linked to those ids on ``endpoint``."""
    rows = db.execute(
        select(StashIdRow.stash_id, StashIdRow.entity_id).where(
            StashIdRow.entity_type == entity_type, StashIdRow.endpoint == endpoint, StashIdRow.stash_id.in_(remote)
        )
    ).all()
    return dict(rows)


def _names_by_stash_id(db: Session, row: ScrapeResultRow, kept: dict[str, Any], endpoint: str) -> None:
    """A proposed studio, performer or tag already known by its stash id is named as it is here,
    so it is matched by its stash id first (then by name or alias, as any name)."""
    targets = metadata_targets()
    for key, entity_type in LINKED:
        pairs = _remote_ids(row.raw_result).get(key)
        if key not in kept or not pairs or entity_type not in targets:
            continue
        local = _local_ids(db, entity_type, endpoint, [remote for _, remote in pairs])
        names = {i: d.get("name") for i, d in targets[entity_type].describe(db, list(local.values())).items()}
        renamed = {name.casefold(): names.get(local.get(remote, "")) for name, remote in pairs}
        values = kept[key] if isinstance(kept[key], list) else [kept[key]]
        values = [renamed.get(v.casefold()) or v for v in values]
        kept[key] = values if isinstance(kept[key], list) else values[0]


def _link_stash_ids(db: Session, row: ScrapeResultRow, kept: Mapping[str, Any], endpoint: str) -> None:
    """After the entity's links are applied: keep the stash id of each linked studio, performer
    and tag that came with one (a new link on that endpoint, or the one it had)."""
    pairs = _remote_ids(row.raw_result)
    if not pairs:
        return
    db.flush()
    current = links_for(db, row.entity_type, [row.entity_id]).get(row.entity_id, {})
    for key, entity_type in LINKED:
        linked = current.get(key)
        by_name = {str(i.get("name", "")).casefold(): i.get("id") for i in (linked if isinstance(linked, list)
                   else [linked]) if isinstance(i, Mapping)}  # fmt: skip
        known = _local_ids(db, entity_type, endpoint, [remote for _, remote in pairs.get(key, [])])
        for name, remote in pairs.get(key, []):
            local = known.get(remote) or by_name.get(name.casefold())
            if local and local in by_name.values():
                stmt = pg_insert(StashIdRow).values(entity_type=entity_type, entity_id=local, endpoint=endpoint,
                                                    stash_id=remote)  # fmt: skip
                db.execute(stmt.on_conflict_do_nothing(constraint="uq_stash_ids_entity_endpoint"))


FILLED = {
    "gender": "gender", "birthdate": "birthdate", "country": "country", "ethnicity": "ethnicity",
    "eyeColor": "eye_color", "hairColor": "hair_color", "height": "height", "weight": "weight",
    "measurements": "measurements", "tattoos": "tattoos", "piercings": "piercings",
    "careerLength": "career_length", "details": "details", "aliases": "aliases",
}  # fmt: skip
"""Performer fields a scene's result fills in, and the performer fragment's key for each."""


def _fill_performers(db: Session, row: ScrapeResultRow, endpoint: str | None) -> None:
    """The performers a scene's result links get the details it carries (gender, birthdate,
    measurements…) where theirs are empty: a new performer is complete at once, a known one keeps
    what it has."""
    performer = metadata_targets().get("performer")
    raw = row.raw_result.get("performers")
    if performer is None or not isinstance(raw, list):
        return
    db.flush()
    linked = links_for(db, row.entity_type, [row.entity_id]).get(row.entity_id, {}).get("performers") or []
    by_name = {str(p.get("name", "")).casefold(): p.get("id") for p in linked if isinstance(p, Mapping)}
    remote = [p.get("remote_site_id") for p in raw if isinstance(p, Mapping) and p.get("remote_site_id")]
    by_remote = _local_ids(db, "performer", endpoint, remote) if endpoint and remote else {}
    wanted: dict[str, dict[str, Any]] = {}
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        name = str(normalize.text(item.get("name")) or "").casefold()
        local = by_remote.get(item.get("remote_site_id")) or by_name.get(name)
        fields = {k: v for k, v in normalize.performer(item).items() if k in FILLED}
        if local and fields:
            wanted[local] = fields
    current = performer.describe(db, list(wanted))
    source = f"{row.source_kind}:{row.source_id}"
    for local, fields in wanted.items():
        have = current.get(local, {})
        fill = {k: v for k, v in fields.items() if not have.get(FILLED[k])}
        if fill:
            performer.apply(db, local, AcceptedMetadata(kind="performer", fields=fill, source=source))


def _missing(proposed: Mapping[str, Any], kept: Mapping[str, Any], key: str) -> list[str]:
    """The proposed names of ``key`` the user left out (when the field itself was kept)."""
    if key not in kept:
        return []
    chosen = {n.casefold() for n in kept[key]}
    return [n for n in proposed.get(key) or [] if n.casefold() not in chosen]


def _keep_current_names(db: Session, row: ScrapeResultRow, kept: dict[str, Any]) -> None:
    """Performers and tags are added to the entity's own, as in Stash's scrape dialog: accepting
    never unlinks a name (the current ones first, then the new ones, without duplicates)."""
    wanted = [key for key in NAME_LISTS if key in kept]
    if not wanted:
        return
    current = links_for(db, row.entity_type, [row.entity_id]).get(row.entity_id, {})
    for key in wanted:
        have = [c.get("name") for c in current.get(key) or [] if isinstance(c, Mapping)]
        merged: dict[str, str] = {}
        for name in [*have, *kept[key]]:
            if isinstance(name, str) and name.strip():
                merged.setdefault(name.casefold(), name)
        kept[key] = list(merged.values())


def _endpoint(db: Session, row: ScrapeResultRow) -> str | None:
    """The StashBox URL a remote id belongs to, from the source's description (``endpoint``)."""
    try:
        described: Mapping[str, Any] | None = store.source(row.source_kind).describe(db, row.source_id)
    except Exception:
        return None
    endpoint = (described or {}).get("endpoint")
    return endpoint if isinstance(endpoint, str) and endpoint else None
