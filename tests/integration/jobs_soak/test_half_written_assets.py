"""A work horse killed with SIGKILL mid-write leaves no half-written asset and no ffmpeg behind.

Assets are written under a temporary name (``plugin_sdk.storage.atomic_write``) that names its
writer; ffmpeg dies with the process that started it; the retry, and the scheduler's cache sweep,
remove temporaries whose writer is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from obscura_core.jobs.scheduler import SchedulerThread
from obscura_core.jobs.worker import RetryScheduler, fork_workers, stop_children
from plugin_sdk.processes import process_token
from plugin_sdk.storage import cache_path, temporary_path
from tests.integration.jobs_soak.support import alive, enqueue, processes_mentioning, run_row, wait_for

pytestmark = pytest.mark.integration


def _growing_temporaries(folder: Path) -> list[Path]:
    found = []
    for path in folder.glob(".*") if folder.exists() else ():
        try:
            if path.stat().st_size > 0:
                found.append(path)
        except FileNotFoundError:
            continue
    return found


def test_a_horse_killed_mid_write_leaves_only_the_real_asset_and_no_ffmpeg(runtime, tmp_path) -> None:
    pidfile = tmp_path / "horse.pid"
    folder = cache_path("soak", "e1")
    pids = fork_workers(runtime, 1)
    retries = RetryScheduler(runtime)
    retries.start()
    try:
        run_id = enqueue(runtime, "soak-write", {"entity": "e1", "slowAttempts": 1, "pidfile": str(pidfile)}, "e1")
        (temporary,) = wait_for(lambda: _growing_temporaries(folder), 30, "ffmpeg to start writing")
        encoders = processes_mentioning(str(temporary))
        assert encoders, "ffmpeg writes the temporary"
        os.kill(int(pidfile.read_text()), signal.SIGKILL)

        wait_for(lambda: not any(alive(pid) for pid in encoders), 5, "ffmpeg to die with its work horse")
        row = wait_for(lambda: (r := run_row(runtime, run_id)).status == "completed" and r, 60, "the retry")
        assert row.attempts == 2
        time.sleep(1.5)  # an orphaned encoder would have written more by now
        assert sorted(p.name for p in folder.iterdir()) == ["preview.mp4"]
        assert (folder / "preview.mp4").stat().st_size > 0
        assert processes_mentioning(str(folder)) == []
    finally:
        retries.stop()
        stop_children(pids, redis=runtime.redis)


def test_the_scheduler_sweeps_temporaries_whose_writer_is_gone(runtime) -> None:
    folder = cache_path("soak", "e2")
    nested = cache_path("soak", "e3", "sub")
    nested.mkdir(parents=True)
    folder.mkdir(parents=True, exist_ok=True)
    asset = folder / "preview.mp4"
    asset.write_bytes(b"the real one")

    gone = subprocess.Popen(["sleep", "30"])
    gone_token = process_token(gone.pid)
    gone.kill()
    gone.wait()
    stale = temporary_path(asset, owner=gone_token)
    stale_nested = temporary_path(nested / "thumb.jpg", owner=gone_token)
    mine = temporary_path(asset)  # this process is alive and may still be writing it
    other_host = folder / ".preview.mp4.zzzzzzzz-4242-1-4242.tmp.mp4"  # an unknown machine's, fresh
    old_style = folder / ".preview.v5f_t0fl.mp4"  # a random name of an earlier version, two days old
    for path in (stale, stale_nested, mine, other_host, old_style):
        path.write_bytes(b"half")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_style, (two_days_ago, two_days_ago))

    SchedulerThread(runtime).tick()  # the first tick sweeps the cache

    assert not stale.exists() and not stale_nested.exists() and not old_style.exists()
    assert mine.exists() and other_host.exists() and asset.read_bytes() == b"the real one"
