"""``obscura migrate``, ``obscura db …``, ``obscura library …`` and ``obscura scan``."""

from __future__ import annotations

import click

from obscura_core.runtime import Runtime, build_runtime, set_runtime


def cli_runtime() -> Runtime:
    """The runtime of a command run from the shell: DATABASE_URL and REDIS_URL from the environment,
    started (plugin start-up hooks run)."""
    from obscura_core.services.embedded import ensure_secret
    from obscura_core.settings import Settings

    settings = Settings.from_env()
    if not settings.database_url or not settings.redis_url:
        raise click.ClickException(
            "Set DATABASE_URL and REDIS_URL (or use `obscura serve`, which starts embedded ones)."
        )
    ensure_secret(settings.data_dir)
    rt = build_runtime("cli", settings)
    set_runtime(rt)
    rt.startup()
    return rt


@click.command()
@click.option(
    "--accept-breaking",
    is_flag=True,
    help="Also apply migrations marked breaking (they reshape or drop data); a backup is taken first.",
)
def migrate(accept_breaking: bool) -> None:
    """Apply the core's and every plugin's database migrations (safe to repeat).

    Migrations marked breaking are left for last and applied only with --accept-breaking; without
    it, everything before them is applied and what they would do is printed.
    """
    from obscura_core.migrate import migrate as run_migrations
    from plugin_sdk.errors import ObscuraError

    try:
        result = run_migrations(cli_runtime(), accept_breaking=accept_breaking, reason="migrate")
    except ObscuraError as exc:
        raise click.ClickException(exc.message) from None
    for plugin, answer in result.before_migrate:
        click.echo(f"before migrating ({plugin}): {answer}")
    click.echo("migrated: " + ", ".join(result.lineages))
    if result.waiting:
        lines = [f"  {m.lineage} {m.revision}: {m.breaking}" for m in result.waiting]
        held = len(result.held) - len(result.waiting)
        after = f" ({held} more revision(s) after them wait too)" if held else ""
        raise click.ClickException(
            "breaking migrations were not applied"
            + after
            + ":\n"
            + "\n".join(lines)
            + "\nRun `obscura migrate --accept-breaking` to apply them (a backup is taken first), "
            "or accept them on the notice `obscura serve` shows."
        )


@click.group()
def db() -> None:
    """Migration authoring for plugin developers."""


@db.command("revision")
@click.option("--plugin", "lineage", required=True, help="Migration lineage (plugin name, or 'core').")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Write an empty revision instead of autogenerating.")
def db_revision(lineage: str, message: str, empty: bool) -> None:
    """Autogenerate a revision for one lineage from its models (the database must be at head)."""
    from obscura_core.migrate import revision

    revision(cli_runtime(), lineage, message, autogenerate=not empty)


@db.command("check")
def db_check() -> None:
    """Fail when any lineage's models differ from its migrations."""
    from obscura_core.migrate import check, ordered_model_sets

    rt = cli_runtime()
    for ms in ordered_model_sets(rt):
        check(rt, ms.plugin)
        click.echo(f"{ms.plugin}: up to date")


@click.group()
def library() -> None:
    """Library roots."""


@library.command("add")
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--label", default=None)
@click.option("--nsfw", is_flag=True, help="Mark everything under this root NSFW.")
@click.option(
    "--off",
    "off",
    multiple=True,
    metavar="SWITCH",
    help="Turn one of the plugins' root switches off (repeatable; the keys are those of /api/libraries).",
)
def library_add(path: str, label: str | None, nsfw: bool, off: tuple[str, ...]) -> None:
    """Add PATH as a library root."""
    from obscura_core.api.libraries import add_root, root_models
    from plugin_sdk.errors import ObscuraError

    rt = cli_runtime()
    unknown = sorted(set(off) - set(rt.registry.root_options))
    if unknown:
        known = ", ".join(rt.registry.root_options) or "none"
        raise click.BadParameter(f"unknown switch {', '.join(unknown)} (the loaded plugins offer: {known})")
    body = root_models(rt.registry).create(path=path, label=label, is_nsfw=nsfw, **dict.fromkeys(off, False))
    with rt.session() as db:
        try:
            root = add_root(db, body, rt.registry)
        except ObscuraError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"added library root {root.path} ({root.id})")


@library.command("list")
def library_list() -> None:
    """Show the library roots."""
    from sqlalchemy import select

    from plugin_sdk.models import LibraryRoot

    rt = cli_runtime()
    with rt.session() as db:
        for root in db.execute(select(LibraryRoot).order_by(LibraryRoot.path)).scalars():
            state = "enabled" if root.enabled else "disabled"
            click.echo(f"{root.id}  {root.path}  [{state}{', nsfw' if root.is_nsfw else ''}]")


@click.command()
@click.option("--root", "root_ids", multiple=True, help="Only this root id (repeatable).")
def scan(root_ids: tuple[str, ...]) -> None:
    """Enqueue scans of every enabled library root (workers do the work)."""
    from obscura_core.jobs.scheduler import scan_roots

    rt = cli_runtime()
    with rt.session() as db:
        count = scan_roots(rt, db, "cli", list(root_ids) or None)
    click.echo(f"enqueued {count} scan job(s)")
