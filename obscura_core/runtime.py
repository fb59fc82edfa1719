"""The runtime of one process: settings + plugin manager + registry + database + Redis.

``build_runtime`` has no import-time side effects and returns a fresh runtime every call (tests
build many). A process installs one with ``set_runtime``; the RQ entry point and the SDK's lazy
helpers read it with ``get_runtime``. Workers build it before forking, so every job horse
inherits the same registry.
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from obscura_core.hookcall import Hooks
from obscura_core.plugins import PluginReport, build_plugin_manager
from obscura_core.registry import Registry
from obscura_core.settings import Settings
from plugin_sdk.types import StartupContext

log = logging.getLogger("obscura")

_runtime: Runtime | None = None


@dataclass
class Runtime:
    settings: Settings
    role: str
    pm: Any
    report: PluginReport
    registry: Registry
    hooks: Hooks
    _engine: Engine | None = field(default=None, repr=False)
    _sessionmaker: sessionmaker[Session] | None = field(default=None, repr=False)
    _redis: Redis | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(
                self.settings.sqlalchemy_url,
                pool_pre_ping=True,
                pool_size=max(5, self.settings.web_threads),
                max_overflow=10,
            )
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _dispose_in_child(ref))
        return self._engine

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        if self._sessionmaker is None:
            self._sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessionmaker

    def session(self) -> Session:
        return self.sessionmaker()

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            if not self.settings.redis_url:
                raise RuntimeError("REDIS_URL is not set and no embedded Redis was started")
            self._redis = Redis.from_url(self.settings.redis_url)
        return self._redis

    def startup(self) -> None:
        """Call every plugin's ``obscura_startup`` for this process's role."""
        self.hooks.notify("obscura_startup", ctx=StartupContext(role=self.role, settings=self.settings))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self._redis is not None:
            self._redis.close()


def _dispose_in_child(ref: weakref.ReferenceType[Runtime]) -> None:
    """After a fork, the child must not reuse the parent's pooled connections."""
    rt = ref()
    if rt is not None and rt._engine is not None:
        rt._engine.dispose(close=False)


def build_runtime(
    role: str,
    settings: Settings | None = None,
    *,
    plugins: list[tuple[str, Any]] | None = None,
    builtins: tuple[str, ...] | None = None,
    load_entrypoints: bool = True,
) -> Runtime:
    """Load and validate the plugins and build the registry (no database access)."""
    settings = settings or Settings.from_env()
    pm, report = build_plugin_manager(settings, plugins=plugins, builtins=builtins, load_entrypoints=load_entrypoints)
    hooks = Hooks(pm, trace=settings.trace_plugins)
    registry = Registry.build(hooks)
    rt = Runtime(settings=settings, role=role, pm=pm, report=report, registry=registry, hooks=hooks)
    if settings.redis_url:
        ref = weakref.ref(rt)
        hooks.redis_source = lambda: ref().redis if ref() is not None else None
    return rt


def set_runtime(rt: Runtime | None) -> None:
    """Install ``rt`` as this process's runtime (read by jobs and SDK helpers)."""
    global _runtime
    _runtime = rt


def current_runtime() -> Runtime | None:
    return _runtime


def get_runtime() -> Runtime:
    """This process's runtime; in a Flask request, the app's runtime."""
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            rt = current_app.extensions.get("obscura")
            if rt is not None:
                return rt
    except ImportError:  # pragma: no cover - flask is a dependency
        pass
    if _runtime is None:
        raise RuntimeError("No Obscura runtime: call build_runtime() and set_runtime() first")
    return _runtime
