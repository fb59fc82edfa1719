"""Writing many rows of one table in one statement: the rows travel as one JSON document that
PostgreSQL spreads into the table's row type (``json_populate_recordset``).

An ``executemany`` or a long ``VALUES`` list of 1,000 performers is ~30,000 bind parameters,
which the driver spends most of a second parsing and escaping; one JSON text is dumped by
Python's C encoder and parsed by PostgreSQL's in a few milliseconds. Lists become ``text[]`` or
``jsonb`` as the columns are, mappings ``jsonb``, ISO 8601 texts timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _rows_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), default=_default, ensure_ascii=False, separators=(",", ":"))


def insert_new(db: Session, table: Table, rows: Sequence[Mapping[str, Any]], unique: str) -> set[str]:
    """Insert ``rows`` (each with every column of the first), skipping those whose ``unique``
    column is taken: ``INSERT … ON CONFLICT (unique) DO NOTHING``. The ids inserted."""
    if not rows:
        return set()
    columns = ", ".join(rows[0])
    sql = (
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
        f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS json)) "
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING id"
    )
    return set(db.execute(text(sql), {"rows": _rows_json(rows)}).scalars())


def update_by_id(db: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set the columns of ``rows`` (``id`` and the same other columns in each) by id, in one
    ``UPDATE … FROM json_populate_recordset(…)``; ``updated_at`` becomes now unless given."""
    if not rows:
        return
    values = [c for c in rows[0] if c != "id"]
    sets = [f"{c} = v.{c}" for c in values]
    if "updated_at" in table.c and "updated_at" not in values:
        sets.append("updated_at = now()")
    sql = (
        f"UPDATE {table.name} AS t SET {', '.join(sets)} "
        f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS json)) AS v WHERE t.id = v.id"
    )
    db.execute(text(sql), {"rows": _rows_json(rows)})
