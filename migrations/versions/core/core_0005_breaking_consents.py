"""breaking consents: the operator's consent to breaking migrations

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-07 20:16:09

One row per breaking migration applied with the operator's consent (``obscura migrate
--accept-breaking`` or ``POST /api/system/breaking-gate/accept``), with the backup taken first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0005"
down_revision: str | None = "core_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breaking_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lineage", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("accepted_via", sa.String(length=40), nullable=False),
        sa.Column("backup_file", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaking_consents")),
        sa.UniqueConstraint("lineage", "revision", name=op.f("uq_breaking_consents_lineage_revision")),
    )


def downgrade() -> None:
    op.drop_table("breaking_consents")
