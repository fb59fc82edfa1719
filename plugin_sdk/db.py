"""Database surface for plugins: the shared declarative ``Base`` and the current session.

All tables (core, built-in and third-party) hang off one ``MetaData`` with a naming convention,
so foreign keys across plugins resolve and Alembic autogenerate is stable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, DateTime, MetaData, Text, any_, bindparam, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base every Obscura table derives from."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_VARIANT = {d: format(int(d, 16) & 3 | 8, "x") for d in "0123456789abcdef"}


def new_id() -> str:
    """A new random (version 4) UUID as text (primary keys are UUIDs).

    Formatted from ``os.urandom`` directly: the same value ``str(uuid.uuid4())`` gives, at a third
    of the cost (a scan makes tens of thousands).
    """
    return _uuid4(os.urandom(16).hex())


def new_ids(count: int) -> list[str]:
    """``count`` ids as :func:`new_id` makes them, from one ``os.urandom`` call (each call lets
    other threads take the interpreter, and waits to get it back)."""
    raw = os.urandom(16 * count).hex()
    return [_uuid4(raw[i : i + 32]) for i in range(0, 32 * count, 32)]


def _uuid4(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


class TimestampMixin:
    """``created_at`` / ``updated_at`` maintained by the database and SQLAlchemy."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


def in_array(column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """``column = ANY(:values)``: one ``text[]`` parameter however many values. An ``IN (…)`` list
    binds one parameter per value (PostgreSQL caps a statement at 65,535), and a thousand of them
    cost more to compile, send and plan than the query takes to run."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(Text)))


def refresh_statistics(db: Session, model: Any) -> bool:
    """``ANALYZE`` ``model``'s table when it has grown past twice the rows its planner statistics
    know (and by at least 1,000): call it after each batch of a bulk load. Until autovacuum gets
    round to it, a table filled in one go keeps the statistics of when it was nearly empty, and the
    planner reads a whole library root where an index would find a batch's hundred rows. Doubling
    keeps the cost to a few ``ANALYZE`` per load. True when it ran."""
    row = db.execute(
        text(
            "SELECT c.reltuples, s.n_live_tup FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.oid = to_regclass(:table)"
        ),
        {"table": model.__tablename__},
    ).first()
    if row is None:
        return False
    known, live = max(float(row[0]), 0.0), int(row[1] or 0)
    if live < known * 2 + 1000:
        return False
    db.execute(text(f"ANALYZE {db.get_bind().dialect.identifier_preparer.quote(model.__tablename__)}"))
    return True


def copy_rows(db: Session, table: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Add ``rows`` (each a mapping holding every one of ``columns``) to ``table`` with PostgreSQL's
    ``COPY … FROM STDIN``, in ``db``'s transaction: the fastest way for a scan to write thousands of
    new rows (no ORM objects; columns left out get the database's defaults)."""
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def get_db() -> Session:
    """The SQLAlchemy session of the current HTTP request (one per request, closed after it).

    Handlers commit what they change; anything uncommitted is rolled back at the end of the
    request. Processors use ``ctx.db`` instead.
    """
    from obscura_core.db.session import request_session

    return request_session()


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session for a plugin's shell command (``obscura_cli_commands``), like ``obscura scan``'s:
    the database of ``DATABASE_URL`` (``REDIS_URL`` too, for the jobs it enqueues); a click error
    saying so when they are not set. The command commits what it changes."""
    from obscura_core.cli.admin import cli_runtime

    rt = cli_runtime()
    try:
        with rt.session() as db:
            yield db
    finally:
        rt.close()
