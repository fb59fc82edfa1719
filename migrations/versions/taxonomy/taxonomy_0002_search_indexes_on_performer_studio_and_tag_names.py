"""search indexes on performer, studio and tag names

Full-text (``…_fts``) GIN indexes always; ``pg_trgm`` trigram (``…_trgm``) GIN indexes when the
server has the extension (created here if it is available but not installed). Without it (the
embedded PostgreSQL) the trigram indexes are skipped and ``plugin_sdk.search`` uses its fallback.
Both kinds are left out of the drift check by name (``migrations/env.py``).

Revision ID: taxonomy_0002
Revises: taxonomy_0001
Create Date: 2026-11-26 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "taxonomy_0002"
down_revision: str | None = "taxonomy_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALIASES_FUNCTION = "taxonomy_aliases_text"
"""``taxonomy_aliases_text(aliases)``: the aliases as one text, declared immutable (``array_to_string``
of a ``text[]`` does not depend on any setting) so it can be indexed."""

COLUMNS = (
    ("performers", "name", "name"),
    ("studios", "name", "name"),
    ("tags", "name", "name"),
    ("performers", "aliases", f"{ALIASES_FUNCTION}(aliases)"),
    ("studios", "aliases", f"{ALIASES_FUNCTION}(aliases)"),
    ("tags", "aliases", f"{ALIASES_FUNCTION}(aliases)"),
)


def _trigram_extension() -> bool:
    """Whether ``pg_trgm`` is installed, installing it when the server offers it."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")).scalar():
        return True
    available = "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')"
    if not bind.execute(sa.text(available)).scalar():
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return False  # not allowed to (no CREATE privilege): search uses its fallback
    return True


def upgrade() -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {ALIASES_FUNCTION}(text[]) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT array_to_string($1, ' / ') $$"
    )
    trigram = _trigram_extension()
    for table, name, expr in COLUMNS:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{name}_fts ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({expr}, ''::text)))"
        )
        if trigram:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_{name}_trgm ON {table} USING gin (({expr}) gin_trgm_ops)"
            )


def downgrade() -> None:
    for table, name, _ in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{name}_trgm")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{name}_fts")
    op.execute(f"DROP FUNCTION IF EXISTS {ALIASES_FUNCTION}(text[])")
