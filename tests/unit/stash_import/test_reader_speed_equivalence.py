"""The fast reader yields exactly what reading row by row yields, on ordinary and on odd data.

``StashReader`` converts a batch a column at a time, takes fingerprints from sub-queries, sorts
files in Python and pauses the garbage collector while it builds a batch. The reference here is
the straightforward way (``sqlite3.Row`` per row, every value through ``_text`` /
``parse_stash_time``, fingerprints row by row, ``ORDER BY`` in SQL), as the reader did it before:
every value, type and key order must match, including for data Stash itself never writes (text
stored as BLOB, odd timestamps, unusual fingerprints, videos inside zips), where the reader has to
take its slow paths.
"""

from __future__ import annotations

import gc
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plugins_builtin.stash_import.reader import open_stash_db, parse_stash_time, phash_from_stash
from tests.fixtures.stash_db import StashDB

STASHDB = "https://stashdb.org/graphql"


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _join_path(folder: str | None, basename: str) -> str:
    if not folder:
        return basename
    sep = "\\" if "\\" in folder and "/" not in folder else "/"
    return folder.rstrip(sep) + sep + basename


def _precision(stored: Any, date: Any) -> int | None:
    if stored is not None:
        return int(stored)
    return 0 if date else None


# --------------------------------------------------------------------------- the reference


def _ref_files(conn: sqlite3.Connection, join: str, owner: str, media: str) -> dict[int, list[dict[str, Any]]]:
    mtable, mcols = {
        "video": ("video_files", ["duration", "video_codec", "audio_codec", "format", "width", "height",
                                  "frame_rate", "bit_rate", "interactive", "interactive_speed"]),
        "image": ("image_files", ["format", "width", "height"]),
    }[media]  # fmt: skip
    fps: dict[int, dict[Any, Any]] = defaultdict(dict)
    for r in conn.execute(  # the owner range makes SQLite read the rows in index order: the first of a type wins
        f'SELECT fp.file_id, fp.type, fp.fingerprint FROM "{join}" j '
        f'JOIN files_fingerprints fp ON fp.file_id = j.file_id WHERE j."{owner}" BETWEEN ? AND ?',
        (-(2**63), 2**63 - 1),
    ):
        kind = _text(r["type"])
        fps[r["file_id"]].setdefault(kind, phash_from_stash(r["fingerprint"]) if kind == "phash" else _text(r[2]))
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    media_sql = "".join(f', m."{c}" AS "{c}"' for c in mcols)
    for r in conn.execute(
        f'SELECT j."{owner}" AS owner, j."primary" AS is_primary, f.id, f.basename, f.zip_file_id, '
        f"f.parent_folder_id, f.size, f.mod_time, f.created_at, f.updated_at, fo.path AS folder_path, "
        f"zf.basename AS zip_basename, zfo.path AS zip_folder_path{media_sql} "
        f'FROM "{join}" j JOIN files f ON f.id = j.file_id LEFT JOIN folders fo ON fo.id = f.parent_folder_id '
        f"LEFT JOIN files zf ON zf.id = f.zip_file_id LEFT JOIN folders zfo ON zfo.id = zf.parent_folder_id "
        f'LEFT JOIN "{mtable}" m ON m.file_id = f.id ORDER BY j."{owner}", j."primary" DESC, f.id'
    ):
        folder, basename = _text(r["folder_path"]), _text(r["basename"])
        f: dict[str, Any] = {
            "id": r["id"],
            "path": _join_path(folder, basename),
            "basename": basename,
            "folder_path": folder,
            "parent_folder_id": r["parent_folder_id"],
            "zip_file_id": r["zip_file_id"],
            "zip_path": _join_path(_text(r["zip_folder_path"]), _text(r["zip_basename"]))
            if r["zip_basename"]
            else None,
            "size": r["size"],
            "mod_time": parse_stash_time(r["mod_time"]),
            "created_at": parse_stash_time(r["created_at"]),
            "updated_at": parse_stash_time(r["updated_at"]),
            "primary": bool(r["is_primary"]),
        }
        for c in mcols:
            f[c] = r[c]
        if "interactive" in f:
            f["interactive"] = bool(f["interactive"])
        fp = fps.get(r["id"], {})
        f["fingerprints"] = {
            "md5": fp.get("md5"),
            "oshash": fp.get("oshash"),
            "phash": fp.get("phash"),
            **{k: v for k, v in fp.items() if k not in ("md5", "oshash", "phash")},
        }
        out[r["owner"]].append(f)
    return out


