"""The ``collection`` importer on the real database: groups as manual collections in their scene
order, saved filters as dynamic ones (refreshed by the queue), merges that only add, idempotent
re-runs, dry runs, skip reasons and warnings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text

from plugin_sdk.db import new_id
from plugin_sdk.imports import (
    CREATED,
    MERGED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportBatch,
    ImportRecord,
    importer,
    run_import,
)
from plugin_sdk.models import JobRunRow
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.stash_import.saved_filters import rule_tree_from_saved_filter
from tests.integration.collections.helpers import PLUGINS, cond, group, link, members, ok, set_videos
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

CREATED_AT = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
UPDATED_AT = datetime(2022, 8, 9, 10, 11, 12, tzinfo=UTC)


@pytest.fixture
def obscura_plugins() -> dict:
    return PLUGINS


def _run(runtime: Any, records: list[ImportRecord], dry_run: bool = False) -> list[Any]:
    with runtime.session() as db:
        out = run_import(db, importer("collection"), ImportBatch("stash", "collection", records, dry_run=dry_run))
        db.commit()
    return out


def _videos(refs: list[str]) -> list[dict[str, str]]:
    return [{"entity_type": "video", "entity_id": v} for v in refs]


def _snapshot(runtime: Any) -> tuple[list[tuple], list[tuple]]:
    """Every collection and member row, all columns, in a stable order."""
    with runtime.session() as db:
        cols = db.execute(select(Collection.__table__).order_by(Collection.id)).all()
        items = db.execute(
            select(CollectionItem.__table__).order_by(
                CollectionItem.collection_id, CollectionItem.entity_type, CollectionItem.entity_id
            )
        ).all()
    return [tuple(r) for r in cols], [tuple(r) for r in items]


def _refresh_runs(runtime: Any) -> int:
    with runtime.session() as db:
        return db.execute(
            select(func.count()).select_from(JobRunRow).where(JobRunRow.queue_name == "collection-refresh")
        ).scalar_one()


def test_the_importer_is_registered_through_the_hook(runtime) -> None:
    imp = importer("collection")
    assert (imp.name, imp.entity, imp.label) == ("collections", "collection", "Collections")
    assert "rule_tree" in imp.fields and "items" in imp.fields and "unmapped_fields" in imp.fields


def test_a_group_becomes_a_manual_collection_in_its_order_and_a_rerun_changes_nothing(runtime) -> None:
    root = rows.root(runtime)
    a, b, c, d = rows.videos(runtime, root, ["A", "B", "C", "D"])
    record = {
        "name": "Trilogy", "description": "Three parts\ndirector: X", "mode": "manual", "rule_tree": None,
        "items": _videos([c, a, d, b, a]), "cover": b"\x89PNG not really", "created_at": CREATED_AT,
        "updated_at": UPDATED_AT.isoformat(), "unmapped_fields": ["back_image", "urls"], "studio_id": "7",
    }  # fmt: skip
    (out,) = _run(runtime, [ImportRecord("12", record)])
    assert out.status == CREATED and out.id and out.reason is None
    assert out.unmapped == ("back_image", "urls", "cover", "studio_id"), "listed, never silently lost"
    assert out.warnings == ()

    with runtime.session() as db:
        row = db.get(Collection, out.id)
        assert (row.name, row.description, row.mode, row.item_count) == ("Trilogy", "Three parts\ndirector: X",
                                                                          "manual", 4)  # fmt: skip
        assert (row.created_at, row.updated_at) == (CREATED_AT, UPDATED_AT)
        assert db.execute(text("SELECT rule_tree IS NULL FROM collections WHERE id = :i"), {"i": out.id}).scalar()
        items = db.execute(
            select(CollectionItem.entity_type, CollectionItem.entity_id, CollectionItem.source,
                   CollectionItem.sort_order)
            .where(CollectionItem.collection_id == out.id)
            .order_by(CollectionItem.sort_order)
        ).all()  # fmt: skip
    assert [tuple(i) for i in items] == [("video", c, "manual", 0), ("video", a, "manual", 1),
                                         ("video", d, "manual", 2), ("video", b, "manual", 3)]  # fmt: skip

    before = _snapshot(runtime)
    (again,) = _run(runtime, [ImportRecord("12", record, target_id=out.id)])
    assert (again.status, again.id) == (UNCHANGED, out.id)
    (by_name,) = _run(runtime, [ImportRecord("12", record)])  # no target: found by name and mode
    assert (by_name.status, by_name.id) == (UNCHANGED, out.id)
    assert _snapshot(runtime) == before, "no duplicate, no changed value"


def test_the_api_shows_the_imported_collection(runtime, client) -> None:
    root = rows.root(runtime)
    a, b = rows.videos(runtime, root, ["A", "B"])
    (out,) = _run(runtime, [ImportRecord("1", {"name": "Pair", "mode": "manual", "items": _videos([b, a])})])
    detail = ok(client.get(f"/api/collections/{out.id}"))
    assert (detail["name"], detail["mode"], detail["itemCount"], detail["ruleTree"]) == ("Pair", "manual", 2, None)
    assert members(client, out.id) == [("video", b, "manual"), ("video", a, "manual")]


def test_a_merge_adds_missing_members_at_the_end_and_keeps_the_users(runtime, client) -> None:
    root = rows.root(runtime)
    v1, v2, v3, v4, v5 = rows.videos(runtime, root, ["V1", "V2", "V3", "V4", "V5"])
    mine = ok(client.post("/api/collections", json={"name": "Favourites", "description": "mine"}), 201)
    ok(client.post(f"/api/collections/{mine['id']}/items",
                   json={"items": [{"entityType": "video", "entityId": v} for v in (v2, v5)]}), 201)  # fmt: skip
    rule = group("and", cond("title", "equals", "V4"))
    other_mode = ok(client.post("/api/collections", json={"name": "Favourites", "mode": "hybrid", "ruleTree": rule}),
                    201)  # fmt: skip

    record = {"name": "Favourites", "description": "theirs", "mode": "manual", "items": _videos([v1, v2, v3])}
    (out,) = _run(runtime, [ImportRecord("5", record)])
    assert (out.status, out.id) == (MERGED, mine["id"]), "same name and mode: merged, not duplicated"
    assert members(client, mine["id"]) == [("video", v2, "manual"), ("video", v5, "manual"),
                                           ("video", v1, "manual"), ("video", v3, "manual")]  # fmt: skip
    detail = ok(client.get(f"/api/collections/{mine['id']}"))
    assert (detail["description"], detail["itemCount"]) == ("mine", 4), "the user's description stays"

    # the next import (with the id the first one gave) brings a new member: updated, at the end
    record["items"] = _videos([v1, v2, v3, v4])
    (upd,) = _run(runtime, [ImportRecord("5", record, target_id=out.id)])
    assert (upd.status, upd.id) == (UPDATED, mine["id"])
    assert [m[1] for m in members(client, mine["id"])] == [v2, v5, v1, v3, v4]
    assert ok(client.get(f"/api/collections/{mine['id']}"))["itemCount"] == 5

    before = _snapshot(runtime)
    (same,) = _run(runtime, [ImportRecord("5", record, target_id=out.id)])
    assert same.status == UNCHANGED and _snapshot(runtime) == before
    with runtime.session() as db:
        assert db.get(Collection, other_mode["id"]).description is None, "another mode is another collection"

    # an empty description is filled in
    bare = ok(client.post("/api/collections", json={"name": "Bare"}), 201)
    (fill,) = _run(runtime, [ImportRecord("6", {"name": "Bare", "description": "from Stash"})])
    assert (fill.status, fill.id) == (MERGED, bare["id"])
    assert ok(client.get(f"/api/collections/{bare['id']}"))["description"] == "from Stash"


def test_a_target_that_is_gone_is_matched_by_name_or_created(runtime) -> None:
    (out,) = _run(runtime, [ImportRecord("9", {"name": "Lost", "mode": "manual"}, target_id=new_id())])
    assert out.status == CREATED
    (again,) = _run(runtime, [ImportRecord("9", {"name": "Lost", "mode": "manual"}, target_id=new_id())])
    assert (again.status, again.id) == (UNCHANGED, out.id)


def test_a_dynamic_member_listed_by_the_import_becomes_manual(runtime, client, run_jobs) -> None:
    root = rows.root(runtime)
    a, b = rows.videos(runtime, root, ["Alpha", "Beta"])
    rule = group("and", cond("title", "equals", "Alpha"))
    hybrid = ok(client.post("/api/collections", json={"name": "Mixed", "mode": "hybrid", "ruleTree": rule}), 201)
    run_jobs()
    assert members(client, hybrid["id"]) == [("video", a, "dynamic")]
    (out,) = _run(runtime, [ImportRecord("3", {"name": "Mixed", "mode": "hybrid", "items": _videos([a, b])})])
    assert (out.status, out.id) == (MERGED, hybrid["id"])
    assert members(client, hybrid["id"]) == [("video", a, "manual"), ("video", b, "manual")]
    (again,) = _run(runtime, [ImportRecord("3", {"name": "Mixed", "mode": "hybrid", "items": _videos([a, b])})])
    assert again.status == UNCHANGED


def test_a_saved_filter_becomes_a_dynamic_collection_filled_by_its_refresh(runtime, client, run_jobs) -> None:
    root = rows.root(runtime)
    a, b, c, d = rows.videos(runtime, root, ["A", "B", "C", "D"])
    for vid, tags in ((a, ["Beach", "Sunset"]), (b, ["Beach"]), (c, ["Beach", "Sunset"]), (d, ["Sunset"])):
        link(client, vid, tags=tags)
    set_videos(runtime, {a: {"rating": 80}, b: {"rating": 90}, c: {"rating": 40}, d: {"rating": 95}})
    tag_ids = {t["name"]: t["id"] for t in ok(client.get("/api/tags?perPage=50"))["items"]}
    stash = {("tag", "11"): tag_ids["Beach"], ("tag", "12"): tag_ids["Sunset"]}
    saved = {
        "id": 1, "name": "Best beach sunsets", "mode": "SCENES", "find_filter": {"q": "", "sort": "date"},
        "object_filter": {
            "tags": {"modifier": "INCLUDES_ALL", "value": {"items": [{"id": "11", "label": "Beach"},
                                                                     {"id": "12", "label": "Sunset"}],
                                                           "excluded": [], "depth": 0}},
            "rating100": {"modifier": "GREATER_THAN", "value": {"value": 60}},
            "o_counter": {"modifier": "GREATER_THAN", "value": {"value": 0}},
        },
    }  # fmt: skip
    tree, kind, problems = rule_tree_from_saved_filter(saved, lambda e, i: stash.get((e, i)))
    assert kind == "video" and problems == ["o_counter: no rule for it"]

    record = {"name": saved["name"], "mode": "dynamic", "rule_tree": tree, "items": [],
              "unmapped_fields": ["o_counter"]}  # fmt: skip
    (out,) = _run(runtime, [ImportRecord("filter:1", record)])
    assert out.status == CREATED and out.unmapped == ("o_counter",)
    assert _refresh_runs(runtime) == 1, "queued like the collections plugin queues a new dynamic collection"
    run_jobs()
    assert members(client, out.id) == [("video", a, "dynamic")]
    detail = ok(client.get(f"/api/collections/{out.id}"))
    assert detail["itemCount"] == 1 and detail["ruleTree"] == tree

    before = _snapshot(runtime)
    (again,) = _run(runtime, [ImportRecord("filter:1", record, target_id=out.id)])
    assert again.status == UNCHANGED and _snapshot(runtime) == before
    assert _refresh_runs(runtime) == 1, "nothing changed: no new refresh"


def test_a_dry_run_writes_rows_the_caller_rolls_back_and_queues_nothing(runtime) -> None:
    root = rows.root(runtime)
    (a,) = rows.videos(runtime, root, ["A"])
    records = [
        ImportRecord("1", {"name": "Dry dynamic", "mode": "dynamic",
                           "rule_tree": group("and", cond("title", "contains", "A", ["video"]))}),
        ImportRecord("2", {"name": "Dry manual", "items": _videos([a]), "cover": b"GIF89a..."}),
    ]  # fmt: skip
    with runtime.session() as db:
        out = run_import(db, importer("collection"), ImportBatch("stash", "collection", records, dry_run=True))
        assert [o.status for o in out] == [CREATED, CREATED]
        assert db.execute(select(func.count()).select_from(Collection)).scalar_one() == 2, "written as usual"
        assert db.execute(select(func.count()).select_from(JobRunRow)).scalar_one() == 0, "no refresh queued"
        db.rollback()
    assert _snapshot(runtime) == ([], [])
    assert not (runtime.settings.data_dir / "cache" / "collections").exists(), "no file written"


def test_records_that_cannot_be_taken_are_skipped_with_the_reason(runtime) -> None:
    root = rows.root(runtime)
    (a,) = rows.videos(runtime, root, ["A"])
    records = [
        ImportRecord("no-name", {"name": "  ", "mode": "manual"}),
        ImportRecord("bad-mode", {"name": "X", "mode": "smart"}),
        ImportRecord("unknown-field", {"name": "Y", "mode": "dynamic",
                                       "rule_tree": group("and", cond("o_counter", "greater_than", 1))}),
        ImportRecord("bad-operator", {"name": "Z", "mode": "dynamic",
                                      "rule_tree": group("and", cond("title", "bigger", "x"))}),
        ImportRecord("bad-value", {"name": "Z2", "mode": "dynamic",
                                   "rule_tree": group("and", cond("duration", "greater_than", "long"))}),
        ImportRecord("no-rules", {"name": "W", "mode": "dynamic"}),
        ImportRecord("long-name", {"name": "n" * 201}),
        ImportRecord("fine", {"name": "Fine", "items": _videos([a])}),
    ]  # fmt: skip
    out = _run(runtime, records)
    reasons = {o.key: o.reason for o in out if o.status == SKIPPED}
    assert reasons["no-name"] == "name: a collection needs a name"
    assert reasons["bad-mode"] == "mode: one of manual, dynamic, hybrid, not 'smart'"
    assert reasons["unknown-field"].startswith("rule_tree: ruleTree.children[0]: unknown field 'o_counter'")
    assert reasons["bad-operator"].startswith("rule_tree: children.0.condition.operator: Input should be")
    assert reasons["bad-value"] == "rule_tree: ruleTree.children[0]: expects a number, not 'long'"
    assert reasons["no-rules"] == "rule_tree: a dynamic collection needs rules"
    assert reasons["long-name"] == "name: at most 200 characters (201 given)"
    assert all(o.id is None for o in out if o.status == SKIPPED)
    assert out[-1].status == CREATED, "the rest of the batch comes in"
    with runtime.session() as db:
        assert db.execute(select(Collection.name)).scalars().all() == ["Fine"]


def test_items_that_name_no_row_are_warnings_and_the_rest_comes_in(runtime) -> None:
    root = rows.root(runtime)
    a, b = rows.videos(runtime, root, ["A", "B"])
    gone = new_id()
    items = [*_videos([a, gone]), {"entity_type": "hologram", "entity_id": "x"}, {"entity_type": "video"},
             "junk", *_videos([b])]  # fmt: skip
    (out,) = _run(runtime, [ImportRecord("1", {"name": "Partly", "items": items, "created_at": "yesterday"})])
    assert out.status == CREATED
    assert out.warnings == (
        "items: 2 item(s) without a valid entity_type and entity_id; left out",
        "created_at: 'yesterday' is not a time; left out",
        f"items: 1 video row(s) not found ({gone}); left out",
        "items: no loaded plugin holds 'hologram' rows; 1 item(s) left out",
    )
    with runtime.session() as db:
        refs = db.execute(
            select(CollectionItem.entity_id).where(CollectionItem.collection_id == out.id)
            .order_by(CollectionItem.sort_order)
        ).scalars().all()  # fmt: skip
        assert refs == [a, b] and db.get(Collection, out.id).item_count == 2


def test_a_cover_that_is_not_an_image_is_only_unmapped(runtime) -> None:
    """Collections hold no uploaded cover: the bytes are never opened, whatever they are."""
    (out,) = _run(runtime, [ImportRecord("1", {"name": "Covered", "cover": b"definitely not an image"})])
    assert out.status == CREATED and out.unmapped == ("cover",) and out.warnings == ()


def test_several_records_of_one_collection_in_a_batch(runtime) -> None:
    root = rows.root(runtime)
    a, b, c = rows.videos(runtime, root, ["A", "B", "C"])
    out = _run(runtime, [
        ImportRecord("1", {"name": "Twice", "items": _videos([a, b])}),
        ImportRecord("2", {"name": "Twice", "description": "later", "items": _videos([b, c])}),
    ])  # fmt: skip
    assert [o.status for o in out] == [CREATED, MERGED] and out[0].id == out[1].id
    with runtime.session() as db:
        row = db.get(Collection, out[0].id)
        assert (row.description, row.item_count) == ("later", 3)
        refs = db.execute(
            select(CollectionItem.entity_id, CollectionItem.sort_order)
            .where(CollectionItem.collection_id == row.id).order_by(CollectionItem.sort_order)
        ).all()  # fmt: skip
    assert [tuple(r) for r in refs] == [(a, 0), (b, 1), (c, 2)]
