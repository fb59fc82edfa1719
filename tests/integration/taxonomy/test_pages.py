"""The taxonomy pages: grids (search, favourites, sorts, pages, empty states), detail pages with the
media plugins' panels, edit forms, the HTML 404s, the "People & tags" panel of media pages, the
media plugins' linked-media fragments and the link filters of /videos — with and without plugins."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def page(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, f"{url}: {resp.status_code}\n{resp.get_data(as_text=True)[:1500]}"
    assert resp.mimetype == "text/html"
    return html.unescape(resp.get_data(as_text=True))


def api(client: Any, method: str, url: str, body: Any = None, status: int = 200) -> Any:
    resp = client.open(url, method=method, json=body if body is not None else {})
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def card_names(text: str) -> list[str]:
    return re.findall(r'<a class="media-card tx-card"[^>]*>.*?<span class="title">(.*?)</span>', text, re.S)


def panel_urls(text: str) -> list[str]:
    return re.findall(r'hx-get="([^"]+)"', text)


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "images", "audio", "taxonomy"), "load_entrypoints": False}


@pytest.fixture
def media(runtime) -> dict[str, str]:
    root = rows.root(runtime)
    library = rows.audio_library(runtime, root, "Album")
    gallery = rows.gallery(runtime, "Holiday")
    return {
        "video": rows.videos(runtime, root, ["Cast Away"])[0],
        "other": rows.videos(runtime, root, ["Unrelated"])[0],
        "gallery": gallery,
        "image": rows.images(runtime, root, ["Beach"], gallery)[0],
        "audio-track": rows.tracks(runtime, root, ["Theme"], library)[0],
        "audio-library": library,
        "series": rows.series(runtime, root, "Show"),
    }


def test_the_grids_show_cards_with_counts_favourites_and_clear_empty_states(client, media) -> None:
    text = page(client, "/performers")
    assert "No performers yet" in text and "New performer" in text, "an empty grid says so and offers to create"
    assert 'href="/performers"' in text and 'href="/studios"' in text and 'href="/tags"' in text, "nav items"

    api(client, "PATCH", f"/api/videos/{media['video']}", {"performerNames": ["Tom Hanks"], "tagNames": ["Drama"]})
    api(client, "PATCH", f"/api/images/{media['image']}", {"performerNames": ["Tom Hanks"]})
    helen = api(client, "POST", "/api/performers", {"name": "Helen Hunt", "disambiguation": "actress"}, 201)
    api(client, "PATCH", f"/api/performers/{helen['id']}/favorite", {"favorite": True})

    text = page(client, "/performers")
    assert card_names(text) == ["Helen Hunt", "Tom Hanks"]
    assert "1 video" in text and "1 image" in text, "link counts per media type"
    assert "actress" in text and "Not linked yet" in text
    assert text.count('title="Favourite"') == 1, "the favourite marker is on Helen's card only"
    assert 'loading="lazy"' not in text, "no pictures yet, so no images"

    assert card_names(page(client, "/performers?search=hanks")) == ["Tom Hanks"]
    assert card_names(page(client, "/performers?favorite=true")) == ["Helen Hunt"]
    assert card_names(page(client, "/performers?sort=count")) == ["Tom Hanks", "Helen Hunt"], "most linked first"
    assert card_names(page(client, "/performers?sort=name&order=desc")) == ["Tom Hanks", "Helen Hunt"]
    text = page(client, "/performers?search=nobody")
    assert "No performers match" in text and "Clear the filters" in text and not card_names(text)
    text = page(client, "/performers?sort=bogus&favorite=maybe")
    assert "were not understood and were ignored: favorite, sort" in text and len(card_names(text)) == 2

    fragment = page(client, "/performers?search=hunt&fragment=results")
    assert "<html" not in fragment and card_names(fragment) == ["Helen Hunt"], "the results region alone"

    assert card_names(page(client, "/tags")) == ["Drama"]
    assert "No studios yet" in page(client, "/studios")


def test_grids_page_through_many_entries(client, runtime) -> None:
    from plugins_builtin.taxonomy.models import Tag

    with runtime.session() as db:
        for i in range(130):
            db.add(Tag(name=f"Tag {i:03d}", name_key=f"tag {i:03d}", aliases=[], alias_keys=[]))
        db.commit()
    first = page(client, "/tags")
    assert len(card_names(first)) == 60 and card_names(first)[0] == "Tag 000"
    assert "130 tags · page 1 of 3" in first and 'href="/tags?page=2"' in first and 'rel="prev"' not in first
    third = page(client, "/tags?page=3")
    assert card_names(third) == [f"Tag {i:03d}" for i in range(120, 130)]
    assert 'href="/tags?page=2"' in third and 'rel="next"' not in third
    assert card_names(page(client, "/tags?page=9")) == card_names(third), "a page past the end shows the last one"
    searched = page(client, "/tags?search=Tag 1&page=2")
    assert card_names(searched) == [f"Tag {i}" for i in range(100, 130)] and "30 tags" in searched


def test_detail_pages_show_every_field_and_the_media_panels(client, media) -> None:
    tom = api(client, "POST", "/api/performers", {
        "name": "Tom Hanks", "aliases": ["Thomas Hanks"], "gender": "male", "birthdate": "1956-07-09",
        "country": "USA", "height": 183, "careerStart": 1979, "urls": ["https://example.com/tom"],
        "details": "Two Oscars.",
    }, 201)  # fmt: skip
    text = page(client, f"/performers/{tom['id']}")
    for expected in ("Tom Hanks", "Thomas Hanks", "Male", "9 July 1956", "USA", "183 cm", "1979 – present",
                     "https://example.com/tom", "Two Oscars.", "Not linked to anything yet", "Merge into",
                     f'href="/performers/{tom["id"]}/edit"'):  # fmt: skip
        assert expected in text, expected
    urls = panel_urls(text)
    assert urls == [
        f"/videos/fragments/linked?entity=performer&id={tom['id']}",
        f"/galleries/fragments/linked?entity=performer&id={tom['id']}",
        f"/audio/fragments/linked?entity=performer&id={tom['id']}",
    ], "the media plugins' panels, in their order"

    parent = api(client, "POST", "/api/tags", {"name": "Genre"}, 201)
    drama = api(client, "POST", "/api/tags", {"name": "Drama", "parentIds": [parent["id"]],
                                              "description": "Serious."}, 201)  # fmt: skip
    text = page(client, f"/tags/{drama['id']}")
    assert f'href="/tags/{parent["id"]}"' in text and "Parent tags" in text and "Serious." in text
    assert f'href="/tags/{drama["id"]}"' in page(client, f"/tags/{parent['id']}"), "children link back"

    network = api(client, "POST", "/api/studios", {"name": "Network"}, 201)
    studio = api(client, "POST", "/api/studios", {"name": "Playtone", "parentId": network["id"],
                                                  "url": "https://playtone.example"}, 201)  # fmt: skip
    text = page(client, f"/studios/{studio['id']}")
    assert "Parent studio" in text and f'href="/studios/{network["id"]}"' in text and "https://playtone.example" in text

    for plural in ("performers", "studios", "tags"):
        text = page(client, f"/{plural}/no-such-id", 404)
        assert "does not exist" in text
        page(client, f"/{plural}/{'x' * 100}", 404)
        page(client, f"/{plural}/no-such-id/edit", 404)


def test_the_media_panels_list_what_is_linked(client, media) -> None:
    api(client, "PATCH", f"/api/videos/{media['video']}", {"performerNames": ["Tom"], "tagNames": ["Survival"],
                                                           "studioName": "Playtone"})  # fmt: skip
    api(client, "PATCH", f"/api/galleries/{media['gallery']}", {"performerNames": ["Tom"]})
    api(client, "PATCH", f"/api/images/{media['image']}", {"tagNames": ["Survival"]})
    api(client, "PATCH", f"/api/audio-tracks/{media['audio-track']}", {"studioName": "Playtone"})
    tom = api(client, "GET", "/api/performers?search=Tom")["items"][0]
    survival = api(client, "GET", "/api/tags?search=Survival")["items"][0]
    playtone = api(client, "GET", "/api/studios?search=Playtone")["items"][0]
    parent = api(client, "POST", "/api/tags", {"name": "Adventure"}, 201)
    api(client, "PATCH", f"/api/tags/{survival['id']}", {"parentIds": [parent["id"]]})

    text = page(client, f"/videos/fragments/linked?entity=performer&id={tom['id']}")
    assert "Cast Away" in text and "Unrelated" not in text
    assert f"/videos?view=grid&performers={tom['id']}" in text
    assert "Cast Away" in page(client, f"/videos/fragments/linked?entity=tag&id={parent['id']}"), "sub-tags count"
    assert "Cast Away" in page(client, f"/videos/fragments/linked?entity=studio&id={playtone['id']}")

    text = page(client, f"/galleries/fragments/linked?entity=performer&id={tom['id']}")
    assert "Holiday" in text and "Beach" not in text and "1 gallery" in text
    text = page(client, f"/galleries/fragments/linked?entity=tag&id={survival['id']}")
    assert "Beach" in text and "1 image" in text and "Holiday" not in text

    text = page(client, f"/audio/fragments/linked?entity=studio&id={playtone['id']}")
    assert "Theme" in text and f"/audio/tracks/{media['audio-track']}" in text
    assert "No audio yet" in page(client, f"/audio/fragments/linked?entity=performer&id={tom['id']}")
    assert "No videos yet" in page(client, "/videos/fragments/linked?entity=tag&id=unknown-tag")

    for base in ("/videos/fragments/linked", "/galleries/fragments/linked", "/audio/fragments/linked"):
        assert client.get(base).status_code == 400
        assert client.get(f"{base}?entity=video&id=x").status_code == 400, "only performer/studio/tag"


def test_edit_pages_hold_every_field(client, media) -> None:
    tom = api(client, "POST", "/api/performers", {"name": "Tom", "eyeColor": "green", "aliases": ["T", "Tommy"]}, 201)
    text = page(client, f"/performers/{tom['id']}/edit")
    for name in ("name", "disambiguation", "aliases", "gender", "birthdate", "country", "ethnicity", "eyeColor",
                 "hairColor", "height", "weight", "measurements", "careerStart", "careerEnd", "tattoos", "piercings",
                 "urls", "details", "isNsfw"):  # fmt: skip
        assert f'name="{name}"' in text, name
    assert 'value="green"' in text and "T\nTommy</textarea>" in text
    assert "Upload a picture" in text and "from a URL" in text

    parent = api(client, "POST", "/api/tags", {"name": "Parent"}, 201)
    tag = api(client, "POST", "/api/tags", {"name": "Child", "parentIds": [parent["id"]]}, 201)
    text = page(client, f"/tags/{tag['id']}/edit")
    assert 'data-name="parentIds"' in text and f'"id": "{parent["id"]}"' in text and 'name="description"' in text
    studio = api(client, "POST", "/api/studios", {"name": "Studio"}, 201)
    text = page(client, f"/studios/{studio['id']}/edit")
    assert 'data-name="parentId"' in text and 'name="url"' in text and 'data-single="true"' in text


def test_media_pages_carry_the_people_and_tags_panel(client, media) -> None:
    api(client, "PATCH", f"/api/videos/{media['video']}", {"performerNames": ["Tom"], "tagNames": ["Drama"],
                                                           "studioName": "Playtone"})  # fmt: skip
    pages = {
        "video": f"/videos/{media['video']}",
        "gallery": f"/galleries/{media['gallery']}",
        "image": f"/images/{media['image']}",
        "audio-track": f"/audio/tracks/{media['audio-track']}",
        "series": f"/series/{media['series']}",
        "audio-library": f"/audio/libraries/{media['audio-library']}",
    }
    for entity_type, url in pages.items():
        text = page(client, url)
        expected = f"/taxonomy/fragments/links?entity={entity_type}&id={media[entity_type]}"
        assert expected in panel_urls(text), f"{url} has the People & tags panel"
        assert "People & tags" in text

    text = page(client, f"/taxonomy/fragments/links?entity=video&id={media['video']}")
    assert "<html" not in text and "<tax-links-panel" in text
    assert f'data-patch-url="/api/videos/{media["video"]}"' in text
    tom = api(client, "GET", "/api/performers")["items"][0]
    assert f'href="/performers/{tom["id"]}">Tom</a>' in text and ">Drama</a>" in text and ">Playtone</a>" in text
    text = page(client, f"/taxonomy/fragments/links?entity=audio-track&id={media['audio-track']}")
    assert 'data-patch-url="/api/audio-tracks/' in text and text.count(">None</li>") == 3
    assert client.get("/taxonomy/fragments/links?entity=performer&id=x").status_code == 400
    assert client.get("/taxonomy/fragments/links?entity=video").status_code == 400

    shell = page(client, "/")
    assert 'data-module="/static/taxonomy/elements.js"' in shell, "the custom elements load on every page"


def test_videos_can_be_filtered_by_tag_performer_and_studio(client, media) -> None:
    api(client, "PATCH", f"/api/videos/{media['video']}", {"performerNames": ["Tom"], "tagNames": ["Drama", "Island"],
                                                           "studioName": "Playtone"})  # fmt: skip
    text = page(client, "/videos?view=grid")
    assert "Cast Away" in text and "Unrelated" in text
    assert text.count("<tax-link-filter") == 3 and 'data-name="tags"' in text and 'data-name="studio"' in text

    text = page(client, "/videos?view=grid&tags=drama&tags=Island")
    assert "Cast Away" in text and "Unrelated" not in text and "1 video" in text
    assert 'data-values=\'["drama", "Island"]\'' in text, "the control starts with the URL's values"
    assert "Unrelated" not in page(client, "/videos?view=grid&performers=Tom&studio=Playtone")
    text = page(client, "/videos?view=grid&tags=Nope")
    assert "Cast Away" not in text and "Unrelated" not in text
    tom = api(client, "GET", "/api/performers")["items"][0]
    fragment = page(client, f"/videos/fragments/results?view=grid&performers={tom['id']}")
    assert "Cast Away" in fragment and "Unrelated" not in fragment


class TestWithoutTaxonomy:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("videos", "images", "audio"), "load_entrypoints": False}

    def test_media_pages_work_and_hide_link_controls(self, client, media) -> None:
        text = page(client, "/videos?view=grid&tags=Drama")
        assert "<tax-link-filter" not in text and "Cast Away" in text, "no taxonomy: no link filter, none applied"
        assert "/taxonomy/fragments/links" not in page(client, f"/videos/{media['video']}")
        assert "/taxonomy/fragments/links" not in page(client, f"/galleries/{media['gallery']}")
        assert "elements.js" not in page(client, "/")
        assert client.get("/performers").status_code == 404


class TestTaxonomyWithVideosOnly:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("videos", "taxonomy"), "load_entrypoints": False}

    def test_detail_pages_show_only_the_loaded_plugins_panels(self, client, runtime) -> None:
        (vid,) = rows.videos(runtime, rows.root(runtime), ["Solo"])
        api(client, "PATCH", f"/api/videos/{vid}", {"tagNames": ["Only"]})
        tag = api(client, "GET", "/api/tags")["items"][0]
        text = page(client, f"/tags/{tag['id']}")
        assert panel_urls(text) == [f"/videos/fragments/linked?entity=tag&id={tag['id']}"]
        assert "Solo" in page(client, panel_urls(text)[0])
        assert "1 video" in page(client, "/tags")


class TestTaxonomyAlone:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("taxonomy",), "load_entrypoints": False}

    def test_pages_work_without_any_media_plugin(self, client) -> None:
        tom = api(client, "POST", "/api/performers", {"name": "Tom"}, 201)
        text = page(client, f"/performers/{tom['id']}")
        assert not panel_urls(text) and "No media plugin is loaded" in text
        assert card_names(page(client, "/performers")) == ["Tom"]
        assert 'name="country"' in page(client, f"/performers/{tom['id']}/edit")
