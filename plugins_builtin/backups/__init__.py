"""Backups: ``obscura backup`` / ``obscura restore``, a backup before every migration that changes
a database holding data (as Stash does), and Settings → Backups with downloads.

Hook implementations only; the work lives in the modules beside this one (``archive`` writes and
lists, ``restore`` restores, ``pgtools`` picks ``pg_dump``). See ``docs/backups.md``.
"""

from __future__ import annotations

import click
from flask import Blueprint

from plugin_sdk import SettingsGroup, SettingsSection, Stylesheet, hookimpl
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.database import MigrationPlan


@hookimpl
def obscura_before_migrate(plan: MigrationPlan) -> str:
    """Back up before the migration (waiting for a backup in progress), then prune old automatic ones."""
    from plugins_builtin.backups.archive import backups_dir, create_backup, prune_automatic
    from plugins_builtin.backups.settings import SETTINGS_KEY, settings_from

    info = create_backup(
        plan.database_url, plan.data_dir, kind="auto", reason=plan.reason, pending=plan.pending, wait=True
    )
    keep = settings_from((info.settings.get("pluginSettings") or {}).get(SETTINGS_KEY)).backup_keep_automatic
    prune_automatic(backups_dir(plan.data_dir), keep)
    return str(info.path)


@hookimpl
def obscura_settings_groups() -> list[SettingsGroup]:
    from plugins_builtin.backups.settings import BACKUP_SETTINGS

    return [BACKUP_SETTINGS]


@hookimpl
def obscura_settings_sections() -> list[SettingsSection]:
    from plugins_builtin.backups.routes import MODULE

    return [SettingsSection("backups", "Backups", "backups/section.html", order=25, module=MODULE)]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.backups.routes import make_blueprint, make_section_blueprint

    return [make_blueprint(), make_section_blueprint()]


@hookimpl
def obscura_cli_commands() -> list[click.Command]:
    from plugins_builtin.backups.cli import backup_command, restore_command

    return [backup_command, restore_command]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    return plugin_stylesheets("backups", __file__, order=60)
