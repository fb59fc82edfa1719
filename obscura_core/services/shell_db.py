"""The database of a shell command (``obscura backup``, ``obscura restore``).

``DATABASE_URL`` when set. Otherwise the embedded PostgreSQL of the data folder: when
``obscura serve`` is running it, its socket is used and the server is left alone; when it is not
running, it is started for the command and stopped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import click

from obscura_core.services.postgres import EmbeddedPostgresError, Postmaster
from obscura_core.settings import Settings


@contextmanager
def shell_database_url(settings: Settings | None = None) -> Iterator[str]:
    """Yield the database URL for a shell command (see the module docstring)."""
    settings = settings or Settings.from_env()
    if settings.database_url:
        yield settings.database_url
        return
    cluster = settings.data_dir / "pg"
    running = Postmaster.read(cluster) if cluster.exists() else None
    if running is not None and running.alive():
        yield f"postgresql://postgres@/postgres?host={quote(str(running.socket_dir), safe='/')}"
        return
    from obscura_core.services.embedded import EmbeddedServices

    services = EmbeddedServices(settings.data_dir)
    try:
        env = services.start(database=True, redis=False)
    except EmbeddedPostgresError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield env["DATABASE_URL"]
    finally:
        services.stop()
