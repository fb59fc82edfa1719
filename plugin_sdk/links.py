"""Links between media rows and what describes them (performers, tags, studio…), for media plugins.

A media plugin never imports the plugin that keeps the links; which links exist is declared by
that plugin (``obscura_link_kinds``), and the media plugin builds its PATCH and list-query models
from them with these helpers, so it works whether or not such a plugin is loaded::

    class VideoPatch(ApiModel):
        title: str | None = None

    @api_route(bp, "/api/videos/<video_id>", methods=["PATCH"], body=with_link_fields(VideoPatch))
    def patch(video_id, body):
        changes = body.model_dump(exclude_unset=True)
        apply_links(db, "video", [video.id], pop_links(changes))

    @api_route(bp, "/api/videos", query=with_link_filters(VideosQuery))   # ?tags=…&studio=…
    def list_videos(query):
        conds += filter_clauses("video", Video.id, query)
        return ok(with_links_many(db, "video", page))

    entities_deleted(db, "video", removed_ids)   # in the transaction that deletes them

Without a plugin keeping links, the bodies have no link field (400 "unknown field") and the
lists no link filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, create_model
from pydantic.alias_generators import to_camel

from plugin_sdk.errors import ValidationError
from plugin_sdk.types import LinkKind

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

M = TypeVar("M", bound=BaseModel)

NAME_MAX = 300

LinkName = Annotated[str, Field(max_length=NAME_MAX)]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


FilterValues = Annotated[
    list[Annotated[str, Field(max_length=NAME_MAX)]] | None, BeforeValidator(_as_list), Field(max_length=20)
]
"""A repeatable query parameter (``?tags=a&tags=b``); a single value is a list of one."""


def _registry() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime().registry


def link_kinds() -> tuple[LinkKind, ...]:
    """The link kinds of the loaded plugins (``obscura_link_kinds``)."""
    return tuple(kind for _, kind in _registry().link_kinds)


def _field(kind: LinkKind) -> tuple[Any, Any]:
    if kind.many:
        return list[LinkName] | None, Field(None, max_length=kind.max_items, description=kind.description or None)
    return LinkName | None, Field(None, description=kind.description or None)


def _filter(kind: LinkKind) -> tuple[Any, Any]:
    if kind.many:
        return FilterValues, None
    return str | None, Field(None, max_length=NAME_MAX)


def _extended(model: type[M], what: str, fields: Callable[[LinkKind], dict[str, tuple[Any, Any]]]) -> type[M]:
    def build() -> type[M]:
        extra: dict[str, Any] = {}
        for kind in link_kinds():
            extra.update(fields(kind))
        if not extra:
            return model
        return create_model(model.__name__, __base__=model, __module__=model.__module__, __doc__=model.__doc__, **extra)

    return _registry().derived((what, model), build)


def with_link_fields(model: type[M], at: str | None = None) -> Callable[[], type[M]]:
    """``model`` (a PATCH body) with the field of every loaded link kind, as a factory for
    ``api_route(body=…)``; call it for the model itself (built once per registry).

    :param at: the name of a field of ``model`` whose model (the edit of a bulk PATCH:
        ``{"ids": […], "patch": {…}}``) gets the link fields instead of ``model`` itself.
    """
    if at is None:
        return lambda: _extended(model, "link fields", lambda k: {k.field: _field(k)})

    def nested() -> type[M]:
        declared = model.model_fields[at]
        inner = with_link_fields(declared.annotation)()  # type: ignore[arg-type]
        if inner is declared.annotation:
            return model
        return _registry().derived(
            ("link fields at", model, at),
            lambda: create_model(model.__name__, __base__=model, __module__=model.__module__,
                                 __doc__=model.__doc__, **{at: (inner, declared)}),
        )  # fmt: skip

    return nested


def with_link_filters(model: type[M]) -> Callable[[], type[M]]:
    """``model`` (a list query) with the filter of every loaded link kind, as a factory for
    ``api_route(query=…)``; call it for the model itself (built once per registry)."""
    return lambda: _extended(model, "link filters", lambda k: {k.filter: _filter(k)} if k.filter else {})


def _hooks() -> Any:
    return _registry().hooks


def links_available() -> bool:
    """Whether a loaded plugin keeps links (declares a link kind): show link fields and filters
    in a page only when it does."""
    return bool(_registry().link_kinds)


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
    for kind in link_kinds():
        if kind.field in changes:
            value = changes.pop(kind.field)
            links[kind.field] = value if value is not None else ([] if kind.many else "")
    return links


def apply_links(db: Session, entity_type: str, entity_ids: Sequence[str], changes: Mapping[str, Any]) -> None:
    """Hand link fields to the plugins (``obscura_entity_patch``); the caller commits.

    :raises ValidationError: a field no loaded plugin applies (code ``plugin_missing``).
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
            f"body.{_camel(missing[0])}: no loaded plugin applies this field.",
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
    :raises ValidationError: no loaded plugin answers ``key`` (code ``plugin_missing``).
    """
    from sqlalchemy import ColumnElement

    session = _session(db)
    clause = _hooks().first(
        "obscura_entity_filter", returns=ColumnElement, savepoint=session,
        db=session, entity_type=entity_type, id_column=id_column, key=key, values=list(values),
    )  # fmt: skip
    if clause is None:
        raise ValidationError(f"query.{key}: no loaded plugin filters by {key}.", code="plugin_missing")
    return clause


def filter_clauses(
    entity_type: str, id_column: ColumnElement[Any], query: Any, db: Session | None = None
) -> list[ColumnElement[bool]]:
    """Conditions for the link filters set on ``query`` (a model from :func:`with_link_filters`;
    blank values are ignored)."""
    clauses = []
    for kind in link_kinds():
        values = _values(getattr(query, kind.filter, None)) if kind.filter else []
        if values:
            clauses.append(filter_clause(entity_type, id_column, kind.filter, values, db))
    return clauses


def entities_deleted(db: Session, entity_type: str, entity_ids: Iterable[str]) -> None:
    """Tell every plugin that these rows are gone (``obscura_entities_deleted``), in the deleting
    transaction, so links and other per-row data go with them."""
    ids = [str(i) for i in entity_ids]
    if ids:
        _hooks().notify("obscura_entities_deleted", savepoint=db, db=db, entity_type=entity_type, entity_ids=ids)
