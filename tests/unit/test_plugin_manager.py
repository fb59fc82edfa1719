"""The plugin manager refuses broken plugins at start-up, naming the plugin."""

from __future__ import annotations

import types

import pytest

from obscura_core.hookcall import Hooks
from obscura_core.plugins import ESSENTIAL_PLUGINS, PluginLoadError, build_plugin_manager
from obscura_core.registry import Registry, RegistryError
from obscura_core.runtime import build_runtime
from obscura_core.settings import Settings
from plugin_sdk import NavItem, QueueDefinition, hookimpl


def _settings(**kw: object) -> Settings:
    return Settings(database_url=None, redis_url=None, **kw)  # type: ignore[arg-type]


def _plugin(name: str, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, fn)
    return module


def test_essential_plugins_load_and_build_a_registry() -> None:
    pm, report = build_plugin_manager(_settings(), builtins=(), load_entrypoints=False)
    assert {p.name for p in report.loaded} == {name for name, _ in ESSENTIAL_PLUGINS}
    registry = Registry.build(Hooks(pm))
    assert [m.plugin for _, m in registry.model_sets] == ["core"]
    assert [n.label for n in registry.nav_items] == ["Home", "Operations", "Settings"]


def test_misspelt_hook_is_rejected_naming_the_plugin() -> None:
    @hookimpl
    def obscura_queue() -> list[QueueDefinition]:  # missing the final "s"
        return []

    with pytest.raises(PluginLoadError) as err:
        build_plugin_manager(
            _settings(),
            builtins=(),
            load_entrypoints=False,
            plugins=[("typo", _plugin("typo", obscura_queue=obscura_queue))],
        )
    assert "plugin 'typo' implements unknown hook 'obscura_queue'" in str(err.value)


def test_wrong_arguments_are_rejected_naming_the_plugin() -> None:
    @hookimpl
    def obscura_job_finished(run, outcome, ctx):
        return None

    with pytest.raises(PluginLoadError) as err:
        build_plugin_manager(
            _settings(),
            builtins=(),
            load_entrypoints=False,
            plugins=[("badargs", _plugin("badargs", obscura_job_finished=obscura_job_finished))],
        )
    message = str(err.value)
    assert "plugin 'badargs' was rejected" in message
    assert "outcome" in message


def test_unmarked_hook_function_is_reported() -> None:
    def obscura_nav_items() -> list[NavItem]:
        return [NavItem("Forgot", "/forgot")]

    with pytest.raises(PluginLoadError) as err:
        build_plugin_manager(
            _settings(),
            builtins=(),
            load_entrypoints=False,
            plugins=[("lazy", _plugin("lazy", obscura_nav_items=obscura_nav_items))],
        )
    assert "function 'obscura_nav_items' in plugin 'lazy' is not decorated with @hookimpl" in str(err.value)


def test_duplicate_queue_names_name_both_plugins() -> None:
    @hookimpl
    def obscura_queues() -> list[QueueDefinition]:
        return [QueueDefinition("same", "Same")]

    @hookimpl
    def obscura_processors() -> dict[str, object]:
        return {"same": lambda payload, ctx: None}

    a = _plugin("a", obscura_queues=obscura_queues, obscura_processors=obscura_processors)
    b = _plugin("b", obscura_queues=obscura_queues)
    with pytest.raises(RegistryError) as err:
        build_runtime("cli", _settings(), builtins=(), load_entrypoints=False, plugins=[("a", a), ("b", b)])
    assert "queue 'same' is defined by both 'a' and 'b'" in str(err.value)


def test_queue_without_processor_and_processor_without_queue() -> None:
    @hookimpl
    def obscura_queues() -> list[QueueDefinition]:
        return [QueueDefinition("lonely", "No processor")]

    @hookimpl
    def obscura_processors() -> dict[str, object]:
        return {"ghost": lambda payload, ctx: None}

    plugin = _plugin("p", obscura_queues=obscura_queues, obscura_processors=obscura_processors)
    with pytest.raises(RegistryError) as err:
        build_runtime("cli", _settings(), builtins=(), load_entrypoints=False, plugins=[("p", plugin)])
    assert "queue 'lonely' of plugin 'p' has no processor" in str(err.value)
    assert "plugin 'p' has a processor for unknown queue 'ghost'" in str(err.value)


def test_bad_queue_name_is_refused() -> None:
    @hookimpl
    def obscura_queues() -> list[QueueDefinition]:
        return [QueueDefinition("Bad Name", "x")]

    with pytest.raises(RegistryError, match="must be lowercase kebab-case"):
        build_runtime(
            "cli",
            _settings(),
            builtins=(),
            load_entrypoints=False,
            plugins=[("q", _plugin("q", obscura_queues=obscura_queues))],
        )


def test_nav_items_are_sorted_by_order() -> None:
    @hookimpl
    def obscura_nav_items() -> list[NavItem]:
        return [NavItem("Zeta", "/z", order=5), NavItem("Alpha", "/a", order=50)]

    rt = build_runtime(
        "cli",
        _settings(),
        builtins=(),
        load_entrypoints=False,
        plugins=[("n", _plugin("n", obscura_nav_items=obscura_nav_items))],
    )
    assert [n.label for n in rt.registry.nav_items] == ["Home", "Zeta", "Alpha", "Operations", "Settings"]
    assert ("n", NavItem("Zeta", "/z", order=5)) in rt.registry.nav_entries


def test_retry_intervals_grow_exponentially_and_are_capped() -> None:
    qd = QueueDefinition("x", "x", max_attempts=15, backoff_base_s=10, backoff_cap_s=3600)
    intervals = qd.retry_intervals(0)
    assert len(intervals) == 14  # 15 attempts = 1 + 14 retries
    assert intervals[:4] == [10, 20, 40, 80]
    assert intervals[-1] == 3600
    assert qd.retry_intervals(3)[:2] == [80, 160]
    assert qd.retry_intervals(14) == []


def test_an_unknown_nav_icon_is_a_named_fault_and_gets_the_default_icon() -> None:
    @hookimpl
    def obscura_nav_items() -> list[NavItem]:
        return [NavItem("Wave", "/wave", icon="👋"), NavItem("Stars", "/stars", icon="star")]

    rt = build_runtime(
        "cli", _settings(), builtins=(), load_entrypoints=False,
        plugins=[("waver", _plugin("waver", obscura_nav_items=obscura_nav_items))],
    )  # fmt: skip
    icons = {n.label: n.icon for n in rt.registry.nav_items}
    assert icons["Wave"] == "layers" and icons["Stars"] == "star"
    (fault,) = rt.hooks.recent_faults()
    assert fault.plugin == "waver" and fault.hook == "obscura_nav_items" and "'👋'" in fault.error
    assert "star" in fault.error, "the message lists the icons there are"


def test_a_dict_from_nav_items_is_skipped_with_the_plugin_named() -> None:
    @hookimpl
    def obscura_nav_items():
        return {"label": "Rogue", "href": "/rogue"}

    rt = build_runtime(
        "cli", _settings(), builtins=(), load_entrypoints=False,
        plugins=[("dicty", _plugin("dicty", obscura_nav_items=obscura_nav_items))],
    )  # fmt: skip
    assert [n.label for n in rt.registry.nav_items] == ["Home", "Operations", "Settings"]
    (fault,) = rt.hooks.recent_faults()
    assert fault.plugin == "dicty" and "not a list" in fault.error
