"""Alembic environment shared by every migration lineage (core, built-ins, third parties).

``obscura migrate`` (``obscura_core/migrate.py``) runs one lineage at a time and passes, through
``config.attributes``: the open ``connection``, the lineage's ``version_table`` and the set of
``tables`` it owns. When run by the bare ``alembic`` CLI, pass ``-x plugin=<lineage>`` and set
``DATABASE_URL``: the runtime is built here.
"""

from __future__ import annotations

from alembic import context

from plugin_sdk.db import Base

config = context.config

SEARCH_INDEX_SUFFIXES = ("_trgm", "_fts")
"""Indexes named ``…_trgm`` / ``…_fts`` are created by migrations only (``pg_trgm`` GIN indexes are
skipped on a server without the extension), so they are left out of the models/migrations drift check."""
BYTE_ORDER_INDEX_SUFFIX = "_bytes"
"""Indexes named ``…_bytes`` are on a column ``COLLATE "C"`` (its values in byte order, whatever the
database's collation); reflection reads them back as plain column indexes, so the drift check
would always see a difference: they are compared by their migration only."""


def _attributes() -> dict:
    attrs = dict(config.attributes)
    if "connection" in attrs:
        return attrs
    from obscura_core.migrate import lineage_attributes
    from obscura_core.runtime import build_runtime

    lineage = context.get_x_argument(as_dictionary=True).get("plugin", "core")
    rt = build_runtime("cli")
    return lineage_attributes(rt, lineage, rt.engine.connect())


def run_migrations() -> None:
    attrs = _attributes()
    tables: set[str] = attrs["tables"]

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table":
            return name in tables
        if type_ == "index" and name and name.endswith(SEARCH_INDEX_SUFFIXES):
            return False  # search indexes exist only where the extension does (plugin_sdk.search)
        if type_ == "index" and name and name.endswith(BYTE_ORDER_INDEX_SUFFIX):
            return False
        table = getattr(obj, "table", None)
        return table is None or table.name in tables

    def process_revision_directives(ctx, revision, directives):
        script = directives[0]
        autogenerate = getattr(config.cmd_opts, "autogenerate", False) or attrs.get("autogenerate")
        if autogenerate and script.upgrade_ops.is_empty():
            directives[:] = []

    context.configure(
        connection=attrs["connection"],
        target_metadata=Base.metadata,
        version_table=attrs["version_table"],
        include_object=include_object,
        process_revision_directives=process_revision_directives,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run `obscura migrate`.")
run_migrations()
