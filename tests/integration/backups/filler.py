"""Rows in every table of every loaded plugin, made from the tables' own definitions: each column
gets a value of its type (foreign keys point at the parent's rows), so a backup has real data in
all of them to carry over."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    Table,
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from plugin_sdk.db import Base

CHOICES_RE = re.compile(r"(\w+)\s+IN\s*\(([^)]*)\)", re.IGNORECASE)


def _choices(table: Table) -> dict[str, list[str]]:
    """``{column: allowed values}`` from CHECK constraints of the form ``col IN ('a', 'b')``."""
    out: dict[str, list[str]] = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            for column, values in CHOICES_RE.findall(str(constraint.sqltext)):
                out[column] = [v.strip().strip("'") for v in values.split(",")]
    return out


def _value(table: Table, column: Any, i: int, choices: dict[str, list[str]]) -> Any:
    kind = column.type
    base = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i, minutes=len(column.name))
    if column.name in choices:
        return choices[column.name][i % len(choices[column.name])]
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, BigInteger | Integer):
        return i + 1
    if isinstance(kind, Float | Numeric):
        return i + 0.5
    if isinstance(kind, DateTime):
        return base
    if isinstance(kind, Date):
        return base.date()
    if isinstance(kind, JSONB | JSON):
        return {"row": i, "column": column.name, "nested": [1, "two", None]}
    if isinstance(kind, ARRAY):
        return [f"{column.name}-{i}-a", f"{column.name}-{i}-b"] if kind.item_type.python_type is str else [i, i + 1]
    text = f"{table.name}.{column.name} ünïcode ✓ {i}"
    length = getattr(kind, "length", None)
    return text[-length:] if length else text


def fill_every_table(conn: Connection, tables: set[str], rows: int = 3) -> dict[str, int]:
    """Insert ``rows`` rows into each of ``tables`` (parents first); returns the rows per table.
    A table whose constraints these generic values cannot meet raises: the test names it."""
    made: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        choices = _choices(table)
        batch = []
        for i in range(rows):
            row: dict[str, Any] = {}
            for column in table.columns:
                if column.computed is not None:
                    continue
                fks = list(column.foreign_keys)
                if fks:
                    parent = fks[0].column
                    if parent.table is table:  # a tree: the first row is the root
                        row[column.name] = batch[0][parent.name] if i else None
                        continue
                    parents = made.get(parent.table.name)
                    row[column.name] = parents[i % len(parents)][parent.name] if parents else None
                    continue
                row[column.name] = _value(table, column, i, choices)
            batch.append(row)
        for row in batch:
            conn.execute(insert(table).values(**row))
        made[table.name] = batch
    return {name: len(batch) for name, batch in made.items()}
