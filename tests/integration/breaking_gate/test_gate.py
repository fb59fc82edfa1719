"""The breaking-migration gate: start-up applies what it may and stops before a breaking revision,
the status route and every page say so, and accepting backs up, applies and records the consent."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from obscura_core.app import create_app
from obscura_core.cli import admin
from obscura_core.db.consents import BreakingConsent
from obscura_core.migrate import MigrationAborted, migrate, pending_breaking, upgrade_all
from tests.integration.breaking_gate.gateplugin import (
    DROPS_LEGACY,
    make_plugin,
    write_first,
    write_revision,
    write_upgrade,
)

pytestmark = pytest.mark.integration

ACCEPT = "/api/system/breaking-gate/accept"


def heads(rt, lineage: str) -> list[str]:
    with rt.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT version_num FROM alembic_version_{lineage}")).scalars())


def columns(rt, table: str) -> set[str]:
    with rt.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def backups(rt) -> list[Path]:
    return sorted((rt.settings.data_dir / "backups").glob("*.tar"))


def installed(make_runtime, tmp_path: Path, name: str, *, extra: list | None = None):
    """A runtime with the lineage ``name`` at its first revision, holding two rows."""
    versions = tmp_path / name
    write_first(versions, name)
    rt = make_runtime(plugins=[(name, make_plugin(name, versions)), *(extra or [])], builtins=("backups",))
    with rt.engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {name}_items (id, name, legacy) VALUES (1, 'a', 'old-a'), (2, 'b', NULL)"))
    return rt, versions


def gated(make_runtime, tmp_path: Path, name: str):
    """Installed, then upgraded code brings a normal, a breaking and a later revision; start-up ran."""
    rt, versions = installed(make_runtime, tmp_path, name)
    write_upgrade(versions, name)
    result = migrate(rt)  # what `obscura serve` runs at start-up (upgrade_all)
    return rt, result


def test_startup_applies_the_normal_revision_and_stops_before_the_breaking_one(make_runtime, tmp_path) -> None:
    rt, result = gated(make_runtime, tmp_path, "gate_start")
    assert heads(rt, "gate_start") == ["gate_start_0002"]
    assert columns(rt, "gate_start_items") == {"id", "name", "legacy", "note"}
    assert [m.revision for m in result.waiting] == ["gate_start_0003"]
    assert [m.revision for m in result.held] == ["gate_start_0003", "gate_start_0004"]
    assert [(m.lineage, m.revision, m.breaking) for m in pending_breaking(rt)] == [
        ("gate_start", "gate_start_0003", DROPS_LEGACY)
    ]
    # the normal revision was applied to a lineage holding data: an automatic backup came first
    (auto,) = backups(rt)
    assert auto.name.endswith("-auto.tar")
    taken = manifest(auto)
    assert taken["migrations"]["gate_start"] == ["gate_start_0001"], "taken before anything was applied"
    assert [m["revision"] for m in taken["pendingMigrations"]] == ["gate_start_0002"]
    assert taken["tables"]["gate_start_items"] == 2

    assert upgrade_all(rt)  # a restart changes nothing: no backup, still waiting
    assert heads(rt, "gate_start") == ["gate_start_0002"] and len(backups(rt)) == 1


def test_status_notice_and_accept(make_runtime, tmp_path) -> None:
    rt, _ = gated(make_runtime, tmp_path, "gate_acc")
    client = create_app(runtime=rt).test_client()

    status = client.get("/api/system/status").get_json()["data"]
    assert status["awaitingBreakingConsent"] is True
    assert status["breakingMigrations"] == [
        {"plugin": "gate_acc", "revision": "gate_acc_0003", "message": "legacy folded into name",
         "description": DROPS_LEGACY}
    ]  # fmt: skip

    for page in ("/", "/settings"):
        resp = client.get(page)
        assert resp.status_code == 503
        html = resp.get_data(as_text=True)
        assert 'id="breaking-gate"' in html and 'role="alertdialog"' in html
        assert DROPS_LEGACY in html and "gate_acc_0003" in html
        assert "data-accept-breaking" in html and "/api/system/breaking-gate/accept" in html
    blocked = client.get("/api/backups")
    assert blocked.status_code == 503
    assert blocked.get_json()["error"]["code"] == "awaiting_breaking_consent"
    assert client.get("/api/health").status_code == 200

    stale = client.post(ACCEPT, json={"revisions": ["gate_acc_0009"]})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "gate_changed"
    assert heads(rt, "gate_acc") == ["gate_acc_0002"]

    resp = client.post(ACCEPT, json={"revisions": ["gate_acc_0003"]})
    assert resp.status_code == 200, resp.get_json()
    done = resp.get_json()["data"]
    assert [m["revision"] for m in done["applied"]] == ["gate_acc_0003"]
    assert done["migrated"] == 2  # the breaking revision and the one held behind it
    backup = Path(done["backup"])
    assert backup.is_file() and backup.parent == rt.settings.data_dir / "backups"
    before = manifest(backup)
    assert before["reason"] == "breaking-gate" and before["migrations"]["gate_acc"] == ["gate_acc_0002"]

    assert heads(rt, "gate_acc") == ["gate_acc_0004"]
    assert columns(rt, "gate_acc_items") == {"id", "name", "note", "extra"}
    with rt.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM gate_acc_items ORDER BY id")).scalars().all() == ["a / old-a", "b"]
    with rt.session() as db:
        (consent,) = db.execute(select(BreakingConsent).where(BreakingConsent.lineage == "gate_acc")).scalars()
    assert (consent.revision, consent.description, consent.accepted_via) == (
        "gate_acc_0003",
        DROPS_LEGACY,
        "breaking-gate",
    )
    assert consent.backup_file == str(backup)

    status = client.get("/api/system/status").get_json()["data"]
    assert status["awaitingBreakingConsent"] is False and status["breakingMigrations"] == []
    page = client.get("/")
    assert page.status_code == 200 and 'id="breaking-gate"' not in page.get_data(as_text=True)
    again = client.post(ACCEPT, json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "nothing_to_accept"


def test_a_new_lineage_applies_its_breaking_revisions_without_asking(make_runtime, tmp_path) -> None:
    versions = tmp_path / "gate_new"
    write_first(versions, "gate_new")
    write_upgrade(versions, "gate_new")
    rt = make_runtime(plugins=[("gate_new", make_plugin("gate_new", versions))], builtins=("backups",))
    assert heads(rt, "gate_new") == ["gate_new_0004"]
    assert pending_breaking(rt) == [] and backups(rt) == []  # nothing held data: no backup either


def test_a_lineage_requiring_a_gated_one_waits_with_it(make_runtime, tmp_path) -> None:
    dep_versions = tmp_path / "gate_dep"
    write_first(dep_versions, "gate_dep")
    dependent = ("gate_dep", make_plugin("gate_dep", dep_versions, requires=("core", "gate_up")))
    rt, versions = installed(make_runtime, tmp_path, "gate_up", extra=[dependent])
    write_upgrade(versions, "gate_up")
    write_revision(dep_versions, "gate_dep", 2, 'op.add_column("gate_dep_items", sa.Column("more", sa.Text))',
                   message="more")  # fmt: skip
    result = migrate(rt)
    assert heads(rt, "gate_up") == ["gate_up_0002"] and heads(rt, "gate_dep") == ["gate_dep_0001"]
    assert [m.revision for m in result.held] == ["gate_up_0003", "gate_up_0004", "gate_dep_0002"]
    assert [m.revision for m in result.waiting] == ["gate_up_0003"]
    result = migrate(rt, accept_breaking=True)
    assert heads(rt, "gate_up") == ["gate_up_0004"] and heads(rt, "gate_dep") == ["gate_dep_0002"]
    assert result.held == []


def test_cli_migrate_refuses_breaking_revisions_unless_accepted(make_runtime, tmp_path, monkeypatch) -> None:
    rt, _ = gated(make_runtime, tmp_path, "gate_cli")
    monkeypatch.setattr(admin, "cli_runtime", lambda: rt)
    refused = CliRunner().invoke(admin.migrate, [])
    assert refused.exit_code == 1
    assert "gate_cli gate_cli_0003: " + DROPS_LEGACY in refused.output
    assert "--accept-breaking" in refused.output and "1 more revision(s)" in refused.output
    assert heads(rt, "gate_cli") == ["gate_cli_0002"]

    accepted = CliRunner().invoke(admin.migrate, ["--accept-breaking"])
    assert accepted.exit_code == 0, accepted.output
    assert "before migrating (backups): " in accepted.output
    assert heads(rt, "gate_cli") == ["gate_cli_0004"]
    with rt.session() as db:
        consent = db.execute(select(BreakingConsent).where(BreakingConsent.lineage == "gate_cli")).scalar_one()
    assert consent.accepted_via == "migrate" and Path(consent.backup_file).is_file()


def test_a_failed_backup_stops_the_migration(make_runtime, tmp_path) -> None:
    rt, versions = installed(make_runtime, tmp_path, "gate_fail")
    write_upgrade(versions, "gate_fail")
    (rt.settings.data_dir / "backups").write_text("a file where the backups folder should be")
    with pytest.raises(MigrationAborted, match="backups"):
        migrate(rt, accept_breaking=True)
    assert heads(rt, "gate_fail") == ["gate_fail_0001"], "nothing was applied"
    with rt.session() as db:
        assert db.execute(select(BreakingConsent).where(BreakingConsent.lineage == "gate_fail")).first() is None
