"""``obscura serve`` as a user runs it: real web server, real workers, real browser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from obscura_core.services.postgres import remove_cluster
from tests.e2e.conftest import get_json, post_json, start_serve

pytestmark = pytest.mark.e2e


def test_status_reports_services_and_workers(served) -> None:
    status = get_json(served.url + "/api/system/status")["data"]
    assert status["database"]["reachable"] and status["redis"]["reachable"]
    deadline = time.monotonic() + 20
    while status["workersAlive"] < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        status = get_json(served.url + "/api/system/status")["data"]
    assert status["workersAlive"] == 2


def test_a_job_enqueued_through_the_api_is_run_by_the_workers(served) -> None:
    run_id = post_json(served.url + "/api/plugins/hello/greetings", {"name": "Linus"})["data"]["jobRunId"]
    deadline = time.monotonic() + 30
    run = get_json(f"{served.url}/api/jobs/{run_id}")["data"]
    while run["status"] != "completed" and time.monotonic() < deadline:
        assert run["status"] in ("waiting", "active"), run
        time.sleep(0.1)
        run = get_json(f"{served.url}/api/jobs/{run_id}")["data"]
    assert run["status"] == "completed" and run["result"]["message"] == "Hello, Linus!"
    assert run["workerName"]


def test_home_page_in_chromium_shows_plugin_nav(served, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(served.url + "/")
    nav = page.get_by_role("navigation", name="Library")
    assert nav.get_by_role("link", name="Greetings").is_visible()
    assert page.get_by_role("heading", name="Your library").is_visible()
    page.get_by_role("link", name="Greetings").click()
    page.wait_for_url(served.url + "/hello")
    assert page.get_by_role("heading", name="Greetings").is_visible()
    page.close()


def _clean_env() -> dict[str, str]:
    drop = ("DATABASE_URL", "REDIS_URL", "OBSCURA_SECRET")
    return {k: v for k, v in os.environ.items() if not k.startswith("OBSCURA_TEST_") and k not in drop}


def _processes_mentioning(text: str) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if text in line and "ps -eo" not in line]


def _session_processes(sid: int) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid,sid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines()[1:] if line.split()[1] == str(sid)]


def _answers(admin_url: str) -> bool:
    import psycopg

    with psycopg.connect(admin_url, connect_timeout=5) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)


def test_make_run_style_start_with_embedded_services_and_clean_ctrl_c(
    tmp_path: Path, obscura_service_urls, request
) -> None:
    """Nothing exported: serve starts its own PostgreSQL and Redis; Ctrl-C leaves nothing behind,
    and the services the tests themselves use (embedded ones, on a fresh machine) are untouched.

    ``tmp_path`` is private (0700) like a home folder: as root, PostgreSQL's service user cannot
    enter it, so the cluster is kept where it can and ``data/pg`` points there.
    """
    data = tmp_path / "data"
    tmp_path.chmod(0o700)
    server = start_serve(
        {
            "DATABASE_URL": None,
            "REDIS_URL": None,
            "OBSCURA_DATA_DIR": str(data),
            "OBSCURA_WORKERS": "1",
            "OBSCURA_SECRET": None,
        },
        tmp_path / "serve.log",
        timeout=180,
    )
    try:
        status = get_json(server.url + "/api/system/status")["data"]
        assert status["database"]["reachable"] and status["redis"]["reachable"], status
        assert (data / "pg" / "PG_VERSION").exists()
        assert (data / "redis" / "redis.sock").exists()
        secret = data / "secret.key"
        assert secret.exists() and (secret.stat().st_mode & 0o777) == 0o600
        assert _processes_mentioning(str(data)), "the embedded services run under the data dir"
    finally:
        code = server.stop()
        cluster = (data / "pg").resolve()
        request.addfinalizer(lambda: remove_cluster(data))
    log = server.log.read_text()
    assert code == 0, log
    time.sleep(1)
    assert _session_processes(server.proc.pid) == [], log
    assert _processes_mentioning(str(data)) == [] and _processes_mentioning(str(cluster)) == [], log
    assert (tmp_path.stat().st_mode & 0o777) == 0o700, "no folder above the data dir was opened up"
    assert _answers(obscura_service_urls[0]), "the tests' own PostgreSQL still answers"

    # a start that fails in another data dir (a cluster of an unknown version) says why and
    # stops nothing else
    broken = tmp_path / "broken"
    (broken / "pg").mkdir(parents=True)
    (broken / "pg" / "PG_VERSION").write_text("99\n")
    failed = subprocess.run(
        [str(Path(sys.executable).with_name("obscura")), "serve"],
        env={**_clean_env(), "OBSCURA_DATA_DIR": str(broken)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1 and failed.stderr.startswith("Error: "), failed.stderr
    assert str(broken / "pg") in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    assert _answers(obscura_service_urls[0])
    print(f"serve answered after {server.started_in:.1f}s with embedded services")
