"""partial indexes on NSFW performers, studios and tags

SFW mode reads the NSFW rows of each kind on every request (to hide the media linked to them):
an index-only scan of the few flagged ids instead of a scan of the whole table.

Revision ID: taxonomy_0003
Revises: taxonomy_0002
Create Date: 2026-11-26 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "taxonomy_0003"
down_revision: str | None = "taxonomy_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("performers", "studios", "tags")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_nsfw", table, ["id"], unique=False, postgresql_where=sa.text("is_nsfw IS TRUE"))


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_nsfw", table_name=table, postgresql_where=sa.text("is_nsfw IS TRUE"))
