"""``obscura backup [--to DIR]`` and ``obscura restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path

import click

from plugin_sdk.errors import ObscuraError


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


@click.command("backup")
@click.option(
    "--to", "dest", type=click.Path(file_okay=False), default=None, help="Folder to write into (<data dir>/backups)."
)
def backup_command(dest: str | None) -> None:
    """Back up the database (DATABASE_URL, or the embedded one) with its settings and a manifest.

    Writes one .tar named with the time (UTC). Generated thumbnails and previews are left out: they are
    rebuilt. Keep your OBSCURA_SECRET (or the data folder's secret.key): stored credentials are encrypted with it.
    """
    from plugin_sdk.database import shell_database
    from plugin_sdk.storage import data_dir
    from plugins_builtin.backups.archive import create_backup

    try:
        with shell_database() as url:
            info = create_backup(url, data_dir(), dest=Path(dest).resolve() if dest else None, wait=False)
    except ObscuraError as exc:
        raise click.ClickException(exc.message) from None
    data = info.to_json()
    click.echo(f"{info.path}  ({_size(info.size_bytes)}; {data['tables']} tables, {data['rows']} rows)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Drop everything in the target database first.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Parallel pg_restore jobs (above 1 the dump is first copied to a temporary file).",
)
def restore_command(file: str, force: bool, jobs: int) -> None:
    """Restore a backup FILE into an empty database (DATABASE_URL, or the embedded one), then check
    that every table holds the rows the backup lists. Stop Obscura first."""
    from plugin_sdk.database import app_version, shell_database
    from plugin_sdk.storage import data_dir
    from plugins_builtin.backups.restore import restore_backup

    try:
        with shell_database() as url:
            report = restore_backup(Path(file), url, force=force, data_dir=data_dir(), jobs=jobs)
    except ObscuraError as exc:
        raise click.ClickException(exc.message) from None
    if report.dropped:
        click.echo(f"dropped the {len(report.dropped)} tables, functions and types the database held first")
    made_by = report.manifest.get("obscuraVersion")
    click.echo(
        f"restored {Path(file).name} (Obscura {made_by}, {report.manifest.get('createdAt')}): "
        f"{report.tables} tables, {report.rows} rows, all as in the backup ({report.seconds:.1f} s)"
    )
    if made_by and made_by != app_version():
        click.echo(f"note: this is Obscura {app_version()}; `obscura serve` migrates the database on start.")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
