"""fingerprint submissions

Revision ID: stashbox_0002
Revises: stashbox_0001
Create Date: 2026-12-07 12:17:48.401513
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "stashbox_0002"
down_revision: str | None = "stashbox_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stashbox_fingerprint_submissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("video_id", sa.String(length=64), nullable=False),
        sa.Column("stash_id", sa.Text(), nullable=False),
        sa.Column("algorithm", sa.String(length=8), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["stashbox_endpoints.id"],
            name=op.f("fk_stashbox_fingerprint_submissions_endpoint_id_stashbox_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stashbox_fingerprint_submissions")),
        sa.UniqueConstraint(
            "endpoint_id", "video_id", "algorithm", "hash", name="uq_stashbox_fingerprint_submissions_fingerprint"
        ),
    )
    op.create_index(
        "ix_stashbox_fingerprint_submissions_video", "stashbox_fingerprint_submissions", ["video_id"], unique=False
    )
    op.add_column(
        "stashbox_endpoints", sa.Column("submit_md5", sa.Boolean(), server_default=sa.text("true"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("stashbox_endpoints", "submit_md5")
    op.drop_index("ix_stashbox_fingerprint_submissions_video", table_name="stashbox_fingerprint_submissions")
    op.drop_table("stashbox_fingerprint_submissions")
