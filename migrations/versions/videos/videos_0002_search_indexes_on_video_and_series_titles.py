"""search indexes on video and series titles

Full-text (``…_fts``) GIN indexes always; ``pg_trgm`` trigram (``…_trgm``) GIN indexes when the
server has the extension (created here if it is available but not installed). Without it (the
embedded PostgreSQL) the trigram indexes are skipped and ``plugin_sdk.search`` uses its fallback.
Both kinds are left out of the drift check by name (``migrations/env.py``).

Revision ID: videos_0002
Revises: videos_0001
Create Date: 2026-11-26 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "videos_0002"
down_revision: str | None = "videos_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("videos", "title"),
    ("video_series", "title"),
    ("video_series", "custom_name"),
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
    trigram = _trigram_extension()
    for table, column in COLUMNS:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_fts ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({column}, ''::text)))"
        )
        if trigram:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_fts")
