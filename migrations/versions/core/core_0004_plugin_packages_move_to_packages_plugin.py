"""plugin packages move to the packages plugin: the core drops its placeholder tables

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-07 15:00:00

``plugin_packages`` and ``plugin_auth`` were created by core_0001 as placeholders nothing ever
wrote. The built-in ``packages`` plugin owns them now (its own lineage creates them, after the
core's), so the core names no feature. Downgrading recreates the empty placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0004"
down_revision: str | None = "core_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exists(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    # the core lineage is upgraded before every plugin's, so these are still the placeholders
    for table in ("plugin_auth", "plugin_packages"):
        if _exists(table):
            op.drop_table(table)


def downgrade() -> None:
    if not _exists("plugin_auth"):
        op.create_table(
            "plugin_auth",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("plugin_id", sa.Text(), nullable=False),
            sa.Column("auth_key", sa.Text(), nullable=False),
            sa.Column("encrypted_value", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_auth")),
            sa.UniqueConstraint("plugin_id", "auth_key", name=op.f("uq_plugin_auth_plugin_id_auth_key")),
        )
    if not _exists("plugin_packages"):
        op.create_table(
            "plugin_packages",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("plugin_id", sa.Text(), nullable=False),
            sa.Column("name", sa.Text(), nullable=False),
            sa.Column("version", sa.Text(), nullable=True),
            sa.Column("runtime", sa.Text(), nullable=False),
            sa.Column("install_path", sa.Text(), nullable=True),
            sa.Column("sha256", sa.Text(), nullable=True),
            sa.Column("is_nsfw", sa.Boolean(), server_default=sa.text("false"), nullable=False),
            sa.Column("capabilities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
            sa.Column("manifest_raw", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
            sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
            sa.Column("source_index", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_packages")),
            sa.UniqueConstraint("plugin_id", name=op.f("uq_plugin_packages_plugin_id")),
        )
