"""Dynamic and hybrid collections on the real database: the acceptance rule, refresh after a scan
through ``obscura_job_finished``, manual membership winning, deletions, and every operator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin_sdk.models import JobRunRow
from tests.integration.collections.helpers import PLUGINS, cond, err, group, link, members, ok, set_videos
from tests.integration.taxonomy import rows
from tests.integration.videos.media import make_h264_mp4

pytestmark = pytest.mark.integration

MIN = 60


@pytest.fixture
def obscura_plugins() -> dict:
    return PLUGINS


def _items(*refs: tuple[str, str]) -> dict:
    return {"items": [{"entityType": kind, "entityId": entity_id} for kind, entity_id in refs]}


def _ids(client, collection_id: str) -> set[str]:
    return {i for _, i, _ in members(client, collection_id)}


def test_tag_and_duration_not_performer_matches_exactly_after_a_rescan(client, runtime, run_jobs, tmp_path) -> None:
    root = rows.root(runtime)
    a, b, c, d, e, f = rows.videos(runtime, root, ["A", "B", "C", "D", "E", "F"])
    set_videos(runtime, {a: {"duration": 20 * MIN}, b: {"duration": 20 * MIN}, c: {"duration": 5 * MIN},
                         d: {"duration": 30 * MIN}, e: {"duration": 11 * MIN}})  # fmt: skip
    link(client, a, tags=["Drama"], performers=["Yves"])
    link(client, b, tags=["drama", "Noir"], performers=["Zoe"])
    link(client, c, tags=["Drama"])
    link(client, d, tags=["Comedy"], performers=["Zoe"])
    link(client, e, tags=["Drama"])
    link(client, f, tags=["Drama"])  # no duration yet: does not match "> 10 min"

    rule = group(
        "and",
        cond("tags", "equals", "Drama"),
        cond("duration", "greater_than", 10 * MIN),
        group("not", cond("performers", "equals", "Yves")),
    )
    body = {"name": "Long dramas", "mode": "dynamic", "ruleTree": rule}
    created = ok(client.post("/api/collections", json=body), 201)
    assert created["itemCount"] == 0 and created["lastRefreshedAt"] is None, "filled by the queued refresh"
    run_jobs()
    assert _ids(client, created["id"]) == {b, e}
    detail = ok(client.get(f"/api/collections/{created['id']}"))
    assert detail["itemCount"] == 2 and detail["lastRefreshedAt"] is not None

    # the library changes: C is now long, a new long drama G appears; a scan of another root finishes
    set_videos(runtime, {c: {"duration": 15 * MIN}})
    (g,) = rows.videos(runtime, root, ["G"])
    set_videos(runtime, {g: {"duration": 12 * MIN}})
    link(client, g, tags=["Drama"])
    folder = tmp_path / "Scanned"
    folder.mkdir()
    make_h264_mp4(folder / "Short Drama (2020).mp4", seconds=1, size="64x36", audio=False)
    library = ok(client.post("/api/libraries", json={"path": str(folder)}), 201)
    ok(client.post(f"/api/libraries/{library['id']}/scan", json={}))
    run_jobs(timeout=240)  # scan → probe → previews of a real file: slow when the machine is busy
    assert _ids(client, created["id"]) == {b, c, e, g}, "re-evaluated after the scan, without a rules edit"
    with runtime.session() as db:
        refreshes = db.execute(select(JobRunRow).where(JobRunRow.queue_name == "collection-refresh")).scalars().all()
    assert refreshes and all(r.status == "completed" for r in refreshes)
    assert len(refreshes) >= 2, "one when created, at least one after the scan"
    results = [r.result for r in sorted(refreshes, key=lambda r: r.created_at)]
    assert results[0]["added"] == 2 and results[0]["removed"] == 0
    assert sum(r["added"] for r in results[1:]) == 2, "C and G joined after the scan"

    # a deleted video leaves the collection and the count follows
    ok(client.delete(f"/api/videos/{e}", json={}))
    assert _ids(client, created["id"]) == {b, c, g}
    assert ok(client.get(f"/api/collections/{created['id']}"))["itemCount"] == 3


def test_hybrid_keeps_manual_items_and_manual_wins(client, runtime, run_jobs) -> None:
    root = rows.root(runtime)
    a, b, c = rows.videos(runtime, root, ["Alpha", "Beta", "Gamma"])
    (img,) = rows.images(runtime, root, ["Photo"])
    (track,) = rows.tracks(runtime, root, ["Song"])
    link(client, a, tags=["Keep"])
    link(client, b, tags=["Keep"])
    coll = ok(
        client.post(
            "/api/collections",
            json={
                "name": "Mixed",
                "mode": "hybrid",
                "ruleTree": group("and", cond("tags", "equals", "keep", ["video"])),
            },
        ),
        201,
    )
    run_jobs()
    assert members(client, coll["id"]) == [("video", a, "dynamic"), ("video", b, "dynamic")]

    added = ok(client.post(f"/api/collections/{coll['id']}/items", json={"items": [
        {"entityType": "image", "entityId": img}, {"entityType": "audio-track", "entityId": track},
        {"entityType": "video", "entityId": b}]}), 201)  # fmt: skip
    assert added == {"added": 2, "itemCount": 4}, "b was already a member; it becomes a manual one"
    gamma = group("and", cond("title", "equals", "gamma"))
    ok(client.patch(f"/api/collections/{coll['id']}", json={"ruleTree": gamma}))
    run_jobs()
    got = members(client, coll["id"])
    assert sorted(got) == sorted(
        [("video", b, "manual"), ("image", img, "manual"), ("audio-track", track, "manual"), ("video", c, "dynamic")]
    ), "a dropped out; b stays because it was added by hand"
    items = ok(client.get(f"/api/collections/{coll['id']}/items"))["items"]
    titles = {i["entityId"]: (i["title"], i["url"]) for i in items}
    assert titles[img] == ("Photo", f"/images/{img}") and titles[track] == ("Song", f"/audio/tracks/{track}")
    assert ok(client.get(f"/api/collections/{coll['id']}/items?entityType=image"))["total"] == 1

    # switching to manual keeps what the rules matched, as manual members
    ok(client.patch(f"/api/collections/{coll['id']}", json={"mode": "manual"}))
    assert {s for _, _, s in members(client, coll["id"])} == {"manual"}
    # a purely dynamic collection refuses hand-picked items
    dyn = ok(client.post("/api/collections", json={"name": "Rules only", "mode": "dynamic"}), 201)
    e = err(client.post(f"/api/collections/{dyn['id']}/items", json=_items(("video", a))), 409)
    assert "hybrid" in e["message"]
    err(client.post(f"/api/collections/{coll['id']}/items", json=_items(("video", "nope"))), 404)
    err(client.post(f"/api/collections/{coll['id']}/items", json=_items(("book", a))), 400)


def test_reorder_moves_items_and_refresh_keeps_the_order(client, runtime, run_jobs) -> None:
    root = rows.root(runtime)
    vids = rows.videos(runtime, root, ["V1", "V2", "V3", "V4"])
    coll = ok(client.post("/api/collections", json={"name": "Order", "mode": "manual"}), 201)
    ok(client.post(f"/api/collections/{coll['id']}/items",
                   json={"items": [{"entityType": "video", "entityId": v} for v in vids]}), 201)  # fmt: skip
    ref = lambda v: {"entityType": "video", "entityId": v}  # noqa: E731
    ok(client.patch(f"/api/collections/{coll['id']}/items/reorder", json={"items": [ref(vids[3]), ref(vids[0])]}))
    assert [i for _, i, _ in members(client, coll["id"])] == [vids[3], vids[1], vids[2], vids[0]], "swapped"
    ok(client.patch(f"/api/collections/{coll['id']}/items/reorder",
                    json={"items": [ref(vids[2]), ref(vids[3]), ref(vids[1])]}))  # fmt: skip
    assert [i for _, i, _ in members(client, coll["id"])] == [vids[2], vids[3], vids[1], vids[0]]
    e = err(client.patch(f"/api/collections/{coll['id']}/items/reorder", json={"items": [ref("missing")]}), 400)
    assert "not in this collection" in e["message"]
    removed = ok(client.post(f"/api/collections/{coll['id']}/items/remove", json={"items": [ref(vids[3])]}))
    assert removed == {"removed": 1, "itemCount": 3}


def test_preview_counts_per_kind_and_samples_without_saving(client, runtime) -> None:
    root = rows.root(runtime)
    rows.videos(runtime, root, ["Sunset beach", "Sunrise", "Night"])
    rows.images(runtime, root, ["Sunset photo", "Other"])
    rows.tracks(runtime, root, ["Sunset song"])
    data = ok(client.post("/api/collections/preview-rules",
                          json={"ruleTree": group("or", cond("title", "contains", "sun"))}))  # fmt: skip
    assert data["total"] == 4
    assert data["byType"] == {"video": 2, "gallery": 0, "image": 1, "audio-track": 1}
    assert [i["title"] for i in data["items"]] == ["Sunrise", "Sunset beach", "Sunset photo", "Sunset song"]
    assert [i["entityType"] for i in data["items"]] == ["video", "video", "image", "audio-track"]
    assert ok(client.get("/api/collections"))["total"] == 0, "nothing saved"
    only_images = ok(
        client.post(
            "/api/collections/preview-rules",
            json={"ruleTree": group("and", cond("title", "contains", "sun", ["image"]))},
        )
    )
    assert only_images["byType"]["image"] == 1 and only_images["total"] == 1, "other kinds contribute nothing"


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (cond("nope", "equals", "x"), "unknown field 'nope'"),
        (cond("duration", "contains", "x"), "operator contains does not apply to duration"),
        (cond("duration", "greater_than", "ten"), "expects a number"),
        (cond("duration", "between", [10, 5]), "min ≤ max"),
        (cond("date", "equals", "2020-13-45"), "not a date"),
        (cond("resolution", "equals", "8K"), "resolution is one of 4K, 1080p, 720p, 480p"),
        (cond("title", "in", []), "expects a list"),
        (cond("title", "equals", "x", ["book"]), "unknown entity type 'book'"),
        ({"type": "condition", "field": "title", "operator": "like", "value": "x"}, "body.ruleTree"),
        ({"type": "group", "operator": "xor", "children": []}, "body.ruleTree"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(client, runtime, bad, needle) -> None:
    tree = bad if bad["type"] == "group" else group("and", bad)
    e = err(client.post("/api/collections/preview-rules", json={"ruleTree": tree}), 400)
    assert needle in e["message"], e["message"]
    err(client.post("/api/collections", json={"name": "Bad", "mode": "dynamic", "ruleTree": tree}), 400)
    assert ok(client.get("/api/collections"))["total"] == 0


def _match(client, tree: dict) -> set[str]:
    data = ok(client.post("/api/collections/preview-rules", json={"ruleTree": tree}))
    return {i["title"] for i in data["items"]}


def test_every_operator_on_real_rows(client, runtime) -> None:
    root = rows.root(runtime)
    one, two, three = rows.videos(runtime, root, ["One", "Two", "Three"])
    set_videos(runtime, {
        one: {"duration": 60, "rating": 20, "date": "2020-01-01", "organized": True, "height": 2160,
              "video_codec": "h264"},
        two: {"duration": 600, "rating": 80, "date": "2021-06-15", "height": 720, "video_codec": "hevc"},
        three: {"rating": None},
    })  # fmt: skip
    link(client, one, tags=["Red"], studio="Acme")
    link(client, two, tags=["Blue"], performers=["Ann"])
    v = ["video"]
    cases = [
        (cond("title", "equals", "one"), {"One"}),
        (cond("title", "not_equals", "one"), {"Two", "Three"}),
        (cond("title", "contains", "t"), {"Two", "Three"}),
        (cond("title", "not_contains", "t"), {"One"}),
        (cond("title", "in", ["ONE", "two"]), {"One", "Two"}),
        (cond("title", "not_in", ["one"]), {"Two", "Three"}),
        (cond("codec", "is_null", None, v), {"Three"}),
        (cond("codec", "is_not_null", None, v), {"One", "Two"}),
        (cond("rating", "greater_than", 20), {"Two"}),
        (cond("rating", "greater_equal", 20), {"One", "Two"}),
        (cond("rating", "less_than", 80), {"One"}),
        (cond("rating", "less_equal", 80), {"One", "Two"}),
        (cond("rating", "between", [10, 50]), {"One"}),
        (cond("rating", "equals", 80), {"Two"}),
        (cond("rating", "not_equals", 80), {"One", "Three"}),
        (cond("rating", "in", [20, 80]), {"One", "Two"}),
        (cond("rating", "not_in", [20]), {"Two", "Three"}),
        (cond("duration", "between", [30, 120], v), {"One"}),
        (cond("date", "less_than", "2021-01-01"), {"One"}),
        (cond("date", "between", ["2021-01-01", "2021-12-31"]), {"Two"}),
        (cond("createdAt", "greater_equal", "2000-01-01"), {"One", "Two", "Three"}),
        (cond("organized", "is_true"), {"One"}),
        (cond("organized", "is_false"), {"Two", "Three"}),
        (cond("resolution", "equals", "4K", v), {"One"}),
        (cond("resolution", "in", ["720p", "1080p"], v), {"Two"}),
        (cond("resolution", "is_null", None, v), {"Three"}),
        (cond("tags", "in", ["red", "blue"]), {"One", "Two"}),
        (cond("tags", "not_in", ["red"]), {"Two", "Three"}),
        (cond("tags", "not_equals", "Blue"), {"One", "Three"}),
        (cond("studio", "equals", "acme"), {"One"}),
        (cond("performers", "equals", "Nobody"), set()),
    ]
    for condition, expected in cases:
        assert _match(client, group("and", condition)) == expected, condition
    assert _match(client, group("or", cond("title", "equals", "one"), cond("rating", "equals", 80))) == {"One", "Two"}
    none_of = group("not", cond("title", "equals", "one"), cond("organized", "is_true"))
    assert _match(client, none_of) == {"Two", "Three"}
    nested = group(
        "and",
        cond("rating", "is_not_null"),
        group("or", group("not", cond("tags", "equals", "red")), cond("studio", "equals", "Acme")),
    )
    assert _match(client, nested) == {"One", "Two"}
    assert _match(client, group("and", cond("width", "greater_than", 10))) == set(), "a field videos lack drops out"


class _Ctx:
    """The part of a job context ``after_job`` uses: the session and ``enqueue``."""

    def __init__(self, db) -> None:
        self.db = db

    def enqueue(self, queue, payload, **target) -> str:
        from plugin_sdk.jobs import enqueue_job

        return enqueue_job(self.db, queue, payload, **target)


def test_a_scan_finishing_during_a_refresh_queues_one_more(client, runtime) -> None:
    from datetime import UTC, datetime, timedelta

    from plugin_sdk.types import JobRun
    from plugins_builtin.collections.jobs import after_job

    coll = ok(
        client.post(
            "/api/collections",
            json={"name": "Catch up", "mode": "dynamic", "ruleTree": group("and", cond("title", "contains", "x"))},
        ),
        201,
    )
    now = datetime.now(UTC)
    with runtime.session() as db:
        db.execute(JobRunRow.__table__.delete())
        refresh_run = JobRunRow(queue_name="collection-refresh", status="completed", target_type="collection",
                                target_id=coll["id"], payload={"collectionId": coll["id"]},
                                started_at=now - timedelta(minutes=1), finished_at=now)  # fmt: skip
        scan = JobRunRow(queue_name="library-scan", status="completed", payload={},
                         started_at=now - timedelta(minutes=5), finished_at=now - timedelta(minutes=2))  # fmt: skip
        db.add_all([refresh_run, scan])
        db.commit()
        run = JobRun(id=refresh_run.id, queue="collection-refresh", payload={"collectionId": coll["id"]})

        after_job(run, _Ctx(db))  # the scan finished before the refresh started: nothing to catch up
        db.commit()
        waiting = select(JobRunRow).where(JobRunRow.queue_name == "collection-refresh", JobRunRow.status == "waiting")
        assert db.execute(waiting).scalars().all() == []

        scan.finished_at = now - timedelta(seconds=30)  # …finished while the refresh ran
        db.commit()
        after_job(run, _Ctx(db))
        db.commit()
        assert [r.target_id for r in db.execute(waiting).scalars()] == [coll["id"]]


def test_one_rule_fills_a_collection_with_every_kind_in_order(client, runtime) -> None:
    root = rows.root(runtime)
    gallery = rows.gallery(runtime, "Sun gallery")
    (img,) = rows.images(runtime, root, ["Sunny photo"], gallery)
    vid_b, vid_a, _ = rows.videos(runtime, root, ["Sunset", "Sun rise", "Rain"])
    (track,) = rows.tracks(runtime, root, ["Sun song"])
    tree = group("or", cond("title", "contains", "sun"))
    coll = ok(client.post("/api/collections", json={"name": "Sun", "mode": "dynamic", "ruleTree": tree}), 201)
    refreshed = ok(client.post(f"/api/collections/{coll['id']}/refresh", json={}))
    assert refreshed["itemCount"] == 5 and refreshed["lastRefreshedAt"]
    assert members(client, coll["id"]) == [
        ("video", vid_a, "dynamic"),
        ("video", vid_b, "dynamic"),
        ("gallery", gallery, "dynamic"),
        ("image", img, "dynamic"),
        ("audio-track", track, "dynamic"),
    ], "kinds in order, each by title"
    only_images = group("and", cond("title", "contains", "sun", ["image", "audio-track"]))
    ok(client.patch(f"/api/collections/{coll['id']}", json={"ruleTree": only_images}))
    ok(client.post(f"/api/collections/{coll['id']}/refresh", json={}))
    assert members(client, coll["id"]) == [("image", img, "dynamic"), ("audio-track", track, "dynamic")]
