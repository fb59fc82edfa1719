"""GJSON selectors over a JSON document, as Stash's ``json.go`` (``tidwall/gjson`` via pygjson).

A selector that matches nothing gives no value; an array gives each element's ``String()``; any
other value its ``String()``: strings as they are, numbers as Go's gjson prints them (``57``, and
``57.0`` also as ``57``), ``true``/``false``, ``null`` as ``""``, objects and arrays as JSON text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pygjson

from plugins_builtin.scrapers.engine.query import QueryError

__all__ = ["JsonQuery", "go_format_float", "is_valid_json"]


def go_format_float(x: float) -> str:
    """``strconv.FormatFloat(x, 'f', -1, 64)``: shortest digits, never an exponent."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    out = format(Decimal(repr(x)), "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def result_string(result: Any) -> str:
    """gjson ``Result.String()`` of one pygjson result."""
    kind = result.type_
    if kind is None:
        return ""
    if kind is float:
        return go_format_float(result.value)
    return result.to_str()


def is_valid_json(text: str) -> bool:
    """gjson ``Valid``."""
    return bool(pygjson.validate(text))


class JsonQuery:
    """A JSON document answering GJSON paths."""

    def __init__(
        self,
        doc: str,
        url: str = "",
        *,
        loader: Callable[[str], JsonQuery] | None = None,
        search: bool = False,
    ) -> None:
        self.doc = doc
        self.url = url
        self.search = search
        self._loader = loader

    def run(self, selector: str) -> list[str]:
        try:
            value = pygjson.get(self.doc, selector)
        except Exception as exc:  # a path pygjson refuses
            raise QueryError(f"selector '{selector}': {exc}") from None
        if not value.exists():
            return []
        if value.type_ is list:
            return [result_string(item) for item in value.value]
        return [result_string(value)]

    def sub_scrape(self, url: str) -> JsonQuery | None:
        if self._loader is None:
            return None
        return self._loader(url)
