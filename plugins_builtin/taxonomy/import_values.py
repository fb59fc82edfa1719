"""Reading one imported record's fields: each value checked and cleaned as the API would, a bad
value becoming a warning (the rest of the record still comes in), unknown fields named as
unmapped. No database."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from plugins_builtin.taxonomy.edit import clean_text
from plugins_builtin.taxonomy.routes.fields import partial_date

PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DATE_PRECISIONS = {0: 10, 1: 7, 2: 4}
"""Stash's date precision (0 day, 1 month, 2 year) → length of the partial date it keeps."""


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value == ()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


class RecordValues:
    """The fields of one record, read one at a time by the importer of its entity.

    :param fields: the record's fields.
    :param known: the field names the entity's shape documents; any other field carrying a
        value is listed in :attr:`unmapped`.
    """

    def __init__(self, fields: Mapping[str, Any], known: Collection[str]) -> None:
        self.fields = fields
        self.warnings: list[str] = []
        self.unmapped: list[str] = sorted(k for k, v in fields.items() if k not in known and not _blank(v))

    def warn(self, key: str, problem: str) -> None:
        """Note a problem with one field (the field is left out)."""
        self.warnings.append(f"{key}: {problem}")

    def has(self, key: str) -> bool:
        """Whether the record carries a value for ``key``."""
        return not _blank(self.fields.get(key))

    def text(self, key: str, max_len: int | None = None) -> str | None:
        """A text field, cleaned like the API's (long texts trimmed, others whitespace-collapsed)."""
        value = self.fields.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.warn(key, f"not text ({_short(value)})")
            return None
        value = clean_text(key, value)
        if value is not None and max_len is not None and len(value) > max_len:
            self.warn(key, f"longer than {max_len} characters")
            return None
        return value

    def flag(self, key: str) -> bool | None:
        """A true/false field (``0``/``1`` taken too)."""
        value = self.fields.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.warn(key, f"not true or false ({_short(value)})")
        return None

    def integer(self, key: str, lo: int, hi: int) -> int | None:
        """A whole number in ``[lo, hi]`` (``12.0`` and ``"12"`` taken too)."""
        value = self.fields.get(key)
        if _blank(value):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value) if isinstance(value, str) else value
            if not isinstance(number, (int, float)) or not math.isfinite(number) or number != int(number):
                raise ValueError
        except (TypeError, ValueError):
            self.warn(key, f"not a whole number ({_short(value)})")
            return None
        if not lo <= int(number) <= hi:
            self.warn(key, f"{int(number)} is outside {lo}–{hi}")
            return None
        return int(number)

    def number(self, key: str, lo: float, hi: float) -> float | None:
        """A number in ``[lo, hi]``."""
        value = self.fields.get(key)
        if _blank(value):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except (TypeError, ValueError):
            self.warn(key, f"not a number ({_short(value)})")
            return None
        if not lo <= number <= hi:
            self.warn(key, f"{number:g} is outside {lo:g}–{hi:g}")
            return None
        return number

    def strings(self, key: str, max_len: int | None = None) -> list[str]:
        """A list of texts: trimmed, blanks and repeats left out, in order."""
        value = self.fields.get(key)
        if _blank(value):
            return []
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            self.warn(key, f"not a list of texts ({_short(value)})")
            return []
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.warn(key, f"an item is not text ({_short(item)})")
                continue
            item = item.strip()
            if max_len is not None and len(item) > max_len:
                self.warn(key, f"an item is longer than {max_len} characters")
            elif item and item not in out:
                out.append(item)
        return out

    def mapping(self, key: str) -> dict[str, Any]:
        """A ``{text: JSON value}`` field (values that JSON cannot hold are warned about and left out)."""
        value = self.fields.get(key)
        if _blank(value):
            return {}
        if not isinstance(value, Mapping):
            self.warn(key, f"not a mapping ({_short(value)})")
            return {}
        out: dict[str, Any] = {}
        for name, item in value.items():
            if not isinstance(name, str) or not name.strip():
                self.warn(key, f"a key is not a name ({_short(name)})")
                continue
            try:
                out[name.strip()] = json.loads(json.dumps(item, allow_nan=False))
            except (TypeError, ValueError):
                self.warn(key, f"{name}: not a JSON value ({_short(item)})")
        return out

    def partial_date(self, key: str, precision_key: str | None = None) -> str | None:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, cut to the record's Stash precision if it has one."""
        value = self.text(key)
        if value is None:
            return None
        precision = self.fields.get(precision_key) if precision_key else None
        value = value[: DATE_PRECISIONS.get(precision, 10)] if isinstance(precision, int) else value[:10]
        try:
            if not PARTIAL_DATE.match(value):
                raise ValueError
            return partial_date(value)
        except ValueError:
            self.warn(key, f"not a date ({_short(self.fields.get(key))})")
            return None

    def time(self, key: str) -> datetime | None:
        """A moment (a ``datetime`` or ISO 8601 text; naive ones are taken as UTC)."""
        value = self.fields.get(key)
        if _blank(value):
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.warn(key, f"not a time ({_short(value)})")
                return None
        if not isinstance(value, datetime):
            self.warn(key, f"not a time ({_short(value)})")
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def blob(self, key: str) -> bytes | None:
        """Binary data (an image)."""
        value = self.fields.get(key)
        if _blank(value):
            return None
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        self.warn(key, f"not binary data ({type(value).__name__})")
        return None
