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

from alembic import op

from plugin_sdk.search import create_search_indexes, drop_search_indexes

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


def upgrade() -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {ALIASES_FUNCTION}(text[]) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT array_to_string($1, ' / ') $$"
    )
    create_search_indexes(COLUMNS)


def downgrade() -> None:
    drop_search_indexes(COLUMNS)
    op.execute(f"DROP FUNCTION IF EXISTS {ALIASES_FUNCTION}(text[])")
