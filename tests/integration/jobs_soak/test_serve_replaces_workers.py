"""``obscura serve`` replaces a worker process that died (kill -9), and the new one takes work.

The real command, started as an operator starts it, against the local PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from redis import Redis

from plugin_sdk.testing import database_url_with_name
from tests.integration.jobs_soak.support import alive, wait_for

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["data"]


@pytest.fixture
def served(obscura_service_urls: tuple[str, str], tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    admin, redis_url = obscura_service_urls
    name = f"obscura_soak_serve_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    Redis.from_url(redis_url).flushdb()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCURA_TEST_")}
    env.update({
        "DATABASE_URL": database_url_with_name(admin, name), "REDIS_URL": redis_url,
        "OBSCURA_DATA_DIR": str(tmp_path / "data"), "OBSCURA_WORKERS": "1", "OBSCURA_WEB_THREADS": "4",
        "PORT": str(port), "HOST": "127.0.0.1",
    })  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("obscura")), "serve"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(OSError, ValueError):
                return _call(url + "/api/health") is not None
            return False

        wait_for(up, 180, "obscura serve to answer", step=0.25)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        print(log.read_text()[-3000:])
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive_workers(url: str) -> list[str]:
    return [w["name"] for w in _call(url + "/api/system/status")["workers"] if w["alive"]]


def test_serve_replaces_a_killed_worker_each_time(served, tmp_path) -> None:
    url, proc = served
    library = tmp_path / "library"
    library.mkdir()
    root = _call(url + "/api/libraries", {"path": str(library)})["id"]
    seen: set[str] = set()
    (worker,) = wait_for(lambda: _alive_workers(url), 30, "the worker")
    for round_ in (1, 2):
        pid = int(worker.rsplit("-", 1)[1])
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not alive(pid), 5, "the worker to die")  # noqa: B023
        replaced = wait_for(
            lambda: [w for w in _alive_workers(url) if w != worker],  # noqa: B023
            30, f"a new worker (round {round_})", step=0.25,
        )  # fmt: skip
        assert worker not in _alive_workers(url), "the dead worker is unregistered"
        (worker,) = replaced
        assert proc.poll() is None

        _call(url + f"/api/libraries/{root}/scan", {})

        def runs_done() -> list[dict[str, Any]]:
            items = _call(url + "/api/jobs?perPage=500")["items"]
            new = [r for r in items if r["id"] not in seen]
            return new if new and all(r["status"] == "completed" for r in new) else []

        new_runs = wait_for(runs_done, 60, f"the scan after round {round_}", step=0.25)
        assert {r["workerName"] for r in new_runs} == {worker}, "the new worker took the work"
        seen.update(r["id"] for r in new_runs)
