"""an index of file paths in byte order (a folder's files are one range of it)

Revision ID: videos_0007
Revises: videos_0006
Create Date: 2026-12-07 20:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "videos_0007"
down_revision: str | None = "videos_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_videos_path_bytes", "videos", [sa.text('file_path COLLATE "C"')], unique=False)


def downgrade() -> None:
    op.drop_index("ix_videos_path_bytes", table_name="videos")
