"""HTTP helpers: the response envelope and typed, validated JSON routes.

A route declared with :func:`api_route` validates its query string and JSON body with pydantic
models, passes the parsed models to the view, and is described in ``/api/openapi.json``::

    class GreetingIn(ApiModel):
        name: str

    @api_route(bp, "/api/plugins/hello/greetings", methods=["POST"], body=GreetingIn)
    def create(body: GreetingIn):
        return ok({"id": ...}, status=201)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel
from werkzeug.exceptions import RequestEntityTooLarge

from plugin_sdk.bodylimit import json_too_large, limit_json_body, receive_multipart
from plugin_sdk.errors import ValidationError

if TYPE_CHECKING:
    from flask import Blueprint, Response

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MAX_PER_PAGE = 500


class ApiModel(BaseModel):
    """Base for request and response models: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        extra="forbid",
    )

    def dump(self) -> dict[str, Any]:
        """The JSON-ready dict, with camelCase keys."""
        return self.model_dump(by_alias=True, mode="json")


def model_from(model: type[M], obj: Any, **values: Any) -> M:
    """A ``model`` (a response model) from ``obj`` (an ORM row): each field of ``model`` that ``obj``
    has an attribute of the same name for is read from it, ``values`` set the others (URLs,
    counts…) and win over the attributes::

        clip_out = model_from(ClipOut, clip, stream_url=f"/api/clips/{clip.id}/stream")
    """
    data = {name: getattr(obj, name) for name in model.model_fields if name not in values and hasattr(obj, name)}
    return model(**data, **values)


class Pagination(ApiModel):
    """``page`` (from 1) and ``perPage`` (1–500, default 60) query parameters."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    page: int = Field(1, ge=1)
    per_page: int = Field(60, ge=1, le=MAX_PER_PAGE)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class Page(Generic[T]):
    """For :func:`api_route`'s ``response``: ``Page[ItemOut]`` documents what :func:`page` answers,
    ``{"items": [ItemOut...], "total", "page", "perPage"}``."""


def ok(data: Any = None, status: int = 200) -> tuple[Response, int]:
    """``{"ok": true, "data": data}``; pydantic models are dumped with camelCase keys."""
    return jsonify({"ok": True, "data": _jsonable(data)}), status


def page(items: Iterable[Any], total: int, pagination: Pagination) -> tuple[Response, int]:
    """The paginated envelope ``{"ok": true, "data": {"items", "total", "page", "perPage"}}``."""
    return ok(
        {
            "items": [_jsonable(i) for i in items],
            "total": total,
            "page": pagination.page,
            "perPage": pagination.per_page,
        }
    )


def _jsonable(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(by_alias=True, mode="json")
    if isinstance(data, list | tuple):
        return [_jsonable(d) for d in data]
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    return data


ModelOrFactory = type[BaseModel] | Callable[[], type[BaseModel]]
"""A model, or a function returning one (for models that depend on the loaded plugins)."""


def resolve_model(model: ModelOrFactory | None) -> type[BaseModel] | None:
    """The model itself, or what its factory returns now."""
    if model is None or isinstance(model, type):
        return model
    return model()


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """What :func:`api_route` records on a view, read by the OpenAPI generator."""

    rule: str
    methods: tuple[str, ...]
    body: ModelOrFactory | None
    query: ModelOrFactory | None
    response: Any
    summary: str
    status: int
    multipart: bool


def format_validation_error(exc: PydanticValidationError, where: str) -> str:
    """One readable sentence per problem: ``body.name: Field required``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or where
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{where}.{loc}: {msg}" if loc != where else f"{where}: {msg}")
    return "; ".join(parts) or f"invalid {where}"


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the request's JSON body against ``model`` (an empty body counts as ``{}``), read
    up to :data:`~plugin_sdk.bodylimit.JSON_MAX_BYTES` (``413`` beyond)."""
    limit_json_body()
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise json_too_large() from None
    if not raw.strip():
        data: Any = {}
    else:
        data = request.get_json(silent=True)
        if data is None:
            raise ValidationError("Request body is not valid JSON.", code="invalid_json")
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(format_validation_error(exc, "body")) from None


def validate_dropping(
    model: type[M], raw: dict[str, Any], fixed: dict[str, Any] | None = None
) -> tuple[M, dict[str, Any], list[str]]:
    """Validate a page's query parameters leniently: a value ``model`` refuses is dropped (and
    named in ``ignored``) instead of failing the page; ``fixed`` values are always kept.

    :return: ``(the model, the parameters kept, the names dropped)``.
    """
    kept = dict(raw)
    ignored: list[str] = []
    while True:
        try:
            return model.model_validate({**kept, **(fixed or {})}), kept, ignored
        except PydanticValidationError as exc:
            bad = {to_camel(str(e["loc"][0])) for e in exc.errors() if e["loc"]} & kept.keys()
            if not bad:  # nothing of ours to blame: drop everything
                ignored += list(kept)
                kept = {}
                continue
            for key in sorted(bad):
                kept.pop(key)
                ignored.append(key)


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string against ``model`` (repeated keys become lists)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(format_validation_error(exc, "query")) from None


def api_route(
    bp: Blueprint,
    rule: str,
    methods: Sequence[str] = ("GET",),
    *,
    body: ModelOrFactory | None = None,
    query: ModelOrFactory | None = None,
    response: Any = None,
    summary: str = "",
    status: int = 200,
    multipart: bool = False,
    max_upload: int | None = None,
) -> Callable[[F], F]:
    """Register a JSON route on ``bp`` whose inputs are validated from typed models.

    The view receives ``body=`` and/or ``query=`` keyword arguments holding the parsed models,
    plus Flask's URL variables. ``response`` (a model, ``list[Model]`` or ``Page[Model]``) documents the
    ``data`` of the envelope in the OpenAPI document. ``body``, ``query`` and ``response`` may
    also be functions returning the model, called when needed (models built from the loaded plugins).

    A ``multipart`` route (an upload) has its body read before the view runs, under the library's
    upload cap or, when smaller, ``max_upload`` (its largest file, in bytes) plus the multipart
    framing: a larger body is answered ``413`` without being read (:mod:`plugin_sdk.bodylimit`).
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if multipart:
                from plugin_sdk.db import get_db

                receive_multipart(get_db(), max_upload)
            if query is not None:
                kwargs["query"] = parse_query(resolve_model(query))
            if body is not None:
                kwargs["body"] = parse_body(resolve_model(body))
            return view(*args, **kwargs)

        wrapper._obscura_route = RouteSpec(  # type: ignore[attr-defined]
            rule=rule,
            methods=tuple(m.upper() for m in methods),
            body=body,
            query=query,
            response=response,
            summary=summary or (view.__doc__ or "").strip().split("\n")[0],
            status=status,
            multipart=multipart,
        )
        bp.add_url_rule(rule, view_func=wrapper, methods=list(methods))
        return wrapper  # type: ignore[return-value]

    return decorator
