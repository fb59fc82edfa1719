"""Automatic backups before a migration (and keeping the last N), the Settings section, and the
routes: list, back up now, download only what is in the backups folder."""

from __future__ import annotations

import hashlib

import psycopg
import pytest
from sqlalchemy import text

from obscura_core.app import create_app
from obscura_core.migrate import migrate
from plugin_sdk.database import libpq_url
from plugins_builtin.backups.archive import create_backup, list_backups
from plugins_builtin.backups.errors import BackupToolError
from plugins_builtin.backups.pgtools import find_tools
from plugins_builtin.backups.snapshot import BACKUP_LOCK_KEY
from tests.integration.breaking_gate.gateplugin import make_plugin, write_first, write_revision

pytestmark = pytest.mark.integration


@pytest.fixture
def lineage(make_runtime, tmp_path, request):
    """A runtime with the backups plugin and a lineage of the test's own (the module's database
    keeps every test's version tables) at its first revision, holding a row: ``(rt, name, versions)``."""
    name = "bk_" + hashlib.sha1(request.node.name.encode()).hexdigest()[:8]
    versions = tmp_path / name
    write_first(versions, name)
    rt = make_runtime(plugins=[(name, make_plugin(name, versions))], builtins=("backups",))
    with rt.engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {name}_items (id, name) VALUES (1, 'kept')"))
    return rt, name, versions


def test_automatic_backups_come_before_each_migration_and_only_the_last_n_stay(lineage) -> None:
    rt, name, versions = lineage
    client = create_app(runtime=rt).test_client()
    assert client.put("/api/settings/library", json={"backupKeepAutomatic": 2}).status_code == 200
    manual = create_backup(libpq_url(rt.settings.sqlalchemy_url), rt.settings.data_dir)
    assert migrate(rt).applied == [] and len(list_backups(rt.settings.data_dir / "backups")) == 1, (
        "nothing to apply: no backup"
    )

    for number in (2, 3, 4):
        add = f'op.add_column("{name}_items", sa.Column("c{number}", sa.Integer))'
        write_revision(versions, name, number, add, message=f"column {number}")
        result = migrate(rt)
        assert [m.revision for m in result.applied] == [f"{name}_{number:04d}"]
        ((_, written),) = result.before_migrate
        assert written.endswith("-auto.tar")

    found = list_backups(rt.settings.data_dir / "backups")
    automatic = [b for b in found if b.kind == "auto"]
    assert [b.manifest["migrations"][name] for b in automatic] == [[f"{name}_0003"], [f"{name}_0002"]], (
        "the two newest remain, each taken before its migration"
    )
    assert [b.manifest["pendingMigrations"][0]["revision"] for b in automatic] == [f"{name}_0004", f"{name}_0003"]
    assert manual.name in [b.name for b in found], "a backup made by hand is never pruned"
    assert len(found) == 3


def test_settings_section_lists_backups_with_download_links(lineage) -> None:
    rt, _, _ = lineage
    client = create_app(runtime=rt).test_client()
    made = client.post("/api/backups", json={})
    assert made.status_code == 201, made.get_json()
    name = made.get_json()["data"]["name"]
    listed = client.get("/api/backups").get_json()["data"]
    assert [b["name"] for b in listed["items"]] == [name] and listed["keepAutomatic"] == 5
    assert listed["items"][0]["downloadUrl"] == f"/api/backups/{name}/download"

    html = client.get("/settings").get_data(as_text=True)
    assert 'id="section-backups"' in html and "Back up now" in html
    assert f'href="/api/backups/{name}/download"' in html
    assert 'name="backupKeepAutomatic"' in html or "backupKeepAutomatic" in html


def test_download_serves_only_backups_by_name(lineage) -> None:
    rt, _, _ = lineage
    client = create_app(runtime=rt).test_client()
    info = create_backup(libpq_url(rt.settings.sqlalchemy_url), rt.settings.data_dir)
    resp = client.get(f"/api/backups/{info.name}/download", buffered=True)
    assert resp.status_code == 200 and resp.data == info.path.read_bytes()
    assert resp.headers["Content-Type"] == "application/x-tar"
    assert f"filename={info.name}" in resp.headers["Content-Disposition"]

    (rt.settings.data_dir / "secret.key").write_text("s3cret")
    trap = rt.settings.data_dir / "backups" / "obscura-20200101-000000.tar"
    trap.symlink_to(rt.settings.data_dir / "secret.key")  # named like a backup, pointing outside
    for bad in (
        "..",
        "..%2Fsecret.key",
        "%2e%2e%2fsecret.key",
        "..%5Csecret.key",
        "secret.key",
        "obscura-20240101-000000.tar",  # well-formed, no such backup
        "obscura-20200101-000000.tar",
        f".{info.name}",
        f"{info.name}%00",
    ):
        resp = client.get(f"/api/backups/{bad}/download", buffered=True)
        assert 400 <= resp.status_code < 500, (bad, resp.status_code)
        assert b"s3cret" not in resp.data
    assert client.get("/api/backups/../secret.key/download").status_code == 404
    assert client.get("/api/backups/%2E%2E/%2E%2E/secret.key/download").status_code == 404


def test_back_up_now_refuses_while_another_backup_runs(lineage) -> None:
    rt, _, _ = lineage
    client = create_app(runtime=rt).test_client()
    with psycopg.connect(libpq_url(rt.settings.sqlalchemy_url), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (BACKUP_LOCK_KEY,))  # e.g. `obscura backup` in a shell
        busy = client.post("/api/backups", json={})
        assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "backup_running"
    assert client.post("/api/backups", json={}).status_code == 201


def test_a_pg_dump_older_than_the_server_is_refused_with_what_to_install() -> None:
    with pytest.raises(BackupToolError, match=r"pg_dump 99 or newer.*postgresql-client-99"):
        find_tools(99, "99.1")
    tools = find_tools(15, "15.2")
    assert tools.major >= 15 and tools.pg_restore.endswith("pg_restore")
