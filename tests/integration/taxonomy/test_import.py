"""The taxonomy's importers (``obscura_importers``): tags, studios, performers, their hierarchies
and media links, taken from bulk imports (a Stash library) — created, merged into rows made here,
idempotent on a second run, dry runs that write no files, every field compared, skips and warnings."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select, text

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
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

ENTITIES = ("tag", "tag_parent", "studio", "studio_parent", "performer", "entity_links")
T0 = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
T1 = datetime(2022, 8, 9, 10, 11, 12, tzinfo=UTC)


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy"), "load_entrypoints": False}


def _png(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def _run(
    runtime: Any,
    entity: str,
    records: list[ImportRecord] | list[dict[str, Any]],
    dry_run: bool = False,
    targets: list[ImportOutcome] | None = None,
) -> list[ImportOutcome]:
    """Import ``records`` (dicts get keys "1", "2"…; ``targets`` gives each the id an earlier
    run answered) in one committed transaction (rolled back for a dry run)."""
    recs = [
        r if isinstance(r, ImportRecord) else ImportRecord(str(i + 1), r, targets[i].id if targets else None)
        for i, r in enumerate(records)
    ]
    with runtime.session() as db:
        out = run_import(db, importer(entity), ImportBatch("stash", entity, recs, dry_run=dry_run))
        if dry_run:
            db.rollback()
        else:
            db.commit()
    assert [o.key for o in out] == [r.key for r in recs]
    return out


def _rows(runtime: Any, table: str) -> list[dict[str, Any]]:
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).mappings()]


def _snapshot(runtime: Any) -> dict[str, list[dict[str, Any]]]:
    tables = ("tags", "studios", "performers", "tag_parents", "entity_tags", "entity_performers", "entity_studios")
    return {t: _rows(runtime, t) for t in tables}


def _row(runtime: Any, table: str, row_id: str) -> dict[str, Any]:
    with runtime.engine.connect() as conn:
        return dict(conn.execute(text(f"SELECT * FROM {table} WHERE id = :i"), {"i": row_id}).mappings().one())


def _cache_files(runtime: Any) -> list[str]:
    base = runtime.settings.cache_dir
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()) if base.exists() else []


def _picture(plural: str, row_id: str, fmt: str) -> Any:
    from plugins_builtin.taxonomy.pictures import picture_path

    return picture_path(plural, row_id, fmt)


TAG = {
    "name": "  Science   Fiction ", "sort_name": "scifi", "aliases": ["Sci-Fi", "sci-fi", "", "SF"],
    "description": "Space.\nAnd time.", "favorite": True, "ignore_auto_tag": True, "image": None,
    "created_at": T0, "updated_at": T1,
}  # fmt: skip

PERFORMER = {
    "name": "Jane Roe", "disambiguation": "A", "aliases": ["J. Roe", "Janie"], "gender": "TRANSGENDER_FEMALE",
    "birthdate": "1990-05-17", "birthdate_precision": 1, "death_date": "2040-01-02", "country": "NL",
    "ethnicity": "Caucasian", "eye_color": "Blue", "hair_color": "Red", "height": 170, "weight": 60,
    "measurements": "34B-24-34", "fake_tits": "Natural", "penis_length": 12.5, "circumcised": "CUT",
    "tattoos": "Rose, left arm", "piercings": "Ears", "career_start": 2010, "career_end": 2018,
    "career_length": "2010 - 2018", "details": "Line one.\nLine two.", "urls": ["https://a.example/jane",
    "https://b.example/jane"], "favorite": True, "rating": 85, "ignore_auto_tag": True,
    "custom_fields": {"agency": "X", "shoe": 38}, "image": None, "created_at": T0, "updated_at": T1,
}  # fmt: skip


def test_every_importer_is_registered_through_the_hook(runtime) -> None:
    for entity in ENTITIES:
        imp = importer(entity)
        assert (imp.name, imp.entity) == ("taxonomy", entity)
        assert imp.label and imp.fields, f"{entity}: label and record shape documented"


def test_tags_round_trip_every_field_and_a_second_run_changes_nothing(runtime) -> None:
    image = _png()
    first = _run(runtime, "tag", [{**TAG, "image": image}, {"name": "Drama"}])
    assert [o.status for o in first] == [CREATED, CREATED]
    assert first[0].unmapped == ("sort_name",) and first[0].warnings == ()
    assert first[1].unmapped == ()
    tag = _row(runtime, "tags", first[0].id)
    assert (tag["name"], tag["name_key"]) == ("Science Fiction", "science fiction")
    assert tag["aliases"] == ["Sci-Fi", "SF"] and tag["alias_keys"] == ["sci-fi", "sf"]
    assert tag["description"] == "Space.\nAnd time."
    assert (tag["favorite"], tag["ignore_auto_tag"], tag["is_nsfw"]) == (True, True, False)
    assert (tag["created_at"], tag["updated_at"]) == (T0, T1)
    assert tag["image_format"] == "jpeg" and tag["image_source"].startswith("stash:1:")
    assert _picture("tags", tag["id"], "jpeg").is_file()
    drama = _row(runtime, "tags", first[1].id)
    assert (drama["favorite"], drama["ignore_auto_tag"], drama["image_format"]) == (False, False, None)

    before, files = _snapshot(runtime), _cache_files(runtime)
    mtime = _picture("tags", tag["id"], "jpeg").stat().st_mtime_ns
    again = _run(runtime, "tag", [{**TAG, "image": image}, {"name": "Drama"}], targets=first)
    assert [(o.status, o.id) for o in again] == [(UNCHANGED, first[0].id), (UNCHANGED, first[1].id)]
    assert _snapshot(runtime) == before and _cache_files(runtime) == files
    assert _picture("tags", tag["id"], "jpeg").stat().st_mtime_ns == mtime, "the picture is not written again"

    lost = _run(runtime, "tag", [{**TAG, "image": image}, {"name": "Drama"}])
    assert [(o.status, o.id) for o in lost] == [(MERGED, first[0].id), (MERGED, first[1].id)]
    assert _snapshot(runtime) == before, "without target ids, the names find the same rows: nothing changes"


def test_tag_api_shows_ignore_auto_tag(runtime, client) -> None:
    (out,) = _run(runtime, "tag", [{"name": "Solo", "ignore_auto_tag": True}])
    got = _ok(client.get(f"/api/tags/{out.id}"))
    assert got["ignoreAutoTag"] is True
    assert _ok(client.patch(f"/api/tags/{out.id}", json={"ignoreAutoTag": False}))["ignoreAutoTag"] is False


def test_merge_into_rows_made_here_keeps_their_values_and_adds_aliases(runtime, client) -> None:
    rock = _ok(client.post("/api/tags", json={"name": "Rock", "aliases": ["Stone"], "description": "mine"}), 201)
    (vid,) = rows.videos(runtime, rows.root(runtime), ["Clip"])
    _ok(client.patch(f"/api/videos/{vid}", json={"performerNames": ["Ann Lee"]}))  # made by a media edit
    ann = _ok(client.get("/api/performers", query_string={"search": "Ann"}))["items"][0]

    out = _run(
        runtime,
        "tag",
        [
            {"name": "ROCK", "aliases": ["Boulder", "rock", "Stone"], "description": "theirs", "favorite": True},
            {"name": "stone", "aliases": ["Pebble"], "ignore_auto_tag": True},
            {"name": "Pebble", "description": "third"},
        ],
    )
    assert [(o.status, o.id) for o in out] == [(MERGED, rock["id"])] * 3, "by name, then by alias (also in-batch)"
    tag = _row(runtime, "tags", rock["id"])
    assert tag["name"] == "Rock" and tag["description"] == "mine", "the row's name and values are kept"
    assert tag["aliases"] == ["Stone", "Boulder", "Pebble"], "aliases added, never the row's own name"
    assert (tag["favorite"], tag["ignore_auto_tag"]) == (True, True)

    (merged,) = _run(runtime, "performer", [{**PERFORMER, "name": "ann lee", "disambiguation": None}])
    assert (merged.status, merged.id) == (MERGED, ann["id"])
    got = _ok(client.get(f"/api/performers/{ann['id']}"))
    assert got["name"] == "Ann Lee" and got["aliases"] == ["J. Roe", "Janie"] and got["country"] == "NL"
    assert got["counts"] == {"video": 1}, "its links stay"
    assert got["customFields"] == {"agency": "X", "shoe": 38}

    _run(runtime, "performer", [{"name": "Ann Lee", "country": "BE", "custom_fields": {"agency": "Y", "eyes": 2}}])
    again = _ok(client.get(f"/api/performers/{ann['id']}"))
    assert again["country"] == "NL" and again["customFields"] == {"agency": "X", "shoe": 38, "eyes": 2}


def test_performers_round_trip_every_field_through_the_api(runtime, client) -> None:
    (out,) = _run(runtime, "performer", [PERFORMER])
    assert out.status == CREATED and out.unmapped == () and out.warnings == ()
    row = _row(runtime, "performers", out.id)
    expected = {
        "name": "Jane Roe", "name_key": "jane roe (a)", "disambiguation": "A", "aliases": ["J. Roe", "Janie"],
        "gender": "transgender_female", "birthdate": "1990-05", "death_date": "2040-01-02", "country": "NL",
        "ethnicity": "Caucasian", "eye_color": "Blue", "hair_color": "Red", "height": 170, "weight": 60,
        "measurements": "34B-24-34", "fake_tits": "Natural", "penis_length": 12.5, "circumcised": "CUT",
        "tattoos": "Rose, left arm", "piercings": "Ears", "career_start": 2010, "career_end": 2018,
        "details": "Line one.\nLine two.", "urls": PERFORMER["urls"], "favorite": True, "rating": 85,
        "ignore_auto_tag": True, "custom_fields": {"agency": "X", "shoe": 38}, "created_at": T0, "updated_at": T1,
        "is_nsfw": False, "image_format": None,
    }  # fmt: skip
    for column, value in expected.items():
        assert row[column] == value, column
    got = _ok(client.get(f"/api/performers/{out.id}"))
    assert (got["deathDate"], got["fakeTits"], got["penisLength"], got["circumcised"]) == (
        "2040-01-02", "Natural", 12.5, "CUT",
    )  # fmt: skip
    assert got["ignoreAutoTag"] is True and got["customFields"] == {"agency": "X", "shoe": 38}
    patched = _ok(client.patch(f"/api/performers/{out.id}", json={"customFields": {"a": 1}, "deathDate": "2041"}))
    assert patched["customFields"] == {"a": 1} and patched["deathDate"] == "2041"


def test_career_length_is_kept_only_without_career_years(runtime) -> None:
    out = _run(
        runtime,
        "performer",
        [
            {"name": "Old Style", "career_length": "since the nineties"},
            {"name": "New Style", "career_start": 2001, "career_length": "2001 -"},
            {"name": "Both", "custom_fields": {"career_length": "mine"}, "career_length": "theirs"},
        ],
    )
    assert _row(runtime, "performers", out[0].id)["custom_fields"] == {"career_length": "since the nineties"}
    assert _row(runtime, "performers", out[1].id)["custom_fields"] == {}
    assert _row(runtime, "performers", out[2].id)["custom_fields"] == {"career_length": "mine"}


def test_same_name_with_other_disambiguations_stays_apart(runtime, client) -> None:
    plain = _ok(client.post("/api/performers", json={"name": "Jane"}), 201)
    out = _run(
        runtime,
        "performer",
        [
            {"name": "Jane", "disambiguation": "Blonde"},
            {"name": "Jane", "disambiguation": "Brunette"},
            {"name": "JANE", "disambiguation": "blonde", "country": "FR"},
            {"name": "Jane"},
        ],
    )
    assert [o.status for o in out] == [CREATED, CREATED, MERGED, MERGED]
    assert out[0].id == out[2].id and out[3].id == plain["id"]
    assert len({out[0].id, out[1].id, plain["id"]}) == 3
    assert _row(runtime, "performers", out[0].id)["country"] == "FR"
    assert _row(runtime, "performers", plain["id"])["aliases"] == [], "the plain Jane gains no alias"


def test_gender_and_values_from_stash(runtime) -> None:
    genders = ["MALE", "FEMALE", "TRANSGENDER_MALE", "TRANSGENDER_FEMALE", "INTERSEX", "NON_BINARY"]
    out = _run(runtime, "performer", [{"name": f"P{i}", "gender": g} for i, g in enumerate(genders)])
    got = [_row(runtime, "performers", o.id)["gender"] for o in out]
    assert got == ["male", "female", "transgender_male", "transgender_female", "intersex", "non_binary"]
    dates = _run(
        runtime,
        "performer",
        [
            {"name": "Y", "birthdate": "1980-01-01", "birthdate_precision": 2},
            {"name": "D", "birthdate": "1980-02-03", "birthdate_precision": 0, "death_date": "2001"},
        ],
    )
    assert _row(runtime, "performers", dates[0].id)["birthdate"] == "1980"
    assert _row(runtime, "performers", dates[1].id)["birthdate"] == "1980-02-03"
    assert _row(runtime, "performers", dates[1].id)["death_date"] == "2001"


def test_bad_values_are_warnings_and_the_rest_comes_in(runtime) -> None:
    (out,) = _run(
        runtime,
        "performer",
        [
            {
                "name": "Odd", "gender": "ROBOT", "birthdate": "someday", "height": "tall", "weight": -3,
                "rating": 150, "urls": "https://x.example", "custom_fields": ["a"], "image": b"not a picture",
                "career_start": 2010, "career_end": 2001, "country": "SE", "stash_ids": [{"id": "x"}],
                "tag_ids": [],
            }
        ],
    )  # fmt: skip
    assert out.status == CREATED and out.unmapped == ("stash_ids",), "unknown fields with a value are named"
    fields = sorted(w.split(":")[0] for w in out.warnings)
    expected = ["birthdate", "career_end", "custom_fields", "gender", "height", "image", "rating", "urls", "weight"]
    assert fields == expected
    assert any("not kept" in w for w in out.warnings if w.startswith("image"))
    row = _row(runtime, "performers", out.id)
    assert (row["country"], row["career_start"], row["career_end"], row["image_format"]) == ("SE", 2010, None, None)
    assert row["gender"] is None and row["rating"] is None
    assert _cache_files(runtime) == [], "nothing is written for a bad image"


def test_skip_reasons(runtime) -> None:
    out = _run(runtime, "studio", [{"name": "  "}, {"name": None}, {"name": 12}, {"name": "x" * 301}, {"name": "Ok"}])
    assert [o.status for o in out] == [SKIPPED, SKIPPED, SKIPPED, SKIPPED, CREATED]
    assert out[0].reason == "it has no name" and out[0].id is None
    assert "longer than 300" in (out[3].reason or "")
    links = _run(
        runtime,
        "entity_links",
        [
            {"entity_type": "", "entity_id": "x"},
            {"entity_type": "video", "entity_id": "x" * 65},
            {"entity_type": "video", "entity_id": "00000000-0000-0000-0000-000000000000", "tag_ids": []},
        ],
    )
    assert [o.status for o in links] == [SKIPPED] * 3
    assert "no video with id" in (links[2].reason or "")
    parents = _run(runtime, "tag_parent", [{"tag_id": "nope", "parent_ids": []}])
    assert parents[0].status == SKIPPED and "no tag with id" in (parents[0].reason or "")
    studio_parents = _run(runtime, "studio_parent", [{"studio_id": None, "parent_id": out[4].id}])
    assert studio_parents[0].status == SKIPPED


def test_dry_run_writes_rows_it_rolls_back_and_no_files(runtime) -> None:
    records = [
        {"name": "Pic", "image": _png()},
        {"name": "Broken", "image": b"\x89PNG not really"},
    ]
    out = _run(runtime, "studio", records, dry_run=True)
    assert [o.status for o in out] == [CREATED, CREATED]
    assert out[0].warnings == () and out[1].warnings and out[1].warnings[0].startswith("image:")
    assert _cache_files(runtime) == [], "a dry run writes no picture"
    assert _rows(runtime, "studios") == [], "the caller rolled the rows back"
    real = _run(runtime, "studio", records)
    assert [o.warnings for o in real] == [o.warnings for o in out], "a dry run warns like the real run"
    assert _row(runtime, "studios", real[0].id)["image_format"] == "jpeg"


def test_pictures_replace_only_their_own_changed_picture(runtime, client) -> None:
    red, blue = _png((255, 0, 0)), _png((0, 0, 255))
    first = _run(runtime, "tag", [{"name": "Red", "image": red}, {"name": "red", "image": blue}])
    assert first[0].id == first[1].id
    source = _row(runtime, "tags", first[0].id)["image_source"]
    assert source.startswith("stash:1:"), "one picture per row: the first record's"
    again = _run(runtime, "tag", [{"name": "Red", "image": red}, {"name": "red", "image": blue}], targets=first)
    assert [o.status for o in again] == [UNCHANGED, UNCHANGED]
    changed = _run(runtime, "tag", [{"name": "Red", "image": blue}], targets=first[:1])
    assert changed[0].status == UPDATED, "the record's own picture changed in the source: replaced"
    assert _row(runtime, "tags", first[0].id)["image_source"] != source
    with Image.open(_picture("tags", first[0].id, "jpeg")) as img:
        assert img.convert("RGB").getpixel((5, 5))[2] > 200

    up = client.post(f"/api/tags/{first[0].id}/image", data={"file": (io.BytesIO(red), "r.png")})
    assert _ok(up)["imageUrl"]
    assert _row(runtime, "tags", first[0].id)["image_source"] is None
    kept = _run(runtime, "tag", [{"name": "Red", "image": _png((0, 255, 0))}], targets=first[:1])
    assert kept[0].status == UNCHANGED, "a picture chosen here is never replaced"


def test_a_gone_target_is_matched_like_a_new_record(runtime) -> None:
    gone = ImportOutcome("1", CREATED, id="11111111-1111-1111-1111-111111111111")
    (out,) = _run(runtime, "tag", [{"name": "Fresh"}], targets=[gone])
    assert out.status == CREATED and out.id != gone.id


def test_studios_urls_and_parents(runtime, client) -> None:
    out = _run(
        runtime,
        "studio",
        [
            {
                "name": "Big Co", "aliases": ["BigCo"], "urls": ["https://big.example", "https://big2.example"],
                "details": "Biggest.", "rating": 60, "favorite": True, "ignore_auto_tag": True,
                "created_at": T0, "updated_at": T1,
            },
            {"name": "Small Co", "urls": ["https://small.example"]},
            {"name": "Tiny Co"},
        ],
    )  # fmt: skip
    big, small, tiny = (o.id for o in out)
    row = _row(runtime, "studios", big)
    assert row["urls"] == ["https://big.example", "https://big2.example"] and row["url"] == "https://big.example"
    assert (row["details"], row["rating"], row["favorite"], row["ignore_auto_tag"]) == ("Biggest.", 60, True, True)
    assert (row["aliases"], row["created_at"], row["updated_at"]) == (["BigCo"], T0, T1)
    got = _ok(client.get(f"/api/studios/{big}"))
    assert got["url"] == "https://big.example" and got["urls"] == row["urls"] and got["ignoreAutoTag"] is True

    parents = _run(
        runtime,
        "studio_parent",
        [
            {"studio_id": small, "parent_id": big},
            {"studio_id": tiny, "parent_id": small},
            {"studio_id": big, "parent_id": tiny},  # would be a cycle, through this batch's links
            {"studio_id": tiny, "parent_id": big},  # already under Small Co
            {"studio_id": big, "parent_id": "nope"},
            {"studio_id": big, "parent_id": None},
        ],
    )
    assert [o.status for o in parents] == [UPDATED, UPDATED, UNCHANGED, UNCHANGED, UNCHANGED, UNCHANGED]
    assert [o.id for o in parents] == [small, tiny, big, tiny, big, big]
    assert "cycle" in parents[2].warnings[0] and "already under" in parents[3].warnings[0]
    assert "no studio" in parents[4].warnings[0] and parents[5].warnings == ()
    assert _row(runtime, "studios", tiny)["parent_id"] == small and _row(runtime, "studios", big)["parent_id"] is None
    before = _snapshot(runtime)
    again = _run(runtime, "studio_parent", [{"studio_id": small, "parent_id": big}])
    assert again[0].status == UNCHANGED and _snapshot(runtime) == before

    patched = _ok(client.patch(f"/api/studios/{small}", json={"url": "https://new.example"}))
    assert patched["urls"] == ["https://new.example"] and patched["url"] == "https://new.example"


def test_tag_parents_are_added_without_cycles(runtime) -> None:
    a, b, c, d = (o.id for o in _run(runtime, "tag", [{"name": n} for n in "ABCD"]))
    out = _run(
        runtime,
        "tag_parent",
        [
            {"tag_id": b, "parent_ids": [a]},
            {"tag_id": c, "parent_ids": [b, a, "nope"]},
            {"tag_id": a, "parent_ids": [c, d, a]},  # c is below a (this batch's links): a cycle; a itself too
        ],
    )
    assert [(o.status, o.id) for o in out] == [(CREATED, b), (CREATED, c), (CREATED, a)]
    assert any("no tag" in w for w in out[1].warnings)
    assert sum("cycle" in w for w in out[2].warnings) == 2
    edges = {(r["tag_id"], r["parent_id"]) for r in _rows(runtime, "tag_parents")}
    assert edges == {(b, a), (c, b), (c, a), (a, d)}
    again = _run(runtime, "tag_parent", [{"tag_id": c, "parent_ids": [b, a]}, {"tag_id": d, "parent_ids": [c]}])
    assert again[0].status == UNCHANGED and again[1].status == UNCHANGED and "cycle" in again[1].warnings[0]


def test_entity_links_add_only_and_count(runtime, client) -> None:
    root = rows.root(runtime)
    v1, v2 = rows.videos(runtime, root, ["One", "Two"])
    t1, t2 = (o.id for o in _run(runtime, "tag", [{"name": "T1"}, {"name": "T2"}]))
    (p1,) = (o.id for o in _run(runtime, "performer", [{"name": "P1"}]))
    s1, s2 = (o.id for o in _run(runtime, "studio", [{"name": "S1"}, {"name": "S2"}]))
    records = [
        {"entity_type": "video", "entity_id": v1, "tag_ids": [t1, t2, t1], "performer_ids": [p1], "studio_id": s1},
        {"entity_type": "video", "entity_id": v2, "tag_ids": [t2, "gone"], "performer_ids": [], "studio_id": None},
        {"entity_type": "performer", "entity_id": p1, "tag_ids": [t1], "performer_ids": [], "studio_id": None},
        {"entity_type": "marker", "entity_id": "m-1", "tag_ids": [t2], "performer_ids": [], "studio_id": None},
    ]
    out = _run(runtime, "entity_links", records)
    assert [(o.status, o.id) for o in out] == [(CREATED, v1), (CREATED, v2), (CREATED, p1), (CREATED, "m-1")]
    assert out[1].warnings == ("tag_ids: no tag with id 'gone'",)
    assert _ok(client.get(f"/api/tags/{t2}"))["counts"] == {"video": 2, "marker": 1}
    assert _ok(client.get(f"/api/tags/{t1}"))["counts"] == {"video": 1, "performer": 1}
    video = _ok(client.get(f"/api/videos/{v1}"))
    assert [t["name"] for t in video["tags"]] == ["T1", "T2"] and video["studio"]["id"] == s1
    assert [p["name"] for p in video["performers"]] == ["P1"]

    before = _snapshot(runtime)
    again = _run(runtime, "entity_links", records)
    assert [o.status for o in again] == [UNCHANGED] * 4 and _snapshot(runtime) == before
    other = _run(runtime, "entity_links", [{**records[0], "tag_ids": [], "performer_ids": [], "studio_id": s2}])
    assert other[0].status == UNCHANGED and "already has studio" in other[0].warnings[0]
    assert _ok(client.get(f"/api/videos/{v1}"))["studio"]["id"] == s1, "a row's studio is kept"


def test_hierarchy_import_runs_inside_the_callers_transaction(runtime) -> None:
    """An importer never commits: the caller's rollback undoes its rows."""
    with runtime.session() as db:
        recs = [ImportRecord("1", {"name": "Ghost"})]
        out = run_import(db, importer("tag"), ImportBatch("stash", "tag", recs))
        assert out[0].status == CREATED
        from plugins_builtin.taxonomy.models import Tag

        assert db.execute(select(Tag.name)).scalars().all() == ["Ghost"]
        db.rollback()
    assert _rows(runtime, "tags") == []


