"""Rule trees → SQL: one boolean condition per kind of media row.

:func:`check` refuses unknown fields, operators a field's type does not take and badly typed values
with a 400 naming the condition; :func:`condition_for` builds the WHERE clause of one kind. A
condition about a field a kind does not have (or limited to other kinds) is dropped from its group
for that kind; a group left empty yields nothing, and a kind whose tree yields nothing contributes
no rows. ``link`` fields (tags, performers, studio) are answered by ``obscura_entity_filter``
(``plugin_sdk.links``): every name resolved to ids, tags and studios with their children.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, func, not_, or_
from sqlalchemy.orm import Session

from plugin_sdk.errors import ValidationError
from plugin_sdk.links import filter_clause
from plugin_sdk.search import ilike_contains
from plugin_sdk.types import CollectionSource, RuleField
from plugins_builtin.collections.rules import OPERATORS_BY_TYPE, Condition, Group

MAX_VALUES = 100
TEXT_MAX = 300
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_VALUE = ("is_null", "is_not_null", "is_true", "is_false")
LISTS = ("in", "not_in")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a condition sits in the tree, for error messages: ``ruleTree.children[1].children[0]``."""

    path: str


def _fail(where: str, message: str) -> ValidationError:
    return ValidationError(f"{where}: {message}", code="invalid_rule")


def fields_for(sources: Mapping[str, CollectionSource], cond: Condition) -> dict[str, RuleField]:
    """``{kind: field}`` of the kinds the condition applies to."""
    kinds = cond.entity_types or list(sources)
    return {k: f for k in kinds if k in sources for f in sources[k].fields if f.key == cond.field}


# ----------------------------------------------------------------------------------------- values


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"expects a number, not {value!r:.40}")
    return value


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "expects a non-empty text")
    if len(value) > TEXT_MAX:
        raise _fail(where, f"texts are at most {TEXT_MAX} characters")
    return value.strip()


