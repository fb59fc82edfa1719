"""The Stash database builder makes exactly Stash's tables and columns at each schema version.

The expectations here are written out by hand from Stash's migration files
(``pkg/sqlite/migrations/*.up.sql``), independently of the DDL in the fixture.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.stash_db import MAX_VERSION, MIN_VERSION, StashDB, signed_phash, tables_for

# --------------------------------------------------------------------------- facts at 75

V75_COLUMNS: dict[str, list[str]] = {
    "scenes": [
        "id", "title", "details", "date", "rating", "studio_id", "organized", "created_at", "updated_at",
        "code", "director", "resume_time", "play_duration", "cover_blob", "date_precision",
    ],
    "performers": [
        "id", "name", "disambiguation", "gender", "birthdate", "ethnicity", "country", "eye_color", "height",
        "measurements", "fake_tits", "career_length", "tattoos", "piercings", "favorite", "created_at",
        "updated_at", "details", "death_date", "hair_color", "weight", "rating", "ignore_auto_tag", "image_blob",
        "penis_length", "circumcised", "birthdate_precision", "death_date_precision",
    ],
    "studios": [
        "id", "name", "parent_id", "created_at", "updated_at", "details", "rating", "ignore_auto_tag",
        "image_blob", "favorite",
    ],
    "tags": [
        "id", "name", "created_at", "updated_at", "ignore_auto_tag", "description", "image_blob", "favorite",
        "sort_name",
    ],
    "groups": [
        "id", "name", "aliases", "duration", "date", "rating", "studio_id", "director", "description",
        "created_at", "updated_at", "front_image_blob", "back_image_blob", "date_precision",
    ],
    "groups_scenes": ["group_id", "scene_id", "scene_index"],
    "groups_relations": ["containing_id", "sub_id", "order_index", "description"],
    "group_urls": ["group_id", "position", "url"],
    "scene_markers": [
        "id", "title", "seconds", "primary_tag_id", "scene_id", "created_at", "updated_at", "end_seconds",
    ],
    "files": [
        "id", "basename", "zip_file_id", "parent_folder_id", "size", "mod_time", "created_at", "updated_at",
    ],
    "folders": ["id", "path", "parent_folder_id", "mod_time", "created_at", "updated_at", "zip_file_id"],
    "files_fingerprints": ["file_id", "type", "fingerprint"],
    "video_files": [
        "file_id", "duration", "video_codec", "format", "audio_codec", "width", "height", "frame_rate",
        "bit_rate", "interactive", "interactive_speed",
    ],
    "image_files": ["file_id", "format", "width", "height"],
    "scenes_files": ["scene_id", "file_id", "primary"],
    "images": [
        "id", "title", "rating", "studio_id", "o_counter", "organized", "created_at", "updated_at", "date",
        "code", "details", "photographer", "date_precision",
    ],
    "galleries": [
        "id", "folder_id", "title", "date", "details", "studio_id", "rating", "organized", "created_at",
        "updated_at", "code", "photographer", "date_precision",
    ],
    "galleries_images": ["gallery_id", "image_id", "cover"],
    "galleries_chapters": ["id", "title", "image_index", "gallery_id", "created_at", "updated_at"],
    "scenes_o_dates": ["scene_id", "o_date"],
    "scenes_view_dates": ["scene_id", "view_date"],
    "scene_stash_ids": ["scene_id", "endpoint", "stash_id", "updated_at"],
    "tag_stash_ids": ["tag_id", "endpoint", "stash_id", "updated_at"],
    "performer_custom_fields": ["performer_id", "field", "value"],
    "blobs": ["checksum", "blob"],
    "saved_filters": ["id", "name", "mode", "find_filter", "object_filter", "ui_options"],
    "schema_migrations": ["version", "dirty"],
}  # fmt: skip

V75_TABLES = {
    "blobs", "files", "files_fingerprints", "folders", "galleries", "galleries_chapters", "galleries_files",
    "galleries_images", "galleries_tags", "gallery_urls", "group_urls", "groups", "groups_relations",
    "groups_scenes", "groups_tags", "image_files", "image_urls", "images", "images_files", "images_tags",
    "performer_aliases", "performer_custom_fields", "performer_stash_ids", "performer_urls", "performers",
    "performers_galleries", "performers_images", "performers_scenes", "performers_tags", "saved_filters",
    "scene_markers", "scene_markers_tags", "scene_stash_ids", "scene_urls", "scenes", "scenes_files",
    "scenes_galleries", "scenes_o_dates", "scenes_tags", "scenes_view_dates", "schema_migrations",
    "studio_aliases", "studio_stash_ids", "studio_urls", "studios", "studios_tags", "tag_aliases",
    "tag_stash_ids", "tags", "tags_relations", "video_captions", "video_files",
}  # fmt: skip

# version -> (tables created, tables removed, {table: columns added}, {table: columns removed})
STEPS: dict[int, tuple[set[str], set[str], dict[str, set[str]], dict[str, set[str]]]] = {
    61: ({"movies_tags"}, set(), {}, {}),
    62: ({"performer_urls"}, set(), {}, {"performers": {"url", "twitter", "instagram"}}),
    63: ({"studios_tags"}, set(), {}, {}),
    64: (set(), set(), {}, {}),
    65: (
        {"groups", "group_urls", "groups_tags", "groups_scenes"},
        {"movies", "movie_urls", "movies_tags", "movies_scenes"},
        {},
        {},
    ),
    66: (set(), set(), {"galleries_images": {"cover"}}, {}),
    67: ({"groups_relations"}, set(), {}, {}),
    68: (set(), set(), {}, {}),
    69: (
        set(),
        set(),
        {"performer_stash_ids": {"updated_at"}, "scene_stash_ids": {"updated_at"}, "studio_stash_ids": {"updated_at"}},
        {},
    ),
    70: (set(), set(), {"scene_markers": {"end_seconds"}}, {}),
    71: ({"performer_custom_fields"}, set(), {}, {}),
    72: (set(), set(), {"tags": {"sort_name"}}, {}),
    73: ({"studio_urls"}, set(), {}, {"studios": {"url"}}),
    74: ({"tag_stash_ids"}, set(), {}, {}),
    75: (
        set(),
        set(),
        {
            "scenes": {"date_precision"},
            "images": {"date_precision"},
            "galleries": {"date_precision"},
            "groups": {"date_precision"},
            "performers": {"birthdate_precision", "death_date_precision"},
        },
        {},
    ),
}

ALL_VERSIONS = list(range(MIN_VERSION, MAX_VERSION + 1))


def _pragma_tables(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str, int, int]]]:
    names = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {n: [(r[1], r[2], r[3], r[5]) for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}


def _build(tmp_path: Path, version: int, **kw: object) -> Path:
    path = tmp_path / f"stash-{version}.sqlite"
    StashDB.create(path, version=version, **kw).close()  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_pragma_table_info_matches_the_ddl_facts(tmp_path: Path, version: int) -> None:
    conn = sqlite3.connect(_build(tmp_path, version))
    actual = _pragma_tables(conn)
    expected = tables_for(version)
    assert set(actual) == set(expected)
    for name, table in expected.items():
        cols = actual[name]
        assert [c[0] for c in cols] == table.names(), name
        for (col, decl_type, notnull, _pk), definition in zip(cols, table.columns, strict=True):
            declared = re.match(r"\s*`[^`]+`\s+(\S+)", definition)
            assert declared is not None
            assert decl_type.lower() == declared.group(1).lower(), (name, col)
            assert bool(notnull) == ("not null" in definition.lower()), (name, col)
    assert conn.execute("SELECT version, dirty FROM schema_migrations").fetchall() == [(version, 0)]


def test_version_75_has_stash_tables_and_columns(tmp_path: Path) -> None:
    actual = _pragma_tables(sqlite3.connect(_build(tmp_path, 75)))
    assert set(actual) == V75_TABLES
    for table, cols in V75_COLUMNS.items():
        assert [c[0] for c in actual[table]] == cols, table


@pytest.mark.parametrize("version", ALL_VERSIONS[1:])
def test_each_version_changes_what_its_migration_changes(tmp_path: Path, version: int) -> None:
    before = {
        t: {c[0] for c in cols} for t, cols in _pragma_tables(sqlite3.connect(_build(tmp_path, version - 1))).items()
    }
    after = {t: {c[0] for c in cols} for t, cols in _pragma_tables(sqlite3.connect(_build(tmp_path, version))).items()}
    created, removed, cols_added, cols_removed = STEPS[version]
    assert set(after) - set(before) == created
    assert set(before) - set(after) == removed
    for table in set(before) & set(after):
        assert after[table] - before[table] == cols_added.get(table, set()), table
        assert before[table] - after[table] == cols_removed.get(table, set()), table


def test_version_60_shape(tmp_path: Path) -> None:
    actual = _pragma_tables(sqlite3.connect(_build(tmp_path, 60)))
    names = {t: [c[0] for c in cols] for t, cols in actual.items()}
    assert "movies" in names and "groups" not in names
    assert "synopsis" in names["movies"] and "description" not in names["movies"]
    assert names["movies_scenes"] == ["movie_id", "scene_id", "scene_index"]
    assert names["movie_urls"] == ["movie_id", "position", "url"]
    assert {"url", "twitter", "instagram"} <= set(names["performers"])
    assert "url" in names["studios"]
    assert "scene_urls" in names  # since migration 47
    assert "end_seconds" not in names["scene_markers"]
    assert "updated_at" not in names["scene_stash_ids"]
    nullable = {c[0]: c[2] for c in actual["scenes_o_dates"]}
    assert nullable["scene_id"] == 0  # NOT NULL only from 64
    for absent in ("movies_tags", "studios_tags", "performer_urls", "studio_urls", "tag_stash_ids", "groups_relations"):
        assert absent not in names


def test_fingerprints_phash_signed_int64_and_text_hashes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with StashDB.create(path) as db:
        f = db.video_file(
            "/m/a.mp4", md5="d41d8cd98f00b204e9800998ecf8427e", oshash="8e0e3c8ad7d1c1e9", phash=0xFEDCBA9876543210
        )
        db.scene("A", files=[f])
    rows = dict(
        sqlite3.connect(path).execute("SELECT type, typeof(fingerprint) || ':' || fingerprint FROM files_fingerprints")
    )
    assert rows == {
        "md5": "text:d41d8cd98f00b204e9800998ecf8427e",
        "oshash": "text:8e0e3c8ad7d1c1e9",
        "phash": "integer:-81985529216486896",
    }
    assert signed_phash(0xFEDCBA9876543210) == -81985529216486896
    assert signed_phash(-5) == -5


def test_blobs_in_database_and_in_the_blobs_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    blobs = tmp_path / "blobs"
    with StashDB.create(path, blobs_dir=blobs) as db:
        in_db = db.blob(b"cover-bytes")
        on_fs = db.blob(b"fs-bytes", storage="filesystem")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT blob FROM blobs WHERE checksum = ?", (in_db,)).fetchone()[0] == b"cover-bytes"
    assert conn.execute("SELECT blob FROM blobs WHERE checksum = ?", (on_fs,)).fetchone()[0] is None
    assert (blobs / on_fs[:2] / on_fs[2:4] / on_fs).read_bytes() == b"fs-bytes"


def test_wal_mode_keeps_committed_rows_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    db = StashDB.create(path, wal=True)
    db.scene("in the wal")
    db.commit()
    assert Path(f"{path}-wal").stat().st_size > 0
    header = path.read_bytes()[:20]
    assert header[18] == 2 and header[19] == 2
    db.close()


@pytest.mark.parametrize(
    ("version", "call"),
    [
        (72, lambda db: db.studio("S", urls=["https://a", "https://b"])),
        (61, lambda db: db.performer("P", urls=["https://a", "https://b"])),
        (73, lambda db: db.tag("T", stash_ids=[("https://stashdb.org/graphql", "x")])),
        (70, lambda db: db.performer("P", custom_fields={"a": "b"})),
        (69, lambda db: db.marker(db.scene("S"), 1.0, db.tag("T"), end_seconds=2.0)),
        (60, lambda db: db.group("G", tags=[db.tag("T")])),
        (66, lambda db: db.group("G", sub_groups=[db.group("H")])),
    ],
)
def test_values_an_old_version_cannot_hold_raise(tmp_path: Path, version: int, call: object) -> None:
    with StashDB.create(tmp_path / "s.sqlite", version=version) as db, pytest.raises(ValueError):
        call(db)  # type: ignore[operator]
