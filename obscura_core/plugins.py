"""The plugin manager: registers essential, built-in and third-party plugins and validates them.

Loading order (``reference/python-anchors.md`` §3.3): essential core plugins, then built-ins,
then the ``obscura`` entry-point group. pluggy calls the last registered first, so a third party
can override a ``firstresult`` hook. A broken built-in aborts start-up; a broken third-party
plugin is reported and skipped, unless ``OBSCURA_STRICT_PLUGINS=1`` (tests, CI) makes it fatal.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import logging
import pkgutil
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from obscura_core import hookspecs
from obscura_core.settings import Settings

log = logging.getLogger("obscura.plugins")

ESSENTIAL_PLUGINS: tuple[tuple[str, str], ...] = (
    ("core.models", "obscura_core.db.core_plugin"),
    ("core.dispatch", "obscura_core.jobs.dispatch"),
    ("core.bookkeeping", "obscura_core.jobs.bookkeeping"),
    ("core.system", "obscura_core.api.system"),
    ("core.jobs", "obscura_core.api.jobs"),
    ("core.libraries", "obscura_core.api.libraries"),
    ("core.settings", "obscura_core.api.settings"),
    ("core.ui-prefs", "obscura_core.api.ui_prefs"),
    ("core.shell", "obscura_core.web.shell"),
    ("core.operations", "obscura_core.web.operations"),
    ("core.settings-page", "obscura_core.web.settings_page"),
)
"""Core-internal plugins; they cannot be disabled."""

BUILTIN_PACKAGE = "plugins_builtin"


def builtin_plugins() -> tuple[tuple[str, str], ...]:
    """Every feature of Obscura: each package of ``plugins_builtin`` is an ordinary plugin module,
    registered under its folder's name, in name order (the core lists none of them)."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    return tuple(
        (info.name, f"{BUILTIN_PACKAGE}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if info.ispkg and not info.name.startswith("_")
    )


BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = builtin_plugins()

ENTRYPOINT_GROUP = "obscura"
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


