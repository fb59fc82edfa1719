"""Configuration from the environment: one frozen ``Settings`` shared by web, worker and CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

_current: Settings | None = None


def _default_data_dir() -> Path:
    data = Path("/data")
    if data.is_dir() and os.access(data, os.W_OK):
        return data
    return Path.home() / ".obscura"


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the processes read from the environment (ARCHITECTURE §3)."""

    database_url: str | None = None
    redis_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 8008
    data_dir: Path = field(default_factory=_default_data_dir)
    cache_dir_override: Path | None = None
    secret: str | None = None
    changelog_path: Path | None = None
    public_api_url: str = "/api"
    public_app_url: str | None = None
    ffmpeg_bin: str = "ffmpeg"
    ffprobe_bin: str = "ffprobe"
    web_threads: int = 16
    worker_processes: int = 2
    strict_plugins: bool = False
    disable_plugins: tuple[str, ...] = ()
    load_plugins: tuple[str, ...] | None = None
    trace_plugins: bool = False
    scheduler_tick_s: float = 30.0

    @property
    def cache_dir(self) -> Path:
        return self.cache_dir_override or self.data_dir / "cache"

    @property
    def sqlalchemy_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set and no embedded database was started")
        return sqlalchemy_url(self.database_url)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        data_dir = Path(e["OBSCURA_DATA_DIR"]).expanduser() if e.get("OBSCURA_DATA_DIR") else _default_data_dir()
        load = e.get("OBSCURA_LOAD_PLUGINS")
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            redis_url=e.get("REDIS_URL") or None,
            host=e.get("HOST", "0.0.0.0"),
            port=int(e.get("PORT", "8008")),
            data_dir=data_dir,
            cache_dir_override=Path(e["OBSCURA_CACHE_DIR"]).expanduser() if e.get("OBSCURA_CACHE_DIR") else None,
            secret=e.get("OBSCURA_SECRET") or None,
            changelog_path=Path(e["CHANGELOG_PATH"]) if e.get("CHANGELOG_PATH") else None,
            public_api_url=e.get("PUBLIC_API_URL", "/api"),
            public_app_url=e.get("PUBLIC_APP_URL") or None,
            ffmpeg_bin=e.get("OBSCURA_FFMPEG", "ffmpeg"),
            ffprobe_bin=e.get("OBSCURA_FFPROBE", "ffprobe"),
            web_threads=int(e.get("OBSCURA_WEB_THREADS", "16")),
            worker_processes=int(e.get("OBSCURA_WORKERS", "2")),
            strict_plugins=e.get("OBSCURA_STRICT_PLUGINS", "") in ("1", "true", "yes"),
            disable_plugins=_csv(e.get("OBSCURA_DISABLE_PLUGINS")),
            load_plugins=_csv(load) if load is not None else None,
            trace_plugins=e.get("OBSCURA_TRACE_PLUGINS", "") in ("1", "true", "yes"),
            scheduler_tick_s=float(e.get("OBSCURA_SCHEDULER_TICK", "30")),
        )


def current_settings() -> Settings:
    """The settings of this process's runtime, or read from the environment."""
    global _current
    from obscura_core import runtime

    rt = runtime.current_runtime()
    if rt is not None:
        return rt.settings
    if _current is None:
        _current = Settings.from_env()
    return _current
