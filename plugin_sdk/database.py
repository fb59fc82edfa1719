"""The whole database, for plugins that look after it (backups): migrations about to run, the
connection URL for PostgreSQL's own tools, the database a shell command works on.

A plugin implementing ``obscura_before_migrate`` receives a :class:`MigrationPlan`: what is
about to be applied, to which database, and the data folder of the process applying it::

    @hookimpl
    def obscura_before_migrate(plan):
        if any(m.breaking for m in plan.pending):
            log.warning("about to reshape %s", [m.revision for m in plan.pending if m.breaking])
        return None  # or a description of what was done (e.g. the backup file written)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MigrationPlan", "PendingMigration", "app_version", "database_url", "libpq_url", "shell_database"]


@dataclass(frozen=True, slots=True)
class PendingMigration:
    """One migration revision not yet applied to the database.

    :param lineage: the migration lineage (the plugin name, or ``core``).
    :param revision: the Alembic revision id.
    :param message: the first line of the revision's docstring.
    :param breaking: what the revision does to existing data when its file marks it breaking
        (``breaking = "Drops …"`` at module level), else ``None``. Breaking revisions wait for
        the operator's consent.
    """

    lineage: str
    revision: str
    message: str
    breaking: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"plugin": self.lineage, "revision": self.revision, "message": self.message,
                "description": self.breaking}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """What a migration run is about to apply (``obscura_before_migrate``'s argument).

    :param pending: the revisions that will be applied, lineage by lineage in order; only
        lineages that already hold data are announced (a brand-new lineage creates empty tables).
    :param reason: ``migrate`` (``obscura migrate``, ``obscura serve``'s start-up) or
        ``breaking-gate`` (the operator accepted breaking migrations).
    :param database_url: the database, as a libpq URL (``postgresql://…``) PostgreSQL's tools take.
    :param data_dir: the data folder of the process migrating.
    """

    pending: tuple[PendingMigration, ...]
    reason: str
    database_url: str
    data_dir: Path

    @property
    def breaking(self) -> tuple[PendingMigration, ...]:
        return tuple(m for m in self.pending if m.breaking)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq and ``pg_dump`` take it."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def database_url() -> str:
    """This process's database (the runtime's, in a request: the app's), as a libpq URL."""
    from obscura_core.runtime import get_runtime

    return libpq_url(get_runtime().settings.sqlalchemy_url)


def app_version() -> str:
    """The running Obscura's version."""
    from obscura_core import __version__

    return __version__


@contextmanager
def shell_database() -> Iterator[str]:
    """The libpq URL of the database a shell command works on: ``DATABASE_URL``, else the embedded
    PostgreSQL of the data folder (the running one, or started for the command and stopped after).

    :raises click.ClickException: the embedded PostgreSQL cannot be started.
    """
    from obscura_core.services.shell_db import shell_database_url

    with shell_database_url() as url:
        yield libpq_url(url)
