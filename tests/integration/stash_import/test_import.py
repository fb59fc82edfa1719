"""Importing a Stash database: every entity field by field, a re-run that changes nothing, a merge
with files a scan already found, a dry run, older schema versions, resuming a failed run, and the
bad inputs (not a file, not SQLite, not Stash's, an unknown version, a mapping that maps nothing,
a blob that is not an image) — through the Python API, the HTTP API and its job, and the CLI."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from plugin_sdk.models import LibraryRoot
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.images.models import Gallery, GalleryChapter, GalleryItem, Image
from plugins_builtin.metadata.models import StashIdRow
from plugins_builtin.stash_import.run import Importing, ImportOptions, import_stash
from plugins_builtin.taxonomy.models import EntityPerformer, EntityStudio, EntityTag, Performer, Studio, Tag, TagParent
from plugins_builtin.videos.models import Video, VideoMarker
from tests.integration.stash_import.conftest import ENDPOINT, STASH_ROOT, StashLibrary, build_library

pytestmark = pytest.mark.integration

COUNTED = (Video, VideoMarker, Performer, Studio, Tag, TagParent, EntityTag, EntityPerformer, EntityStudio, Image,
           Gallery, GalleryItem, GalleryChapter, Collection, CollectionItem, StashIdRow, LibraryRoot)  # fmt: skip


def run(runtime: Any, lib: StashLibrary, **kw: Any) -> dict[str, Any]:
    options = ImportOptions(path=str(lib.db_path), path_map=kw.pop("path_map", lib.path_map), **kw)
    with runtime.session() as db:
        return import_stash(db, options)


def counts(runtime: Any) -> dict[str, int]:
    with runtime.session() as db:
        return {m.__tablename__: db.execute(select(func.count()).select_from(m)).scalar_one() for m in COUNTED}


def snapshot(runtime: Any) -> dict[str, list]:
    """Every row of the tables the import writes, to compare two states."""
    out = {}
    with runtime.session() as db:
        for m in COUNTED:
            out[m.__tablename__] = sorted(map(repr, db.execute(text(f"SELECT * FROM {m.__tablename__}")).all()))
    return out


def entity(report: dict[str, Any], name: str) -> dict[str, Any]:
    return report["entities"][name]


def video_by_title(db: Any, title: str) -> Video:
    return db.execute(select(Video).where(Video.title == title)).scalar_one()


def test_everything_comes_over_field_by_field(runtime, client, stash: StashLibrary) -> None:
    report = run(runtime, stash)
    here = stash.here
    assert report["rootsCreated"] == [str(here)]
    assert (entity(report, "scenes")["read"], entity(report, "scenes")["created"]) == (4, 4)
    for name, n in (("performers", 2), ("studios", 2), ("tags", 3), ("markers", 1), ("galleries", 2), ("images", 2)):
        assert entity(report, name)["created"] == n, (name, report["entities"][name])
    assert entity(report, "groups")["created"] == 1
    assert report["missingFiles"] == 1
    # John's picture is not an image: a warning, John still comes over
    assert any("John Roe" in w and "image" in w.lower() for w in report["warnings"]), report["warnings"]

    with runtime.session() as db:
        first = video_by_title(db, "First Scene")
        assert first.file_path == str(here / "videos/Studio A/First Scene.mp4")
        assert (first.code, first.details, first.director, first.date) == ("SA-001", "The first one.", "Dee Rector",
                                                                           "2021-06-15")  # fmt: skip
        assert (first.rating, first.organized, first.urls) == (80, True, ["https://studio-a.example/scenes/1"])
        # the hashes are Stash's (nothing is hashed again); phash as 16 hex digits
        assert (first.md5, first.oshash, first.phash) == (
            "0123456789abcdef0123456789abcdef", "a1b2c3d4e5f60718", "f0e1d2c3b4a59687")  # fmt: skip
        assert (first.play_count, first.play_duration, first.resume_time) == (3, 300.0, 42.5)
        assert first.o_counter == 2
        assert first.duration == 120.5 and first.probed_at is not None
        assert first.custom_thumbnail is True  # Stash's cover
        assert first.missing_at is None
        assert first.kind == "movie"
        second = video_by_title(db, "Second Scene")
        assert second.date == "2021-06"  # a month-precision date stays partial
        third = db.execute(select(Video).where(Video.file_path.like("%Third.mkv"))).scalar_one()
        assert third.title  # no title in Stash: named from the file as a scan would
        gone = video_by_title(db, "Gone Scene")
        assert gone.missing_at is not None and gone.file_path == str(here / "videos/Old/Gone.mp4")

        tags = {t.name: t for t in db.execute(select(Tag)).scalars()}
        assert set(tags) == {"Outdoors", "Beach", "Highlight"}
        assert sorted(tags["Beach"].aliases) == ["Seaside", "Shore"]
        assert tags["Beach"].ignore_auto_tag is True and tags["Outdoors"].favorite is True
        assert tags["Outdoors"].description == "Shot outside" and tags["Outdoors"].image_format == "jpeg"
        parents = db.execute(select(TagParent.tag_id, TagParent.parent_id)).all()
        assert parents == [(tags["Beach"].id, tags["Outdoors"].id)]

        studios = {s.name: s for s in db.execute(select(Studio)).scalars()}
        assert studios["Studio A"].parent_id == studios["Network"].id
        assert studios["Studio A"].aliases == ["SA"] and studios["Studio A"].image_format == "jpeg"
        assert studios["Network"].urls == ["https://network.example"]

        jane = db.execute(select(Performer).where(Performer.name == "Jane Doe")).scalar_one()
        assert sorted(jane.aliases) == ["J. Doe", "Janey"]
        assert (jane.disambiguation, jane.country, jane.height, jane.weight) == ("actress", "NL", 170, 58)
        assert (jane.measurements, jane.tattoos, jane.piercings) == ("34C-25-35", "Rose on left ankle", "Ears")
        assert (jane.career_start, jane.career_end, jane.birthdate) == (2012, 2020, "1990-04-01")
        assert (jane.favorite, jane.rating, jane.fake_tits) == (True, 80, "Natural")
        assert jane.custom_fields == {"agency": "Acme", "shoe_size": "38"}
        assert jane.urls == ["https://jane.example", "https://twitter.com/jane"]
        assert jane.image_format == "jpeg"
        john = db.execute(select(Performer).where(Performer.name == "John Roe")).scalar_one()
        assert john.image_format is None

        def linked(model: Any, column: Any, entity_type: str, entity_id: str) -> set[str]:
            rows = db.execute(select(column).where(model.entity_type == entity_type, model.entity_id == entity_id))
            return set(rows.scalars())

        assert linked(EntityTag, EntityTag.tag_id, "video", first.id) == {tags["Beach"].id}
        assert linked(EntityPerformer, EntityPerformer.performer_id, "video", first.id) == {jane.id, john.id}
        assert linked(EntityStudio, EntityStudio.studio_id, "video", first.id) == {studios["Studio A"].id}
        assert linked(EntityTag, EntityTag.tag_id, "performer", jane.id) == {tags["Outdoors"].id}

        stash_ids = {(r.entity_type, r.entity_id): r.stash_id for r in db.execute(select(StashIdRow)).scalars()}
        assert stash_ids[("performer", jane.id)] == "jane-0001"
        assert stash_ids[("video", first.id)] == "scene-first-0001"
        assert stash_ids[("studio", studios["Studio A"].id)] == "studio-a-0001"
        assert stash_ids[("tag", tags["Beach"].id)] == "tag-beach-0001"
        assert {r.endpoint for r in db.execute(select(StashIdRow)).scalars()} == {ENDPOINT}

        marker = db.execute(select(VideoMarker)).scalar_one()
        assert (marker.video_id, marker.title, marker.seconds, marker.end_seconds) == (first.id, "Best bit", 12.5, 20.0)
        assert marker.primary_tag_id == tags["Highlight"].id

        galleries = {g.title: g for g in db.execute(select(Gallery)).scalars()}
        folder = galleries["Set One"]
        assert (folder.kind, folder.path, folder.rating) == ("folder", str(here / "photos/Set One"), 100)
        images = {Path(i.file_path).name: i for i in db.execute(select(Image)).scalars()}
        assert {i.gallery_id for i in images.values()} == {folder.id}
        assert folder.cover_image_id == images["002.jpg"].id
        assert (images["001.jpg"].title, images["001.jpg"].rating, images["001.jpg"].md5) == (
            "Red", 60, "aaaa0000aaaa0000aaaa0000aaaa0000")  # fmt: skip
        chapters = db.execute(
            select(GalleryChapter.title, GalleryChapter.image_index).order_by(GalleryChapter.image_index)
        )
        assert chapters.all() == [("Start", 0), ("Middle", 1)]  # ours count from 0, Stash's from 1
        virtual = galleries["Favourites"]
        assert virtual.kind == "virtual"
        assert db.execute(select(GalleryItem.image_id).where(GalleryItem.gallery_id == virtual.id)).scalars().all() == [
            images["001.jpg"].id
        ]

        feature = db.execute(select(Collection).where(Collection.name == "The Feature")).scalar_one()
        order = (
            db.execute(
                select(CollectionItem.entity_id)
                .where(CollectionItem.collection_id == feature.id)
                .order_by(CollectionItem.sort_order)
            )
            .scalars()
            .all()
        )
        assert order == [second.id, first.id]  # the group's scene order
        saved = db.execute(select(Collection).where(Collection.name == "Good beach scenes")).scalar_one()
        assert saved.mode == "dynamic" and saved.rule_tree

    # what the API shows
    body = client.get(f"/api/videos/{first.id}/history").get_json()["data"]
    assert len(body["plays"]) == 3 and len(body["os"]) == 2
    assert body["plays"][0].startswith("2024-03-01")  # newest first


def test_a_second_run_changes_nothing(runtime, stash: StashLibrary) -> None:
    first = run(runtime, stash)
    before = snapshot(runtime)
    again = run(runtime, stash)
    assert snapshot(runtime) == before
    for name, e in again["entities"].items():
        assert e["created"] == e["merged"] == e["updated"] == 0, (name, e)
        assert e["unchanged"] + e["skipped"] == e["read"] or name == "saved_filters", (name, e)
    assert entity(again, "scenes")["unchanged"] == entity(first, "scenes")["created"]
    assert again["rootsCreated"] == []


def test_files_a_scan_already_found_are_merged_not_duplicated(runtime, run_jobs, client, stash: StashLibrary) -> None:
    created = client.post("/api/libraries", json={"path": str(stash.here)}).get_json()["data"]
    client.post(f"/api/libraries/{created['id']}/scan", json={})
    run_jobs("library-scan")
    with runtime.session() as db:
        scanned = {v.file_path: v.id for v in db.execute(select(Video)).scalars()}
        db.execute(
            text("UPDATE videos SET title = 'Edited', edited_fields = '[\"title\"]' WHERE file_path LIKE '%Second%'")
        )
        db.commit()
    assert len(scanned) == 3
    report = run(runtime, stash)
    assert report["rootsCreated"] == [] and report["rootsUsed"] == [str(stash.here)]
    scenes = entity(report, "scenes")
    assert (scenes["merged"], scenes["created"]) == (3, 1)  # the three on disk; the gone one is new (missing)
    with runtime.session() as db:
        rows = {v.file_path: v for v in db.execute(select(Video)).scalars()}
        assert len(rows) == 4
        for path, vid in scanned.items():
            assert rows[path].id == vid  # same rows
        first = rows[str(stash.here / "videos/Studio A/First Scene.mp4")]
        assert (first.title, first.rating, first.oshash) == ("First Scene", 80, "a1b2c3d4e5f60718")
        assert rows[str(stash.here / "videos/Studio A/Second Scene.mp4")].title == "Edited"  # the user's edit wins


def test_a_dry_run_writes_nothing_and_reports_the_same(runtime, stash: StashLibrary) -> None:
    empty = counts(runtime)
    dry = run(runtime, stash, dry_run=True)
    assert counts(runtime) == empty
    assert dry["dryRun"] is True and dry["rootsCreated"] == [str(stash.here)]
    assert not list(Path(runtime.settings.data_dir).rglob("*.jpg"))  # no cover or picture written
    real = run(runtime, stash)
    for name, e in real["entities"].items():
        assert {k: v for k, v in e.items() if k != "unmappedFields"} == {
            k: v for k, v in dry["entities"][name].items() if k != "unmappedFields"
        }, name


@pytest.mark.parametrize("version", [60, 64, 66, 70])
def test_older_schema_versions_import(runtime, tmp_path: Path, version: int) -> None:
    lib = build_library(tmp_path, version)
    report = run(runtime, lib)
    assert report["schemaVersion"] == version
    assert entity(report, "scenes")["created"] == 4 and entity(report, "groups")["created"] == 1
    with runtime.session() as db:
        jane = db.execute(select(Performer).where(Performer.name == "Jane Doe")).scalar_one()
        assert jane.urls[0] == "https://jane.example"


def test_a_wal_database_is_read_through_a_copy_and_never_changed(runtime, tmp_path: Path) -> None:
    lib = build_library(tmp_path, wal=True)
    files = sorted(lib.db_path.parent.iterdir())
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    report = run(runtime, lib)
    assert entity(report, "scenes")["created"] == 4
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(lib.db_path.parent.iterdir())} == before


def test_a_failed_run_resumes_without_duplicates(runtime, stash: StashLibrary, monkeypatch) -> None:
    def boom(self: Importing) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Importing, "markers", boom)
    with pytest.raises(RuntimeError):
        run(runtime, stash)
    partial = counts(runtime)
    assert partial["videos"] == 4 and partial["video_markers"] == 0  # committed batches stay
    monkeypatch.undo()
    report = run(runtime, stash)
    assert entity(report, "scenes")["unchanged"] == 4 and entity(report, "markers")["created"] == 1
    assert counts(runtime)["videos"] == 4


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nope.sqlite", "No file at"),
        (lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt", "not an SQLite"),
        (lambda d: _plain_sqlite(d / "other.sqlite"), "but not Stash's"),
        (lambda d: _stash_version(d / "future.sqlite", 99), "99"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_written(runtime, client, tmp_path: Path, make, message) -> None:
    path = make(tmp_path)
    res = client.post("/api/imports/stash", json={"path": str(path)})
    assert res.status_code == 400, res.get_json()
    assert message in res.get_json()["error"]["message"]
    assert counts(runtime)["videos"] == 0


def _plain_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id integer primary key, body text)")
    conn.commit()
    conn.close()
    return path


def _stash_version(path: Path, version: int) -> Path:
    lib_db = build_library(path.parent / "v").db_path
    conn = sqlite3.connect(lib_db)
    conn.execute("UPDATE schema_migrations SET version = ?", (version,))
    conn.commit()
    conn.close()
    return lib_db


def test_a_mapping_that_maps_nothing_is_refused(runtime, client, stash: StashLibrary) -> None:
    body = {"path": str(stash.db_path), "pathMap": {"/volume1": str(stash.here)}}
    res = client.post("/api/imports/stash", json=body)
    assert res.status_code == 400 and "maps nothing" in res.get_json()["error"]["message"]
    with pytest.raises(Exception, match="maps nothing"):
        run(runtime, stash, path_map={"/volume1": str(stash.here)})
    assert counts(runtime)["videos"] == 0


def test_without_a_mapping_paths_that_are_not_here_are_reported(runtime, stash: StashLibrary) -> None:
    report = run(runtime, stash, path_map={})
    assert report["missingFolders"] == [{"stash": STASH_ROOT, "here": STASH_ROOT}]
    assert entity(report, "scenes")["skipped"] == 4
    assert "not under a library root" in " ".join(entity(report, "scenes")["skippedReasons"])
    assert counts(runtime)["videos"] == 0


def test_the_api_runs_the_import_as_a_job_with_its_report(runtime, client, run_jobs, stash: StashLibrary) -> None:
    checked = client.post("/api/imports/stash/check", json={"path": str(stash.db_path), "pathMap": stash.path_map})
    data = checked.get_json()["data"]
    assert data["schemaVersion"] == 75 and data["counts"]["scenes"] == 4
    assert data["topFolders"] == [{"stash": STASH_ROOT, "here": str(stash.here), "exists": True}]
    res = client.post("/api/imports/stash", json={"path": str(stash.db_path), "pathMap": [f"/data={stash.here}"]})
    assert res.status_code == 202, res.get_json()
    run_jobs("stash-import")
    runs = client.get("/api/imports/stash").get_json()["data"]["runs"]
    assert runs[0]["status"] == "completed", runs[0]
    assert runs[0]["result"]["entities"]["scenes"]["created"] == 4
    assert client.get("/api/videos").get_json()["data"]["total"] == 4


def test_the_cli_prints_the_report(runtime, stash: StashLibrary, monkeypatch) -> None:
    from plugins_builtin.stash_import.cli import import_stash_command

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("REDIS_URL", runtime.settings.redis_url)
    monkeypatch.setenv("OBSCURA_DATA_DIR", str(runtime.settings.data_dir))
    args = [str(stash.db_path), "--map", f"/data={stash.here}", "--dry-run"]
    out = CliRunner().invoke(import_stash_command, args)
    assert out.exit_code == 0, out.output
    assert "Dry run (nothing written)" in out.output and "Scenes" in out.output
    assert counts(runtime)["videos"] == 0
    out = CliRunner().invoke(import_stash_command, [str(stash.db_path), "--map", "/nowhere=/tmp"])
    assert out.exit_code != 0 and "maps nothing" in out.output
