"""stashbox endpoints

Revision ID: stashbox_0001
Revises:
Create Date: 2026-12-07 11:57:32.269654
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "stashbox_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stashbox_endpoints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("api_key", sa.Text(), nullable=True),
        sa.Column("max_requests_per_minute", sa.Integer(), server_default=sa.text("240"), nullable=False),
        sa.Column("exclude_tag_patterns", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stashbox_endpoints")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_stashbox_endpoints_endpoint")),
    )


def downgrade() -> None:
    op.drop_table("stashbox_endpoints")
