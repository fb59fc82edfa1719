"""What the metadata pages show, built from the loaded sources and targets only (this plugin imports
no other): the source entries that can scrape an entity, an entity's current values in the shape
of ``proposed`` fields, and each scrape result as rows of *current* beside *proposed*.

The current values come from the target's own description of the entity (``describe``, the
fragment a scraper gets) read through :func:`normalize.proposed`, plus its links (studio,
performers, tags) from whichever plugin keeps them (``plugin_sdk.links.links_for``), so both sides
of a row are normalized the same way and compare fairly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from plugin_sdk import MetadataTarget
from plugin_sdk.links import links_for
from plugin_sdk.metadata import metadata_sources, metadata_targets
from plugins_builtin.metadata import normalize
from plugins_builtin.metadata.models import ScrapeResultRow
from plugins_builtin.metadata.pages import typed_views

logger = logging.getLogger("obscura.metadata")

LABELS: dict[str, str] = {
    "title": "Title", "date": "Date", "details": "Details", "urls": "URLs", "code": "Code",
    "director": "Director", "studio": "Studio", "performers": "Performers", "tags": "Tags", "image": "Image",
    "name": "Name", "disambiguation": "Disambiguation", "aliases": "Aliases", "gender": "Gender",
    "birthdate": "Birthdate", "deathDate": "Death date", "country": "Country", "ethnicity": "Ethnicity",
    "eyeColor": "Eye colour", "hairColor": "Hair colour", "height": "Height", "weight": "Weight",
    "measurements": "Measurements", "fakeTits": "Fake tits", "careerLength": "Career", "tattoos": "Tattoos",
    "piercings": "Piercings", "duration": "Duration",
}  # fmt: skip
"""The label of each proposed field (``normalize.FIELDS``)."""

NAME_FIELDS: dict[str, str] = {"performers": "excludePerformers", "tags": "excludeTags"}
"""Fields whose names the user may leave out one by one → the accept body's list of left-out names."""
MERGED_FIELDS = ("urls", "aliases")
"""List fields the targets add to (they never drop the entity's own), so only new items differ."""
LONG_FIELDS = ("details",)
UNITS = {"height": "cm", "weight": "kg"}
MATCH_LABELS = {"url": "By URL", "name": "By name", "fingerprint": "By fingerprint", "fragment": "By fragment",
                "stashid": "By stash id", "title": "By title"}  # fmt: skip
ACTION_LABELS = {
    "ByURL": "From the URL",
    "ByName": "Search by name",
    "ByFragment": "From this {noun}'s data",
    "ByQueryFragment": "Search with this {noun}'s data",
}
KIND_PREFIXES = {"scene": ("scene",), "gallery": ("gallery",), "performer": ("performer",), "group": ("group", "movie")}
_DIGITS = re.compile(r"\d+")


# ------------------------------------------------------------------------------------------ targets


SCRAPED_KINDS = ("scene", "performer", "gallery", "group", "image", "audio", "audio-library")
"""What Stash scrapes "with…" (studios and tags take metadata only from StashBox lookups)."""


def target_for(entity_type: str) -> MetadataTarget | None:
    """The loaded target of ``entity_type``, or ``None``."""
    return metadata_targets().get(entity_type)


def noun(tgt: MetadataTarget) -> str:
    """How the UI names one entity of the target (``video``, ``performer``, ``series``)."""
    return tgt.label or tgt.entity_type.replace("_", " ").replace("-", " ")


def page_href(tgt: MetadataTarget, entity_id: str) -> str | None:
    """The entity's page: ``/<first plain collection>/<id>`` (``/videos/…``, ``/performers/…``)."""
    plain = next((c for c in tgt.collections if "/" not in c), None)
    return f"/{plain}/{quote(entity_id, safe='')}" if plain else None


def accept_url(tgt: MetadataTarget, entity_id: str) -> str:
    """The target's accept route for one entity (``/api/videos/<id>/accept-scrape``)."""
    return f"/api/{tgt.collections[0]}/{quote(entity_id, safe='')}/{tgt.verb}"


