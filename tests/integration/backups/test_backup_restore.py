"""A backup of a database with rows in every plugin's tables restores into a fresh database with
every table equal, row for row; a restore never lands on a database holding data."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from plugin_sdk.database import libpq_url
from plugin_sdk.testing import _admin, database_url_with_name
from plugins_builtin.backups.archive import create_backup, list_backups, read_manifest
from plugins_builtin.backups.errors import RestoreRefused
from plugins_builtin.backups.restore import restore_backup
from plugins_builtin.backups.snapshot import user_tables
from tests.integration.backups.filler import fill_every_table

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh_database(obscura_service_urls, obscura_database) -> Iterator[str]:
    """Another, empty database on the same server (dropped afterwards)."""
    admin, _ = obscura_service_urls
    name = obscura_database.rsplit("/", 1)[1] + "_restored"
    _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield libpq_url(database_url_with_name(admin, name))
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every user table's rows, as text, in a stable order."""
    out: dict[str, list[tuple]] = {}
    with psycopg.connect(url) as conn:
        for schema, table in user_tables(conn):
            query = sql.SQL("SELECT t::text FROM {}.{} AS t ORDER BY 1").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            out[f"{schema}.{table}"] = [r for (r,) in conn.execute(query).fetchall()]
    return out


def source_url(rt) -> str:
    return libpq_url(rt.settings.sqlalchemy_url)


@pytest.fixture
def filled(runtime) -> dict[str, int]:
    """Three rows in every table of every loaded plugin (the core's and every built-in's)."""
    tables = {m.__tablename__ for _, ms in runtime.registry.model_sets for m in ms.models}
    with runtime.engine.begin() as conn:
        return fill_every_table(conn, tables)


def test_a_backup_restores_every_table_row_for_row(runtime, filled, fresh_database) -> None:
    lineages = {ms.plugin for _, ms in runtime.registry.model_sets}
    assert len(filled) >= 30 and len(lineages) >= 10, (filled, lineages)
    source = source_url(runtime)
    before = table_rows(source)
    assert sum(len(rows) for rows in before.values()) >= 90

    info = create_backup(source, runtime.settings.data_dir)
    assert info.path.parent == runtime.settings.data_dir / "backups"
    with tarfile.open(info.path) as tar:
        assert tar.getnames() == ["manifest.json", "settings.json", "database.dump"]  # no generated assets
        settings = json.loads(tar.extractfile("settings.json").read())
    assert settings["librarySettings"] and settings["pluginSettings"]
    manifest = read_manifest(info.path)
    assert manifest["obscuraVersion"] and manifest["database"]["sizeBytes"] > 0
    assert set(manifest["migrations"]) == lineages
    assert manifest["tables"]["videos"] == 3 and manifest["tables"]["performers"] == 3

    report = restore_backup(info.path, fresh_database, data_dir=runtime.settings.data_dir)
    assert report.rows == sum(manifest["tables"].values()) and report.warnings == []
    after = table_rows(fresh_database)
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"


def test_restore_refuses_a_database_holding_data(runtime, filled, fresh_database) -> None:
    source = source_url(runtime)
    info = create_backup(source, runtime.settings.data_dir)
    before = table_rows(source)
    with pytest.raises(RestoreRefused, match="not empty"):
        restore_backup(info.path, source)
    assert table_rows(source) == before, "nothing was touched"

    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE leftovers (id int)")
        conn.execute("INSERT INTO leftovers VALUES (1)")
    with pytest.raises(RestoreRefused, match="leftovers"):
        restore_backup(info.path, fresh_database)
    report = restore_backup(info.path, fresh_database, force=True)
    assert report.dropped == ["public.leftovers"]
    assert table_rows(fresh_database) == before


def test_restore_refuses_what_is_not_a_backup(runtime, tmp_path, fresh_database) -> None:
    bogus = tmp_path / "obscura-20240101-000000.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="database.dump")
    with pytest.raises(RestoreRefused, match="not an Obscura backup"):
        restore_backup(bogus, fresh_database)
    (tmp_path / "junk.tar").write_bytes(b"\0" * 10)
    with pytest.raises(RestoreRefused):
        restore_backup(tmp_path / "junk.tar", fresh_database)


def test_a_restore_under_another_secret_warns(runtime, fresh_database, monkeypatch) -> None:
    monkeypatch.setenv("OBSCURA_SECRET", "the-first-secret")
    info = create_backup(source_url(runtime), runtime.settings.data_dir)
    monkeypatch.setenv("OBSCURA_SECRET", "another-secret")
    report = restore_backup(info.path, fresh_database, data_dir=runtime.settings.data_dir)
    assert any("OBSCURA_SECRET" in w for w in report.warnings)


def test_backups_list_newest_first(runtime) -> None:
    first = create_backup(source_url(runtime), runtime.settings.data_dir)
    second = create_backup(source_url(runtime), runtime.settings.data_dir)
    assert first.name != second.name
    assert [b.name for b in list_backups(runtime.settings.data_dir / "backups")] == [second.name, first.name]
    assert not list(Path(runtime.settings.data_dir / "backups").glob(".*")), "no temporary file is left"


def test_the_shell_commands(runtime, filled, fresh_database, monkeypatch, tmp_path) -> None:
    from click.testing import CliRunner

    from plugins_builtin.backups.cli import backup_command, restore_command

    monkeypatch.setenv("OBSCURA_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", source_url(runtime))
    made = CliRunner().invoke(backup_command, ["--to", str(tmp_path / "elsewhere")])
    assert made.exit_code == 0, made.output
    (archive,) = (tmp_path / "elsewhere").glob("obscura-*.tar")
    assert str(archive) in made.output and "rows)" in made.output

    monkeypatch.setenv("DATABASE_URL", fresh_database)
    restored = CliRunner().invoke(restore_command, [str(archive), "--jobs", "2"])
    assert restored.exit_code == 0, restored.output
    assert "all as in the backup" in restored.output
    assert table_rows(fresh_database) == table_rows(source_url(runtime))
    again = CliRunner().invoke(restore_command, [str(archive)])
    assert again.exit_code == 1 and "not empty" in again.output and "--force" in again.output