def _date(where: str, value: Any) -> date:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise _fail(where, f"expects a date as YYYY-MM-DD, not {value!r:.40}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(where, f"{value} is not a date") from None


def _one(where: str, field: RuleField, value: Any) -> Any:
    if field.type in ("number", "duration"):
        return _number(where, value)
    if field.type == "date":
        return _date(where, value)
    if field.type == "enum":
        if value not in field.options:
            raise _fail(where, f"{field.key} is one of {', '.join(field.options)}, not {value!r:.40}")
        return value
    return _text(where, value)


def coerce(where: str, field: RuleField, operator: str, value: Any) -> Any:
    """The condition's value checked against the field's type and the operator's arity."""
    if operator not in OPERATORS_BY_TYPE[field.type]:
        allowed = ", ".join(OPERATORS_BY_TYPE[field.type])
        raise _fail(where, f"operator {operator} does not apply to {field.key} ({field.type}); use one of {allowed}")
    if operator in NO_VALUE:
        return None
    if operator == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _fail(where, "between expects [min, max]")
        low, high = (_one(where, field, v) for v in value)
        if low > high:
            raise _fail(where, "between expects min ≤ max")
        return (low, high)
    if operator in LISTS:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not values:
            raise _fail(where, f"{operator} expects a list of values")
        if len(values) > MAX_VALUES:
            raise _fail(where, f"{operator} takes at most {MAX_VALUES} values")
        return [_one(where, field, v) for v in values]
    return _one(where, field, value)


def check(sources: Mapping[str, CollectionSource], tree: Group, path: str = "ruleTree") -> None:
    """Refuse (400) conditions no loaded kind answers, wrong operators and badly typed values."""
    for i, child in enumerate(tree.children):
        where = f"{path}.children[{i}]"
        if isinstance(child, Group):
            check(sources, child, where)
            continue
        unknown = [k for k in child.entity_types if k not in sources]
        if unknown:
            raise _fail(where, f"unknown entity type {unknown[0]!r}; loaded kinds: {', '.join(sources) or 'none'}")
        fields = fields_for(sources, child)
        if not fields:
            known = sorted({f.key for k in (child.entity_types or sources) for f in sources[k].fields})
            raise _fail(where, f"unknown field {child.field!r}; fields: {', '.join(known)}")
        for field in fields.values():
            coerce(where, field, child.operator, child.value)


# ----------------------------------------------------------------------------------------- SQL


def _or_null(col: Any, cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """A negative test also matches rows where the field is empty."""
    return or_(col.is_(None), cond)


def _link(db: Session, kind: str, source: CollectionSource, field: RuleField, values: list[str]) -> Any:
    try:
        clauses = [filter_clause(kind, source.id_column, field.link_key or field.key, [v], db) for v in values]
    except ValidationError as exc:
        if exc.code == "plugin_missing":
            raise ValidationError(
                f"Rules on {field.key} need the taxonomy plugin, which is not loaded.", code="plugin_missing"
            ) from None
        raise
    return or_(*clauses)


def _column_condition(field: RuleField, op: str, value: Any) -> ColumnElement[bool]:
    col = field.column
    if field.type == "boolean":
        return col.is_(True) if op == "is_true" else col.is_(False)
    if op == "is_null":
        return col.is_(None)
    if op == "is_not_null":
        return col.is_not(None)
    if field.type == "date" and not isinstance(col.type, Date):
        value = (
            tuple(v.isoformat() for v in value)
            if isinstance(value, tuple)
            else ([v.isoformat() for v in value] if isinstance(value, list) else value.isoformat())
        )
    if field.type == "text":
        low = func.lower(col)
        if op == "equals":
            return low == value.lower()
        if op == "not_equals":
            return _or_null(col, low != value.lower())
        if op == "contains":
            return ilike_contains(col, value)
        if op == "not_contains":
            return _or_null(col, not_(ilike_contains(col, value)))
        if op == "in":
            return low.in_([v.lower() for v in value])
        return _or_null(col, low.not_in([v.lower() for v in value]))
    simple = {
        "equals": lambda: col == value, "not_equals": lambda: _or_null(col, col != value),
        "greater_than": lambda: col > value, "less_than": lambda: col < value,
        "greater_equal": lambda: col >= value, "less_equal": lambda: col <= value,
        "between": lambda: col.between(value[0], value[1]), "in": lambda: col.in_(list(value)),
        "not_in": lambda: _or_null(col, col.not_in(list(value))),
    }  # fmt: skip
    return simple[op]()


def _condition(db: Session, kind: str, source: CollectionSource, cond: Condition, where: str) -> Any:
    field = fields_for({kind: source}, cond).get(kind)
    if field is None:
        return None
    value = coerce(where, field, cond.operator, cond.value)
    if field.type != "link":
        return _column_condition(field, cond.operator, value)
    values = [value] if isinstance(value, str) else list(value)
    matched = _link(db, kind, source, field, values)
    return not_(matched) if cond.operator in ("not_equals", "not_in") else matched


def condition_for(
    db: Session, kind: str, source: CollectionSource, tree: Group, path: str = "ruleTree"
) -> ColumnElement[bool] | None:
    """The WHERE clause selecting the rows of ``kind`` the tree matches, or ``None`` when the tree
    says nothing about this kind (it then contributes no rows)."""
    parts = []
    for i, child in enumerate(tree.children):
        where = f"{path}.children[{i}]"
        if isinstance(child, Group):
            part = condition_for(db, kind, source, child, where)
        elif child.entity_types and kind not in child.entity_types:
            part = None
        else:
            part = _condition(db, kind, source, child, where)
        if part is not None:
            parts.append(part)
    if not parts:
        return None
    if tree.operator == "or":
        return or_(*parts)
    combined = and_(*parts)
    return not_(combined) if tree.operator == "not" else combined


def conditions(db: Session, sources: Mapping[str, CollectionSource], tree: Group) -> dict[str, ColumnElement[bool]]:
    """``{kind: WHERE clause}`` for every kind the (checked) tree selects rows of."""
    check(sources, tree)
    out = {}
    for kind, source in sources.items():
        cond = condition_for(db, kind, source, tree)
        if cond is not None:
            out[kind] = cond
    return out
