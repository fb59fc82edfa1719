"""The registry: what every plugin contributed, merged, checked for conflicts and frozen.

Web and worker build it the same way from the same plugin set, so a queue name means the same
processor everywhere. Handlers read the registry instead of calling collect hooks themselves: the
collect hooks are called once per process (``obscura_panels`` once per entity type).

Only what would make the app unsound stops start-up (two plugins claiming one queue, table,
command or migration lineage; a queue without a processor). An answer of the wrong type is a
plugin fault: logged with the plugin's name and left out (``obscura_core.hookcall``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from plugin_sdk.imports import Importer
from plugin_sdk.types import (
    AssetSource,
    CollectionSource,
    LinkKind,
    MetadataSource,
    MetadataStore,
    MetadataTarget,
    ModelSet,
    NavItem,
    Panel,
    Processor,
    QueueDefinition,
    RootOption,
    SettingsGroup,
    SettingsSection,
    ShellPart,
    Stylesheet,
)

if TYPE_CHECKING:
    from obscura_core.hookcall import Hooks

T = TypeVar("T")

QUEUE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class RegistryError(RuntimeError):
    """Two plugins contributed the same thing, or a queue has no processor."""


@dataclass(frozen=True, eq=False)
class Registry:
    """Everything contributed by the loaded plugins, validated."""

    queues: Mapping[str, QueueDefinition]
    queue_owner: Mapping[str, str]
    processors: Mapping[str, Processor]
    model_sets: tuple[tuple[str, ModelSet], ...]
    nav_entries: tuple[tuple[str, NavItem], ...]
    settings_sections: tuple[tuple[str, SettingsSection], ...]
    cli_commands: Mapping[str, tuple[str, Any]]
    metadata_sources: Mapping[str, tuple[str, MetadataSource]]
    metadata_targets: Mapping[str, tuple[str, MetadataTarget]]
    metadata_store: tuple[str, MetadataStore] | None
    importers: Mapping[str, tuple[str, Importer]]
    shell_parts: tuple[ShellPart, ...]
    stylesheets: tuple[tuple[str, Stylesheet], ...]
    asset_sources: tuple[AssetSource, ...]
    collection_sources: tuple[tuple[str, CollectionSource], ...]
    settings_groups: tuple[tuple[str, SettingsGroup], ...]
    root_options: Mapping[str, RootOption]
    link_kinds: tuple[tuple[str, LinkKind], ...]
    hooks: Hooks = field(repr=False, compare=False)
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, hooks: Hooks) -> Registry:
        errors: list[str] = []

        queues: dict[str, QueueDefinition] = {}
        owner: dict[str, str] = {}
        for plugin, qd in hooks.each("obscura_queues", items=QueueDefinition):
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
        for plugin, mapping in hooks.mappings("obscura_processors"):
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
        for plugin, ms in hooks.each("obscura_models", items=ModelSet):
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

        nav = [(p, _known_icon(hooks, p, item)) for p, item in hooks.each("obscura_nav_items", items=NavItem)]
        nav.sort(key=lambda e: (e[1].order, e[1].label))

        sections = hooks.each("obscura_settings_sections", items=SettingsSection)
        sections.sort(key=lambda s: (s[1].order, s[1].title))

        import click

        commands: dict[str, tuple[str, Any]] = {}
        for plugin, cmd in hooks.each("obscura_cli_commands", items=click.Command):
            if cmd.name in commands:
                errors.append(f"command '{cmd.name}' is added by both '{commands[cmd.name][0]}' and '{plugin}'")
            commands[cmd.name] = (plugin, cmd)

        groups = _settings_groups(hooks, errors)
        options = _root_options(hooks, errors)
        links = _link_kinds(hooks, errors)
        sources = _unique(hooks, "obscura_metadata_sources", MetadataSource, ("kind", "collection"), errors)
        targets = _unique(hooks, "obscura_metadata_targets", MetadataTarget, ("entity_type", "collections"), errors)
        importers = _unique(hooks, "obscura_importers", Importer, ("entity",), errors)
        stores = hooks.each("obscura_metadata_store", items=MetadataStore)
        if len(stores) > 1:
            errors.append(f"obscura_metadata_store: answered by both '{stores[0][0]}' and '{stores[1][0]}'")

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
            metadata_sources=MappingProxyType(sources),
            metadata_targets=MappingProxyType(targets),
            metadata_store=stores[0] if stores else None,
            importers=MappingProxyType(importers),
            shell_parts=tuple(
                sorted((p for _, p in hooks.each("obscura_shell_parts", items=ShellPart)), key=_part_order)
            ),
            stylesheets=tuple(
                sorted(hooks.each("obscura_stylesheets", items=Stylesheet), key=lambda e: (e[1].order, e[0]))
            ),
            asset_sources=tuple(a for _, a in hooks.each("obscura_generated_assets", items=AssetSource)),
            collection_sources=tuple(hooks.each("obscura_collection_sources", items=CollectionSource)),
            settings_groups=tuple(groups),
            root_options=MappingProxyType(options),
            link_kinds=tuple(links),
            hooks=hooks,
        )

    def panels(self, entity_type: str) -> tuple[tuple[str, Panel], ...]:
        """``(plugin, Panel)`` pairs for the pages of ``entity_type`` (``order``, then title);
        ``obscura_panels`` is asked once per entity type."""

        def build() -> tuple[tuple[str, Panel], ...]:
            pairs = self.hooks.each("obscura_panels", items=Panel, entity_type=entity_type)
            return tuple(sorted(pairs, key=lambda e: (e[1].order, e[1].title)))

        return self.derived(("panels", entity_type), build)

    def derived(self, key: Any, build: Callable[[], T]) -> T:
        """What ``build()`` makes from this registry, made once (models built from the loaded
        plugins' settings, the sidecar rules…); ``key`` names it."""
        try:
            return self._derived[key]
        except KeyError:
            found = self._derived[key] = build()
            return found

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


def _part_order(part: ShellPart) -> tuple[int, str]:
    return part.order, part.key


def _settings_groups(hooks: Hooks, errors: list[str]) -> list[tuple[str, SettingsGroup]]:
    """Every plugin's settings groups, in order; a key or field name used twice is a clash."""
    from pydantic import BaseModel

    from plugin_sdk.models import LibrarySettings

    fields = {c.name: "core" for c in LibrarySettings.__table__.columns}
    keys: dict[str, str] = {}
    out = []
    for plugin, group in hooks.each("obscura_settings_groups", items=SettingsGroup):
        if not (isinstance(group.model, type) and issubclass(group.model, BaseModel)):
            hooks.fault(plugin, "obscura_settings_groups", f"group '{group.key}' has no pydantic model", "returned")
            continue
        if group.key in keys:
            errors.append(f"settings group '{group.key}' is declared by both '{keys[group.key]}' and '{plugin}'")
            continue
        keys[group.key] = plugin
        for name in group.model.model_fields:
            if name in fields:
                errors.append(f"setting '{name}' of plugin '{plugin}' is also a setting of '{fields[name]}'")
            fields[name] = plugin
        out.append((plugin, group))
    out.sort(key=lambda e: (e[1].order, e[1].title))
    return out


def _root_options(hooks: Hooks, errors: list[str]) -> dict[str, RootOption]:
    """Every plugin's library-root switches by key; a key used twice (or a root column) is a clash."""
    from plugin_sdk.models import LibraryRoot

    owners = {c.name: "core" for c in LibraryRoot.__table__.columns}
    found: dict[str, RootOption] = {}
    for plugin, option in hooks.each("obscura_root_options", items=RootOption):
        if option.key in owners:
            errors.append(f"root option '{option.key}' is declared by both '{owners[option.key]}' and '{plugin}'")
            continue
        owners[option.key] = plugin
        found[option.key] = option
    return dict(sorted(found.items(), key=lambda e: (e[1].order, e[1].label)))


def _unique(
    hooks: Hooks, hook: str, record: type[T], keys: tuple[str, ...], errors: list[str]
) -> dict[str, tuple[str, T]]:
    """``{first key: (plugin, record)}`` of a hook answering records whose ``keys`` (a string or a
    tuple of strings each) are unique across plugins; a value claimed twice is a clash."""
    owners: dict[tuple[str, str], str] = {}
    out: dict[str, tuple[str, T]] = {}
    for plugin, item in hooks.each(hook, items=record):
        names = []
        for key in keys:
            value = getattr(item, key)
            names += [(key, v) for v in (value if isinstance(value, tuple) else (value,))]
        clashes = [(key, v) for key, v in names if (key, v) in owners]
        for key, v in clashes:
            errors.append(f"{hook}: {key} '{v}' is declared by both '{owners[(key, v)]}' and '{plugin}'")
        if not clashes:
            owners.update({name: plugin for name in names})
            out[getattr(item, keys[0])] = (plugin, item)
    return out


def _link_kinds(hooks: Hooks, errors: list[str]) -> list[tuple[str, LinkKind]]:
    """Every plugin's link kinds; a PATCH field, filter or linked type used twice is a clash."""
    owners: dict[tuple[str, str], str] = {}
    out = []
    for plugin, kind in hooks.each("obscura_link_kinds", items=LinkKind):
        names = [("field", kind.field), ("filter", kind.filter), ("linked type", kind.linked_type)]
        clashes = [(what, name) for what, name in names if name and (what, name) in owners]
        for what, name in clashes:
            errors.append(f"link {what} '{name}' is declared by both '{owners[(what, name)]}' and '{plugin}'")
        if not clashes:
            owners.update({(what, name): plugin for what, name in names if name})
            out.append((plugin, kind))
    return out


def _known_icon(hooks: Hooks, plugin: str, item: NavItem) -> NavItem:
    """``item`` as given, or with the default icon (and a fault naming the plugin) when its icon
    is not one of the shell's."""
    from dataclasses import replace

    from obscura_core.web.icons import DEFAULT, icon_names

    if not item.icon or item.icon in icon_names():
        return item
    known = ", ".join(sorted(icon_names()))
    error = f"the icon {item.icon!r} of '{item.label}' is not one of: {known}"
    hooks.fault(plugin, "obscura_nav_items", error, "returned")
    return replace(item, icon=DEFAULT)
