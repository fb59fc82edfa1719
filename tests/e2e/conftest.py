"""End-to-end fixtures: ``obscura serve`` started as a user would, and headless Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plugin_sdk.testing import database_url_with_name, redis_url_with_db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def post_json(url: str, body: Any) -> Any:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    started_in: float

    def stop(self) -> int:
        """Ctrl-C: SIGINT to the whole process group, as a terminal does."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def start_serve(env_overrides: dict[str, str | None], log: Path, timeout: float = 120) -> Served:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCURA_TEST_")}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "OBSCURA_SCHEDULER_TICK": "1"})
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    obscura = str(Path(sys.executable).with_name("obscura"))
    started = time.monotonic()
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [obscura, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = started + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"obscura serve exited with {proc.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError, ValueError):
            if get_json(url + "/api/health", timeout=2)["ok"]:
                return Served(url, proc, log, time.monotonic() - started)
        time.sleep(0.25)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError(f"obscura serve did not answer within {timeout}s:\n{log.read_text()}")


@contextlib.contextmanager
def serve_fresh(
    service_urls: tuple[str, str], name: str, redis_db: int, data: Path, env: dict[str, str | None]
) -> Iterator[Served]:
    """``obscura serve`` on a new database ``name``, a flushed Redis database ``redis_db`` and the
    data folder ``data`` (``env`` adds to or unsets the environment); the database is dropped after."""
    import psycopg
    import redis

    admin, redis_url = service_urls
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    own_redis = redis_url_with_db(redis_url, redis_db)
    redis.Redis.from_url(own_redis).flushdb()
    server = start_serve(
        {
            "DATABASE_URL": database_url_with_name(admin, name),
            "REDIS_URL": own_redis,
            "OBSCURA_DATA_DIR": str(data),
            **env,
        },
        data / "serve.log",
    )
    try:
        yield server
    finally:
        server.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` on a fresh database and its own Redis database, for this module."""
    data = tmp_path_factory.mktemp("e2e-data")
    with serve_fresh(obscura_service_urls, f"obscura_e2e_{os.getpid()}", 10, data, {"OBSCURA_WORKERS": "2"}) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
