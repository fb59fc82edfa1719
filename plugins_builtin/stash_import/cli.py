"""``obscura import-stash PATH [--map OLD=NEW …] [--dry-run]``: the import, in the shell."""

from __future__ import annotations

import sys

import click

from plugin_sdk.errors import ObscuraError


@click.command("import-stash")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--map", "mappings", multiple=True, metavar="OLD=NEW", help="Rewrite a Stash path prefix (repeatable).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print what the import would do.")
@click.option("--no-roots", is_flag=True, help="Add no library roots; import only files existing roots cover.")
@click.option("--blobs", "blobs_path", type=click.Path(file_okay=False), help="Stash's blobs folder (images on disk).")
def import_stash_command(
    path: str, mappings: tuple[str, ...], dry_run: bool, no_roots: bool, blobs_path: str | None
) -> None:
    """Import a Stash library from its database file (stash-go.sqlite); prints the report.

    Stash's own file is only read (a copy is read when it is in WAL mode). Running it again
    changes nothing, and resumes a run that stopped.
    """
    from plugin_sdk.db import cli_session
    from plugins_builtin.stash_import.report import render_text
    from plugins_builtin.stash_import.run import import_stash, options_from

    def progress(percent: int, note: str) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{percent:3d}% {note:<20}", nl=False, err=True)

    try:
        options = options_from(
            {"path": path, "pathMap": list(mappings), "dryRun": dry_run, "createRoots": not no_roots,
             "blobsPath": blobs_path}
        )  # fmt: skip
        with cli_session() as db:
            report = import_stash(db, options, progress)
    except ObscuraError as exc:
        raise click.ClickException(exc.message) from None
    if sys.stderr.isatty():
        click.echo("", err=True)
    click.echo(render_text(report))
