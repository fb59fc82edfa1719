"""A big library's scenes are read by two forked processes (``ImportOptions.read_processes``):
the import they make is the one a single reader makes, row for row and count for count, and a
re-run through them changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from plugin_sdk.testing import _reset
from plugins_builtin.stash_import.run import Importing
from tests.integration.stash_import.conftest import StashLibrary
from tests.integration.stash_import.test_import import counts, entity, run

pytestmark = pytest.mark.integration

NORMALIZED = {
    "videos": "SELECT file_path, kind, title, rating, play_count, o_counter, resume_time, missing_at IS NULL, md5, "
    "oshash, phash FROM videos",
    "tags": "SELECT v.file_path, t.name FROM entity_tags e JOIN videos v ON v.id = e.entity_id "
    "JOIN tags t ON t.id = e.tag_id",
    "performers": "SELECT v.file_path, p.name FROM entity_performers e JOIN videos v ON v.id = e.entity_id "
    "JOIN performers p ON p.id = e.performer_id",
    "studios": "SELECT v.file_path, s.name FROM entity_studios e JOIN videos v ON v.id = e.entity_id "
    "JOIN studios s ON s.id = e.studio_id",
    "stash_ids": "SELECT entity_type, endpoint, stash_id FROM stash_ids",
    "history": "SELECT v.file_path, h.kind, h.at FROM video_history h JOIN videos v ON v.id = h.video_id",
}


def normalized(runtime: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The scenes' rows and links by path and name (ids differ between two imports)."""
    with runtime.session() as db:
        return {name: sorted(map(tuple, db.execute(text(sql)).all()), key=repr) for name, sql in NORMALIZED.items()}


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "seconds"}


def test_two_reading_processes_import_what_one_does(runtime, stash: StashLibrary, monkeypatch) -> None:
    forked: list[int] = []
    read_forked = Importing.read_scenes_forked

    def spy(self: Importing, spool: Any, parts: list[tuple[int, int]]) -> int:
        forked.append(len(parts))
        return read_forked(self, spool, parts)

    monkeypatch.setattr(Importing, "read_scenes_forked", spy)
    one = run(runtime, stash, read_processes=1)
    assert forked == []
    rows_one, counts_one = normalized(runtime), counts(runtime)
    assert rows_one["videos"] and rows_one["tags"] and rows_one["history"]
    _reset(runtime)

    two = run(runtime, stash, read_processes=2)
    assert forked == [2]
    assert normalized(runtime) == rows_one
    assert counts(runtime) == counts_one
    assert comparable(two) == comparable(one)

    again = run(runtime, stash, read_processes=2)  # a re-run read by two processes: nothing to hand over
    scenes = entity(again, "scenes")
    assert scenes["unchanged"] == entity(two, "scenes")["created"] > 0
    assert scenes["created"] == scenes["merged"] == scenes["updated"] == 0
    assert entity(again, "links")["unchanged"] == entity(two, "links")["created"]
    assert normalized(runtime) == rows_one
