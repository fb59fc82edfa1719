"""The SDK's ready-made hook implementations (plugin_sdk.hookimpls), queue tables (plugin_sdk.queues)
and library table mixins (plugin_sdk.librarytables): pluggy registers them like hand-written hooks,
they pass the hook's arguments on, and the mixins declare the same columns and indexes a table
would write out itself."""

from __future__ import annotations

import sys
import types

import pytest
from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from obscura_core.plugins import build_plugin_manager
from obscura_core.settings import Settings
from plugin_sdk import NavItem, QueueDefinition, hookimpl, hookimpls
from plugin_sdk.librarytables import CatalogMixin, FolderMixin, LibraryRowMixin, folder_indexes
from plugin_sdk.queues import QueueTable

TARGETS = "tests_sdk_hookimpls_targets"


@pytest.fixture
def targets() -> types.ModuleType:
    """A module the deferred hooks name, recording each call."""
    module = types.ModuleType(TARGETS)
    module.calls = []  # type: ignore[attr-defined]
    module.panels = lambda entity_type: module.calls.append(("panels", entity_type)) or []  # type: ignore[attr-defined]
    module.search = lambda *args: module.calls.append(("search", args)) or []  # type: ignore[attr-defined]
    module.sources = lambda: ["source"]  # type: ignore[attr-defined]
    module.api = lambda: ["api-1", "api-2"]  # type: ignore[attr-defined]
    module.pages = lambda: "pages"  # type: ignore[attr-defined]
    module.process = lambda payload, ctx: None  # type: ignore[attr-defined]
    sys.modules[TARGETS] = module
    yield module
    del sys.modules[TARGETS]


def _register(**hooks: object) -> object:
    plugin = types.ModuleType("sdk_hookimpls_plugin")
    for name, fn in hooks.items():
        setattr(plugin, name, fn)
    settings = Settings(database_url=None, redis_url=None)  # type: ignore[arg-type]
    pm, _ = build_plugin_manager(settings, builtins=(), load_entrypoints=False, plugins=[("sdk-hooks", plugin)])
    return pm


def test_ready_made_hooks_register_with_the_hooks_argument_names(targets: types.ModuleType) -> None:
    pm = _register(
        obscura_nav_items=hookimpls.returning([NavItem("Clips", "/clips")]),
        obscura_panels=hookimpls.deferred_panels(f"{TARGETS}:panels"),
        obscura_search=hookimpls.deferred_search(f"{TARGETS}:search"),
        obscura_collection_sources=hookimpls.deferred(f"{TARGETS}:sources"),
        obscura_blueprints=hookimpls.deferred_blueprints(f"{TARGETS}:api", f"{TARGETS}:pages"),
        obscura_processors=hookimpls.deferred_processors({"clips-scan": f"{TARGETS}:process"}),
        obscura_entity_deleted=hookimpls.root_rows_deleted([]),
    )
    argnames = {
        name: next(i.argnames for i in getattr(pm.hook, name).get_hookimpls() if i.plugin_name == "sdk-hooks")
        for name in ("obscura_panels", "obscura_search", "obscura_entity_deleted", "obscura_nav_items")
    }
    assert argnames == {
        "obscura_panels": ("entity_type",),
        "obscura_search": ("db", "query", "limit", "kinds", "offset"),
        "obscura_entity_deleted": ("entity_type", "entity_id", "db"),
        "obscura_nav_items": (),
    }


def test_deferred_hooks_pass_the_call_on(targets: types.ModuleType) -> None:
    hookimpls.deferred_panels(f"{TARGETS}:panels")(entity_type="performer")
    hookimpls.deferred_search(f"{TARGETS}:search")(db="db", query="q", limit=5, kinds=None, offset=2)
    assert targets.calls == [("panels", "performer"), ("search", ("db", "q", 5, None, 2))]
    assert hookimpls.deferred(f"{TARGETS}:sources")() == ["source"]
    assert hookimpls.deferred_blueprints(f"{TARGETS}:api", f"{TARGETS}:pages")() == ["api-1", "api-2", "pages"]
    assert hookimpls.deferred_processors({"q": f"{TARGETS}:process"})() == {"q": targets.process}


def test_returning_answers_a_fresh_copy() -> None:
    answer = [NavItem("Clips", "/clips")]
    hook = hookimpls.returning(answer)
    first = hook()
    first.append(NavItem("More", "/more"))
    assert hook() == answer


def test_a_hook_target_names_module_and_function() -> None:
    with pytest.raises(ValueError, match=r"package\.module:function"):
        hookimpls.target_function("plugins_builtin.audio.pages.search")


def test_queue_table_adds_each_queue_with_the_function_it_decorates() -> None:
    table = QueueTable()

    @table.add("clips-scan", "Scan clips", "Find clip files.")
    def missing_scans(db: object) -> int:
        return 0

    @table.add("clips-probe", "Read clips", "Duration of each clip.", concurrency=2)
    def missing_probes(db: object) -> int:
        return 1

    assert table == [
        QueueDefinition("clips-scan", "Scan clips", enqueue_missing=missing_scans, description="Find clip files."),
        QueueDefinition(
            "clips-probe", "Read clips", concurrency=2, enqueue_missing=missing_probes,
            description="Duration of each clip.",
        ),
    ]  # fmt: skip
    assert missing_probes(None) == 1  # returned unchanged


def test_library_table_mixins_declare_the_usual_columns_and_indexes() -> None:
    class Base(DeclarativeBase):
        metadata = MetaData()

    class Album(FolderMixin, LibraryRowMixin, CatalogMixin, Base):
        __tablename__ = "clips_albums"
        __table_args__ = folder_indexes("clips_albums")
        title: Mapped[str] = mapped_column(String(10))

    class LibraryRoots(Base):  # the table the root foreign key names
        __tablename__ = "library_roots"
        id: Mapped[str] = mapped_column(String(36), primary_key=True)

    table = Album.__table__
    assert {c.name for c in table.columns} == {
        "id",
        "library_root_id",
        "parent_id",
        "sort_title",
        "details",
        "date",
        "title",
    }
    assert [fk.target_fullname for fk in table.c.parent_id.foreign_keys] == ["clips_albums.id"]
    assert next(iter(table.c.parent_id.foreign_keys)).ondelete == "SET NULL"
    assert next(iter(table.c.library_root_id.foreign_keys)).ondelete == "CASCADE"
    assert table.c.id.primary_key and not table.c.sort_title.nullable and table.c.details.nullable
    assert {i.name: [c.name for c in i.columns] for i in table.indexes} == {
        "ix_clips_albums_parent": ["parent_id"],
        "ix_clips_albums_root": ["library_root_id"],
        "ix_clips_albums_title": ["sort_title", "id"],
    }


def test_a_marked_function_of_the_plugin_is_its_own_hook() -> None:
    def enqueue_scans(db: object, roots: object, trigger: str) -> int:
        return 0

    pm = _register(obscura_scan_roots=hookimpl(enqueue_scans))
    impls = [i for i in pm.hook.obscura_scan_roots.get_hookimpls() if i.plugin_name == "sdk-hooks"]
    assert [i.argnames for i in impls] == [("db", "roots", "trigger")]
