"""Stash import: bring a Stash library over by reading Stash's own SQLite database.

``reader`` opens a ``stash-go.sqlite`` read-only (a private copy when it is in WAL mode) and
yields its rows in one shape for schema versions 60–75; ``run`` turns them into records and hands
them to the plugins that own the rows through ``obscura_importers`` (videos, taxonomy, images,
collections, metadata): this plugin writes only its own ``stash_import_keys``. The import runs
from ``obscura import-stash``, or as a ``stash-import`` job started from Settings → Import
(``POST /api/imports/stash``). Hook implementations only.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import ModelSet, Processor, QueueDefinition, SettingsSection, Stylesheet, hookimpl
from plugins_builtin.stash_import.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="stash_import", models=list(MODELS))]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    from plugins_builtin.stash_import.queues import QUEUES

    return list(QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.stash_import.processor import process_stash_import
    from plugins_builtin.stash_import.queues import QUEUE

    return {QUEUE: process_stash_import}


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.stash_import.routes import make_blueprint
    from plugins_builtin.stash_import.section import make_blueprint as make_section_blueprint

    return [make_blueprint(), make_section_blueprint()]


@hookimpl
def obscura_cli_commands() -> list:
    from plugins_builtin.stash_import.cli import import_stash_command

    return [import_stash_command]


@hookimpl
def obscura_settings_sections() -> list[SettingsSection]:
    from plugins_builtin.stash_import.section import MODULE

    return [SettingsSection("import", "Import", "stash_import/section.html", order=40, module=MODULE)]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugin_sdk.blueprint import plugin_stylesheets

    return plugin_stylesheets("stash_import", __file__, order=72)
