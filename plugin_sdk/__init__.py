"""The stable API third-party Obscura plugins code against.

Import from here (or the submodules listed in ``__all__``) — never from ``obscura_core``::

    from plugin_sdk import hookimpl, QueueDefinition

    @hookimpl
    def obscura_queues():
        return [QueueDefinition("hello-greet", "Say hello")]

``SDK_VERSION`` follows semantic versioning separately from the application.
"""

from __future__ import annotations

import pluggy

from plugin_sdk.errors import (
    ConflictError,
    ForbiddenError,
    InternalError,
    NotFoundError,
    ObscuraError,
    PermanentJobError,
    ValidationError,
)
from plugin_sdk.types import (
    JSON,
    AcceptedMetadata,
    AssetFile,
    AssetSource,
    CollectionItemView,
    CollectionSource,
    GeneratedAssets,
    JobContext,
    JobRun,
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
    RuleField,
    ScrapeRequest,
    ScrapeResult,
    SearchHit,
    SettingsAction,
    SettingsGroup,
    SettingsSection,
    ShellPart,
    StartupContext,
    Stylesheet,
)

SDK_VERSION = "0.6.0"
PROJECT_NAME = "obscura"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Decorate each hook implementation of a plugin with ``@hookimpl``."""

__all__ = [
    "JSON",
    "SDK_VERSION",
    "AcceptedMetadata",
    "AssetFile",
    "AssetSource",
    "CollectionItemView",
    "CollectionSource",
    "ConflictError",
    "ForbiddenError",
    "GeneratedAssets",
    "InternalError",
    "JobContext",
    "JobRun",
    "LinkKind",
    "MetadataSource",
    "MetadataStore",
    "MetadataTarget",
    "ModelSet",
    "NavItem",
    "NotFoundError",
    "ObscuraError",
    "Panel",
    "PermanentJobError",
    "Processor",
    "QueueDefinition",
    "RootOption",
    "RuleField",
    "ScrapeRequest",
    "ScrapeResult",
    "SearchHit",
    "SettingsAction",
    "SettingsGroup",
    "SettingsSection",
    "ShellPart",
    "StartupContext",
    "Stylesheet",
    "ValidationError",
    "hookimpl",
]
