"""The metadata plugin's pages: the "Scrape with…" panel of video and performer pages (the source
picker, the results beside the current values with their checkboxes, the notice when nothing can
scrape) and the review queue (statuses, entity filter, pages), with the fake source loaded; and
malformed query strings answered 400, never 500."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint

from plugin_sdk import MetadataSource, hookimpl
from tests.integration.metadata import fakesource
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

SCENE = {
    "title": "Night &amp; Day",
    "date": "2021-05-04",
    "details": "Two friends\nmeet.",
    "url": "https://site.example/scenes/1",
    "code": "ND-001",
    "director": "Ann Director",
    "studio": {"name": "Moonlight Studio"},
    "performers": [{"name": "Jane Roe"}, {"name": "John Doe"}],
    "tags": [{"name": "Outdoor"}, {"name": "Drama"}],
    "image": "data:image/png;base64,iVBORw0KGgo=",
}
PANEL = "/metadata/fragments/scrape"
RESULTS = "/metadata/fragments/results"
REVIEW = "/metadata/review"


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("fakesource", fakesource)], "builtins": ("videos", "taxonomy", "metadata"),
            "load_entrypoints": False}  # fmt: skip


@pytest.fixture(autouse=True)
def _pages() -> Iterator[None]:
    fakesource.PAGES.clear()
    fakesource.SEEN.clear()
    yield


@pytest.fixture
def video_id(runtime: Any) -> str:
    return rows.videos(runtime, rows.root(runtime), ["night_and_day_1080p"])[0]


def text_of(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, f"{url}: {resp.status_code}\n{resp.get_data(as_text=True)[:1500]}"
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def scrape(client: Any, video_id: str, url: str = "https://site.example/scenes/1") -> dict[str, Any]:
    fakesource.PAGES.setdefault(url, SCENE)
    res = client.post("/api/fake-sources/site/scrape", json={"videoId": video_id, "url": url})
    assert res.status_code == 200, res.get_json()
    [result] = res.get_json()["data"]["results"]
    return result


def row_of(text: str, field: str) -> str:
    """The HTML of one field's row in the (first) result card."""
    match = re.search(rf'<tr class="md-row[^"]*" data-field="{field}".*?</tr>', text, re.S)
    assert match, f"no row for {field}"
    return match.group(0)


def test_video_pages_load_the_panel_and_it_offers_the_fitting_entries(client: Any, video_id: str) -> None:
    page = html.unescape(text_of(client, f"/videos/{video_id}"))
    assert f'hx-get="{PANEL}?entity=video&id={video_id}"' in page
    assert "Scrape with…" in page

    text = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert "<md-scrape-panel" in text and f'data-id="{video_id}"' in text
    assert '<optgroup label="Fake sources">' in text
    assert '<option value="/api/fake-sources/site/scrape"' in text and ">Fake site</option>" in text
    for label in ('<label for="md-source">Source</label>', '<label for="md-url">Page URL',
                  '<label for="md-query">Search by title', ">Scrape</span></button>"):  # fmt: skip
        assert label in text, label
    assert 'placeholder="night_and_day_1080p"' in text, "the search hints at the current title"
    assert "pending result" not in text, "nothing scraped yet"
    assert "Install community scrapers" not in text


def test_results_sit_beside_the_current_values_with_checkboxes(client: Any, video_id: str) -> None:
    client.patch(f"/api/videos/{video_id}", json={"tagNames": ["Outdoor", "Vintage"], "code": "ND-001"})
    result = scrape(client, video_id)
    text = text_of(client, f"{RESULTS}?entity=video&id={video_id}&new={result['id']}")
    assert "1 pending result" in text and 'class="badge badge-accent">New<' in text
    assert f'data-result="{result["id"]}"' in text
    assert f'data-accept-url="/api/videos/{video_id}/accept-scrape"' in text
    assert "Fake site" in text and "sceneByURL" in text and "By URL" in text

    title = row_of(text, "title")
    assert "night_and_day_1080p" in title and "Night &amp; Day" in title
    assert 'name="field" value="title" checked' in title, "a value that changes is ticked"
    code = row_of(text, "code")
    assert 'value="code">' in code and "checked" not in code and "same" in code, "an unchanged value is not"
    tags = row_of(text, "tags")
    assert 'data-exclude="excludeTags"' in tags
    assert re.search(r'<input type="checkbox" data-name value="Outdoor" checked>', tags)
    assert re.search(r'<input type="checkbox" data-name value="Drama" checked>', tags)
    assert "is-linked" in tags, "Outdoor is linked already"
    assert "Vintage" in tags and "is-dropped" not in tags, "accepting adds names: Vintage stays linked"
    performers = row_of(text, "performers")
    assert 'data-exclude="excludePerformers"' in performers and "Jane Roe" in performers
    assert "Moonlight Studio" in row_of(text, "studio")
    image = row_of(text, "image")
    assert 'alt="Proposed image"' in image and "data-current-image" in image

    panel = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert "1 pending result" in panel and f'data-result="{result["id"]}"' in panel


