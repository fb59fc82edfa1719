"""Applying an accepted result: the ``metadata-import`` job's work, in one transaction.

The image is fetched first, outside the transaction (a failed fetch is a warning); then the
target plugin applies the kept fields to its row, a StashBox id is linked when the result has a
remote id, and the result is marked accepted. A result already accepted is left alone, so running
the job twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import ConflictError, ObscuraError, ValidationError
from plugin_sdk.limits import read_limits
from plugin_sdk.links import links_for
from plugin_sdk.metadata import linked_fields, metadata_targets, with_current_names
from plugin_sdk.storage import cache_dir
from plugins_builtin.metadata import normalize, store, typed
from plugins_builtin.metadata.images import ImageError, fetch_image
from plugins_builtin.metadata.models import ACCEPTED, ScrapeResultRow, StashIdRow

Log = Callable[[str, str], None]


def check_mask(kind: str, fields: Iterable[str] | None) -> list[str] | None:
    """The requested field mask, checked against the kind's fields (``None``: every field)."""
    if fields is None:
        return None
    if kind in typed.KINDS:
        typed.check_mask(fields)
        return list(dict.fromkeys(fields))
    known = normalize.FIELDS.get(kind, normalize.SCENE_FIELDS)
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise ValidationError(f"body.fields: unknown field '{unknown[0]}' (one of {', '.join(known)}).")
    return list(dict.fromkeys(fields))


def check_acceptable(row: ScrapeResultRow) -> None:
    if row.status == ACCEPTED:
        raise ConflictError(f"Scrape result {row.id} was already accepted.", code="already_accepted")


def _fetch_all(urls: Mapping[str, str], timeout: float) -> dict[str, tuple[bytes, str] | str]:
    """``{key: (bytes, content type)}`` of each URL, downloaded 4 at a time (``timeout``: the
    library's download timeout); a failure is its reason (a ``str``) instead."""
    if not urls:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(urls))) as pool:
        return dict(zip(urls, pool.map(lambda url: _try_fetch(url, timeout), urls.values()), strict=True))


def _fetch_images(
    urls: Mapping[str, str], warnings: list[str], log: Log, timeout: float
) -> dict[str, tuple[bytes, str]]:
    """Download the images by slot, in parallel; a failed one is a warning."""
    got = _fetch_all(urls, timeout)
    for slot, value in got.items():
        if isinstance(value, str):
            what = "image" if slot == "image" else f"{slot} image"
            warnings.append(f"{what} not applied: {value}")
            log("warning", f"{what} not applied: {value}")
    return {slot: value for slot, value in got.items() if not isinstance(value, str)}


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
    options: Mapping[str, Any] | None = None,
    log: Log,
) -> dict[str, Any]:
    """Apply one result to its entity and commit; a result already accepted is reported, not redone.

    ``options`` are a typed result's: ``selectedImages`` and the series cascade
    (``acceptAllSeasons``, ``seasonOverrides``; see ``typed.accepted_fields``)."""
    row = store.get(db, result_id, lock=True)
    if row.status == ACCEPTED:
        db.rollback()
        return {"resultId": row.id, "status": ACCEPTED, "alreadyAccepted": True}
    tgt = store.target(row.entity_type)
    people: Any
    mask = check_mask(row.kind, fields)
    if row.kind in typed.KINDS:
        kept = typed.accepted_fields(row.kind, row.proposed, mask, options or {})
        urls = typed.image_slots(row.kind, row.proposed, options or {})
        people = typed.portraits(kept, row.proposed)
    else:
        kept = normalize.masked(row.proposed, mask, exclude_performers, exclude_tags)
        urls = {"image": kept.pop("image")} if kept.get("image") else {}
        people = row.raw_result.get("performers") if "performers" in kept and row.kind != "performer" else None
    warnings: list[str] = []
    images: dict[str, tuple[bytes, str]] = {}
    if urls:  # fetched outside the transaction: it may take long
        timeout = read_limits(db).fetch_timeout_seconds
        db.rollback()
        images = _fetch_images(urls, warnings, log, timeout)
        row = store.get(db, result_id, lock=True)
        if row.status == ACCEPTED:  # another run got here first
            db.rollback()
            return {"resultId": row.id, "status": ACCEPTED, "alreadyAccepted": True}
    if images:  # kept in the cache by the target plugin: its disk keeps its free space (507 / a failed run)
        ensure_free_space(db, cache_dir(), 2 * sum(len(body) for body, _ in images.values()))
    image, image_type = images.pop("image", (None, None))
    kept.pop("image", None)
    excluded = {"performers": _missing(row.proposed, kept, "performers"), "tags": _missing(row.proposed, kept, "tags")}
    pairs = _remote_ids(row.raw_result)
    endpoint = _endpoint(db, row) if pairs or row.remote_id else None
    known = _known_by_stash_id(db, endpoint, pairs) if endpoint else {}
    if known:
        _names_by_stash_id(db, kept, pairs, known)
    kept = with_current_names(db, row.entity_type, row.entity_id, kept)
    accepted = AcceptedMetadata(
        kind=row.kind, fields=kept, image=image, image_type=image_type, raw=row.raw_result,
        source=f"{row.source_kind}:{row.source_id}", remote_id=row.remote_id, images=images,
    )  # fmt: skip
    warnings += [str(w) for w in tgt.apply(db, row.entity_id, accepted) or ()]
    linking = endpoint and pairs
    filling = isinstance(people, list) and bool(people)
    portraits: dict[str, str] = {}
    if linking or filling:
        db.flush()
        after = links_for(db, row.entity_type, [row.entity_id]).get(row.entity_id, {})
        if linking:
            _link_stash_ids(db, after, pairs, known, endpoint)  # type: ignore[arg-type]
        if filling:
            portraits = _fill_performers(db, row, people, after, known)
    if endpoint:
        _stash_id(db, row, endpoint)
    got = (["image"] if image else []) + sorted(images)
    applied = {"fields": sorted(kept) + got, "warnings": warnings,
               "excludedPerformers": excluded["performers"], "excludedTags": excluded["tags"]}  # fmt: skip
    row.status, row.applied, row.applied_at = ACCEPTED, applied, datetime.now(UTC)
    db.commit()
    if portraits:
        _fetch_portraits(db, portraits, f"{row.source_kind}:{row.source_id}", log)
    return {"resultId": row.id, "status": ACCEPTED, **applied}


