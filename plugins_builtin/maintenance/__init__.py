"""Library maintenance: move generated files between the cache and the media folders, find orphans.

Hook implementations only; the work lives in the modules beside this one. Media plugins announce
their generated files through ``obscura_generated_assets``; this plugin owns the
``library-maintenance`` queue, its routes and a Settings section.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import Processor, QueueDefinition, SettingsSection, Stylesheet, hookimpl
from plugins_builtin.maintenance import queues


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return list(queues.QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.maintenance.processor import process_maintenance

    return {queues.QUEUE: process_maintenance}


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.maintenance.routes import make_blueprint
    from plugins_builtin.maintenance.section import make_blueprint as make_section_blueprint

    return [make_blueprint(), make_section_blueprint()]


@hookimpl
def obscura_settings_sections() -> list[SettingsSection]:
    from plugins_builtin.maintenance.section import MODULE

    return [SettingsSection("storage", "Generated files", "maintenance/section.html", order=20, module=MODULE)]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugins_builtin.maintenance.section import STATIC

    return [Stylesheet(path, order=60) for path in sorted(STATIC.glob("*.css"))]
