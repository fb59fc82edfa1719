"""imported fields and missing files on images and galleries

``code``, ``photographer`` and ``urls`` on images and galleries (what a Stash import brings; also
editable), and ``missing_at``: a file, folder or archive known to be gone, which scans keep (not
prune) until it is found again.

Revision ID: images_0003
Revises: images_0002
Create Date: 2026-12-07 17:15:19.980535
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "images_0003"
down_revision: str | None = "images_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("galleries", sa.Column("code", sa.Text(), nullable=True))
    op.add_column("galleries", sa.Column("photographer", sa.Text(), nullable=True))
    op.add_column(
        "galleries", sa.Column("urls", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False)
    )
    op.add_column("galleries", sa.Column("missing_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("images", sa.Column("code", sa.Text(), nullable=True))
    op.add_column("images", sa.Column("photographer", sa.Text(), nullable=True))
    op.add_column(
        "images", sa.Column("urls", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False)
    )
    op.add_column("images", sa.Column("missing_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("images", "missing_at")
    op.drop_column("images", "urls")
    op.drop_column("images", "photographer")
    op.drop_column("images", "code")
    op.drop_column("galleries", "missing_at")
    op.drop_column("galleries", "urls")
    op.drop_column("galleries", "photographer")
    op.drop_column("galleries", "code")
