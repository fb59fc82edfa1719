"""stash-box objects → Stash's scraped shapes, field for field (``pkg/stashbox`` semantics)."""

from __future__ import annotations

from plugins_builtin.stashbox import convert


def test_performer_fields_as_stash_formats_them() -> None:
    remote = {
        "id": "p-1", "name": "Jane Roe", "disambiguation": None, "aliases": ["jane roe", "Jane R", "JANE R", ""],
        "gender": "TRANSGENDER_FEMALE", "merged_ids": [], "deleted": False, "merged_into_id": None,
        "urls": [{"url": "https://x.example/jane", "type": "HOME"}], "images": [],
        "birth_date": "1990", "death_date": None, "ethnicity": "MIDDLE_EASTERN", "country": "FR",
        "eye_color": "GREY", "hair_color": "AUBURN", "height": 0,
        "measurements": {"band_size": 34, "cup_size": "C", "waist": None, "hip": 35},
        "breast_type": "NA", "career_start_year": None, "career_end_year": 2019,
        "tattoos": [{"location": "Back", "description": "Wings"}, {"location": "Wrist", "description": None}],
        "piercings": [],
    }  # fmt: skip
    assert convert.performer(remote) == {
        "name": "Jane Roe", "gender": "TRANSGENDER_FEMALE", "urls": ["https://x.example/jane"], "birthdate": "1990",
        "ethnicity": "Middle Eastern", "country": "FR", "eye_color": "Grey", "hair_color": "Auburn",
        "fake_tits": "Na", "career_length": "- 2019", "tattoos": "Back, Wings; Wrist", "aliases": "Jane R",
        "remote_site_id": "p-1",
    }  # fmt: skip


def test_scene_with_nothing_but_an_id_converts() -> None:
    assert convert.scene({"id": "s-1", "title": None, "urls": [], "images": [], "studio": None, "tags": None,
                          "performers": [], "fingerprints": []}) == {"remote_site_id": "s-1"}  # fmt: skip
    assert not convert.usable(convert.scene({"id": "s-1"}))
    assert convert.usable(convert.scene({"id": "s-1", "tags": [{"id": "t", "name": "Outdoor"}]}))


def test_first_image_and_url_and_excluded_tags() -> None:
    remote = {
        "id": "s-1", "title": "T", "duration": 0,
        "urls": [{"url": "https://a.example/1", "type": "STUDIO"}, {"url": "https://b.example/1", "type": "OTHER"}],
        "images": [{"id": "i1", "url": "https://img.example/1.jpg"}, {"id": "i2", "url": "https://img.example/2.jpg"}],
        "tags": [{"id": "t1", "name": "Outdoor"}, {"id": "t2", "name": "4K Available"}, {"id": "t3", "name": "HD"}],
    }  # fmt: skip
    scraped = convert.scene(remote, convert.TagFilter(["^4k", "^hd$", "(bad"]))
    assert scraped["url"] == "https://a.example/1" and scraped["urls"] == ["https://a.example/1", "https://b.example/1"]
    assert scraped["image"] == "https://img.example/1.jpg"
    assert scraped["tags"] == [{"name": "Outdoor", "remote_site_id": "t1"}]
    assert "duration" not in scraped


def test_studio_parent_and_aliases() -> None:
    remote = {"id": "st", "name": "Child", "aliases": ["C", "Kid"], "urls": [], "images": [],
              "parent": {"id": "pa", "name": "Parent"}}  # fmt: skip
    assert convert.studio(remote) == {"name": "Child", "aliases": "C, Kid", "remote_site_id": "st",
                                      "parent": {"name": "Parent", "remote_site_id": "pa"}}  # fmt: skip
