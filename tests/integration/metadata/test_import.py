"""The ``stash_id`` importer on the real database: an upsert on (entity type, entity id, endpoint)
that creates, updates to another StashBox id or leaves alone, idempotent re-runs, dry runs,
skip reasons and the rows the StashBox identify made before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from plugin_sdk.db import new_id
from plugin_sdk.imports import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportRecord, importer, run_import
from plugins_builtin.metadata.models import StashIdRow
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

STASHDB = "https://stashdb.org/graphql"
PMV = "https://pmvstash.org/graphql"
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy", "metadata"), "load_entrypoints": False}


def _record(key: str, entity_type: str, entity_id: str, endpoint: str, stash_id: str, **extra: Any) -> ImportRecord:
    target_id = extra.pop("target_id", None)
    fields = {"entity_type": entity_type, "entity_id": entity_id, "endpoint": endpoint, "stash_id": stash_id,
              "updated_at": extra.pop("updated_at", WHEN), **extra}  # fmt: skip
    return ImportRecord(key, fields, target_id=target_id)


def _run(runtime: Any, records: list[ImportRecord], dry_run: bool = False) -> list[Any]:
    with runtime.session() as db:
        out = run_import(db, importer("stash_id"), ImportBatch("stash", "stash_id", records, dry_run=dry_run))
        db.commit()
    return out


def _rows(runtime: Any) -> list[tuple]:
    with runtime.session() as db:
        return [tuple(r) for r in db.execute(select(StashIdRow.__table__).order_by(StashIdRow.id)).all()]


def test_the_importer_is_registered_through_the_hook(runtime) -> None:
    imp = importer("stash_id")
    assert (imp.name, imp.entity, imp.label) == ("metadata", "stash_id", "StashBox ids")
    assert all(f in imp.fields for f in ("entity_type", "entity_id", "endpoint", "stash_id", "updated_at"))


def test_create_round_trip_and_an_idempotent_rerun(runtime) -> None:
    root = rows.root(runtime)
    (vid,) = rows.videos(runtime, root, ["Scene"])
    performer = new_id()
    records = [
        _record("scene:1:stashdb", "video", vid, STASHDB, "scene-uuid"),
        _record("scene:1:pmv", "video", vid, PMV, "pmv-uuid", updated_at=WHEN.isoformat()),
        _record("performer:4:stashdb", "performer", performer, STASHDB, "perf-uuid", updated_at=None),
    ]
    out = _run(runtime, records)
    assert [o.status for o in out] == [CREATED, CREATED, CREATED]
    assert all(o.id and o.unmapped == () and o.warnings == () for o in out)
    with runtime.session() as db:
        got = {o.key: db.get(StashIdRow, o.id) for o in out}
    for rec in records:  # every field, as given
        row = got[rec.key]
        for name in ("entity_type", "entity_id", "endpoint", "stash_id"):
            assert getattr(row, name) == rec.fields[name], name
    assert got["scene:1:stashdb"].updated_at == WHEN and got["scene:1:pmv"].updated_at == WHEN
    assert got["performer:4:stashdb"].updated_at is not None, "no time given: now"

    before = _rows(runtime)
    again = _run(runtime, [ImportRecord(r.key, r.fields, target_id=o.id) for r, o in zip(records, out, strict=True)])
    assert [(o.status, o.id) for o in again] == [(UNCHANGED, o.id) for o in out]
    assert [o.status for o in _run(runtime, records)] == [UNCHANGED] * 3, "found by key without a target id"
    assert _rows(runtime) == before, "no duplicate, no changed value"


def test_another_stash_id_on_the_same_server_updates_the_row(runtime) -> None:
    tag = new_id()
    (made,) = _run(runtime, [_record("tag:2", "tag", tag, STASHDB, "old-uuid")])
    later = datetime(2025, 5, 5, tzinfo=UTC)
    (upd,) = _run(runtime, [_record("tag:2", "tag", tag, STASHDB, "new-uuid", updated_at=later, target_id=made.id)])
    assert (upd.status, upd.id) == (UPDATED, made.id)
    with runtime.session() as db:
        row = db.get(StashIdRow, made.id)
        assert (row.stash_id, row.updated_at) == ("new-uuid", later)
        assert db.execute(select(func.count()).select_from(StashIdRow)).scalar_one() == 1


def test_a_link_the_identify_made_is_merged_not_duplicated(runtime) -> None:
    studio = new_id()
    with runtime.session() as db:
        existing = StashIdRow(entity_type="studio", entity_id=studio, endpoint=STASHDB, stash_id="studio-uuid")
        db.add(existing)
        db.commit()
        existing_id, stamp = existing.id, existing.updated_at
    out = _run(runtime, [_record("studio:3", "studio", studio, STASHDB, "studio-uuid"),
                         _record("studio:3b", "studio", studio, PMV, "other")])  # fmt: skip
    assert (out[0].status, out[0].id) == (UNCHANGED, existing_id)
    assert out[1].status == CREATED
    with runtime.session() as db:
        assert db.get(StashIdRow, existing_id).updated_at == stamp, "left as it was"


def test_a_target_whose_row_is_gone_or_moved(runtime) -> None:
    video_a, video_b = new_id(), new_id()
    (gone,) = _run(runtime, [_record("s:1", "video", video_a, STASHDB, "x", target_id=new_id())])
    assert gone.status == CREATED, "a target that no longer exists: as if there were none"
    # the same Stash link now points at another video here: the row of the previous import moves
    (moved,) = _run(runtime, [_record("s:1", "video", video_b, STASHDB, "x", target_id=gone.id)])
    assert (moved.status, moved.id) == (UPDATED, gone.id)
    with runtime.session() as db:
        rows_now = db.execute(select(StashIdRow.entity_id, StashIdRow.stash_id)).all()
    assert [tuple(r) for r in rows_now] == [(video_b, "x")]


def test_duplicates_within_a_batch_end_as_one_row(runtime) -> None:
    perf = new_id()
    out = _run(runtime, [_record(k, "performer", perf, STASHDB, s) for k, s in (("p1", "a"), ("p2", "b"), ("p3", "b"))])
    assert [o.status for o in out] == [CREATED, UPDATED, UNCHANGED] and len({o.id for o in out}) == 1
    with runtime.session() as db:
        assert db.execute(select(StashIdRow.stash_id)).scalars().all() == ["b"]


def test_a_dry_run_writes_rows_the_caller_rolls_back(runtime) -> None:
    records = [_record("s:1", "video", new_id(), STASHDB, "x")]
    with runtime.session() as db:
        out = run_import(db, importer("stash_id"), ImportBatch("stash", "stash_id", records, dry_run=True))
        assert out[0].status == CREATED
        assert db.execute(select(func.count()).select_from(StashIdRow)).scalar_one() == 1
        db.rollback()
    assert _rows(runtime) == []


def test_records_that_cannot_be_taken_are_skipped_with_the_reason(runtime) -> None:
    vid = new_id()
    out = _run(runtime, [
        _record("no-endpoint", "video", vid, "  ", "x"),
        _record("no-id", "video", vid, STASHDB, ""),
        _record("no-entity", "video", None, STASHDB, "x"),  # type: ignore[arg-type]
        _record("long-type", "v" * 33, vid, STASHDB, "x"),
        _record("unknown-type", "gallery", vid, STASHDB, "x"),
        _record("bad-time", "video", vid, STASHDB, "x", updated_at="someday", checksum="abc"),
    ])  # fmt: skip
    reasons = {o.key: o.reason for o in out if o.status == SKIPPED}
    assert reasons == {
        "no-endpoint": "endpoint: required (a non-empty text)",
        "no-id": "stash_id: required (a non-empty text)",
        "no-entity": "entity_id: required (a non-empty text)",
        "long-type": "entity_type: at most 32 characters (33 given)",
        "unknown-type": "entity_type: no loaded plugin takes metadata for 'gallery'",
    }
    last = out[-1]
    assert last.status == CREATED
    assert last.warnings == ("updated_at: 'someday' is not a time; left out",) and last.unmapped == ("checksum",)
