"""The one place plugin hook implementations are called.

Every hook call of the core and the SDK goes through :class:`Hooks` (``runtime.hooks``), which,
for each implementation in turn:

- times the call (kept per plugin and hook, and logged with ``OBSCURA_TRACE_PLUGINS=1``);
- checks what it returned against what the hook promises;
- when the implementation raises, or returns the wrong type, logs it with the plugin's name,
  records a :class:`PluginFault` and goes on without that plugin's answer, so one plugin's fault
  never fails another plugin's job, page or route.

Errors a plugin raises on purpose for the user (``plugin_sdk.errors``: a 400 for a bad name, a
404) are not faults: they go to the caller, which answers with them. Hooks that write in the
caller's transaction run each implementation inside a SAVEPOINT (``savepoint=db``), so a plugin
that fails halfway leaves nothing half-written.

Faults are kept in this process and in Redis (the last :data:`FAULTS_KEPT`, shared by the web
and worker processes), and shown in ``/api/plugins`` and Settings → System.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from plugin_sdk.errors import ObscuraError

if TYPE_CHECKING:
    import pluggy
    from redis import Redis
    from sqlalchemy.orm import Session

log = logging.getLogger("obscura.plugins")

FAULTS_KEPT = 200
FAULTS_KEY = "obscura:plugin-faults"

Check = type | tuple[type, ...] | Callable[[Any], bool]
"""What an answer (or each item of a list answer) must be: a type, types, or a predicate."""


@dataclass(frozen=True)
class PluginFault:
    """One implementation that raised or answered with the wrong type."""

    plugin: str
    hook: str
    error: str
    kind: str  # "raised" | "returned"
    at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _ok(value: Any, check: Check) -> bool:
    if isinstance(check, type | tuple):
        return isinstance(value, check)
    return bool(check(value))


def _describe(check: Check) -> str:
    if isinstance(check, type):
        return check.__name__
    if isinstance(check, tuple):
        return " or ".join(t.__name__ for t in check)
    return getattr(check, "__doc__", None) or getattr(check, "__name__", "the expected value")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class Hooks:
    """Calls hook implementations one by one with fault isolation (see the module docstring)."""

    def __init__(self, pm: pluggy.PluginManager, *, trace: bool = False) -> None:
        self.pm = pm
        self.trace = trace
        self.faults: deque[PluginFault] = deque(maxlen=FAULTS_KEPT)
        self.timings: dict[tuple[str, str], list[float]] = {}  # (plugin, hook) -> [calls, seconds]
        self._lock = threading.Lock()
        self.redis_source: Callable[[], Redis | None] | None = None  # the runtime's Redis: faults are shared

    # -- calling -------------------------------------------------------------------------------

    def impls(self, hook: str) -> list[Any]:
        """The plugin implementations of ``hook`` in registration order (wrappers left out)."""
        caller = getattr(self.pm.hook, hook)
        return [i for i in caller.get_hookimpls() if not (i.hookwrapper or i.wrapper)]

    def implemented(self, hook: str) -> bool:
        return bool(self.impls(hook))

    def _call(
        self, impl: Any, hook: str, kwargs: Mapping[str, Any], savepoint: Session | None, about: str = ""
    ) -> tuple[bool, Any]:
        args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        started = time.perf_counter()
        try:
            if savepoint is not None:
                with savepoint.begin_nested():
                    result = impl.function(**args)
            else:
                result = impl.function(**args)
        except ObscuraError:
            raise  # meant for the user (a 400, a 404): the caller answers with it
        except Exception as exc:
            where = f" ({about})" if about else ""
            self.fault(impl.plugin_name, hook, f"{type(exc).__name__}: {exc}{where}", "raised", exc)
            return False, None
        finally:
            took = time.perf_counter() - started
            with self._lock:
                entry = self.timings.setdefault((impl.plugin_name, hook), [0, 0.0])
                entry[0] += 1
                entry[1] += took
            if self.trace:
                log.info("hook %s → %s: %.2f ms", hook, impl.plugin_name, took * 1000)
        return True, result

    def call(
        self, impl: Any, hook: str, *, returns: Check | None = None, savepoint: Session | None = None, **kwargs: Any
    ) -> tuple[bool, Any]:
        """Call one implementation (from :meth:`impls`): ``(True, answer)``, or ``(False, None)``
        after a fault (it raised, or its non-``None`` answer fails ``returns``)."""
        called, result = self._call(impl, hook, kwargs, savepoint)
        if called and result is not None and returns is not None and not _ok(result, returns):
            self.fault(impl.plugin_name, hook, f"returned {_short(result)}, not {_describe(returns)}", "returned")
            return False, None
        return called, result

    def answers(
        self,
        hook: str,
        *,
        returns: Check | None = None,
        savepoint: Session | None = None,
        on_fault: Any = None,
        **kwargs: Any,
    ) -> list[tuple[str, Any]]:
        """``(plugin, answer)`` for each implementation, in registration order. ``None`` answers are
        left out, and so are faults, unless ``on_fault`` is given: then it stands in for the
        faulty plugin's answer (a hook that must fail closed, such as the SFW rules)."""
        out: list[tuple[str, Any]] = []
        for impl in self.impls(hook):
            called, result = self.call(impl, hook, returns=returns, savepoint=savepoint, **kwargs)
            if not called:
                if on_fault is not None:
                    out.append((impl.plugin_name, on_fault))
                continue
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def each(
        self, hook: str, *, items: Check | None = None, savepoint: Session | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """``(plugin, item)`` pairs of a hook answering with lists: every implementation's items
        in registration order. An answer that is not a list, or an item failing ``items``, is a
        fault: logged with the plugin's name and left out."""
        out: list[tuple[str, Any]] = []
        for plugin, answer in self.answers(hook, returns=_is_list, savepoint=savepoint, **kwargs):
            for item in answer:
                if items is not None and not _ok(item, items):
                    self.fault(plugin, hook, f"returned the item {_short(item)}, not {_describe(items)}", "returned")
                    continue
                out.append((plugin, item))
        return out

    def mappings(self, hook: str, *, savepoint: Session | None = None, **kwargs: Any) -> list[tuple[str, Mapping]]:
        """``(plugin, mapping)`` for a hook answering with a mapping (or ``None``)."""
        return self.answers(hook, returns=Mapping, savepoint=savepoint, **kwargs)

    def notify(self, hook: str, *, savepoint: Session | None = None, about: str = "", **kwargs: Any) -> int:
        """Call every implementation of an event hook; returns how many ran without a fault.

        :param about: what the event concerned, added to a fault's message (e.g. the job run).
        """
        ran = 0
        for impl in self.impls(hook):
            called, _ = self._call(impl, hook, kwargs, savepoint, about)
            ran += called
        return ran

    def first(self, hook: str, *, returns: Check | None = None, savepoint: Session | None = None, **kwargs: Any) -> Any:
        """The first non-``None`` valid answer, asking the last registered plugin first (pluggy's
        ``firstresult`` order, so a third party can override a built-in); ``None`` if none."""
        for impl in reversed(self.impls(hook)):
            called, result = self.call(impl, hook, returns=returns, savepoint=savepoint, **kwargs)
            if called and result is not None:
                return result
        return None

    # -- faults --------------------------------------------------------------------------------

    def fault(self, plugin: str, hook: str, error: str, kind: str, exc: BaseException | None = None) -> None:
        """Record and log one plugin fault (the plugin's answer is left out by the caller)."""
        item = PluginFault(plugin=plugin, hook=hook, error=error[:2000], kind=kind, at=time.time())
        self.faults.append(item)
        log.error(
            "plugin '%s' %s in %s: %s (its answer is left out)",
            plugin,
            "raised" if kind == "raised" else "answered wrongly",
            hook,
            error,
            exc_info=exc,
        )
        redis = self._redis()
        if redis is not None:
            try:
                pipe = redis.pipeline()
                pipe.lpush(FAULTS_KEY, json.dumps(item.to_json()))
                pipe.ltrim(FAULTS_KEY, 0, FAULTS_KEPT - 1)
                pipe.execute()
            except Exception:  # Redis down: the fault is still logged and kept here
                log.warning("could not record the plugin fault in Redis", exc_info=True)

    def _redis(self) -> Redis | None:
        try:
            return self.redis_source() if self.redis_source is not None else None
        except Exception:
            return None

    def recent_faults(self) -> list[PluginFault]:
        """The latest faults of every process (shared through Redis) and of this one, newest first."""
        found = set(self.faults)
        redis = self._redis()
        if redis is not None:
            try:
                found.update(PluginFault(**json.loads(r)) for r in redis.lrange(FAULTS_KEY, 0, FAULTS_KEPT - 1))
            except Exception:
                log.warning("could not read plugin faults from Redis", exc_info=True)
        return sorted(found, key=lambda f: -f.at)[:FAULTS_KEPT]


def _is_list(value: Any) -> bool:
    """a list"""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)