def api_url(tgt: MetadataTarget, entity_id: str) -> str:
    """The entity's JSON (``GET /api/videos/<id>``), which the panel reads the current image from."""
    return f"/api/{tgt.collections[0]}/{quote(entity_id, safe='')}"


# ------------------------------------------------------------------------------------------ sources


@dataclass(frozen=True, slots=True)
class EntryChoice:
    """One thing "Scrape with…" offers: an entry of a source (an installed scraper, a server)."""

    id: str
    name: str
    scrape_url: str
    actions: tuple[tuple[str, str], ...]
    """``(action, label)`` the entry has for the target's kind; empty: the source decides."""
    typed: bool = False
    """A typed source's entry (movie, series, episode results): "Identify with…"."""


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """The entries of one source, shown as an ``<optgroup>``."""

    kind: str
    label: str
    entries: tuple[EntryChoice, ...]


def _action_label(action: str, kind: str, what: str) -> str:
    for prefix in KIND_PREFIXES.get(kind, (kind,)):
        if action.startswith(prefix):
            rest = action[len(prefix) :]
            return ACTION_LABELS.get(rest, rest or action).format(noun=what)
    return action


def _fits(entry: Mapping[str, Any], kind: str) -> bool:
    kinds = entry.get("kinds")
    return not isinstance(kinds, list | tuple) or not kinds or kind in kinds


def source_groups(db: Session, tgt: MetadataTarget, typed_kind: str | None = None) -> list[SourceGroup]:
    """Every loaded source's entries that can scrape the target's kind, by source; with the entity's
    ``typed_kind`` (movie, episode, series), typed sources come first as "Identify with…", offering
    the actions that fit it."""
    verb = "scrape-performer" if tgt.kind == "performer" else "scrape"
    prefixes = KIND_PREFIXES.get(tgt.kind, (tgt.kind,))
    groups: list[SourceGroup] = []
    identify: list[SourceGroup] = []
    for src in metadata_sources().values():
        if src.entries is None:
            continue
        try:
            listed = [dict(e) for e in src.entries(db) or () if isinstance(e, Mapping)]
        except Exception:  # one source's fault leaves the others offered
            logger.exception("metadata source %r failed listing its entries", src.kind)
            continue
        entries = []
        for entry in listed:
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not entry_id or not _fits(entry, tgt.kind):
                continue
            is_typed = bool(src.typed and typed_kind)
            if is_typed:
                choices = typed_views.typed_actions(entry.get("actions") or (), typed_kind or "")
            else:
                actions = [a for a in entry.get("actions") or () if isinstance(a, str) and a.startswith(prefixes)]
                choices = tuple((a, _action_label(a, tgt.kind, noun(tgt))) for a in actions)
            entries.append(EntryChoice(
                id=entry_id, name=str(entry.get("name") or entry_id),
                scrape_url=f"/api/{src.collection}/{quote(entry_id, safe='')}/{verb}", actions=choices, typed=is_typed,
            ))  # fmt: skip
        if entries:
            ordered = tuple(sorted(entries, key=lambda e: e.name.casefold()))
            if src.typed and typed_kind:
                identify.append(SourceGroup(src.kind, typed_views.IDENTIFY_LABEL, ordered))
            else:
                groups.append(SourceGroup(src.kind, src.label, ordered))
    return identify + groups


# ------------------------------------------------------------------------------------------ current values


