"""``obscura install`` / ``obscura uninstall``: pip in Obscura's own environment.

Like ``datasette install`` and ``llm install``: the packages go into the environment of the Python
running ``obscura`` (``sys.executable -m pip``), so a plugin lands where its ``obscura`` entry point
is found. A running server keeps the plugins it started with; afterwards these commands say which
plugins changed and that ``obscura serve`` (and any ``obscura web`` / ``obscura worker``) must be
restarted to load them. ``GET /api/plugins`` reports the same as ``restartNeeded`` / ``pending``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import click

from obscura_core.plugins import PendingChange, diff_entrypoints, entrypoint_snapshot

RESTART_HINT = "Restart `obscura serve` (and any `obscura web` / `obscura worker`) to load the change."


def run_pip(args: Sequence[str]) -> int:
    """Run ``python -m pip ARGS`` with this process's interpreter; its exit status."""
    return subprocess.run([sys.executable, "-m", "pip", *args], check=False).returncode


def _report(changes: list[PendingChange]) -> None:
    if not changes:
        click.echo("No Obscura plugin (entry point group 'obscura') was added, removed or changed.")
        return
    click.echo("Obscura plugins changed in this environment:")
    for c in changes:
        origin = " ".join(part for part in (c.dist, c.version) if part)
        was = f" (was {c.previous_version})" if c.change == "upgraded" and c.previous_version else ""
        click.echo(f"  {c.change:9}  {c.name}" + (f"  [{origin}]{was}" if origin else was))
    click.secho(RESTART_HINT, fg="yellow")


def _pip(args: list[str]) -> None:
    before = entrypoint_snapshot()
    status = run_pip(args)
    if status != 0:
        raise click.ClickException(f"pip {args[0]} failed (exit status {status}).")
    _report(diff_entrypoints(before, entrypoint_snapshot()))


@click.command()
@click.argument("packages", nargs=-1)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade the packages to the newest available version.")
@click.option(
    "-e",
    "--editable",
    metavar="PATH",
    help="Install a project in editable mode from this local path (a plugin you are developing).",
)
def install(packages: tuple[str, ...], upgrade: bool, editable: str | None) -> None:
    """Install plugin packages from PyPI (or a path, URL, wheel) into Obscura's environment.

    \b
      obscura install obscura-hello
      obscura install -U obscura-hello
      obscura install -e ./my-plugin

    Restart `obscura serve` afterwards to load new plugins.
    """
    if not packages and not editable:
        raise click.UsageError("Name at least one package to install (or -e PATH).")
    args = ["install"]
    if upgrade:
        args.append("--upgrade")
    if editable:
        args += ["--editable", editable]
    args += list(packages)
    _pip(args)


@click.command()
@click.argument("packages", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(packages: tuple[str, ...], yes: bool) -> None:
    """Uninstall plugin packages from Obscura's environment.

    Restart `obscura serve` afterwards so it stops using them.
    """
    _pip(["uninstall", *packages, *(["-y"] if yes else [])])
