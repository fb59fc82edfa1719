"""Links between media rows and what describes them (performers, tags, studio…), for media plugins.

A media plugin never imports the plugin that keeps the links (the built-in ``taxonomy``); it goes
through the running app's hooks with these helpers, so it works whether or not that plugin is
loaded — and says so (400 "… needs the taxonomy plugin") when a request uses a link field or filter
nobody answers::

    class VideoPatch(LinkFields):          # performerNames, tagNames, studioName
        title: str | None = None

    changes = body.model_dump(exclude_unset=True)
    apply_links(db, "video", [video.id], pop_links(changes))

    class VideosQuery(LinkFilters, Pagination):   # ?tags=…&performers=…&studio=…
        ...
    conds += filter_clauses("video", Video.id, query)

    return ok(with_links(db, "video", detail(db, video)))

    entities_deleted(db, "video", removed_ids)   # in the transaction that deletes them
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

NAME_MAX = 300
PLUGIN = "taxonomy"

LinkName = Annotated[str, Field(max_length=NAME_MAX)]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


FilterValues = Annotated[
    list[Annotated[str, Field(max_length=NAME_MAX)]] | None, BeforeValidator(_as_list), Field(max_length=20)
]
"""A repeatable query parameter (``?tags=a&tags=b``); a single value is a list of one."""


class LinkFields(ApiModel):
    """The link fields of a media PATCH body. Names are found or created case-insensitively and
    replace the entity's links; ``[]``, ``""`` or ``null`` clears them; an absent field is kept."""

    performer_names: list[LinkName] | None = Field(None, max_length=200, description="performers, by name")
    tag_names: list[LinkName] | None = Field(None, max_length=500, description="tags, by name")
    studio_name: LinkName | None = Field(None, description="the studio, by name")


LINK_FIELDS: tuple[str, ...] = tuple(LinkFields.model_fields)


class LinkFilters(BaseModel):
    """Link filters of a media list: ``tags`` and ``performers`` (repeatable; every value must
    match; tags include their sub-tags) and ``studio`` (with its sub-studios), by name, alias or id."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    tags: FilterValues = None
    performers: FilterValues = None
    studio: str | None = Field(None, max_length=NAME_MAX)


FILTER_KEYS: tuple[str, ...] = tuple(LinkFilters.model_fields)


def _hooks() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime().hooks


def links_available() -> bool:
    """Whether a loaded plugin keeps links (implements ``obscura_entity_filter``): show link fields
    and filters in a page only when it does."""
    return _hooks().implemented("obscura_entity_filter")


def _key_collection(value: Any) -> bool:
    """a collection of the keys it applied"""
    return isinstance(value, set | frozenset | list | tuple) and all(isinstance(k, str) for k in value)


def _camel(key: str) -> str:
    return to_camel(key)


def pop_links(changes: dict[str, Any]) -> dict[str, Any]:
    """Take the link fields out of a PATCH's ``model_dump(exclude_unset=True)``.

    What is left is the media row's own fields; what is returned goes to :func:`apply_links`
    (an explicit ``null`` becomes "clear").
    """
    links: dict[str, Any] = {}
    for key in LINK_FIELDS:
        if key in changes:
            value = changes.pop(key)
            links[key] = value if value is not None else ("" if key == "studio_name" else [])
    return links


def apply_links(db: Session, entity_type: str, entity_ids: Sequence[str], changes: Mapping[str, Any]) -> None:
    """Hand link fields to the plugins (``obscura_entity_patch``); the caller commits.

    :raises ValidationError: a field no loaded plugin applies ("… needs the taxonomy plugin").
    """
    fields = {k: v for k, v in changes.items() if v is not None}
    if not fields or not entity_ids:
        return
    handled: set[str] = set()
    results = _hooks().answers(
        "obscura_entity_patch", returns=_key_collection, savepoint=db,
        db=db, entity_type=entity_type, entity_ids=list(entity_ids), changes=dict(fields),
    )  # fmt: skip
    for _, result in results:
        handled.update(result)
    missing = [k for k in fields if k not in handled]
    if missing:
        raise ValidationError(
            f"body.{_camel(missing[0])}: setting it needs the {PLUGIN} plugin, which is not loaded.",
            code="plugin_missing",
        )


def links_for(db: Session, entity_type: str, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{entity id: {wire field: value}}`` from every plugin (``obscura_entity_links``)."""
    merged: dict[str, dict[str, Any]] = {}
    if not entity_ids:
        return merged
    answers = _hooks().mappings(
        "obscura_entity_links", savepoint=db, db=db, entity_type=entity_type, entity_ids=list(entity_ids)
    )
    for _, result in answers:
        for entity_id, fields in result.items():
            merged.setdefault(str(entity_id), {}).update(fields)
    return merged


def _dump(item: Any) -> dict[str, Any]:
    if isinstance(item, BaseModel):
        return item.model_dump(by_alias=True, mode="json")
    return dict(item)


def with_links(db: Session, entity_type: str, item: Any) -> dict[str, Any]:
    """One serialised entity (a model or a camelCase dict with ``id``) with its links merged in."""
    data = _dump(item)
    return {**data, **links_for(db, entity_type, [data["id"]]).get(data["id"], {})}


def with_links_many(db: Session, entity_type: str, items: Iterable[Any]) -> list[dict[str, Any]]:
    """A page of serialised entities with their links merged in: one hook call for the page."""
    data = [_dump(i) for i in items]
    links = links_for(db, entity_type, [d["id"] for d in data])
    return [{**d, **links.get(d["id"], {})} for d in data]


def _values(raw: Any) -> list[str]:
    values = [raw] if isinstance(raw, str) else list(raw or [])
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _session(db: Session | None) -> Session:
    if db is not None:
        return db
    from plugin_sdk.db import get_db

    return get_db()


def filter_clause(
    entity_type: str, id_column: ColumnElement[Any], key: str, values: Sequence[str], db: Session | None = None
) -> ColumnElement[bool]:
    """The SQL condition for one link filter (``obscura_entity_filter``).

    :param db: the session names are resolved with (default: the current request's).
    :raises ValidationError: no loaded plugin knows ``key`` ("… needs the taxonomy plugin").
    """
    from sqlalchemy import ColumnElement

    session = _session(db)
    clause = _hooks().first(
        "obscura_entity_filter", returns=ColumnElement, savepoint=session,
        db=session, entity_type=entity_type, id_column=id_column, key=key, values=list(values),
    )  # fmt: skip
    if clause is None:
        raise ValidationError(
            f"query.{key}: filtering by {key} needs the {PLUGIN} plugin, which is not loaded.", code="plugin_missing"
        )
    return clause


def filter_clauses(
    entity_type: str, id_column: ColumnElement[Any], query: Any, db: Session | None = None
) -> list[ColumnElement[bool]]:
    """Conditions for the :class:`LinkFilters` set on ``query`` (blank values are ignored)."""
    clauses = []
    for key in FILTER_KEYS:
        values = _values(getattr(query, key, None))
        if values:
            clauses.append(filter_clause(entity_type, id_column, key, values, db))
    return clauses


def entities_deleted(db: Session, entity_type: str, entity_ids: Iterable[str]) -> None:
    """Tell every plugin that these rows are gone (``obscura_entities_deleted``), in the deleting
    transaction, so links and other per-row data go with them."""
    ids = [str(i) for i in entity_ids]
    if ids:
        _hooks().notify("obscura_entities_deleted", savepoint=db, db=db, entity_type=entity_type, entity_ids=ids)
