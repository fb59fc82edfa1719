"""Migration lineages: upgrade, drift check, downgrade and re-upgrade for each; running migrate
twice is harmless; a third-party plugin can be added and removed without breaking upgrades."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from obscura_core.migrate import alembic_config, check, ordered_model_sets, upgrade_all
from obscura_core.runtime import build_runtime

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": None, "load_entrypoints": True}


def test_every_lineage_matches_its_models_and_round_trips(runtime) -> None:
    lineages = ordered_model_sets(runtime)
    assert lineages[0].plugin == "core"
    for ms in lineages:
        check(runtime, ms.plugin)  # the drift gate: models == migrations
    for ms in reversed(lineages):
        with runtime.engine.connect() as conn:
            command.downgrade(alembic_config(runtime, ms, conn), "base")
            conn.commit()
    with runtime.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert not tables - {f"alembic_version{'' if m.plugin == 'core' else '_' + m.plugin}" for m in lineages}
    assert upgrade_all(runtime) == [m.plugin for m in lineages]
    assert upgrade_all(runtime) == [m.plugin for m in lineages], "running it twice is harmless"
    with runtime.engine.connect() as conn:
        assert "job_runs" in inspect(conn).get_table_names()


def test_removing_a_third_party_plugin_does_not_break_migrate(runtime) -> None:
    names = [p.name for p in runtime.report.loaded]
    assert "hello" in names, "the example plugin is installed in the test environment"
    without = build_runtime("cli", runtime.settings.with_overrides(disable_plugins=("hello",)), load_entrypoints=True)
    assert "hello" not in [p.name for p in without.report.loaded]
    assert "hello-greet" not in without.registry.queues
    try:
        assert "hello" not in upgrade_all(without)
        with without.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version_hello")).scalar_one() == 1
    finally:
        without.close()


def test_core_0003_carries_video_settings_and_root_switches_both_ways(runtime) -> None:
    """Settings and root switches written before the core stopped naming features survive the
    upgrade (into plugin_settings and library_roots.options) and the downgrade back."""
    core = next(ms for ms in ordered_model_sets(runtime) if ms.plugin == "core")

    def core_to(revision: str, down: bool) -> None:
        with runtime.engine.connect() as conn:
            (command.downgrade if down else command.upgrade)(alembic_config(runtime, core, conn), revision)
            conn.commit()

    for ms in reversed(ordered_model_sets(runtime)):  # the plugins' tables point at library_roots
        if ms.plugin != "core":
            with runtime.engine.connect() as conn:
                command.downgrade(alembic_config(runtime, ms, conn), "base")
                conn.commit()
    core_to("core_0002", down=True)
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM library_settings"))
        conn.execute(
            text(
                "INSERT INTO library_settings (id, generate_phash, trickplay_interval_seconds, subtitle_style, "
                "subtitle_opacity, scan_interval_minutes) VALUES (1, true, 25, 'outline', 0.5, 90)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO library_roots (id, path, label, scan_movies, scan_series, scan_images, scan_audio) "
                "VALUES ('r1', '/media/a', 'A', false, true, false, true)"
            )
        )
    core_to("core_0003", down=False)
    with runtime.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT key, values FROM plugin_settings")).all())
        options = conn.execute(text("SELECT options FROM library_roots WHERE id = 'r1'")).scalar_one()
        cols = {c["name"] for c in inspect(conn).get_columns("library_settings")}
    assert stored["videos-generation"]["generate_phash"] is True
    assert stored["videos-generation"]["trickplay_interval_seconds"] == 25
    playback = stored["videos-playback"]
    assert playback["subtitle_style"] == "outline" and playback["subtitle_opacity"] == 0.5
    assert options == {"scan_movies": False, "scan_series": True, "scan_images": False, "scan_audio": True}
    assert "generate_phash" not in cols and "scan_interval_minutes" in cols
    core_to("core_0002", down=True)
    with runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT generate_phash, trickplay_interval_seconds, subtitle_style, "
                                "scan_interval_minutes FROM library_settings")).one()  # fmt: skip
        switches = conn.execute(text("SELECT scan_movies, scan_audio FROM library_roots WHERE id = 'r1'")).one()
    assert tuple(row) == (True, 25, "outline", 90) and tuple(switches) == (False, True)
    assert upgrade_all(runtime)