def _ref_values(conn: sqlite3.Connection, table: str, owner: str, value: str, order: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in conn.execute(f'SELECT "{owner}", "{value}" FROM "{table}" ORDER BY "{owner}", {order}'):
        out[r[0]].append(_text(r[1]))
    return out


def _ref_scenes(path: Path) -> Iterator[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    files = _ref_files(conn, "scenes_files", "scene_id", "video")
    urls = _ref_values(conn, "scene_urls", "scene_id", "url", "position, rowid")
    o_dates = _ref_values(conn, "scenes_o_dates", "scene_id", "o_date", "o_date, rowid")
    views = _ref_values(conn, "scenes_view_dates", "scene_id", "view_date", "view_date, rowid")
    tags = _ref_values(conn, "scenes_tags", "scene_id", "tag_id", "tag_id")
    performers = _ref_values(conn, "performers_scenes", "scene_id", "performer_id", "performer_id")
    stash_ids: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(
        "SELECT scene_id, endpoint, stash_id, updated_at FROM scene_stash_ids ORDER BY scene_id, rowid"
    ):
        stash_ids[r[0]].append({"endpoint": _text(r[1]), "stash_id": _text(r[2]), "updated_at": parse_stash_time(r[3])})
    for r in conn.execute("SELECT * FROM scenes ORDER BY id"):
        sid = r["id"]
        o_hist = [parse_stash_time(d) for d in o_dates.get(sid, [])]
        play_hist = [parse_stash_time(d) for d in views.get(sid, [])]
        yield {
            "id": sid,
            "title": _text(r["title"]),
            "code": _text(r["code"]),
            "details": _text(r["details"]),
            "director": _text(r["director"]),
            "date": _text(r["date"]),
            "date_precision": _precision(r["date_precision"], r["date"]),
            "rating": r["rating"],
            "organized": bool(r["organized"]),
            "studio_id": r["studio_id"],
            "resume_time": r["resume_time"],
            "play_duration": r["play_duration"],
            "cover_blob": _text(r["cover_blob"]),
            "created_at": parse_stash_time(r["created_at"]),
            "updated_at": parse_stash_time(r["updated_at"]),
            "urls": urls.get(sid, []),
            "o_counter": len(o_hist),
            "o_history": o_hist,
            "play_count": len(play_hist),
            "play_history": play_hist,
            "files": files.get(sid, []),
            "tag_ids": tags.get(sid, []),
            "performer_ids": performers.get(sid, []),
            "gallery_ids": [],
            "groups": [],
            "stash_ids": stash_ids.get(sid, []),
        }
    conn.close()


def _ref_image_files(path: Path) -> dict[int, list[dict[str, Any]]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return _ref_files(conn, "images_files", "image_id", "image")
    finally:
        conn.close()


# --------------------------------------------------------------------------- the data


def _library(path: Path) -> None:
    """Scenes with one to three files (some inside zips, a file shared by two scenes), images in zips."""
    with StashDB.create(path) as db:
        tags = [db.tag(f"T{i}") for i in range(4)]
        perfs = [db.performer(f"P{i}") for i in range(3)]
        zips = [db.zip_file("/data/packs/a.zip", md5="a" * 32), db.zip_file("D:\\packs\\b.zip")]
        shared = db.video_file("/data/shared.mp4", md5="5" * 32, phash=-5)
        for i in range(17):
            files = [db.video_file(f"/data/v/{i % 3}/{i}.mp4", oshash=f"{i:016x}", phash=i * 7919 - 2**62)]
            if i % 3 == 0:
                files.append(db.video_file(f"/data/v/{i}-b.mkv", md5=f"{i:032x}", format="matroska"))
            if i % 4 == 0:
                files.append(shared)
            db.scene(
                f"S{i}" if i % 5 else None,
                files=files,
                date="2020-01-01" if i % 2 else None,
                tags=tags[: i % 4],
                performers=perfs[: i % 3],
                urls=[f"https://x/{i}", f"https://y/{i}"][: i % 3],
                o_dates=["2024-01-02 03:04:05+00:00"] * (i % 2),
                view_dates=["2024-01-01T10:00:00Z", "2024-01-05 11:00:00.123456789+01:00"][: i % 3],
                stash_ids=[(STASHDB, f"s{i}")] if i % 2 else [],
            )
            db.conn.execute("UPDATE files SET zip_file_id = ? WHERE id = ?", (zips[i % 2], files[0]))
        for k in range(6):
            db.image([db.image_file(f"/data/packs/a.zip/{k}.jpg", md5=f"{k:032x}", zip_file_id=zips[0])])


def _odd(path: Path) -> None:
    """What Stash never writes but a database can hold: the reader must take its slow paths."""
    with sqlite3.connect(path) as c:
        # text stored as BLOB in every text column of some rows
        for t in ("scenes", "files", "folders", "scene_urls", "files_fingerprints", "scene_stash_ids", "video_files"):
            for col in [r[1] for r in c.execute(f'PRAGMA table_info("{t}")')]:
                c.execute(f'UPDATE "{t}" SET "{col}" = CAST("{col}" AS BLOB) WHERE typeof("{col}") = \'text\' '
                          "AND rowid % 3 = 1")  # fmt: skip
        c.execute("UPDATE scenes SET title = X'FF61' WHERE id = 2")  # not UTF-8
        odd_times = ["2024-01-02T03:04:05.123456789Z", "2024-01-02", "garbage", "", "2024-01-02T03:04:05",
                     " 2024-01-02T03:04:05Z ", "2024-01-02 03:04:05.5-07:00"]  # fmt: skip
        for n, (rid,) in enumerate(c.execute("SELECT rowid FROM files").fetchall()):
            c.execute("UPDATE files SET mod_time = ? WHERE rowid = ?", (odd_times[n % len(odd_times)], rid))
        for n, (rid,) in enumerate(c.execute("SELECT rowid FROM scenes").fetchall()):
            c.execute("UPDATE scenes SET updated_at = ? WHERE rowid = ?", (odd_times[n % len(odd_times)], rid))
        c.execute("UPDATE scenes_view_dates SET view_date = 'not a time' WHERE rowid = 1")
        for fid in (1, 4, 9):  # more than one of a type, other types, a type stored as BLOB, odd phashes
            c.executemany(
                "INSERT OR IGNORE INTO files_fingerprints VALUES (?, ?, ?)",
                [(fid, "md5", "0" * 32), (fid, "md5", b"\xff\xfe"), (fid, "xxhash", "x1"), (fid, b"phash", b"ABC"),
                 (fid, "phash", "fedcba9876543210"), (fid, "phash", 12.0), (fid, "aaa", 7)],
            )  # fmt: skip
        c.execute("UPDATE scenes_files SET \"primary\" = 'yes' WHERE scene_id = 5")  # not comparable with 0/1
        c.execute("UPDATE files SET zip_file_id = 99999 WHERE id = 6")  # a zip that is not there
        c.execute("UPDATE files SET parent_folder_id = 88888 WHERE id = 7")  # a folder that is not there


@pytest.fixture(params=["plain", "odd"])
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "stash-go.sqlite"
    _library(path)
    if request.param == "odd":
        _odd(path)
    return path


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("batch_size", [1000, 4, 1])
def test_scenes_are_exactly_the_row_by_row_result(library: Path, batch_size: int) -> None:
    expected = list(_ref_scenes(library))
    with open_stash_db(library, batch_size=batch_size) as reader:
        got = list(reader.scenes())
    assert got == expected
    assert repr(got) == repr(expected)  # also the types (True vs 1, str vs bytes) and the key order


@pytest.mark.parametrize("batch_size", [1000, 2])
def test_image_files_are_exactly_the_row_by_row_result(library: Path, batch_size: int) -> None:
    expected = _ref_image_files(library)
    with open_stash_db(library, batch_size=batch_size) as reader:
        got = {i["id"]: i["files"] for i in reader.images()}
    assert repr(got) == repr(dict(expected))


def test_an_error_comes_after_the_items_before_it(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    _library(path)
    with sqlite3.connect(path) as c:
        c.execute("UPDATE scenes SET created_at = 1700000000 WHERE id = 7")  # a number: parse_stash_time raises
    for batch_size in (1000, 3):
        seen: list[int] = []
        with open_stash_db(path, batch_size=batch_size) as reader, pytest.raises(TypeError):
            for scene in reader.scenes():
                seen.append(scene["id"])
        assert seen == [1, 2, 3, 4, 5, 6]


def test_the_garbage_collector_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "stash-go.sqlite"
    _library(path)
    assert gc.isenabled()
    with open_stash_db(path, batch_size=4) as reader:
        assert len(list(reader.scenes())) == 17
        assert gc.isenabled()
        it = reader.scenes()
        next(it)
        assert gc.isenabled()  # paused only while a batch is built, never while the caller has an item
        it.close()
        gc.disable()
        try:
            assert len(list(reader.performers())) == 3
            assert not gc.isenabled()  # a collector the caller turned off stays off
        finally:
            gc.enable()
