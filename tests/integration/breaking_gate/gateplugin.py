"""A throwaway plugin with its own migration lineage, whose revisions a test writes as it goes
(a normal one, a breaking one, one after it), as an upgrade of Obscura would bring them."""

from __future__ import annotations

import textwrap
import types
from pathlib import Path

from plugin_sdk import ModelSet, hookimpl


def make_plugin(name: str, versions: Path, requires: tuple[str, ...] = ("core",)) -> types.ModuleType:
    """A plugin module declaring the lineage ``name`` with its revisions in ``versions``."""
    versions.mkdir(parents=True, exist_ok=True)
    module = types.ModuleType(f"gateplugin_{name}")

    @hookimpl
    def obscura_models() -> list[ModelSet]:
        return [ModelSet(name, [], versions_dir=versions, requires=requires)]

    module.obscura_models = obscura_models  # type: ignore[attr-defined]
    return module


def write_revision(
    versions: Path,
    lineage: str,
    number: int,
    upgrade: str,
    *,
    message: str,
    breaking: str | None = None,
) -> str:
    """Write revision ``<lineage>_<number>`` (after the previous number); returns its id."""
    revision = f"{lineage}_{number:04d}"
    down = f"{lineage}_{number - 1:04d}" if number > 1 else None
    marker = f"breaking = {breaking!r}\n" if breaking else ""
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    source = (
        f'"""{message}"""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n"
        f"{marker}\n\n"
        f"def upgrade():\n{body}\n\n\n"
        "def downgrade():\n    pass\n"
    )
    versions.mkdir(parents=True, exist_ok=True)
    (versions / f"{revision}.py").write_text(source)
    return revision


DROPS_LEGACY = "Drops the legacy column; its values are appended to name"


def write_first(versions: Path, lineage: str) -> None:
    write_revision(
        versions,
        lineage,
        1,
        f"""
        op.create_table("{lineage}_items", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("name", sa.Text, nullable=False), sa.Column("legacy", sa.Text))
        """,
        message="items",
    )


def write_upgrade(versions: Path, lineage: str) -> None:
    """A normal revision, a breaking one, and a normal one after it."""
    write_revision(versions, lineage, 2, f'op.add_column("{lineage}_items", sa.Column("note", sa.Text))',
                   message="a note on items")  # fmt: skip
    write_revision(
        versions,
        lineage,
        3,
        f"""
        op.execute("UPDATE {lineage}_items SET name = name || ' / ' || legacy WHERE legacy IS NOT NULL")
        op.drop_column("{lineage}_items", "legacy")
        """,
        message="legacy folded into name",
        breaking=DROPS_LEGACY,
    )
    write_revision(versions, lineage, 4, f'op.add_column("{lineage}_items", sa.Column("extra", sa.Integer))',
                   message="an extra number")  # fmt: skip
