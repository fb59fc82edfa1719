"""plugin settings and root options: the core's tables stop naming features

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-12-07 09:00:00

The video settings move from ``library_settings`` to ``plugin_settings`` rows owned by the videos
plugin's settings groups (``videos-generation``, ``videos-playback``), and the per-root switches
``scan_movies``/``scan_series``/``scan_images``/``scan_audio`` move into ``library_roots.options``
(contributed by the media plugins as ``RootOption``). Values are carried over both ways.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0003"
down_revision: str | None = "core_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS: dict[str, dict[str, tuple[str, str]]] = {
    # group key: {column: (SQL type, server default)}
    "videos-generation": {
        "generate_phash": ("boolean", "false"),
        "generate_trickplay": ("boolean", "true"),
        "trickplay_interval_seconds": ("integer", "10"),
        "preview_clip_duration_seconds": ("integer", "8"),
        "thumbnail_quality": ("integer", "2"),
        "trickplay_quality": ("integer", "2"),
    },
    "videos-playback": {
        "default_playback_mode": ("text", "'direct'"),
        "subtitles_auto_enable": ("boolean", "false"),
        "subtitles_preferred_languages": ("text", "'en,eng'"),
        "subtitle_style": ("text", "'stylized'"),
        "subtitle_font_scale": ("double precision", "1"),
        "subtitle_position_percent": ("integer", "88"),
        "subtitle_opacity": ("double precision", "1"),
    },
}
ROOT_SWITCHES = ("scan_movies", "scan_series", "scan_images", "scan_audio")


def upgrade() -> None:
    op.create_table(
        "plugin_settings",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    for key, columns in GROUPS.items():
        pairs = ", ".join(f"'{c}', {c}" for c in columns)
        op.execute(
            f"INSERT INTO plugin_settings (key, values) SELECT '{key}', jsonb_build_object({pairs}) "
            "FROM library_settings WHERE id = 1"
        )
        for column in columns:
            op.drop_column("library_settings", column)

    op.add_column(
        "library_roots",
        sa.Column("options", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    )
    pairs = ", ".join(f"'{c}', {c}" for c in ROOT_SWITCHES)
    op.execute(f"UPDATE library_roots SET options = jsonb_build_object({pairs})")
    for column in ROOT_SWITCHES:
        op.drop_column("library_roots", column)


def downgrade() -> None:
    for column in ROOT_SWITCHES:
        op.execute(f"ALTER TABLE library_roots ADD COLUMN {column} boolean NOT NULL DEFAULT true")
        op.execute(f"UPDATE library_roots SET {column} = COALESCE((options->>'{column}')::boolean, true)")
    op.drop_column("library_roots", "options")

    for key, columns in GROUPS.items():
        for column, (sql_type, default) in columns.items():
            op.execute(f"ALTER TABLE library_settings ADD COLUMN {column} {sql_type} NOT NULL DEFAULT {default}")
            op.execute(
                f"UPDATE library_settings SET {column} = COALESCE("
                f"(SELECT (values->>'{column}')::{sql_type} FROM plugin_settings WHERE key = '{key}'), {default})"
            )
    op.drop_table("plugin_settings")
