"""stash import fields on performers, studios and tags

What a Stash library brings that had no home: Stash's "ignore auto tag" on every kind, the
source of an imported picture (so a re-import replaces only its own, changed picture), a
studio's several URLs (``url`` stays their first, backfilled here), and a performer's death
date, breast type, penis length, circumcision and custom fields.

Revision ID: taxonomy_0004
Revises: taxonomy_0003
Create Date: 2026-12-07 17:15:45
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "taxonomy_0004"
down_revision: str | None = "taxonomy_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("performers", "studios", "tags")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("image_source", sa.Text(), nullable=True))
        op.add_column(
            table, sa.Column("ignore_auto_tag", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.add_column("performers", sa.Column("death_date", sa.String(length=10), nullable=True))
    op.add_column("performers", sa.Column("fake_tits", sa.Text(), nullable=True))
    op.add_column("performers", sa.Column("penis_length", sa.Float(), nullable=True))
    op.add_column("performers", sa.Column("circumcised", sa.Text(), nullable=True))
    op.add_column(
        "performers",
        sa.Column("custom_fields", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "studios", sa.Column("urls", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False)
    )
    op.execute("UPDATE studios SET urls = jsonb_build_array(url) WHERE url IS NOT NULL AND url <> ''")


def downgrade() -> None:
    op.drop_column("studios", "urls")
    for column in ("custom_fields", "circumcised", "penis_length", "fake_tits", "death_date"):
        op.drop_column("performers", column)
    for table in TABLES:
        op.drop_column(table, "ignore_auto_tag")
        op.drop_column(table, "image_source")