class PluginLoadError(RuntimeError):
    """Start-up refused: the message names every plugin at fault."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    kind: str  # "essential" | "builtin" | "external"
    module: str
    dist: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class PluginFailure:
    name: str
    dist: str | None
    stage: str  # "import" | "register" | "validate"
    error: str


@dataclass(frozen=True, slots=True)
class EntryPointInfo:
    """One ``obscura`` entry point of the environment: the plugin name, its distribution and version."""

    name: str
    value: str
    dist: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class PendingChange:
    """An ``obscura`` entry point that changed since the runtime was built (a restart applies it)."""

    name: str
    dist: str | None
    version: str | None
    change: str  # "installed" | "removed" | "upgraded"
    previous_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dist": self.dist,
            "version": self.version,
            "change": self.change,
            "previousVersion": self.previous_version,
        }


@dataclass
class PluginReport:
    loaded: list[PluginInfo] = field(default_factory=list)
    failed: list[PluginFailure] = field(default_factory=list)
    entrypoints: dict[str, EntryPointInfo] = field(default_factory=dict)
    """Every ``obscura`` entry point the environment had when the manager was built, loaded or
    not (filtered out, disabled, ``load_entrypoints=False``): what :func:`pending_changes`
    compares the environment of now with."""


class ObscuraPluginManager(pluggy.PluginManager):
    """A pluggy manager that also notices ``obscura_*`` functions missing ``@hookimpl``."""

    def __init__(self) -> None:
        super().__init__("obscura")
        self.unmarked: list[tuple[str, str]] = []
        self._registering: str | None = None

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        if not name.startswith("obscura_"):
            return None
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None:
            attr = getattr(plugin, name, None)
            if inspect.isfunction(attr) or inspect.ismethod(attr):
                self.unmarked.append((self._registering or "?", name))
        return opts

    def register_named(self, plugin: Any, name: str) -> None:
        self._registering = name
        try:
            self.register(plugin, name=name)
        finally:
            self._registering = None


def _problem_with_specs(pm: ObscuraPluginManager) -> list[tuple[str, str]]:
    """``(plugin, message)`` for implementations of unknown hooks and unmarked functions."""
    problems: list[tuple[str, str]] = []
    for name in dir(pm.hook):
        if not name.startswith("obscura_"):
            continue
        caller = getattr(pm.hook, name)
        if getattr(caller, "spec", None) is None:
            for impl in caller.get_hookimpls():
                problems.append(
                    (
                        impl.plugin_name,
                        f"plugin '{impl.plugin_name}' implements unknown hook '{name}' "
                        "(misspelt? see obscura_core/hookspecs.py)",
                    )
                )
    for plugin_name, fn in pm.unmarked:
        problems.append((plugin_name, f"function '{fn}' in plugin '{plugin_name}' is not decorated with @hookimpl"))
    return problems


def _dist_of(ep: importlib.metadata.EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def entrypoint_snapshot() -> dict[str, EntryPointInfo]:
    """The ``obscura`` entry points installed right now, by plugin name (the first of a name wins,
    as when loading). Read afresh from ``sys.path`` every call; cheap (metadata files only, no
    plugin is imported)."""
    importlib.invalidate_caches()
    found: dict[str, EntryPointInfo] = {}
    for ep in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP):
        if ep.name in found:
            continue
        dist, version = _dist_of(ep)
        found[ep.name] = EntryPointInfo(ep.name, ep.value, dist, version)
    return found


def diff_entrypoints(before: dict[str, EntryPointInfo], after: dict[str, EntryPointInfo]) -> list[PendingChange]:
    """What changed from ``before`` to ``after``: plugins installed, removed, or whose distribution
    version changed (``"upgraded"``, downgrades included), in name order."""
    changes: list[PendingChange] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None and new is not None:
            changes.append(PendingChange(name, new.dist, new.version, "installed"))
        elif new is None and old is not None:
            changes.append(PendingChange(name, old.dist, old.version, "removed"))
        elif old is not None and new is not None and old != new:
            changes.append(PendingChange(name, new.dist, new.version, "upgraded", old.version))
    return changes


def pending_changes(report: PluginReport) -> list[PendingChange]:
    """The entry-point plugins installed, removed or upgraded since ``report``'s manager was built:
    a running server loads them only when restarted."""
    return diff_entrypoints(report.entrypoints, entrypoint_snapshot())


def build_plugin_manager(
    settings: Settings,
    *,
    plugins: list[tuple[str, Any]] | None = None,
    builtins: tuple[str, ...] | None = None,
    load_entrypoints: bool = True,
) -> tuple[ObscuraPluginManager, PluginReport]:
    """Create a fresh manager with every plugin registered and validated.

    :param plugins: extra ``(name, module_or_object)`` plugins (tests register throwaway ones).
    :param builtins: only these built-in names (``None``: all of them).
    :param load_entrypoints: also load third-party plugins from the ``obscura`` group.
    """
    pm = ObscuraPluginManager()
    pm.add_hookspecs(hookspecs)
    report = PluginReport(entrypoints=entrypoint_snapshot())
    fatal: list[str] = []

    def register(name: str, obj: Any, info: PluginInfo, critical: bool) -> None:
        try:
            pm.register_named(obj, name)
        except Exception as exc:  # pluggy.PluginValidationError and friends
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)
            message = f"plugin '{name}' was rejected: {exc}"
            report.failed.append(PluginFailure(name, info.dist, "register", str(exc)))
            if critical or settings.strict_plugins:
                fatal.append(message)
            else:
                log.error(message)
            return
        report.loaded.append(info)

    for name, module in ESSENTIAL_PLUGINS:
        register(name, importlib.import_module(module), PluginInfo(name, "essential", module), True)

    blocked = set(settings.disable_plugins)
    for name, module in BUILTIN_PLUGINS:
        if (builtins is not None and name not in builtins) or name in blocked:
            continue
        register(name, importlib.import_module(module), PluginInfo(name, "builtin", module), True)

    if load_entrypoints:
        seen: set[str] = set()
        for ep in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP):
            dist, version = _dist_of(ep)
            if ep.name in seen:
                continue
            seen.add(ep.name)
            if ep.name in blocked:
                log.info("plugin %s disabled by OBSCURA_DISABLE_PLUGINS", ep.name)
                continue
            if (
                settings.load_plugins is not None
                and dist not in settings.load_plugins
                and ep.name not in settings.load_plugins
            ):
                continue
            if not NAME_RE.match(ep.name) or pm.get_plugin(ep.name) is not None:
                msg = f"entry point name '{ep.name}' of {dist} is invalid or already taken"
                report.failed.append(PluginFailure(ep.name, dist, "register", msg))
                (fatal.append if settings.strict_plugins else log.error)(msg)
                continue
            try:
                obj: ModuleType | Any = ep.load()
            except Exception as exc:
                msg = f"plugin '{ep.name}' ({dist}) could not be imported: {exc!r}"
                report.failed.append(PluginFailure(ep.name, dist, "import", repr(exc)))
                (fatal.append if settings.strict_plugins else log.error)(msg)
                continue
            register(ep.name, obj, PluginInfo(ep.name, "external", ep.value, dist, version), False)

    for name, obj in plugins or []:
        register(name, obj, PluginInfo(name, "external", getattr(obj, "__name__", repr(obj))), True)

    kinds = {info.name: info for info in report.loaded}
    for plugin_name, problem in _problem_with_specs(pm):
        info = kinds.get(plugin_name)
        if (
            info is not None
            and info.kind == "external"
            and not settings.strict_plugins
            and plugin_name not in dict(plugins or [])
        ):
            log.error("%s; plugin skipped", problem)
            if pm.get_plugin(plugin_name) is not None:
                pm.unregister(name=plugin_name)
            report.loaded = [i for i in report.loaded if i.name != plugin_name]
            report.failed.append(PluginFailure(plugin_name, info.dist, "validate", problem))
        else:
            fatal.append(problem)
    if fatal:
        raise PluginLoadError("Obscura cannot start:\n  - " + "\n  - ".join(fatal))

    if settings.trace_plugins:
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm, report