def current_values(db: Session, tgt: MetadataTarget, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{id: fields}``: each entity's current values as ``proposed`` fields (unknown ids are left
    out; a target that fails describing leaves every id out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    try:
        described = {str(k): dict(v) for k, v in (tgt.describe(db, wanted) or {}).items()}
    except Exception:
        logger.exception("metadata target %r failed describing %d entities", tgt.entity_type, len(wanted))
        return {}
    links = links_for(db, tgt.entity_type, list(described)) if described else {}
    out: dict[str, dict[str, Any]] = {}
    for entity_id, fragment in described.items():
        linked = {k: v for k, v in links.get(entity_id, {}).items() if k in normalize.LINK_FIELDS}
        raw = {**fragment, **linked}
        out[entity_id] = normalize.proposed(tgt.kind, raw)
    return out


def display_name(tgt: MetadataTarget, current: Mapping[str, Any] | None, entity_id: str) -> str:
    """What to call the entity: its current title or name, else the start of its id."""
    if current:
        for key in ("title", "name"):
            if isinstance(current.get(key), str) and current[key]:
                return str(current[key])
    return f"{noun(tgt).capitalize()} {entity_id[:8]}"


# ------------------------------------------------------------------------------------------ comparing


@dataclass(frozen=True, slots=True)
class NameChoice:
    """A proposed name (performer, tag) with its own checkbox."""

    name: str
    linked: bool
    """Already linked to the entity."""


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One proposed field beside the entity's current value."""

    key: str
    label: str
    shape: str
    """``text``, ``long`` (details), ``list`` (aliases), ``urls``, ``names`` (performers, tags) or ``image``."""
    proposed: Any
    current: Any
    differs: bool
    """Checked by default: applying it would change something (unknown current values differ)."""
    names: tuple[NameChoice, ...] = ()
    """Current names the result lacks: accepting the field unlinks them."""
    unit: str = ""
    exclude_key: str = ""
    """The accept body's list of left-out names for this field (``excludeTags``), if it has one."""


def _shape(key: str, value: Any) -> str:
    if key == "image":
        return "image"
    if key in NAME_FIELDS:
        return "names"
    if key == "urls":
        return "urls"
    if isinstance(value, list):
        return "list"
    return "long" if key in LONG_FIELDS else "text"


def _folded(values: Iterable[Any]) -> set[str]:
    return {str(v).casefold() for v in values}


def _same(key: str, proposed: Any, current: Any) -> bool:
    """Whether applying ``proposed`` would leave ``current`` as it is."""
    if current in (None, "", []):
        return False
    if key in MERGED_FIELDS:
        return _folded(proposed) <= _folded(current if isinstance(current, list) else [current])
    if isinstance(proposed, list):
        return isinstance(current, list) and _folded(proposed) == _folded(current)
    if key == "careerLength":
        return _DIGITS.findall(str(proposed)) == _DIGITS.findall(str(current))
    if key == "studio":
        return str(proposed).casefold() == str(current).casefold()
    return proposed == current


def field_rows(kind: str, proposed: Mapping[str, Any], current: Mapping[str, Any] | None) -> list[FieldRow]:
    """The rows of one result, in the kind's field order; ``current`` ``None``: not known."""
    known = normalize.FIELDS.get(kind, normalize.SCENE_FIELDS)
    keys = [k for k in known if k in proposed] + [k for k in proposed if k not in known]
    rows: list[FieldRow] = []
    for key in keys:
        value = proposed[key]
        if value in (None, "", []):
            continue
        now = None if current is None else current.get(key)
        shape = _shape(key, value)
        names: tuple[NameChoice, ...] = ()
        if shape == "names":
            linked = _folded(now or [])
            names = tuple(NameChoice(str(n), str(n).casefold() in linked) for n in value)
        if shape == "names":  # accepting adds names, never unlinks: new if any is not linked yet
            differs = current is None or any(not n.linked for n in names)
        else:
            differs = key == "image" or current is None or not _same(key, value, now)
        rows.append(FieldRow(
            key=key, label=LABELS.get(key, key), shape=shape, proposed=value, current=now, differs=differs,
            names=names, unit=UNITS.get(key, ""), exclude_key=NAME_FIELDS.get(key, ""),
        ))  # fmt: skip
    return rows


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class EntityRef:
    """The entity a result is for, as the pages link to it."""

    type: str
    id: str
    noun: str
    name: str
    href: str | None
    accept_url: str | None
    """``None`` when no loaded plugin takes metadata for its type (it cannot be accepted)."""
    exists: bool


@dataclass(slots=True)
class ResultView:
    """A scrape result as a card shows it."""

    row: ScrapeResultRow
    entity: EntityRef
    fields: list[FieldRow]
    is_new: bool = False
    applied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    """Proposed performer and tag names the user left out when accepting."""
    typed: typed_views.TypedView | None = None
    """A movie, series or episode result (``_typed_result.html``), else ``None``."""

    @property
    def heading(self) -> str:
        proposed = self.row.proposed or {}
        return str(proposed.get("title") or proposed.get("name") or "Untitled result")

    @property
    def source_name(self) -> str:
        return self.row.source_name or self.row.source_id

    @property
    def match_label(self) -> str:
        return MATCH_LABELS.get(self.row.match_type or "", self.row.match_type or "")

    @property
    def can_accept(self) -> bool:
        return self.row.status != "accepted" and self.entity.accept_url is not None and self.entity.exists

    @property
    def can_reject(self) -> bool:
        return self.row.status == "pending"


def entity_ref(
    entity_type: str, entity_id: str, tgt: MetadataTarget | None, current: Mapping[str, Any] | None
) -> EntityRef:
    """How the pages name and link the entity (``current`` ``None``: it was not found)."""
    if tgt is None:
        what = entity_type.replace("_", " ").replace("-", " ")
        return EntityRef(entity_type, entity_id, what, f"{what.capitalize()} {entity_id[:8]}", None, None, False)
    return EntityRef(
        type=entity_type, id=entity_id, noun=noun(tgt), name=display_name(tgt, current, entity_id),
        href=page_href(tgt, entity_id), accept_url=accept_url(tgt, entity_id), exists=current is not None,
    )  # fmt: skip


def result_views(db: Session, rows: Sequence[ScrapeResultRow], new_ids: Iterable[str] = ()) -> list[ResultView]:
    """Cards for ``rows``: the current values of their entities are read once per entity type."""
    fresh = set(new_ids)
    by_type: dict[str, list[str]] = {}
    for row in rows:
        by_type.setdefault(row.entity_type, []).append(row.entity_id)
    currents: dict[tuple[str, str], dict[str, Any]] = {}
    targets: dict[str, MetadataTarget | None] = {}
    for entity_type, ids in by_type.items():
        tgt = targets[entity_type] = target_for(entity_type)
        if tgt is not None:
            for entity_id, values in current_values(db, tgt, ids).items():
                currents[(entity_type, entity_id)] = values
    typed_currents: dict[tuple[str, str], typed_views.TypedCurrent] = {}
    for entity_type, ids in by_typed(rows).items():
        if targets.get(entity_type) is not None:
            found = typed_views.typed_currents(db, targets[entity_type], ids)  # type: ignore[arg-type]
            typed_currents.update({(entity_type, i): c for i, c in found.items()})
    views = []
    for row in rows:
        current = currents.get((row.entity_type, row.entity_id))
        entity = entity_ref(row.entity_type, row.entity_id, targets[row.entity_type], current)
        applied = row.applied or {}
        views.append(ResultView(
            row=row, entity=entity, is_new=row.id in fresh,
            fields=[] if row.kind in typed_views.KINDS else field_rows(
                row.kind, row.proposed or {}, None if row.status == "accepted" else current
            ),
            applied=[str(f) for f in applied.get("fields") or []],
            warnings=[str(w) for w in applied.get("warnings") or []],
            excluded=[str(n) for key in ("excludedPerformers", "excludedTags") for n in applied.get(key) or []],
        ))  # fmt: skip
        if row.kind in typed_views.KINDS:  # its own card: the mask fields, images, a series' cascade
            tgt = targets[row.entity_type]
            here = typed_currents.get((row.entity_type, row.entity_id))
            views[-1].typed = typed_views.typed_view(row, tgt, here, api_url(tgt, row.entity_id) if tgt else None)
    return views


def by_typed(rows: Iterable[ScrapeResultRow]) -> dict[str, list[str]]:
    """``{entity type: ids}`` of the typed results among ``rows``."""
    out: dict[str, list[str]] = {}
    for row in rows:
        if row.kind in typed_views.KINDS:
            out.setdefault(row.entity_type, []).append(row.entity_id)
    return out
