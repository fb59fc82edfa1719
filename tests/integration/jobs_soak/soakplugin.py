"""A throwaway plugin whose queues let the soak tests kill work at the worst moment.

Every processor writes its work horse's pid to ``payload["pidfile"]`` (when given) before it
starts, so a test knows which process to kill.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from plugin_sdk import QueueDefinition, hookimpl
from plugin_sdk.media import run
from plugin_sdk.storage import atomic_write, cache_path

ASSET = "preview.mp4"


def _announce(payload: dict[str, Any]) -> None:
    pidfile = payload.get("pidfile")
    if pidfile:
        Path(pidfile).write_text(str(os.getpid()))


def write_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Encode a clip with ffmpeg into the cache through ``atomic_write``; the first
    ``slowAttempts`` attempts encode in real time for a minute (time enough to be killed)."""
    _announce(payload)
    slow = ctx.run.attempts <= int(payload.get("slowAttempts", 0))
    target = cache_path("soak", str(payload["entity"]), ASSET)
    with atomic_write(target, suffix=".mp4") as tmp:
        realtime = ["-re"] if slow else []
        seconds = "60" if slow else "1"
        run(["-v", "error", "-y", *realtime, "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10",
             "-t", seconds, "-c:v", "mpeg4", "-f", "mp4", str(tmp)], timeout=120)  # fmt: skip
    return {"attempt": ctx.run.attempts, "bytes": target.stat().st_size}


def sleep_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Sleep ``seconds`` (on the first ``slowAttempts`` attempts when that is given)."""
    _announce(payload)
    seconds = float(payload.get("seconds", 1))
    if "slowAttempts" in payload and ctx.run.attempts > int(payload["slowAttempts"]):
        seconds = 0.1
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(0.05)
    return {"slept": seconds, "attempt": ctx.run.attempts}


def quick_proc(payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    _announce(payload)
    return {"value": payload.get("value"), "pid": os.getpid()}


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return [
        QueueDefinition("soak-write", "Writes a clip", max_attempts=3, backoff_base_s=1),
        # listed before soak-quick: RQ tries queues in this order (a preview queue ahead of scans)
        QueueDefinition("soak-slow", "One at a time", concurrency=1, max_attempts=2, backoff_base_s=1),
        QueueDefinition("soak-once", "Never retried", concurrency=2, max_attempts=1),
        QueueDefinition("soak-quick", "Quick"),
    ]


@hookimpl
def obscura_processors() -> dict[str, Any]:
    return {"soak-write": write_proc, "soak-slow": sleep_proc, "soak-once": sleep_proc, "soak-quick": quick_proc}
