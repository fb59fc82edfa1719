"""``obscura`` command line (click). Plugin commands are added lazily from the registry."""

from __future__ import annotations

import logging
import os

import click

from obscura_core import __version__

CORE_COMMANDS = {
    "serve": "obscura_core.cli.serve:serve",
    "web": "obscura_core.cli.serve:web",
    "worker": "obscura_core.cli.serve:worker",
    "migrate": "obscura_core.cli.admin:migrate",
    "db": "obscura_core.cli.admin:db",
    "plugins": "obscura_core.cli.plugins_cmd:plugins",
    "install": "obscura_core.cli.pip_cmd:install",
    "uninstall": "obscura_core.cli.pip_cmd:uninstall",
    "library": "obscura_core.cli.admin:library",
    "scan": "obscura_core.cli.admin:scan",
    "demo-library": "obscura_core.cli.demo:demo_library",
    "plugin": "obscura_core.cli.scaffold:plugin",
}


def _load(spec: str) -> click.Command:
    import importlib

    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


class LazyGroup(click.Group):
    """Core commands import on use; plugin commands come from the registry when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(CORE_COMMANDS) | set(self._plugin_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CORE_COMMANDS:
            return _load(CORE_COMMANDS[cmd_name])
        entry = self._plugin_commands().get(cmd_name)
        return entry[1] if entry else None

    def _plugin_commands(self) -> dict[str, tuple[str, click.Command]]:
        from obscura_core.runtime import build_runtime

        try:
            rt = build_runtime("cli")
        except Exception as exc:
            click.echo(f"warning: plugins could not be loaded: {exc}", err=True)
            return {}
        return dict(rt.registry.cli_commands)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="obscura")
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """Obscura — a private media library."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, os.environ.get("OBSCURA_LOG_LEVEL", "INFO")),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
