"""The images plugin's importers (``gallery`` and ``image`` records, as the Stash import hands
them): create, merge with scanned rows, a second run that changes nothing, dry runs, skip reasons,
single-field warnings, missing files kept by scans, imported fingerprints never computed again."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from plugin_sdk.hashing import phash_to_hex
from plugin_sdk.imports import (
    CREATED,
    MERGED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportBatch,
    ImportOutcome,
    ImportRecord,
    importer,
    run_import,
)
from plugin_sdk.models import JobRunRow, LibraryRoot, LibrarySettings
from plugins_builtin.images.models import Gallery, GalleryChapter, GalleryItem, Image
from tests.integration.images.media import cbz, picture, write_jpeg

pytestmark = pytest.mark.integration

T1 = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
T2 = datetime(2022, 8, 9, 10, 11, 12, tzinfo=UTC)
TABLES = ("galleries", "images", "gallery_items", "gallery_chapters", "job_runs")


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images",), "load_entrypoints": False}


@pytest.fixture
def library(runtime, tmp_path: Path) -> dict[str, Any]:
    """A library root ``Pictures`` (not scanned) with a folder of two JPEGs and a cbz in it."""
    root_dir = (tmp_path / "Pictures").resolve()
    files = {
        "a": write_jpeg(root_dir / "Set" / "a.jpg", picture(300, 200, 1)),
        "b": write_jpeg(root_dir / "Set" / "b.jpg", picture(300, 200, 2)),
        "cbz": cbz(root_dir / "Set" / "Comic.cbz", ["2.jpg", "1.jpg"]),
    }
    with runtime.session() as db:
        root = LibraryRoot(path=str(root_dir), label="Pictures", is_nsfw=True)
        db.add(root)
        db.commit()
        root_id = root.id
    return {"dir": root_dir, "root_id": root_id, "files": files}


def run(
    runtime: Any, entity: str, records: Sequence[ImportRecord], *, dry_run: bool = False, check: Any = None
) -> list[ImportOutcome]:
    """Import ``records`` through the registered importer; commit (or roll back a dry run after
    ``check(db)`` looked at what it wrote)."""
    with runtime.session() as db:
        out = run_import(db, importer(entity), ImportBatch("stash", entity, records, dry_run=dry_run))
        if check is not None:
            check(db)
        if dry_run:
            db.rollback()
        else:
            db.commit()
    return out


def snapshot(runtime: Any) -> dict[str, list[tuple]]:
    with runtime.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in TABLES}


def gallery_records(lib: dict[str, Any]) -> list[ImportRecord]:
    d = lib["dir"]
    return [
        ImportRecord(
            "g1",
            {
                "kind": "folder", "path": str(d / "Set") + "/", "missing": False, "title": "The set",
                "code": "SET-1", "details": "Folder gallery", "photographer": "Ann", "date": "2020-05",
                "rating": 80, "organized": True, "urls": ["https://a.example/set", "https://a.example/set"],
                "created_at": T1, "updated_at": T2,
                "chapters": [{"title": "Start", "image_index": 1}, {"title": "Middle", "image_index": 2}],
            },
        ),
        ImportRecord(
            "g2",
            {"kind": "zip", "path": str(d / "Set" / "Comic.cbz"), "missing": False, "title": None, "organized": False,
             "urls": [], "chapters": [], "created_at": T1.isoformat(), "updated_at": None},
        ),
        ImportRecord(
            "g3",
            {"kind": "virtual", "path": None, "missing": False, "title": "Favourites", "rating": 100,
             "organized": False, "urls": [], "chapters": [{"title": "Best", "image_index": 1}]},
        ),
    ]  # fmt: skip


def image_records(lib: dict[str, Any], ids: dict[str, str]) -> list[ImportRecord]:
    d, files = lib["dir"], lib["files"]
    a = files["a"].stat()
    return [
        ImportRecord(
            "i1",
            {
                "path": str(files["a"]), "member": "", "missing": False, "size": a.st_size,
                "mtime": int(a.st_mtime), "width": 300, "height": 200, "format": "JPEG",
                "md5": "0123456789abcdef0123456789abcdef", "oshash": "00ab00cd00ef0011",
                "phash": "fedcba9876543210", "title": "Alpha", "code": "A-1", "details": "First",
                "photographer": "Ann", "date": "2020", "rating": 60, "organized": True, "o_counter": 0,
                "urls": ["https://a.example/a"], "created_at": T1, "updated_at": T2,
                "gallery_ids": [ids["g3"], ids["g1"]], "cover_of": [ids["g1"]],
            },
        ),
        ImportRecord(
            "i2",
            {"path": str(files["b"]), "member": "", "missing": False, "size": files["b"].stat().st_size,
             "mtime": 1.0, "title": None, "organized": False, "gallery_ids": [ids["g1"], ids["g3"]], "cover_of": []},
        ),
        ImportRecord(
            "i3",
            {"path": str(files["cbz"]), "member": "2.jpg", "missing": False, "md5": "1" * 32, "title": None,
             "organized": False, "gallery_ids": [ids["g2"]], "cover_of": [ids["g2"]]},
        ),
        ImportRecord(
            "i4",
            {"path": str(d / "Set" / "gone.png"), "member": "", "missing": True, "size": 10, "mtime": 5.0,
             "oshash": "1111222233334444", "title": "Gone", "organized": False, "gallery_ids": [ids["g1"]]},
        ),
    ]  # fmt: skip


def import_all(runtime: Any, lib: dict[str, Any]) -> tuple[list[ImportOutcome], list[ImportOutcome], dict]:
    galleries = run(runtime, "gallery", gallery_records(lib))
    ids = {o.key: o.id for o in galleries}
    images = run(runtime, "image", image_records(lib, ids))
    return galleries, images, ids


def test_importers_are_registered(runtime) -> None:
    gallery, image = importer("gallery"), importer("image")
    assert (gallery.name, gallery.label, image.label) == ("images", "Galleries", "Images")
    assert "chapters" in gallery.fields and "gallery_ids" in image.fields and "oshash" in image.fields


def test_create_brings_every_field(runtime, library) -> None:
    galleries, images, ids = import_all(runtime, library)
    assert [o.status for o in galleries] == [CREATED] * 3
    assert [o.status for o in images] == [CREATED] * 4, images
    assert all(not o.warnings and not o.unmapped for o in (*galleries, *images)), (galleries, images)
    d, files = library["dir"], library["files"]
    img = {o.key: o.id for o in images}
    with runtime.session() as db:
        folder, comic, fav = (db.get(Gallery, ids[k]) for k in ("g1", "g2", "g3"))
        a, b, member, gone = (db.get(Image, img[k]) for k in ("i1", "i2", "i3", "i4"))
        chapters = db.execute(select(GalleryChapter.gallery_id, GalleryChapter.title, GalleryChapter.image_index))
        items = db.execute(select(GalleryItem.image_id, GalleryItem.position).order_by(GalleryItem.position)).all()
        thumbs = db.execute(select(JobRunRow.target_id).where(JobRunRow.queue_name == "image-thumbnail")).scalars()
        chapters, thumbs = sorted(tuple(c) for c in chapters), set(thumbs)

    assert (folder.kind, folder.path, folder.library_root_id) == ("folder", str(d / "Set"), library["root_id"])
    assert (folder.title, folder.sort_title, folder.code, folder.details) == (
        "The set",
        "the set",
        "SET-1",
        "Folder gallery",
    )
    assert (folder.photographer, folder.date, folder.rating, folder.organized) == ("Ann", "2020-05", 80, True)
    assert folder.urls == ["https://a.example/set"] and folder.is_nsfw, "the root's NSFW flag carries over"
    assert (folder.created_at, folder.updated_at, folder.missing_at) == (T1, T2, None)
    assert folder.cover_image_id == a.id and folder.image_count == 3
    assert (comic.kind, comic.title, comic.parent_id, comic.created_at) == ("zip", "Comic", folder.id, T1)
    assert comic.cover_image_id == member.id and comic.image_count == 1
    assert (fav.kind, fav.path, fav.library_root_id, fav.rating, fav.image_count) == ("virtual", None, None, 100, 2)
    assert chapters == sorted([(folder.id, "Start", 0), (folder.id, "Middle", 1), (fav.id, "Best", 0)])
    assert items == [(a.id, 0), (b.id, 1)], "virtual galleries list images in arrival order"

    st = files["a"].stat()
    assert (a.file_path, a.member, a.gallery_id, a.library_root_id) == (
        str(files["a"]),
        "",
        folder.id,
        library["root_id"],
    )
    assert (a.file_size, a.file_mtime) == (st.st_size, st.st_mtime), "file facts as a scan reads them"
    assert (a.width, a.height, a.format) == (300, 200, "jpeg")
    assert (a.md5, a.oshash, phash_to_hex(a.phash)) == (
        "0123456789abcdef0123456789abcdef",
        "00ab00cd00ef0011",
        "fedcba9876543210",
    )
    assert a.phash < 0, "stored as a signed BIGINT"
    assert (a.title, a.code, a.details, a.photographer, a.date, a.rating) == (
        "Alpha",
        "A-1",
        "First",
        "Ann",
        "2020",
        60,
    )
    assert (a.organized, a.urls, a.is_nsfw, a.created_at, a.updated_at, a.missing_at) == (
        True, ["https://a.example/a"], True, T1, T2, None
    )  # fmt: skip
    assert (b.title, b.gallery_id, b.file_mtime) == ("b", folder.id, files["b"].stat().st_mtime)
    assert (member.file_path, member.member, member.gallery_id, member.title) == (
        str(files["cbz"]),
        "2.jpg",
        comic.id,
        "2",
    )
    assert (gone.title, gone.file_size, gone.file_mtime, gone.gallery_id) == ("Gone", 10, 5.0, folder.id)
    assert gone.missing_at is not None
    order = sorted((a, b, gone), key=lambda i: i.sort_order)
    assert [(Path(i.file_path).name, i.sort_order) for i in order] == [("a.jpg", 0), ("b.jpg", 1), ("gone.png", 2)]
    assert thumbs == {a.id, b.id, member.id}, "thumbnails for new images on disk only"


def test_second_run_changes_nothing(runtime, library) -> None:
    galleries, images, ids = import_all(runtime, library)
    before = snapshot(runtime)
    # again without target ids (matched by path, oshash, virtual title) …
    again_g = run(runtime, "gallery", gallery_records(library))
    again_i = run(runtime, "image", image_records(library, ids))
    assert [o.status for o in (*again_g, *again_i)] == [UNCHANGED] * 7, (again_g, again_i)
    assert [o.id for o in again_g] == [o.id for o in galleries] and [o.id for o in again_i] == [o.id for o in images]
    # … and with them
    with_targets = [ImportRecord(r.key, r.fields, ids[r.key]) for r in gallery_records(library)]
    assert {o.status for o in run(runtime, "gallery", with_targets)} == {UNCHANGED}
    img = {o.key: o.id for o in images}
    with_targets = [ImportRecord(r.key, r.fields, img[r.key]) for r in image_records(library, ids)]
    assert {o.status for o in run(runtime, "image", with_targets)} == {UNCHANGED}
    assert snapshot(runtime) == before


def test_update_by_target_id_and_stale_target(runtime, library) -> None:
    _, _, ids = import_all(runtime, library)
    rec = gallery_records(library)[0]
    changed = ImportRecord(
        "g1", {**rec.fields, "title": "Renamed", "chapters": [{"title": "Late", "image_index": 3}]}, ids["g1"]
    )
    stale = ImportRecord("g3", gallery_records(library)[2].fields, "no-such-id")
    out = run(runtime, "gallery", [changed, stale])
    assert [(o.status, o.id) for o in out] == [(UPDATED, ids["g1"]), (UNCHANGED, ids["g3"])]
    with runtime.session() as db:
        g = db.get(Gallery, ids["g1"])
        assert (g.title, g.sort_title) == ("Renamed", "renamed")
        count = db.execute(select(func.count()).where(GalleryChapter.gallery_id == g.id)).scalar_one()
        assert count == 3, "chapters are added, never replaced"


def test_merge_into_scanned_rows(client, runtime, run_jobs, library) -> None:
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    with runtime.session() as db:
        scanned = {(i.file_path, i.member): i for i in db.execute(select(Image)).scalars()}
        scanned_galleries = {g.path: g.id for g in db.execute(select(Gallery)).scalars()}
    a = scanned[(str(library["files"]["a"]), "")]
    b = scanned[(str(library["files"]["b"]), "")]
    # the user renamed b here: the import must not overwrite it
    client.patch(f"/api/images/{b.id}", json={"title": "Mine"})
    galleries = run(runtime, "gallery", gallery_records(library))
    assert [o.status for o in galleries] == [MERGED, MERGED, CREATED]
    ids = {o.key: o.id for o in galleries}
    assert ids["g1"] == scanned_galleries[str(library["dir"] / "Set")]
    records = image_records(library, ids)
    twin = ImportRecord(
        "i5", {"path": str(library["dir"] / "elsewhere" / "copy.jpg"), "member": "", "oshash": b.oshash, "rating": 40}
    )
    images = run(runtime, "image", [*records, twin])
    # b's row is claimed by its own file: the twin (another file with its oshash) is a new image
    assert [o.status for o in images] == [MERGED, MERGED, MERGED, CREATED, CREATED], images
    assert images[4].id != b.id
    with runtime.session() as db:
        total = db.execute(select(func.count()).select_from(Image)).scalar_one()
        merged_a, merged_b = db.get(Image, a.id), db.get(Image, b.id)
    assert total == len(scanned) + 2, "only the missing file and the twin are new"
    assert images[0].id == a.id and images[1].id == b.id
    assert (merged_a.title, merged_a.rating, merged_a.code) == ("Alpha", 60, "A-1")
    assert (merged_a.md5, merged_a.oshash, merged_a.phash) == (a.md5, a.oshash, a.phash), "our fingerprints stay"
    assert merged_a.created_at == T1, "the earlier of the two creation times"
    assert merged_b.title == "Mine", "a field edited here is never overwritten"


def test_merge_by_oshash_keeps_our_path(client, runtime, run_jobs, library) -> None:
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    with runtime.session() as db:
        b = db.execute(select(Image).where(Image.file_path == str(library["files"]["b"]))).scalar_one()
    moved = str(library["dir"] / "Old place" / "b.jpg")
    out = run(
        runtime,
        "image",
        [ImportRecord("x", {"path": moved, "member": "", "missing": True, "oshash": b.oshash, "rating": 40})],
    )
    assert (out[0].status, out[0].id) == (MERGED, b.id)
    with runtime.session() as db:
        row = db.get(Image, b.id)
    assert (row.file_path, row.rating, row.missing_at) == (b.file_path, 40, None), "our path and presence stay"


def test_dry_run_writes_nothing_and_queues_nothing(runtime, library) -> None:
    def check(db: Any) -> None:
        assert db.execute(select(func.count()).select_from(Image)).scalar_one() == 4, "rows are written…"
        assert db.execute(select(func.count()).select_from(JobRunRow)).scalar_one() == 0, "…but nothing queued"

    galleries = run(runtime, "gallery", gallery_records(library))
    ids = {o.key: o.id for o in galleries}
    out = run(runtime, "image", image_records(library, ids), dry_run=True, check=check)
    assert [o.status for o in out] == [CREATED] * 4
    assert snapshot(runtime)["images"] == [] and snapshot(runtime)["job_runs"] == []
    assert not any((runtime.settings.data_dir).rglob("*.webp")), "no thumbnail files"


def test_skip_reasons(runtime, library, tmp_path: Path) -> None:
    outside = str(tmp_path / "Elsewhere")
    galleries = run(
        runtime,
        "gallery",
        [
            ImportRecord("a", {"kind": "folder", "path": outside}),
            ImportRecord("b", {"kind": "album", "path": outside}),
            ImportRecord("c", {"kind": "zip", "path": None}),
            ImportRecord("d", {"kind": "zip", "path": str(library["dir"] / "x.rar")}),
        ],
    )
    assert [(o.status, o.reason) for o in galleries] == [
        (SKIPPED, "not under a library root"),
        (SKIPPED, "unknown gallery kind 'album' (folder, zip or virtual)"),
        (SKIPPED, "a zip gallery needs a path"),
        (SKIPPED, "not a zip/cbz archive (the only archives Obscura indexes)"),
    ]
    images = run(
        runtime,
        "image",
        [
            ImportRecord("a", {"path": outside + "/a.jpg", "member": ""}),
            ImportRecord("b", {"path": "", "member": ""}),
            ImportRecord("c", {"path": str(library["dir"] / "clip.mp4")}),
            ImportRecord("d", {"path": str(library["dir"] / "dir"), "member": "x.jpg"}),
        ],
    )
    assert [(o.status, o.reason) for o in images] == [
        (SKIPPED, "not under a library root"),
        (SKIPPED, "no file path"),
        (SKIPPED, "not an image file Obscura indexes (clip.mp4)"),
        (SKIPPED, "its archive is not a zip/cbz file (the only archives Obscura indexes)"),
    ]
    assert snapshot(runtime)["images"] == [] and snapshot(runtime)["galleries"] == []


def test_bad_fields_warn_and_unmapped_fields_are_named(runtime, library) -> None:
    out = run(
        runtime,
        "image",
        [
            ImportRecord(
                "a",
                {
                    "path": str(library["files"]["a"]), "member": "", "date": "2020-13-01", "rating": 150,
                    "phash": "not-hex", "md5": "abc", "created_at": "yesterday", "o_counter": 3,
                    "gallery_ids": ["nope"], "studio_id": 7, "title": "Kept",
                },
            )
        ],
    )  # fmt: skip
    (o,) = out
    assert o.status == CREATED
    assert set(o.unmapped) == {"o_counter", "studio_id"}
    joined = " | ".join(o.warnings)
    for part in (
        "date '2020-13-01'",
        "rating 150",
        "phash 'not-hex'",
        "md5 'abc'",
        "created_at 'yesterday'",
        "gallery 'nope'",
    ):
        assert part in joined, joined
    with runtime.session() as db:
        row = db.get(Image, o.id)
    assert (row.title, row.date, row.rating, row.phash, row.md5) == ("Kept", None, None, None, None)


def test_missing_files_are_kept_by_scans(client, runtime, run_jobs, library) -> None:
    _, images, _ = import_all(runtime, library)
    gone_id = images[3].id
    extra = run(
        runtime,
        "gallery",
        [ImportRecord("gx", {"kind": "folder", "path": str(library["dir"] / "Lost"), "missing": True})],
    )
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    result = client.get("/api/jobs?queue=gallery-scan&perPage=1").get_json()["data"]["items"][0]["result"]
    assert (result["removed"], result["keptMissing"]) == (0, 1)
    detail = client.get(f"/api/images/{gone_id}").get_json()["data"]
    assert detail["missing"] is True
    assert client.get(f"/api/galleries/{extra[0].id}").get_json()["data"]["missing"] is True
    # the files come back: no longer missing, and the image's thumbnail is made
    write_jpeg(library["dir"] / "Set" / "gone.png", picture(100, 100, 9))
    write_jpeg(library["dir"] / "Lost" / "found.jpg", picture(100, 100, 8))
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    detail = client.get(f"/api/images/{gone_id}").get_json()["data"]
    assert detail["missing"] is False and detail["thumbnailUrl"]
    assert client.get(f"/api/galleries/{extra[0].id}").get_json()["data"]["missing"] is False
    # a file that was present at import and then deleted goes as usual
    os.remove(library["files"]["b"])
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    assert client.get(f"/api/images/{images[1].id}").status_code == 404


def test_imported_fingerprints_are_not_computed_again(client, runtime, run_jobs, library) -> None:
    _, images, _ = import_all(runtime, library)
    run_jobs()
    with runtime.session() as db:
        a = db.get(Image, images[0].id)
        fingerprint_runs = db.execute(
            select(func.count()).where(JobRunRow.queue_name == "image-fingerprint", JobRunRow.target_id == a.id)
        ).scalar_one()
    assert a.thumbnail_at is not None and (a.width, a.height) == (300, 200)
    assert phash_to_hex(a.phash) == "fedcba9876543210" and a.md5 == "0123456789abcdef0123456789abcdef"
    assert fingerprint_runs == 0
    # a scan sees the same file (size and mtime as read at import): nothing is reset or hashed
    client.post(f"/api/libraries/{library['root_id']}/scan", json={})
    run_jobs()
    with runtime.session() as db:
        again = db.get(Image, images[0].id)
    assert (again.md5, again.phash) == (a.md5, a.phash)


def test_virtual_gallery_merges_by_title_and_items_are_appended(runtime, library) -> None:
    _, _, ids = import_all(runtime, library)
    new = write_jpeg(library["dir"] / "Set" / "c.jpg", picture(50, 50, 4))
    out = run(
        runtime,
        "image",
        [ImportRecord("i9", {"path": str(new), "member": "", "gallery_ids": [ids["g3"]]})],
    )
    with runtime.session() as db:
        items = db.execute(
            select(GalleryItem.image_id, GalleryItem.position)
            .where(GalleryItem.gallery_id == ids["g3"])
            .order_by(GalleryItem.position)
        ).all()
        fav = db.get(Gallery, ids["g3"])
    assert items[-1] == (out[0].id, 2) and fav.image_count == 3
    twin = run(runtime, "gallery", [ImportRecord("g3b", {"kind": "virtual", "title": "Favourites"})])
    assert (twin[0].status, twin[0].id) == (UNCHANGED, ids["g3"])


def test_queued_work_follows_the_library_settings(runtime, library) -> None:
    with runtime.session() as db:
        settings = LibrarySettings.get(db)
        settings.auto_generate_preview = False  # fingerprints only, and only where Stash had none
        db.commit()
    files = library["files"]
    out = run(
        runtime,
        "image",
        [
            ImportRecord("full", {"path": str(files["a"]), "md5": "2" * 32, "oshash": "3" * 16, "phash": "4" * 16}),
            ImportRecord("bare", {"path": str(files["b"])}),
        ],
    )
    with runtime.session() as db:
        runs = db.execute(select(JobRunRow.queue_name, JobRunRow.target_id)).all()
    assert [tuple(r) for r in runs] == [("image-fingerprint", out[1].id)]


def test_fields_edited_here_are_kept(client, runtime, library) -> None:
    galleries, _, _ = import_all(runtime, library)
    gallery_id = galleries[0].id
    resp = client.patch(
        f"/api/galleries/{gallery_id}", json={"code": "MINE", "urls": ["https://mine.example"], "rating": 10}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    out = run(runtime, "gallery", gallery_records(library)[:1])
    assert out[0].status == UNCHANGED
    detail = client.get(f"/api/galleries/{gallery_id}").get_json()["data"]
    assert (detail["code"], detail["urls"], detail["rating"]) == ("MINE", ["https://mine.example"], 10)
    assert (detail["photographer"], detail["missing"]) == ("Ann", False)
    assert client.patch(f"/api/galleries/{gallery_id}", json={"urls": None}).status_code == 400
