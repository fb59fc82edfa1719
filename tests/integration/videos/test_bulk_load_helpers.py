"""What a bulk load (an import) leans on: ``plugin_sdk.db.in_array`` and ``refresh_statistics``,
and the import's lookup of the rows already in a batch's folders (``known_rows``), which must
find exactly those rows, whatever the names around them sort like."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select, text

from plugin_sdk.db import in_array, new_id, refresh_statistics
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.importing.creating import known_rows
from plugins_builtin.videos.models import Video

pytestmark = pytest.mark.integration

ROOT = "/media/bulk"


def _videos(runtime: Any, paths: list[str]) -> tuple[str, dict[str, str]]:
    """A root holding one row per path; ``(root id, {path: id})``."""
    with runtime.session() as db:
        root = LibraryRoot(path=ROOT, label="bulk")
        db.add(root)
        db.flush()
        ids = {p: new_id() for p in paths}
        rows = [
            {"id": vid, "kind": "movie", "library_root_id": root.id, "title": p, "sort_title": p, "file_path": p}
            for p, vid in ids.items()
        ]
        for start in range(0, len(rows), 2000):
            db.execute(insert(Video), rows[start : start + 2000])
        db.commit()
        return root.id, ids


def test_in_array_takes_one_parameter_for_thousands_of_values(runtime: Any) -> None:
    _, ids = _videos(runtime, [f"{ROOT}/a/{i:05d}.mp4" for i in range(70_000)])
    wanted = list(ids.values())[::2]  # 35,000 values: one IN (…) parameter each would pass PostgreSQL's 65,535 cap
    with runtime.session() as db:
        found = set(db.execute(select(Video.id).where(in_array(Video.id, [*wanted, "not-an-id"]))).scalars())
        assert found == set(wanted)
        assert db.execute(select(Video.id).where(in_array(Video.id, []))).all() == []


def test_refresh_statistics_analyzes_a_table_that_outgrew_its_statistics(runtime: Any) -> None:
    with runtime.session() as db:
        db.execute(text("ANALYZE videos"))
        db.commit()
        assert refresh_statistics(db, Video) is False  # empty and analysed: nothing to do
    _videos(runtime, [f"{ROOT}/b/{i:05d}.mp4" for i in range(3000)])
    with runtime.session() as db:
        db.execute(text("SELECT pg_stat_force_next_flush()"))
    with runtime.session() as db:
        assert db.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'videos'")).scalar_one() <= 0
        assert refresh_statistics(db, Video) is True
        assert db.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'videos'")).scalar_one() == 3000
        assert refresh_statistics(db, Video) is False  # the statistics know the rows now
        db.commit()


def test_known_rows_reads_exactly_the_rows_of_the_batch_folders(runtime: Any) -> None:
    # neighbours that share a prefix, sort between or around the folder's files in a natural-language
    # collation (spaces, punctuation, case, accents), files directly in a container and below it
    paths = [
        f"{ROOT}/Show/Season 1/e01.mkv",
        f"{ROOT}/Show/e00.mkv",
        f"{ROOT}/Show 2/e01.mkv",
        f"{ROOT}/Show-Extra/a.mkv",
        f"{ROOT}/show/lower.mkv",
        f"{ROOT}/Shöw/accent.mkv",
        f"{ROOT}/Showa.mkv",
        f"{ROOT}/Movies/Film (2001).mkv",
        f"{ROOT}/Movies/Film (2001)/Film (2001).mkv",
        f"{ROOT}/loose.mkv",
    ]
    _, ids = _videos(runtime, paths)
    prefix = ROOT + "/"
    cases = [
        ({("Show", False)}, [paths[0], paths[1]]),
        ({("Show 2", False), ("Shöw", False)}, [paths[2], paths[5]]),
        ({("Movies", True)}, [paths[7]]),  # the files directly in the container, none deeper
        ({("Movies/Film (2001)", False)}, [paths[8]]),
        ({("", True)}, [paths[6], paths[9]]),  # the root's own files
        ({("Nowhere", False)}, []),
    ]
    with runtime.session() as db:
        root_id = db.execute(select(LibraryRoot.id)).scalar_one()
        for units, expected in cases:
            got = known_rows(db, root_id, prefix, units)
            assert sorted(r.file_path for r in got) == sorted(expected), units
            assert {r.id for r in got} == {ids[p] for p in expected}
