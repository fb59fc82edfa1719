"""The registry: what every plugin contributed, merged, checked for conflicts and frozen.

Web and worker build it the same way from the same plugin set, so a queue name means the same
processor everywhere. Handlers read the registry instead of calling collect hooks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from plugin_sdk.types import ModelSet, NavItem, Processor, QueueDefinition, SettingsSection

if TYPE_CHECKING:
    import pluggy

QUEUE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class RegistryError(RuntimeError):
    """Two plugins contributed the same thing, or a queue has no processor."""


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a collect hook plugin by plugin, returning ``(plugin name, item)`` pairs.

    List results are flattened; ``None`` results are skipped.
    """
    caller = getattr(pm.hook, hook_name)
    out: list[tuple[str, Any]] = []
    for impl in caller.get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        result = impl.function(**{a: kwargs[a] for a in impl.argnames})
        if result is None:
            continue
        if isinstance(result, Mapping):
            out.append((impl.plugin_name, result))
        elif isinstance(result, list | tuple):
            out.extend((impl.plugin_name, item) for item in result)
        else:
            out.append((impl.plugin_name, result))
    return out


@dataclass(frozen=True)
class Registry:
    """Everything contributed by the loaded plugins, validated."""

    queues: Mapping[str, QueueDefinition]
    queue_owner: Mapping[str, str]
    processors: Mapping[str, Processor]
    model_sets: tuple[tuple[str, ModelSet], ...]
    nav_entries: tuple[tuple[str, NavItem], ...]
    settings_sections: tuple[tuple[str, SettingsSection], ...]
    cli_commands: Mapping[str, tuple[str, Any]]
    scrapers: tuple[tuple[str, Any], ...]

    @classmethod
    def build(cls, pm: pluggy.PluginManager) -> Registry:
        errors: list[str] = []

        queues: dict[str, QueueDefinition] = {}
        owner: dict[str, str] = {}
        for plugin, qd in collect(pm, "obscura_queues"):
            if not isinstance(qd, QueueDefinition):
                errors.append(f"plugin '{plugin}' returned {qd!r} from obscura_queues, not a QueueDefinition")
                continue
            if not qd.name or set(qd.name) - QUEUE_NAME_CHARS:
                errors.append(f"queue name {qd.name!r} of plugin '{plugin}' must be lowercase kebab-case")
            elif qd.name in queues:
                errors.append(f"queue '{qd.name}' is defined by both '{owner[qd.name]}' and '{plugin}'")
            elif qd.concurrency < 1 or qd.max_attempts < 1:
                errors.append(f"queue '{qd.name}' of plugin '{plugin}' needs concurrency and max_attempts ≥ 1")
            else:
                queues[qd.name] = qd
                owner[qd.name] = plugin

        processors: dict[str, Processor] = {}
        proc_owner: dict[str, str] = {}
        for plugin, mapping in collect(pm, "obscura_processors"):
            for name, fn in dict(mapping).items():
                if name in processors:
                    errors.append(f"queue '{name}' has processors from both '{proc_owner[name]}' and '{plugin}'")
                elif name not in queues:
                    errors.append(f"plugin '{plugin}' has a processor for unknown queue '{name}'")
                elif not callable(fn):
                    errors.append(f"processor for queue '{name}' of plugin '{plugin}' is not callable")
                else:
                    processors[name] = fn
                    proc_owner[name] = plugin
        for name in queues:
            if name not in processors:
                errors.append(f"queue '{name}' of plugin '{owner[name]}' has no processor")

        model_sets: list[tuple[str, ModelSet]] = []
        lineages: dict[str, str] = {}
        tables: dict[str, str] = {}
        for plugin, ms in collect(pm, "obscura_models"):
            if ms.plugin in lineages:
                errors.append(
                    f"migration lineage '{ms.plugin}' is declared by both '{lineages[ms.plugin]}' and '{plugin}'"
                )
                continue
            lineages[ms.plugin] = plugin
            for model in ms.models:
                table = model.__tablename__
                if table in tables:
                    errors.append(f"table '{table}' is owned by both '{tables[table]}' and '{plugin}'")
                tables[table] = plugin
                if (
                    not plugin.startswith("core")
                    and ms.versions_dir is not None
                    and not table.startswith(ms.plugin.replace("-", "_") + "_")
                ):
                    errors.append(
                        f"table '{table}' of plugin '{plugin}' must start with '{ms.plugin.replace('-', '_')}_'"
                    )
            model_sets.append((plugin, ms))

        nav = collect(pm, "obscura_nav_items")
        nav.sort(key=lambda e: (e[1].order, e[1].label))

        sections = collect(pm, "obscura_settings_sections")
        sections.sort(key=lambda s: (s[1].order, s[1].title))

        commands: dict[str, tuple[str, Any]] = {}
        for plugin, cmd in collect(pm, "obscura_cli_commands"):
            if cmd.name in commands:
                errors.append(f"command '{cmd.name}' is added by both '{commands[cmd.name][0]}' and '{plugin}'")
            commands[cmd.name] = (plugin, cmd)

        if errors:
            raise RegistryError("Plugin conflicts:\n  - " + "\n  - ".join(errors))

        return cls(
            queues=MappingProxyType(queues),
            queue_owner=MappingProxyType(owner),
            processors=MappingProxyType(processors),
            model_sets=tuple(model_sets),
            nav_entries=tuple(nav),
            settings_sections=tuple(sections),
            cli_commands=MappingProxyType(commands),
            scrapers=tuple(collect(pm, "obscura_scrapers")),
        )

    @property
    def nav_items(self) -> tuple[NavItem, ...]:
        """Navigation entries in display order."""
        return tuple(item for _, item in self.nav_entries)

    def queue(self, name: str) -> QueueDefinition:
        from plugin_sdk.errors import NotFoundError

        try:
            return self.queues[name]
        except KeyError:
            raise NotFoundError(f"Unknown queue '{name}'.", code="unknown_queue") from None

    def queue_missing_enqueuer(self, name: str) -> Callable[..., int] | None:
        return self.queue(name).enqueue_missing
