"""``obscura serve`` (everything in one process tree), ``obscura web`` and ``obscura worker``."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

import click

from obscura_core.settings import Settings

log = logging.getLogger("obscura.serve")


def _prepare(embedded: bool) -> tuple[Settings, object | None]:
    """Settings from the environment, with embedded services started where URLs are unset."""
    from obscura_core.services.embedded import EmbeddedServices, ensure_secret
    from obscura_core.services.postgres import EmbeddedPostgresError

    settings = Settings.from_env()
    services = None
    need_db, need_redis = not settings.database_url, not settings.redis_url
    if need_db or need_redis:
        if not embedded:
            raise click.ClickException("DATABASE_URL and REDIS_URL must be set (or drop --no-embedded).")
        services = EmbeddedServices(settings.data_dir)
        try:
            os.environ.update(services.start(database=need_db, redis=need_redis))
        except EmbeddedPostgresError as exc:
            raise click.ClickException(str(exc)) from None
    ensure_secret(settings.data_dir)
    return Settings.from_env(), services


def _gunicorn_cmd(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--worker-class",
        "gthread",
        "--workers",
        os.environ.get("OBSCURA_WEB_PROCESSES", "1"),
        "--threads",
        str(settings.web_threads),
        "--timeout",
        "0",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
        "obscura_core.app:create_app()",
    ]


class _Stopper:
    """Turns SIGINT/SIGTERM into an event the main thread waits on."""

    def __init__(self) -> None:
        self.event = threading.Event()
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, _frame: object) -> None:
        self.event.set()


def _wait_for_consent(rt: object, stopper: _Stopper, web: subprocess.Popen[bytes] | None = None) -> bool:
    """While a breaking migration waits for consent (the UI's notice, or ``obscura migrate
    --accept-breaking``), workers would run against a half-migrated schema: wait. False when
    stopped meanwhile."""
    from obscura_core.migrate import gate_state

    click.echo("An upgrade waits for your consent: open Obscura, or run `obscura migrate --accept-breaking`.", err=True)
    while gate_state(rt, max_age=2.0):  # type: ignore[arg-type]
        if stopper.event.wait(2.0):
            return False
        if web is not None and web.poll() is not None:
            raise click.ClickException(f"the web server exited with code {web.returncode}")
    click.echo("The upgrade was accepted and applied: starting the workers.", err=True)
    return True


@click.command()
@click.option("--workers", "worker_count", type=int, default=None, help="Worker processes (OBSCURA_WORKERS, 2).")
@click.option("--embedded/--no-embedded", default=True, help="Start PostgreSQL/Redis when their URLs are unset.")
def serve(worker_count: int | None, embedded: bool) -> None:
    """Migrate, then run the web server, the workers and the scheduler until Ctrl-C."""
    from obscura_core.jobs.scheduler import SchedulerThread
    from obscura_core.jobs.worker import RetryScheduler, WorkerSupervisor
    from obscura_core.migrate import MigrationAborted, migrate
    from obscura_core.runtime import build_runtime, set_runtime

    settings, services = _prepare(embedded)
    stopper = _Stopper()
    web: subprocess.Popen[bytes] | None = None
    workers: WorkerSupervisor | None = None
    scheduler = None
    retries = None
    try:
        rt = build_runtime("worker", settings)
        set_runtime(rt)
        try:
            result = migrate(rt)
        except MigrationAborted as exc:
            raise click.ClickException(exc.message) from None
        web = subprocess.Popen(_gunicorn_cmd(settings), env=os.environ.copy())  # first: it shows the notice
        if result.waiting and not _wait_for_consent(rt, stopper, web):
            return
        workers = WorkerSupervisor(rt, worker_count or settings.worker_processes)
        workers.start()
        retries = RetryScheduler(rt)
        retries.start()
        scheduler = SchedulerThread(rt)
        scheduler.start()
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        click.echo(f"Obscura is running at http://{host}:{settings.port}  (Ctrl-C to stop)", err=True)
        while not stopper.event.wait(1.0):
            if web.poll() is not None:
                raise click.ClickException(f"the web server exited with code {web.returncode}")
            if workers.check():  # a worker died (crash, kill -9): it is replaced, its runs reconciled
                scheduler.tick_soon()
    finally:
        click.echo("Stopping Obscura…", err=True)
        if scheduler is not None:
            scheduler.stop()
        if retries is not None:
            retries.stop()
        if web is not None and web.poll() is None:
            web.terminate()
            try:
                web.wait(15)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()
        if workers is not None:
            workers.stop()
        if scheduler is not None:
            scheduler.join(5)
        if services is not None:
            services.stop()  # type: ignore[attr-defined]
        click.echo("Stopped.", err=True)


@click.command()
def web() -> None:
    """Run only the web server (gunicorn), against DATABASE_URL and REDIS_URL."""
    settings, _ = _prepare(embedded=False)
    os.execv(sys.executable, _gunicorn_cmd(settings))


@click.command()
@click.option("--processes", type=int, default=None, help="Worker processes (OBSCURA_WORKERS, 2).")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
def worker(processes: int | None, burst: bool) -> None:
    """Run only workers (and the scheduler), against DATABASE_URL and REDIS_URL."""
    from obscura_core.jobs.feed import feed_all
    from obscura_core.jobs.reconcile import reconcile
    from obscura_core.jobs.scheduler import SchedulerThread
    from obscura_core.jobs.worker import RetryScheduler, WorkerSupervisor, fork_workers, stop_children
    from obscura_core.migrate import gate_state
    from obscura_core.runtime import build_runtime, set_runtime

    settings, _ = _prepare(embedded=False)
    rt = build_runtime("worker", settings)
    set_runtime(rt)
    stopper = _Stopper()
    if gate_state(rt) and not _wait_for_consent(rt, stopper):
        return
    reconcile(rt)
    feed_all(rt)
    count = processes or settings.worker_processes
    if burst:
        pids = fork_workers(rt, count, burst=True)
        try:
            for pid in pids:
                os.waitpid(pid, 0)
        finally:
            stop_children(pids, redis=rt.redis)
        return
    workers = WorkerSupervisor(rt, count)
    workers.start()
    scheduler = SchedulerThread(rt)
    retries = RetryScheduler(rt)
    for thread in (scheduler, retries):
        thread.start()
    try:
        while not stopper.event.wait(1.0):
            if workers.check():  # a worker died (crash, kill -9): it is replaced, its runs reconciled
                scheduler.tick_soon()
    finally:
        for thread in (scheduler, retries):
            thread.stop()
        workers.stop()


__all__ = ["serve", "web", "worker"]
