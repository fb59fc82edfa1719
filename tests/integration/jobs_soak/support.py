"""Helpers of the soak tests: enqueue, wait, read a run, find processes by what they run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow


def enqueue(rt: Any, queue: str, payload: dict[str, Any], target: str) -> str:
    with rt.session() as db:
        run_id = enqueue_job(db, queue, payload, target_type="soak", target_id=target, target_label=target)
        db.commit()
    return run_id


def run_row(rt: Any, run_id: str) -> JobRunRow:
    with rt.session() as db:
        row = db.get(JobRunRow, run_id)
        assert row is not None
        db.expunge(row)
        return row


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def processes_mentioning(text: str) -> list[int]:
    """Live (not zombie) processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
