"""Shared fixtures: the SDK's pytest plugin (``plugin_sdk.testing``, loaded by pytest through
Obscura's ``pytest11`` entry point) gives runtime/app/client/run_jobs on real services."""

import pytest


@pytest.fixture
def obscura_plugins() -> dict:
    """Obscura's own tests load every built-in feature and no installed third-party plugin,
    unless a module says otherwise."""
    return {"plugins": None, "builtins": None, "load_entrypoints": False}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say what ran per tier, and against which services (real ones, never mocks)."""
    tiers: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            path = getattr(report, "nodeid", "")
            tier = next((t for t in ("unit", "integration", "e2e") if f"tests/{t}/" in path), "examples")
            tiers.setdefault(tier, {}).setdefault(outcome, 0)
            tiers[tier][outcome] += 1
    terminalreporter.section("obscura test tiers")
    for tier, counts in sorted(tiers.items()):
        terminalreporter.write_line(f"{tier:12} " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    # plugin_sdk.testing's own summary hook then names the PostgreSQL and Redis the tests used