def test_the_panel_lists_five_pending_results_and_links_to_the_rest(client: Any, video_id: str) -> None:
    ids = [scrape(client, video_id)["id"] for _ in range(7)]
    text = text_of(client, f"{RESULTS}?entity=video&id={video_id}")
    assert "7 pending results" in text and text.count('class="md-result ') == 5
    assert f'data-result="{ids[-1]}"' in text, "newest first"
    assert f"/metadata/review?status=pending&amp;entityType=video&amp;entityId={video_id}" in text
    assert "2 more in the review queue" in text


def test_performer_pages_get_the_panel_with_performer_fields(client: Any) -> None:
    made = client.post("/api/performers", json={"name": "Jane Roe", "country": "France", "height": 170})
    pid = made.get_json()["data"]["id"]
    page = html.unescape(text_of(client, f"/performers/{pid}"))
    assert f'hx-get="{PANEL}?entity=performer&id={pid}"' in page

    text = text_of(client, f"{PANEL}?entity=performer&id={pid}")
    assert '<option value="/api/fake-sources/site/scrape-performer"' in text
    assert "Search by name" in text and 'placeholder="Jane Roe"' in text

    fakesource.PAGES["https://site.example/people/jane"] = {
        "name": "Jane Roe", "gender": "female", "country": "France", "height": "172", "tags": [{"name": "Brunette"}],
    }  # fmt: skip
    res = client.post("/api/fake-sources/site/scrape-performer",
                      json={"performerId": pid, "url": "https://site.example/people/jane"})  # fmt: skip
    assert res.status_code == 200, res.get_json()
    text = text_of(client, f"{RESULTS}?entity=performer&id={pid}")
    assert f'data-accept-url="/api/performers/{pid}/apply-scrape"' in text
    assert "same" in row_of(text, "country") and "checked" not in row_of(text, "country")
    height = row_of(text, "height")
    assert "170 cm" in height and "172 cm" in height and "checked" in height
    assert "Gender" in row_of(text, "gender") and ">Female</td>" in row_of(text, "gender")
    assert 'data-exclude="excludeTags"' in row_of(text, "tags")


def test_series_get_the_panel_too_with_only_the_entries_that_scrape_groups(client: Any, runtime: Any) -> None:
    series = rows.series(runtime, rows.root(runtime), "Show")
    page = html.unescape(text_of(client, f"/series/{series}"))
    assert f'hx-get="{PANEL}?entity=series&id={series}"' in page
    text = text_of(client, f"{PANEL}?entity=series&id={series}")
    assert "No installed source can scrape a series." in text, "the fake site scrapes scenes and performers only"


def test_only_web_addresses_become_links(client: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/x"] = {
        "title": "X",
        "urls": ["javascript:alert(1)", "https://ok.example/1"],
    }
    scrape(client, video_id, "https://site.example/scenes/x")
    urls = row_of(text_of(client, f"{RESULTS}?entity=video&id={video_id}"), "urls")
    assert '<a href="https://ok.example/1"' in urls
    assert "javascript:alert(1)" in urls and 'href="javascript' not in urls


def test_without_entries_the_panel_says_so(client: Any, video_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fakesource, "describe", lambda db, source_id: None)  # entries list nothing usable
    text = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert "No installed source can scrape a video." in text
    assert "<form" not in text
    assert "Install community scrapers" not in text, "no /scrapers page is served, so no link to it"


class ScrapersPage:
    """A stand-in for the community scrapers plugin: a source with nothing installed, and its page."""

    @hookimpl
    def obscura_metadata_sources(self) -> list[MetadataSource]:
        return [MetadataSource("scrapers", "scrapers", "Community scrapers", scrape=lambda db, r: [],
                               describe=lambda db, source_id: None, entries=lambda db: [])]  # fmt: skip

    @hookimpl
    def obscura_blueprints(self) -> list[Blueprint]:
        bp = Blueprint("fake_scrapers_page", __name__)
        bp.add_url_rule("/scrapers", "page", lambda: "Scrapers")
        return [bp]


WITH_SCRAPERS_PAGE = {
    "plugins": [("scrapers-page", ScrapersPage())],
    "builtins": ("videos", "taxonomy", "metadata"),
    "load_entrypoints": False,
}


@pytest.mark.parametrize("obscura_plugins", [WITH_SCRAPERS_PAGE])
def test_with_nothing_installed_the_panel_links_to_the_scrapers_page(client: Any, video_id: str) -> None:
    text = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert "No installed source can scrape a video." in text
    assert '<a href="/scrapers">Install community scrapers</a>' in text


