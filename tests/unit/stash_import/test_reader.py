"""The read-only Stash database reader: errors, WAL copies, locks, one shape for every version."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plugin_sdk.errors import ValidationError
from plugins_builtin.stash_import.reader import (
    NotSQLiteError,
    NotStashDBError,
    StashDBError,
    StashDBLockedError,
    StashDBNotFoundError,
    UnsupportedStashVersionError,
    open_stash_db,
    parse_stash_time,
    phash_from_stash,
)
from tests.fixtures.stash_db import StashDB

STASHDB = "https://stashdb.org/graphql"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# --------------------------------------------------------------------------- bad input


def _text_file(tmp: Path) -> Path:
    p = tmp / "notes.txt"
    p.write_text("this is not a database\n" * 20)
    return p


def _empty_file(tmp: Path) -> Path:
    p = tmp / "empty.sqlite"
    p.write_bytes(b"")
    return p


def _other_sqlite(tmp: Path) -> Path:
    p = tmp / "other.sqlite"
    with sqlite3.connect(p) as c:
        c.execute("CREATE TABLE things (id integer primary key)")
    return p


def _scenes_without_migrations(tmp: Path) -> Path:
    p = tmp / "half.sqlite"
    with sqlite3.connect(p) as c:
        c.execute("CREATE TABLE scenes (id integer primary key)")
    return p


def _stash_version(version: int, dirty: int = 0) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / f"stash-{version}.sqlite"
        StashDB.create(p, version=75).close()
        with sqlite3.connect(p) as c:
            c.execute("UPDATE schema_migrations SET version = ?, dirty = ?", (version, dirty))
        return p

    return make


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda tmp: tmp / "missing.sqlite", StashDBNotFoundError, ["No file", "missing.sqlite"]),
        (lambda tmp: tmp, StashDBNotFoundError, ["is a folder"]),
        (_text_file, NotSQLiteError, ["not an SQLite database", "notes.txt"]),
        (_empty_file, NotSQLiteError, ["not an SQLite database"]),
        (_other_sqlite, NotStashDBError, ["not Stash's", "schema_migrations or scenes"]),
        (_scenes_without_migrations, NotStashDBError, ["not Stash's", "schema_migrations"]),
        (_stash_version(52), UnsupportedStashVersionError, ["version 52", "60–75", "older"]),
        (_stash_version(76), UnsupportedStashVersionError, ["version 76", "60–75", "newer"]),
        (_stash_version(75, dirty=1), StashDBError, ["version 75", "did not finish"]),
    ],
)
def test_bad_input_gives_a_clear_error(
    tmp_path: Path, make: Callable[[Path], Path], error: type, words: list[str]
) -> None:
    with pytest.raises(error) as info:
        open_stash_db(make(tmp_path))
    assert isinstance(info.value, ValidationError)
    assert info.value.status == 400
    for w in words:
        assert w in info.value.message


def test_unsupported_version_carries_the_version(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedStashVersionError) as info:
        open_stash_db(_stash_version(59)(tmp_path))
    assert info.value.version == 59
    assert info.value.code == "stash_db_unsupported_version"


# --------------------------------------------------------------------------- read-only, WAL, locks


def _snapshot(*paths: Path) -> list[tuple[bytes, int] | None]:
    return [(p.read_bytes(), p.stat().st_mtime_ns) if p.exists() else None for p in paths]


def test_plain_database_is_opened_read_only_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        db.scene("One")
    sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    before = _snapshot(path)
    with open_stash_db(path) as reader:
        assert not reader.copied and reader.opened_path == path
        assert [s["title"] for s in reader.scenes()] == ["One"]
        with pytest.raises(sqlite3.OperationalError):
            reader.conn.execute("INSERT INTO tags (name, created_at, updated_at) VALUES ('x', '', '')")
    assert _snapshot(path) == before
    assert not any(p.exists() for p in sidecars)


def test_wal_database_is_read_from_a_copy_including_uncheckpointed_rows(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    db = StashDB.create(path, wal=True)  # Stash keeps it open: rows stay in the -wal
    try:
        db.scene("checkpointed?")
        db.commit()
        db.scene("only in the wal")
        db.commit()
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.stat().st_size > 0
        before = _snapshot(path, wal, shm)
        with open_stash_db(path) as reader:
            assert reader.copied and reader.opened_path != path
            tmp_dir = reader.opened_path.parent
            assert [s["title"] for s in reader.scenes()] == ["checkpointed?", "only in the wal"]
        assert not tmp_dir.exists()
        assert _snapshot(path, wal, shm) == before
    finally:
        db.close()


def test_wal_database_with_a_writer_mid_transaction_reads_the_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path, wal=True) as db:
        db.scene("committed")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO scenes (title, created_at, updated_at) VALUES ('pending', 'x', 'x')")
        with open_stash_db(path, timeout=0.2) as reader:
            assert [s["title"] for s in reader.scenes()] == ["committed"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_rollback_journal_database_under_an_exclusive_lock_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        db.scene("x")
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StashDBLockedError) as info:
            open_stash_db(path, timeout=0.1)
        assert info.value.status == 409
        assert "locked" in info.value.message and "stash-go.sqlite" in info.value.message
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    with open_stash_db(path) as reader:  # once the lock is gone it reads
        assert reader.counts()["scenes"] == 1


# --------------------------------------------------------------------------- one shape for every version


def _fill(db: StashDB) -> None:
    """The same library in any version from 60 (only what version 60 can hold)."""
    v = db.version
    parent = db.tag("Genre", description="Top level", favorite=True, image=PNG)
    child = db.tag("Sub-genre", parents=[parent], aliases=["Subgenre", "SG"], ignore_auto_tag=True)
    net = db.studio("Network", urls=["https://network.example"], stash_ids=[(STASHDB, "net-uuid")])
    studio = db.studio(
        "Studio", parent_id=net, aliases=["Studio Alias"], details="About", rating=80, favorite=True, image=PNG
    )
    jane = db.performer(
        "Jane Doe",
        disambiguation="actress",
        gender="FEMALE",
        birthdate="1990-02-03",
        ethnicity="Caucasian",
        country="US",
        eye_color="Blue",
        hair_color="Blonde",
        height=170,
        weight=55,
        measurements="34C-24-36",
        fake_tits="Natural",
        career_length="2010 - 2020",
        tattoos="rose on left shoulder",
        piercings="navel",
        details="Bio",
        favorite=True,
        rating=90,
        aliases=["JD", "Janey"],
        urls=["https://jane.example", "https://www.twitter.com/janedoe", "https://www.instagram.com/janedoe"],
        tags=[child],
        stash_ids=[(STASHDB, "jane-uuid")],
        image=PNG,
    )
    john = db.performer("John", gender="MALE", penis_length=15.5, circumcised="CUT", death_date="2020-01-01")
    f1 = db.video_file(
        "/data/videos/Studio/scene1.mp4",
        md5="9e107d9d372bb6826bd81d3542a419d6",
        oshash="8e0e3c8ad7d1c1e9",
        phash=0xFEDCBA9876543210,
    )
    f2 = db.video_file("/data/videos/Studio/scene1-alt.mkv", oshash="0000000000000001", phash=0x1, format="matroska")
    f3 = db.video_file("/data/videos/other.mp4", oshash="00000000000000ff")
    s1 = db.scene(
        "Scene One",
        files=[f1, f2],
        code="ABC-123",
        details="Plot",
        director="Dir",
        date="2021-06-15",
        rating=100,
        organized=True,
        studio_id=studio,
        urls=["https://studio.example/scene1", "https://other.example/s1"],
        o_dates=["2024-01-02 03:04:05+00:00", "2024-02-03 04:05:06.123456789+01:00"],
        view_dates=["2024-01-01T10:00:00Z", "2024-01-05T11:00:00Z", "2024-01-09T12:00:00Z"],
        resume_time=123.5,
        play_duration=3600.25,
        tags=[parent, child],
        performers=[jane, john],
        stash_ids=[(STASHDB, "scene-uuid")],
        cover=b"\xff\xd8cover",
    )
    s2 = db.scene(None, files=[f3])
    db.marker(s1, 30.0, child, title="Start", tags=[parent])
    db.marker(s1, 90.5, parent)
    db.group(
        "Movie",
        scenes=[(s2, 1), (s1, 2)],
        aliases="The Movie",
        duration=7200,
        date="2019-01-01",
        rating=60,
        studio_id=studio,
        director="Dir",
        description="Synopsis",
        urls=["https://movie.example"],
        front_image=PNG,
        back_image=b"back",
        tags=[child] if v >= 61 else (),
    )
    folder = db.folder("/data/pics/set1")
    img1 = db.image([db.image_file("/data/pics/set1/01.jpg", md5="a" * 32)], title="First")
    img2 = db.image([db.image_file("/data/pics/set1/02.jpg", md5="b" * 32)])
    db.gallery(
        "Folder set", folder_id=folder, images=[img1, img2], chapters=[("Part 1", 1)], urls=["https://g.example"]
    )
    zip_id = db.zip_file("/data/pics/set2.zip", md5="c" * 32)
    img3 = db.image([db.image_file("/data/pics/set2.zip/inner/03.jpg", md5="d" * 32, zip_file_id=zip_id)])
    db.gallery("Zip set", zip_file_id=zip_id, images=[img3], scenes=[s1], performers=[jane], tags=[parent])
    db.gallery("Virtual", images=[img1, img3], date="2022-02-02")
    db.saved_filter("Favourites", "SCENES", find_filter={"q": "", "sort": "date"}, object_filter={"rating100": {}})


def _read_all(path: Path, **kw: Any) -> dict[str, list[dict[str, Any]]]:
    with open_stash_db(path, **kw) as r:
        return {
            "scenes": list(r.scenes()),
            "performers": list(r.performers()),
            "studios": list(r.studios()),
            "tags": list(r.tags()),
            "markers": list(r.markers()),
            "groups": list(r.groups()),
            "galleries": list(r.galleries()),
            "images": list(r.images()),
            "saved_filters": list(r.saved_filters()),
            "folders": list(r.folders()),
        }


@pytest.fixture(scope="module")
def v75(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    path = tmp_path_factory.mktemp("v75") / "stash-go.sqlite"
    with StashDB.create(path, version=75) as db:
        _fill(db)
    return _read_all(path)


@pytest.mark.parametrize("version", [60, 61, 62, 64, 65, 66, 69, 72, 73, 74])
def test_older_versions_read_the_same_as_75(tmp_path: Path, version: int, v75: dict[str, Any]) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path, version=version) as db:
        _fill(db)
    old = _read_all(path)
    expected = v75
    if version < 61:  # group tags do not exist before 61
        expected = {**expected, "groups": [{**g, "tag_ids": []} for g in expected["groups"]]}
    if version < 69:  # stash ids get migration 69's default updated_at
        epoch = datetime(1970, 1, 1, tzinfo=UTC)

        def reset(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{**r, "stash_ids": [{**s, "updated_at": epoch} for s in r["stash_ids"]]} for r in rows]

        expected = {**expected, **{k: reset(expected[k]) for k in ("scenes", "performers", "studios")}}
    assert old.keys() == expected.keys()
    for key, rows in expected.items():
        assert old[key] == rows, key


def test_v75_values(v75: dict[str, list[dict[str, Any]]]) -> None:
    s1, s2 = v75["scenes"]
    assert s1["title"] == "Scene One" and s2["title"] is None
    assert s1["rating"] == 100 and s1["organized"] is True and s1["date_precision"] == 0
    assert s1["urls"] == ["https://studio.example/scene1", "https://other.example/s1"]
    assert s1["o_counter"] == 2 and s1["play_count"] == 3
    assert s1["o_history"][1] == datetime(2024, 2, 3, 3, 5, 6, 123456, tzinfo=UTC)
    assert s1["play_history"][0] == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert s1["resume_time"] == 123.5 and s1["play_duration"] == 3600.25
    primary, alt = s1["files"]
    assert primary["primary"] and not alt["primary"]
    assert primary["path"] == "/data/videos/Studio/scene1.mp4"
    assert primary["fingerprints"] == {
        "md5": "9e107d9d372bb6826bd81d3542a419d6",
        "oshash": "8e0e3c8ad7d1c1e9",
        "phash": "fedcba9876543210",
    }
    assert alt["fingerprints"]["phash"] == "0000000000000001" and alt["fingerprints"]["md5"] is None
    assert s1["stash_ids"][0]["stash_id"] == "scene-uuid"
    assert s1["groups"] == [{"group_id": 1, "scene_index": 2}]

    jane = v75["performers"][0]
    assert jane["aliases"] == ["JD", "Janey"]
    assert jane["urls"] == [
        "https://jane.example",
        "https://www.twitter.com/janedoe",
        "https://www.instagram.com/janedoe",
    ]
    assert jane["measurements"] == "34C-24-36" and jane["career_length"] == "2010 - 2020"
    assert jane["stash_ids"] == [
        {"endpoint": STASHDB, "stash_id": "jane-uuid", "updated_at": jane["stash_ids"][0]["updated_at"]}
    ]
    assert "url" not in jane and "twitter" not in jane

    group = v75["groups"][0]
    assert [x["scene_id"] for x in group["scenes"]] == [2, 1]
    assert group["description"] == "Synopsis"

    genre, sub = v75["tags"]
    assert sub["parent_ids"] == [genre["id"]] and genre["child_ids"] == [sub["id"]]
    assert sub["aliases"] == ["Subgenre", "SG"] and sub["ignore_auto_tag"] is True

    marker = v75["markers"][0]
    assert (marker["seconds"], marker["primary_tag_id"], marker["tag_ids"]) == (30.0, sub["id"], [genre["id"]])

    folder_g, zip_g, virtual_g = v75["galleries"]
    assert (folder_g["kind"], zip_g["kind"], virtual_g["kind"]) == ("folder", "zip", "virtual")
    assert folder_g["folder_path"] == "/data/pics/set1" and folder_g["image_ids"] == [1, 2]
    assert folder_g["chapters"][0]["title"] == "Part 1"
    assert zip_g["files"][0]["path"] == "/data/pics/set2.zip" and zip_g["files"][0]["fingerprints"]["md5"] == "c" * 32
    img3 = v75["images"][2]
    assert img3["files"][0]["zip_path"] == "/data/pics/set2.zip"
    assert img3["files"][0]["path"] == "/data/pics/set2.zip/inner/03.jpg"
    assert img3["gallery_ids"] == [2, 3]
    assert v75["saved_filters"][0]["find_filter"] == {"q": "", "sort": "date"}


def test_legacy_performer_and_studio_columns_become_urls(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path, version=60) as db:
        db.performer("P")
        db.studio("S", urls=["https://s.example"])
    with sqlite3.connect(path) as c:
        c.execute("UPDATE performers SET url = '', twitter = 'handle', instagram = 'HTTPS://instagram.com/x'")
    with open_stash_db(path) as r:
        assert next(r.performers())["urls"] == ["https://www.twitter.com/handle", "HTTPS://instagram.com/x"]
        assert next(r.studios())["urls"] == ["https://s.example"]
        assert r.has_table("movies") and not r.has_table("groups") and r.version == 60


def test_version_75_only_fields(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        t = db.tag("T", sort_name="t sort", stash_ids=[{"endpoint": STASHDB, "stash_id": "tag-uuid"}])
        p = db.performer("P", custom_fields={"shoe_size": "38", "agency": "X"}, birthdate="1990-01-01",
                         birthdate_precision=2)  # fmt: skip
        s = db.scene("S", date="2020-05-01", date_precision=1)
        db.marker(s, 10.0, t, end_seconds=25.0)
        sub = db.group("Sub")
        db.group("Parent", sub_groups=[(sub, "part one")])
        f = db.folder("/g")
        i1 = db.image([db.image_file("/g/1.jpg")])
        i2 = db.image([db.image_file("/g/2.jpg")])
        db.gallery("G", folder_id=f, images=[i1, i2], cover_image_id=i2)
        del p
    with open_stash_db(path) as r:
        tag = next(r.tags())
        assert tag["sort_name"] == "t sort" and tag["stash_ids"][0]["stash_id"] == "tag-uuid"
        perf = next(r.performers())
        assert perf["custom_fields"] == {"agency": "X", "shoe_size": "38"} and perf["birthdate_precision"] == 2
        assert next(r.scenes())["date_precision"] == 1
        assert next(r.markers())["end_seconds"] == 25.0
        groups = list(r.groups())
        assert groups[1]["sub_groups"] == [{"group_id": sub, "order_index": 0, "description": "part one"}]
        assert next(r.galleries())["cover_image_id"] == i2


def test_stash_ids_before_69_get_the_migration_default(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path, version=68) as db:
        db.scene("S", stash_ids=[(STASHDB, "u")])
    with open_stash_db(path) as r:
        assert next(r.scenes())["stash_ids"] == [
            {"endpoint": STASHDB, "stash_id": "u", "updated_at": datetime(1970, 1, 1, tzinfo=UTC)}
        ]


# --------------------------------------------------------------------------- phash, times, blobs


@pytest.mark.parametrize(
    ("stored", "hex_"),
    [
        (-81985529216486896, "fedcba9876543210"),  # 0xfedcba9876543210 as Stash's signed int64
        (-1, "ffffffffffffffff"),
        (-(2**63), "8000000000000000"),
        (2**63 - 1, "7fffffffffffffff"),
        (1, "0000000000000001"),
        (0, "0000000000000000"),
        ("abc", "0000000000000abc"),  # hex text (Stash's unpadded string form)
        (b"FEDCBA9876543210", "fedcba9876543210"),
        (None, None),
    ],
)
def test_phash_from_stash(stored: Any, hex_: str | None) -> None:
    assert phash_from_stash(stored) == hex_


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T05:04:05+02:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 03:04:05.123456789+00:00", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02 03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
        ("", None),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_stash_time(text: str | None, expected: datetime | None) -> None:
    assert parse_stash_time(text) == expected


def test_image_blob_from_the_table_or_the_blobs_folder(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    blobs = tmp_path / "blobs"
    with StashDB.create(path, blobs_dir=blobs) as db:
        db.performer("In DB", image=b"db-image")
        db.performer("On FS", image=b"fs-image", image_storage="filesystem")
    with open_stash_db(path, blobs_path=blobs) as r:
        in_db, on_fs = list(r.performers())
        assert r.image_blob(in_db["image_blob"]) == b"db-image"
        assert r.image_blob(on_fs["image_blob"]) == b"fs-image"
        assert r.image_blob("0" * 32) is None and r.image_blob(None) is None
    with open_stash_db(path) as r:  # no blobs_path: the filesystem blob is not found
        assert r.image_blob(on_fs["image_blob"]) is None


# --------------------------------------------------------------------------- batches


def test_iterators_read_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        tag = db.tag("T")
        for i in range(23):
            files = [db.video_file(f"/v/{i}.mp4", oshash=f"{i:016x}"), db.video_file(f"/v/{i}-b.mp4")]
            db.scene(f"S{i}", files=files, tags=[tag], urls=[f"https://x/{i}"])
    with open_stash_db(path, batch_size=5) as r:
        statements: list[str] = []
        r.conn.set_trace_callback(statements.append)
        small = list(r.scenes())
        r.conn.set_trace_callback(None)
    file_queries = [s for s in statements if 'FROM "scenes_files" j JOIN files f' in s]
    assert len(file_queries) == 5  # ceil(23 / 5) batches, one files query each
    assert [s["title"] for s in small] == [f"S{i}" for i in range(23)]
    assert all(len(s["files"]) == 2 and s["files"][0]["primary"] for s in small)
    with open_stash_db(path, batch_size=1000) as r:
        assert list(r.scenes()) == small
        assert r.counts()["scenes"] == 23 and r.counts()["files"] == 46


def test_reader_tables_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    StashDB.create(path, version=64).close()
    with open_stash_db(path) as r:
        assert "movies" in r.tables() and "groups" not in r.tables()
        assert "synopsis" in r.columns("movies") and r.columns("nope") == []
    os.chmod(path, 0o444)  # a read-only file opens too
    try:
        with open_stash_db(path) as r:
            assert r.version == 64
    finally:
        os.chmod(path, 0o644)


def test_wal_header_without_a_wal_file_is_still_copied(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path, wal=True) as db:
        db.scene("S")
    assert not Path(f"{path}-wal").exists()  # closed cleanly: checkpointed, -wal removed
    before = _snapshot(path)
    with open_stash_db(path) as r:
        assert r.copied and [s["title"] for s in r.scenes()] == ["S"]
    assert _snapshot(path) == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def test_closing_mid_iteration_is_quiet(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        for i in range(5):
            db.scene(f"S{i}")
    r = open_stash_db(path, batch_size=2)
    it = r.scenes()
    assert next(it)["title"] == "S0"
    r.close()
    it.close()  # the generator's cleanup must not raise on the closed connection
    r.close()  # idempotent


def test_rollback_journal_writer_mid_transaction_reads_the_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    with StashDB.create(path) as db:
        db.scene("committed")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # RESERVED lock, a -journal beside the file
        writer.execute("INSERT INTO scenes (title, created_at, updated_at) VALUES ('pending', 'x', 'x')")
        before = _snapshot(path, Path(f"{path}-journal"))
        with open_stash_db(path, timeout=0.2) as reader:
            assert [s["title"] for s in reader.scenes()] == ["committed"]
        assert _snapshot(path, Path(f"{path}-journal")) == before
    finally:
        writer.execute("ROLLBACK")
        writer.close()
