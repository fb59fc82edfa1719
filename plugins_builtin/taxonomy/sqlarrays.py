"""``column = ANY(:array)``: one bind parameter for any number of ids (``IN`` takes one per id,
and PostgreSQL's protocol caps a statement at 65,535 parameters)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Text, any_, cast, literal
from sqlalchemy.dialects.postgresql import ARRAY


def in_array(column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """``column = ANY(CAST(:values AS text[]))``."""
    return column == any_(cast(literal(list(values), ARRAY(Text)), ARRAY(Text)))
