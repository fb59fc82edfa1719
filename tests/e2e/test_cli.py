"""The CLI as an operator uses it: migrate, library add/list, scan, plugins, and ``obscura worker``
running jobs that the web app enqueued."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from obscura_core.app import create_app
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.testing import database_url_with_name, redis_url_with_db

pytestmark = pytest.mark.e2e

OBSCURA = str(Path(sys.executable).with_name("obscura"))


@pytest.fixture
def cli_env(obscura_service_urls, tmp_path: Path):
    admin, redis_url = obscura_service_urls
    name = f"obscura_cli_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCURA_TEST_")}
    env.update(
        DATABASE_URL=database_url_with_name(admin, name),
        REDIS_URL=redis_url_with_db(redis_url, 12),
        OBSCURA_DATA_DIR=str(tmp_path / "data"),
    )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    yield env
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([OBSCURA, *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_operator_cli_and_a_standalone_worker(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert "migrated: core" in _cli(cli_env, "migrate").stdout
    assert "migrated: core" in _cli(cli_env, "migrate").stdout, "a second migrate is harmless"

    media = tmp_path / "media"
    media.mkdir()
    assert "added library root" in _cli(cli_env, "library", "add", str(media), "--nsfw").stdout
    again = _cli(cli_env, "library", "add", str(media), check=False)
    assert again.returncode != 0 and "already a library root" in again.stderr
    missing = _cli(cli_env, "library", "add", str(tmp_path / "nope"), check=False)
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    assert "nsfw" in _cli(cli_env, "library", "list").stdout

    listing = _cli(cli_env, "plugins").stdout
    assert "core.jobs" in listing and "GET /api/jobs" in listing

    # the web app enqueues, a separate `obscura worker` process runs it
    settings = Settings.from_env(cli_env)
    rt = build_runtime("web", settings)
    set_runtime(rt)
    try:
        client = create_app(runtime=rt).test_client()
        run_id = client.post("/api/plugins/hello/greetings", json={"name": "Worker"}).get_json()["data"]["jobRunId"]
        assert client.get(f"/api/jobs/{run_id}").get_json()["data"]["status"] == "waiting"
        _cli(cli_env, "worker", "--burst", "--processes", "1")
        run = client.get(f"/api/jobs/{run_id}").get_json()["data"]
        assert run["status"] == "completed" and run["result"]["message"] == "Hello, Worker!"
    finally:
        set_runtime(None)
        rt.close()


def test_demo_library_writes_sample_media(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run([OBSCURA, "demo-library", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert "Test Pattern (2024).mp4" in files
    assert "Demo Show/Season 01/Demo Show - S01E01 - Episode 1.mp4" in files
    assert sum(f.endswith(".jpg") for f in files) == 6
    assert sum(f.endswith(".mp3") for f in files) == 3
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            str(out / "Test Pattern (2024).mp4"),
        ],
        capture_output=True,
        text=True,
    )
    assert abs(float(probe.stdout) - 12) < 0.5


def test_plugin_new_writes_a_package_whose_own_tests_pass(obscura_service_urls, tmp_path: Path) -> None:
    """What a plugin author does first: scaffold, then run the scaffold's tests (real services)."""
    target = tmp_path / "obscura-clips"
    done = subprocess.run([OBSCURA, "plugin", "new", "clips", "--dir", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (target / "clips" / "plugin.py").is_file() and (target / "tests" / "test_clips.py").is_file()
    assert 'clips = "clips.plugin"' in (target / "pyproject.toml").read_text()
    again = subprocess.run([OBSCURA, "plugin", "new", "clips", "--dir", str(target)], capture_output=True, text=True)
    assert again.returncode != 0 and "not empty" in again.stderr
    bad = subprocess.run([OBSCURA, "plugin", "new", "Bad Name", "--dir", str(tmp_path / "x")], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode != 0 and "not a plugin name" in bad.stderr

    admin, redis_url = obscura_service_urls
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCURA_")}
    env.update(OBSCURA_TEST_DATABASE_URL=admin, OBSCURA_TEST_REDIS_URL=redis_url_with_db(redis_url, 13))
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=target, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "2 passed" in tests.stdout
