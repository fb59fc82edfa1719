"""A throwaway plugin with queues that exercise the job runtime in tests."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from plugin_sdk import PermanentJobError, QueueDefinition, RootOption, SettingsAction, SettingsGroup, hookimpl
from plugin_sdk.models import LibraryRoot

finished: list[tuple[str, Any]] = []
flaky_attempt_times: list[float] = []
ran: list[str] = []


def ok_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    ran.append(ctx.run.id)
    ctx.progress(50, "half way")
    return {"echo": payload.get("value"), "attempt": ctx.run.attempts}


def flaky_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    flaky_attempt_times.append(time.time())
    raise RuntimeError(f"boom on attempt {ctx.run.attempts}")


def permanent_proc(payload: dict[str, Any], ctx: Any) -> None:
    raise PermanentJobError("this file is not a video")


def sleep_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    deadline = time.time() + float(payload.get("seconds", 1))
    ctx.progress(10, "sleeping")
    while time.time() < deadline:
        time.sleep(0.05)
    return {"slept": payload.get("seconds")}


def chain_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    return {"next": payload.get("next")}


def scan_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    return {"root": payload["rootId"]}


def enqueue_missing_ok(db: Any) -> int:
    from plugin_sdk.jobs import enqueue_job

    for i in range(3):
        enqueue_job(db, "test-ok", {"value": i}, target_type="item", target_id=str(i), target_label=f"item {i}")
    return 3


class JobTestSettings(BaseModel):
    """A settings group of every kind of field, to test the core's settings plumbing with."""

    test_mode: Literal["quick", "thorough"] = Field(
        "quick", title="Test mode", description="How hard the tests try.",
        json_schema_extra={"choices": {"quick": "Quick", "thorough": "Thorough (slow)"}},
    )  # fmt: skip
    test_ratio: float = Field(
        0.5, ge=0.1, le=1, title="Test ratio", description="A share.", json_schema_extra={"step": 0.1}
    )
    test_limit: int = Field(3, ge=1, le=10, title="Test limit", json_schema_extra={"unit": "runs"})
    test_label: str = Field("tests", max_length=40, title="Test label", description="A name.")
    test_verbose: bool = Field(False, title="Verbose tests", description="Say more.")


SETTINGS = SettingsGroup(
    "jobtest", "Job tests", JobTestSettings, "Settings of the test plugin.", order=65,
    actions=(SettingsAction("jobtest-refill", "Refill the echo queue", "/api/jobs/queues/test-ok/run",
                            "Enqueue the missing echo runs."),),
)  # fmt: skip


@hookimpl
def obscura_settings_groups() -> list[SettingsGroup]:
    return [SETTINGS]


@hookimpl
def obscura_root_options() -> list[RootOption]:
    return [RootOption("scan_tests", "Tests", "Index test files found here.")]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return [
        QueueDefinition("test-ok", "Echo", enqueue_missing=enqueue_missing_ok),
        QueueDefinition("test-flaky", "Always fails", max_attempts=4, backoff_base_s=1),
        QueueDefinition("test-permanent", "Fails for good"),
        QueueDefinition("test-sleep", "Sleeps", concurrency=1, max_attempts=1),
        QueueDefinition("test-chain", "Chains"),
        QueueDefinition("test-scan", "Scans a root"),
    ]


@hookimpl
def obscura_processors() -> dict[str, Any]:
    return {
        "test-ok": ok_proc,
        "test-flaky": flaky_proc,
        "test-permanent": permanent_proc,
        "test-sleep": sleep_proc,
        "test-chain": chain_proc,
        "test-scan": scan_proc,
    }


@hookimpl
def obscura_job_finished(run: Any, result: Any, ctx: Any) -> None:
    finished.append((run.queue, result))
    if run.queue == "test-chain" and result.get("next"):
        ctx.enqueue("test-ok", {"value": result["next"]}, target_type="item", target_id=f"chained-{run.id}")


@hookimpl
def obscura_scan_roots(db: Any, roots: list[LibraryRoot], trigger: str) -> int:
    from plugin_sdk.jobs import enqueue_job

    for root in roots:
        enqueue_job(
            db,
            "test-scan",
            {"rootId": root.id, "trigger": trigger},
            target_type="library-root",
            target_id=root.id,
            target_label=root.label,
        )
    return len(roots)