def test_the_review_queue_lists_results_by_status(client: Any, video_id: str) -> None:
    first = scrape(client, video_id)
    second = scrape(client, video_id, "https://site.example/scenes/2")
    text = text_of(client, REVIEW)
    assert "<h1>Metadata review</h1>" in text
    assert 'href="/metadata/review"' in text and "Metadata review</a>" in text, "the nav item"
    assert text.index(second["id"]) < text.index(first["id"]), "newest first"
    assert f'href="/videos/{video_id}" data-entity-link>night_and_day_1080p</a>' in text
    assert "Fake site" in text and "sceneByURL" in text and "By URL" in text
    assert text.count('aria-label="Accept Night &amp; Day"') == 2 and text.count('aria-label="Reject Night') == 2
    assert re.search(r'aria-current="page">Pending <span class="md-count">2</span>', text)
    assert "Night &amp; Day" in row_of(text, "title") and "Moonlight Studio" in row_of(text, "studio")

    assert client.post(f"/api/scrape-results/{first['id']}/reject", json={}).status_code == 200
    pending = text_of(client, "/metadata/fragments/review?status=pending")
    assert first["id"] not in pending and second["id"] in pending
    rejected = text_of(client, f"{REVIEW}?status=rejected")
    assert first["id"] in rejected and second["id"] not in rejected
    assert 'class="badge badge-danger">Rejected<' in rejected
    card = rejected[rejected.index(f'data-result="{first["id"]}"') :]
    assert "data-accept " in card and "data-reject " not in card.split("</header>")[0], "rejected: accept only"
    assert re.search(r'aria-current="page">Rejected <span class="md-count">1</span>', rejected)
    everything = text_of(client, f"{REVIEW}?status=all")
    assert first["id"] in everything and second["id"] in everything
    assert "Nothing to review" not in everything


def test_accepted_results_show_what_was_applied(client: Any, run_jobs: Any, video_id: str) -> None:
    result = scrape(client, video_id)
    body = {"resultId": result["id"], "fields": ["title", "studio", "tags"], "excludeTags": ["Drama"]}
    client.post(f"/api/videos/{video_id}/accept-scrape", json=body)
    run_jobs("metadata-import")
    text = text_of(client, f"{REVIEW}?status=accepted")
    assert 'class="chip is-excluded">Drama<span class="sr-only"> (left out)</span>' in row_of(text, "tags")
    assert 'class="badge badge-ok">Accepted<' in text and "data-accept " not in text
    assert 'class="md-compare is-readonly"' in text
    assert '<span class="sr-only">Applied</span>' in row_of(text, "title")
    assert '<span class="sr-only">Not applied</span>' in row_of(text, "date")
    assert f'href="/videos/{video_id}" data-entity-link>Night &amp; Day</a>' in text, "named as it is now"
    assert "Nothing to review" in text_of(client, REVIEW)


def test_the_review_queue_pages_and_filters_by_entity(client: Any, runtime: Any, video_id: str) -> None:
    other = rows.videos(runtime, rows.root(runtime, "/media/other"), ["other"])[0]
    ids = [scrape(client, video_id)["id"] for _ in range(3)]
    scrape(client, other)
    text = text_of(client, f"{REVIEW}?perPage=2")
    assert "Page 1 of 2" in text and text.count('class="md-result ') == 2
    assert 'href="/metadata/review?status=pending&amp;page=2&amp;perPage=2" rel="next"' in text
    second = text_of(client, f"{REVIEW}?perPage=2&page=2")
    assert "Page 2 of 2" in second and second.count('class="md-result ') == 2 and 'rel="prev"' in second
    beyond = text_of(client, f"{REVIEW}?page=9")
    assert "Nothing on this page" in beyond and "Go to the first page" in beyond

    mine = text_of(client, f"{REVIEW}?entityType=video&entityId={video_id}")
    assert all(i in mine for i in ids) and mine.count('class="md-result ') == 3
    assert "Results for the video" in mine and "Show the results of every entity" in mine
    assert re.search(r'Pending <span class="md-count">3</span>', mine)


@pytest.mark.parametrize(
    "url",
    [
        f"{REVIEW}?status=bogus",
        f"{REVIEW}?page=0",
        f"{REVIEW}?page=abc",
        f"{REVIEW}?perPage=1000",
        f"{REVIEW}?entityId={'x' * 65}",
        f"{REVIEW}?entityType=video&entityId=%00",
        "/metadata/fragments/review?status=%00",
        PANEL,
        f"{PANEL}?entity=video",
        f"{PANEL}?entity=tag&id=1",
        f"{PANEL}?entity=video&id={'x' * 65}",
        f"{PANEL}?entity=video&id=a%00b",
        f"{RESULTS}?entity=nothing&id=1",
        f"{RESULTS}?entity=video&id=1&new={','.join(['x'] * 51)}",
        f"{RESULTS}?entity=video&id=1&new={'y' * 65}",
    ],
)
def test_bad_query_strings_are_400(client: Any, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400, (url, resp.status_code, resp.get_data(as_text=True)[:500])


def test_a_missing_entity_is_404(client: Any) -> None:
    assert client.get(f"{PANEL}?entity=video&id=no-such-video").status_code == 404
    assert client.get(f"{RESULTS}?entity=video&id=no-such-video").status_code == 200, "no results, no error"
