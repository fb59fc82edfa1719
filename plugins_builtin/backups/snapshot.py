"""One consistent view of the database for a backup: what ``pg_dump`` writes and what the
manifest counts are read from the same exported snapshot, so they always agree, even while the
library is being scanned."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from plugins_builtin.backups.errors import BackupBusy

BACKUP_LOCK_KEY = 7_351_077
"""PostgreSQL advisory lock held while a backup is written: one at a time per database."""

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


def _user_schema_clause(column: str) -> sql.Composable:
    return sql.SQL(
        "{col} NOT IN ('pg_catalog', 'information_schema') AND {col} NOT LIKE 'pg\\_toast%%' "
        "AND {col} NOT LIKE 'pg\\_temp%%'"
    ).format(col=sql.SQL(column))


def table_key(schema: str, table: str) -> str:
    """How a table is named in the manifest: ``videos``, or ``schema.table`` outside ``public``."""
    return table if schema == "public" else f"{schema}.{table}"


def user_tables(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """``(schema, table)`` of every ordinary and partitioned table outside the system schemas."""
    query = sql.SQL(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND {where} ORDER BY 1, 2"
    ).format(where=_user_schema_clause("n.nspname"))
    return [(s, t) for s, t in conn.execute(query).fetchall()]


def user_objects(conn: psycopg.Connection[Any]) -> list[str]:
    """Every table, view, sequence, function and type outside the system schemas that no extension
    owns (an empty database has none)."""
    not_extension = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
    query = sql.SQL(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {where} AND " + not_extension.format(oid="c.oid") + " "
        "UNION ALL SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {where} AND " + not_extension.format(oid="p.oid") + " "
        "UNION ALL SELECT n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype IN ('e', 'd', 'r', 'm') AND {where} AND " + not_extension.format(oid="t.oid") + " ORDER BY 1"
    ).format(where=_user_schema_clause("n.nspname"))
    return [r for (r,) in conn.execute(query).fetchall()]


def user_schemas(conn: psycopg.Connection[Any]) -> list[str]:
    query = sql.SQL("SELECT nspname FROM pg_namespace WHERE {where} ORDER BY 1").format(
        where=_user_schema_clause("nspname")
    )
    return [s for (s,) in conn.execute(query).fetchall()]


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact row counts of every user table."""
    counts: dict[str, int] = {}
    for schema, table in user_tables(conn):
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[table_key(schema, table)] = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def server_version(conn: psycopg.Connection[Any]) -> tuple[int, str]:
    """``(major, "15.20")`` of the server."""
    num = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
    text = str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]
    return num // 10000, text


def migration_heads(conn: psycopg.Connection[Any], tables: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each lineage's applied revisions, from its ``alembic_version*`` table."""
    heads: dict[str, list[str]] = {}
    for schema, table in tables:
        if schema != "public" or not table.startswith("alembic_version"):
            continue
        lineage = "core" if table == "alembic_version" else table.removeprefix("alembic_version_")
        query = sql.SQL("SELECT version_num FROM {} ORDER BY 1").format(sql.Identifier(table))
        heads[lineage] = [r for (r,) in conn.execute(query).fetchall()]
    return heads


def _rows(conn: psycopg.Connection[Any], table: str) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))).fetchall()


def read_settings(conn: psycopg.Connection[Any], tables: list[tuple[str, str]]) -> dict[str, Any]:
    """The core's settings row(s) and every plugin settings group's stored values."""
    present = {t for s, t in tables if s == "public"}
    out: dict[str, Any] = {}
    if "library_settings" in present:
        out["librarySettings"] = json.loads(json.dumps(_rows(conn, "library_settings"), default=str))
    if "plugin_settings" in present:
        out["pluginSettings"] = {r["key"]: r["values"] for r in _rows(conn, "plugin_settings")}
    return out


@dataclass
class Snapshot:
    """An open, exported snapshot (valid while the context is open) and what was read in it."""

    id: str
    server_major: int
    server_version: str
    database: str
    size_bytes: int
    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    extensions: list[str] = field(default_factory=list)


def extensions(conn: psycopg.Connection[Any]) -> list[str]:
    """The extensions created in the database (``plpgsql`` aside)."""
    return [e for (e,) in conn.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")]


@contextmanager
def open_snapshot(url: str, *, wait: bool) -> Iterator[Snapshot]:
    """Take the backup lock (waiting for another backup when ``wait``, else :class:`BackupBusy`),
    export a repeatable-read snapshot and read the manifest's figures in it."""
    conn = psycopg.connect(url, autocommit=True)
    try:
        if wait:
            conn.execute("SELECT pg_advisory_lock(%s)", (BACKUP_LOCK_KEY,))
        elif not conn.execute("SELECT pg_try_advisory_lock(%s)", (BACKUP_LOCK_KEY,)).fetchone()[0]:  # type: ignore[index]
            raise BackupBusy("A backup is already being written; try again when it is done.")
        try:
            conn.autocommit = False
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot_id = str(conn.execute("SELECT pg_export_snapshot()").fetchone()[0])  # type: ignore[index]
            major, version = server_version(conn)
            name, size = conn.execute("SELECT current_database(), pg_database_size(current_database())").fetchone()  # type: ignore[misc]
            tables = user_tables(conn)
            snap = Snapshot(
                id=snapshot_id,
                server_major=major,
                server_version=version,
                database=str(name),
                size_bytes=int(size),
                tables=row_counts(conn),
                migrations=migration_heads(conn, tables),
                settings=read_settings(conn, tables),
                extensions=extensions(conn),
            )
            yield snap
        finally:
            conn.rollback()
            conn.autocommit = True
            conn.execute("SELECT pg_advisory_unlock(%s)", (BACKUP_LOCK_KEY,))
    finally:
        conn.close()
