"""``/api/openapi.json``: generated from the same models the handlers validate with."""

from __future__ import annotations

import re
import typing
from typing import Any

from flask import Flask
from pydantic import BaseModel

from obscura_core import __version__
from plugin_sdk.http import Page, RouteSpec, resolve_model

REF = "#/components/schemas/{model}"
_RULE_VAR = re.compile(r"<(?:[a-z_]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


class _Schemas:
    """The document's components; each model is named after the plugin owning the route
    (``maintenance.RunOut``), so two plugins' models of the same name never replace each other."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self.owner = "core"

    def ref(self, model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
        template = REF.replace("{model}", f"{self.owner}.{{model}}")
        schema = model.model_json_schema(by_alias=True, ref_template=template, mode=mode)
        for name, sub in schema.pop("$defs", {}).items():
            self.components[f"{self.owner}.{name}"] = sub
        self.components[f"{self.owner}.{model.__name__}"] = schema
        return {"$ref": template.format(model=model.__name__)}

    def for_response(self, response: Any) -> dict[str, Any]:
        if response is None:
            return {}
        origin = typing.get_origin(response)
        if origin in (list, tuple):
            (inner,) = typing.get_args(response)[:1]
            return {"type": "array", "items": self.for_response(inner)}
        if origin is Page:
            (inner,) = typing.get_args(response)[:1]
            return {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": self.for_response(inner)},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "perPage": {"type": "integer"},
                },
                "required": ["items", "total", "page", "perPage"],
            }
        if callable(response) and not isinstance(response, type):
            response = response()
        if isinstance(response, type) and issubclass(response, BaseModel):
            return self.ref(response, mode="serialization")
        if isinstance(response, dict):
            return response
        return {}


def _envelope(data_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"ok": {"type": "boolean", "const": True}, "data": data_schema},
        "required": ["ok", "data"],
    }


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean", "const": False},
        "error": {
            "type": "object",
            "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
            "required": ["message"],
        },
    },
    "required": ["ok", "error"],
}


def build_openapi(app: Flask) -> dict[str, Any]:
    schemas = _Schemas()
    owners: dict[str, str] = app.extensions.get("obscura_blueprint_owners", {})
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        spec: RouteSpec | None = getattr(view, "_obscura_route", None)
        if spec is None:
            continue
        path = _RULE_VAR.sub(r"{\1}", rule.rule)
        schemas.owner = owners.get(rule.endpoint.split(".")[0], "core")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": spec.summary,
                "tags": [rule.endpoint.split(".")[0]],
                "parameters": [
                    {"name": var, "in": "path", "required": True, "schema": {"type": "string"}}
                    for var in rule.arguments
                ],
                "responses": {
                    str(spec.status): {
                        "description": "OK",
                        "content": {"application/json": {"schema": _envelope(schemas.for_response(spec.response))}},
                    },
                    "4XX": {"description": "Error", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
                },
            }
            query = resolve_model(spec.query)
            if query is not None:
                qschema = query.model_json_schema(by_alias=True, ref_template=REF)
                for name, prop in qschema.get("properties", {}).items():
                    op["parameters"].append(
                        {
                            "name": name,
                            "in": "query",
                            "required": name in qschema.get("required", []),
                            "schema": prop,
                        }
                    )
            body = resolve_model(spec.body)
            if body is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": schemas.ref(body)}},
                }
            elif spec.multipart:
                op["requestBody"] = {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": {"type": "object"}}},
                }
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Obscura API", "version": __version__},
        "paths": paths,
        "components": {"schemas": schemas.components},
    }
