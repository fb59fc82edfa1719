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