def linked_pairs() -> tuple[tuple[str, str], ...]:
    """``(proposed field, entity type)`` of the relations a loaded plugin keeps links for, whose
    linked rows have a type stash ids can be kept for (``LinkKind.linked_type``)."""
    return tuple((field, kind.linked_type) for field, kind in linked_fields().items() if kind.linked_type)


def _remote_ids(raw: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """``{field: [(name, remote id)]}`` of the studio, performers and tags of a raw result that
    carry their id at the source (Stash's ``remote_site_id``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, _ in linked_pairs():
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


def _known_by_stash_id(
    db: Session, endpoint: str, pairs: Mapping[str, list[tuple[str, str]]]
) -> dict[tuple[str, str], str]:
    """``{(entity type, remote id): local id}`` of the studios, performers and tags already linked
    to those ids on ``endpoint`` (one query)."""
    wanted = {(entity_type, remote) for key, entity_type in linked_pairs() for _, remote in pairs.get(key, [])}
    if not wanted:
        return {}
    rows = db.execute(
        select(StashIdRow.entity_type, StashIdRow.stash_id, StashIdRow.entity_id).where(
            StashIdRow.endpoint == endpoint,
            StashIdRow.entity_type.in_({t for t, _ in wanted}),
            StashIdRow.stash_id.in_({r for _, r in wanted}),
        )
    ).all()
    return {(t, r): local for t, r, local in rows if (t, r) in wanted}


def _names_by_stash_id(
    db: Session, kept: dict[str, Any], pairs: Mapping[str, list[tuple[str, str]]], known: Mapping[tuple[str, str], str]
) -> None:
    """A proposed studio, performer or tag already known by its stash id is named as it is here,
    so it is matched by its stash id first (then by name or alias, as any name)."""
    targets = metadata_targets()
    for key, entity_type in linked_pairs():
        found = [remote for _, remote in pairs.get(key, []) if (entity_type, remote) in known]
        local = {remote: known[(entity_type, remote)] for remote in found}
        if key not in kept or not local or entity_type not in targets:
            continue
        names = {i: d.get("name") for i, d in targets[entity_type].describe(db, list(local.values())).items()}
        renamed = {name.casefold(): names.get(local.get(remote, "")) for name, remote in pairs[key]}
        values = kept[key] if isinstance(kept[key], list) else [kept[key]]
        values = [renamed.get(v.casefold()) or v for v in values]
        kept[key] = values if isinstance(kept[key], list) else values[0]


def _by_name(linked: Any) -> dict[str, str]:
    """``{name folded: id}`` of an entity's links of one kind (a list, or one studio)."""
    items = linked if isinstance(linked, list) else [linked]
    return {str(i.get("name", "")).casefold(): i.get("id") for i in items if isinstance(i, Mapping) and i.get("id")}


def _link_stash_ids(
    db: Session,
    after: Mapping[str, Any],
    pairs: Mapping[str, list[tuple[str, str]]],
    known: Mapping[tuple[str, str], str],
    endpoint: str,
) -> None:
    """After the entity's links are applied: keep the stash id of each linked studio, performer
    and tag that came with one (one insert; a link it already had on that endpoint stays)."""
    values: dict[tuple[str, str], dict[str, str]] = {}
    for key, entity_type in linked_pairs():
        by_name = _by_name(after.get(key))
        for name, remote in pairs.get(key, []):
            local = known.get((entity_type, remote)) or by_name.get(name.casefold())
            if local and local in by_name.values():
                values.setdefault((entity_type, local), {"entity_type": entity_type, "entity_id": local,
                                                         "endpoint": endpoint, "stash_id": remote})  # fmt: skip
    if values:
        stmt = pg_insert(StashIdRow).values(list(values.values()))
        db.execute(stmt.on_conflict_do_nothing(constraint="uq_stash_ids_entity_endpoint"))


FILLED = {
    "gender": "gender", "birthdate": "birthdate", "country": "country", "ethnicity": "ethnicity",
    "eyeColor": "eye_color", "hairColor": "hair_color", "height": "height", "weight": "weight",
    "measurements": "measurements", "tattoos": "tattoos", "piercings": "piercings",
    "careerLength": "career_length", "details": "details", "aliases": "aliases",
}  # fmt: skip
"""Performer fields a scene's result fills in, and the performer fragment's key for each."""


def _fill_performers(
    db: Session, row: ScrapeResultRow, raw: list[Any], after: Mapping[str, Any], known: Mapping[tuple[str, str], str]
) -> dict[str, str]:
    """The performers a scene's result links get the details it carries (gender, birthdate,
    measurements…) where theirs are empty: a new performer is complete at once, a known one keeps
    what it has. Answers ``{performer id: image URL}`` of those without a picture the result has
    one for (fetched after the commit: it may take long)."""
    performer = metadata_targets().get("performer")
    if performer is None:
        return {}
    by_name = _by_name(after.get("performers"))
    pictured = {str(p.get("id")) for p in after.get("performers") or [] if isinstance(p, Mapping) and p.get("imageUrl")}
    wanted: dict[str, dict[str, Any]] = {}
    portraits: dict[str, str] = {}
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        proposed = normalize.performer(item)
        fields = {k: v for k, v in proposed.items() if k in FILLED}
        name = str(normalize.text(item.get("name")) or "").casefold()
        local = known.get(("performer", str(item.get("remote_site_id")))) or by_name.get(name)
        if local and fields:
            wanted[local] = fields
        if local and local not in pictured and isinstance(proposed.get("image"), str):
            portraits.setdefault(local, proposed["image"])
    current = performer.describe(db, list(wanted)) if wanted else {}
    source = f"{row.source_kind}:{row.source_id}"
    for local, fields in wanted.items():
        have = current.get(local, {})
        fill = {k: v for k, v in fields.items() if not have.get(FILLED[k])}
        if fill:
            performer.apply(db, local, AcceptedMetadata(kind="performer", fields=fill, source=source))
    return dict(list(portraits.items())[:MAX_PORTRAITS])


MAX_PORTRAITS = 12
"""At most this many performer pictures are fetched for one accepted result."""


def _fetch_portraits(db: Session, portraits: Mapping[str, str], source: str, log: Log) -> None:
    """Give the performers their picture from the result (fetched in parallel, each applied and
    committed on its own; a failed fetch is logged and the performer keeps no picture)."""
    performer = metadata_targets().get("performer")
    if performer is None:
        return
    timeout = read_limits(db).fetch_timeout_seconds
    db.rollback()  # no transaction held open while downloading
    for local, got in _fetch_all(portraits, timeout).items():
        if isinstance(got, str):
            log("warning", f"performer picture not applied: {got}")
            continue
        body, content_type = got
        accepted = AcceptedMetadata(kind="performer", fields={}, image=body, image_type=content_type, source=source)
        try:
            for warning in performer.apply(db, local, accepted) or ():
                log("warning", f"performer picture: {warning}")
            db.commit()
        except ObscuraError as exc:  # e.g. the performer was deleted meanwhile
            db.rollback()
            log("warning", f"performer picture not applied: {exc.message}")


def _try_fetch(url: str, timeout: float) -> tuple[bytes, str] | str:
    try:
        return fetch_image(url, timeout=timeout)
    except ImageError as exc:
        return str(exc)


def _missing(proposed: Mapping[str, Any], kept: Mapping[str, Any], key: str) -> list[str]:
    """The proposed names of ``key`` the user left out (when the field itself was kept)."""
    if key not in kept:
        return []
    chosen = {n.casefold() for n in kept[key]}
    return [n for n in proposed.get(key) or [] if n.casefold() not in chosen]


def _endpoint(db: Session, row: ScrapeResultRow) -> str | None:
    """The StashBox URL a remote id belongs to, from the source's description (``endpoint``)."""
    try:
        described: Mapping[str, Any] | None = store.source(row.source_kind).describe(db, row.source_id)
    except Exception:
        return None
    endpoint = (described or {}).get("endpoint")
    return endpoint if isinstance(endpoint, str) and endpoint else None
