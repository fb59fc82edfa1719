"""search indexes on gallery and image titles

Full-text (``…_fts``) GIN indexes always; ``pg_trgm`` trigram (``…_trgm``) GIN indexes when the
server has the extension (created here if it is available but not installed). Without it (the
embedded PostgreSQL) the trigram indexes are skipped and ``plugin_sdk.search`` uses its fallback.
Both kinds are left out of the drift check by name (``migrations/env.py``).

Revision ID: images_0002
Revises: images_0001
Create Date: 2026-11-26 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from plugin_sdk.search import create_search_indexes, drop_search_indexes

revision: str = "images_0002"
down_revision: str | None = "images_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("galleries", "title"),
    ("images", "title"),
)


def upgrade() -> None:
    create_search_indexes(COLUMNS)


def downgrade() -> None:
    drop_search_indexes(COLUMNS)