def test_imported_jpegs_lose_their_metadata_and_are_turned_upright(runtime) -> None:
    def jpeg(size: tuple[int, int], orientation: int) -> bytes:
        buf = io.BytesIO()
        exif = Image.Exif()
        exif[0x010F] = "Camera"  # make
        exif[0x0112] = orientation
        Image.new("RGB", size, (10, 120, 200)).save(buf, "JPEG", quality=90, exif=exif, comment=b"secret")
        return buf.getvalue()

    upright, turned = jpeg((60, 40), 1), jpeg((60, 40), 6)
    out = _run(runtime, "performer", [{"name": "Upright", "image": upright}, {"name": "Turned", "image": turned}])
    assert [o.warnings for o in out] == [(), ()]
    with Image.open(_picture("performers", out[0].id, "jpeg")) as img:
        assert img.size == (60, 40) and dict(img.getexif()) == {} and "comment" not in img.info
        assert img.getpixel((30, 20)) == Image.open(io.BytesIO(upright)).getpixel((30, 20)), "kept as it was"
    with Image.open(_picture("performers", out[1].id, "jpeg")) as img:
        assert img.size == (40, 60) and dict(img.getexif()) == {}, "the EXIF orientation is applied"


def test_merging_imported_performers_keeps_custom_fields_and_picture_origin(runtime, client) -> None:
    out = _run(
        runtime,
        "performer",
        [
            {"name": "Keep", "custom_fields": {"a": 1}},
            {"name": "Gone", "custom_fields": {"a": 2, "b": 3}, "ignore_auto_tag": True, "image": _png()},
        ],
    )
    keep, gone = (o.id for o in out)
    origin = _row(runtime, "performers", gone)["image_source"]
    merged = _ok(client.post(f"/api/performers/{keep}/merge", json={"sourceIds": [gone]}))
    assert merged["customFields"] == {"a": 1, "b": 3} and merged["ignoreAutoTag"] is True
    assert merged["aliases"] == ["Gone"] and merged["imageUrl"]
    assert _row(runtime, "performers", keep)["image_source"] == origin, "the adopted picture keeps its origin"
