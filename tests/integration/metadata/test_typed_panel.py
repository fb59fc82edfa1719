"""Typed results in the metadata pages: on a series, a movie or an episode the script plugins'
source is offered as "Identify with…" with the actions that fit the entity; a typed result is its
own card (``_typed_result.html``): the mask fields beside the current values with checkboxes, the
cast with characters, the genres, the image candidates as radio buttons, the candidates of a
series search with "Use this one", and a series' cascade drawer, where seasons and episodes that
are not in the library are marked and cannot be accepted."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.integration.packages import test_typed_accept as typed_accept
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

PLUGINS = typed_accept.PLUGINS
images = typed_accept.images
"""A loopback image server (the plugin's ``input.imageBase``)."""
show = typed_accept.show
"""A series with season 1 (episodes 1 and 2) and season 2 (episode 1) on disk."""

PANEL = "/metadata/fragments/scrape"
RESULTS = "/metadata/fragments/results"
REVIEW = "/metadata/review"


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy", "metadata", "packages"), "load_entrypoints": False,
            "secret": "metadata-typed-panel-secret"}  # fmt: skip


def ok(res: Any, status: int = 200) -> Any:
    assert res.status_code == status, res.get_json()
    return res.get_json()["data"]


def text_of(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, f"{url}: {resp.status_code}\n{resp.get_data(as_text=True)[:2000]}"
    return resp.get_data(as_text=True)


@pytest.fixture
def plugin(client: Any) -> str:
    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / "py-series")}), 201)
    return "py-series"


@pytest.fixture
def movie(runtime: Any) -> str:
    [video] = rows.videos(runtime, rows.root(runtime, "/media/movies"), ["The Matrix (1999)"])
    return video


def options(text: str) -> list[tuple[str, str]]:
    """``(value, label)`` of the Method picker's options."""
    match = re.search(r'<select class="input" id="md-action".*?</select>', text, re.S)
    assert match
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', match.group(0))


def row_of(text: str, field: str) -> str:
    match = re.search(rf'<tr class="md-row[^"]*" data-field="{field}".*?</tr>', text, re.S)
    assert match, f"no row for {field}"
    return match.group(0)


def season_of(text: str, number: int) -> str:
    match = re.search(rf'<section class="md-season[^"]*" data-season="{number}".*?</section>', text, re.S)
    assert match, f"no season {number}"
    return match.group(0)


def episode_of(season: str, number: int) -> str:
    match = re.search(rf'<li class="md-episode[^"]*" data-episode="{number}".*?</li>\s*(?=<li class="md-episode|</ol>)',
                      season, re.S)  # fmt: skip
    assert match, f"no episode {number}"
    return match.group(0)


def scrape_series(client: Any, plugin: str, series_id: str, base: str, **extra: Any) -> dict[str, Any]:
    body = {"seriesId": series_id, "input": {"imageBase": base, **extra}}
    [result] = ok(client.post(f"/api/plugins/{plugin}/scrape", json=body))["results"]
    return result


def test_a_series_page_offers_the_plugins_as_identify_with(client: Any, plugin: str, show: dict[str, Any]) -> None:
    raw = text_of(client, f"{PANEL}?entity=series&id={show['id']}")
    option = r'<option value="/api/plugins/py-series/scrape" data-actions="[^"]*" data-typed>Py Series</option>'
    assert re.search(option, raw)
    text = html.unescape(raw)
    assert '<optgroup label="Identify with…">' in text
    assert '<label for="md-source">Identify with…</label>' in text
    assert ">Identify</span></button>" in text
    actions = options(text)
    assert [a for a, _ in actions] == ["", "seriesByName", "folderByName", "seriesCascade", "folderCascade"]
    assert ("seriesCascade", "Series, with seasons and episodes") in actions


def test_a_movie_and_an_episode_get_the_actions_that_fit_them(
    client: Any, plugin: str, movie: str, show: dict[str, Any]
) -> None:
    text = html.unescape(text_of(client, f"{PANEL}?entity=video&id={movie}"))
    assert '<optgroup label="Identify with…">' in text
    assert [a for a, _ in options(text)] == ["", "movieByName", "videoByName"]
    episode = html.unescape(text_of(client, f"{PANEL}?entity=video&id={show['episodes'][(1, 2)]}"))
    assert [a for a, _ in options(episode)] == ["", "episodeByName", "videoByName"]


def test_a_series_result_is_a_typed_card_with_its_cascade(
    client: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    client.patch(f"/api/series/{show['id']}", json={"tagNames": ["Drama"]})
    result = scrape_series(client, plugin, show["id"], images)
    raw = text_of(client, f"{RESULTS}?entity=series&id={show['id']}&new={result['id']}")
    text = html.unescape(raw)
    assert "<md-typed-result" in text and 'data-typed="series"' in text
    assert f'data-typed-accept-url="/api/series/{show["id"]}/accept-scrape"' in text
    assert f'data-entity-api="/api/series/{show["id"]}"' in text
    assert "data-typed-accept" in text and "data-reject" in text
    assert "data-accept " not in text and "data-accept>" not in text, "not the Stash card's accept"

    for key in ("title", "overview", "tagline", "firstAirDate", "genres", "studio", "cast", "rating", "contentRating",
                "externalIds"):  # fmt: skip
        assert f'name="field" value="{key}" checked' in row_of(text, key), key
    title = row_of(text, "title")
    assert re.search(r'data-current-key="title">\s*My Show\s*</td>', title), "the current title"
    assert "8.1 / 10" in row_of(text, "rating")
    assert "data-current-pending" in row_of(text, "tagline"), "the browser reads the tagline"
    genres = row_of(text, "genres")
    assert "Mystery" in genres and "is-same" not in genres, "Mystery is new"
    cast = row_of(text, "cast")
    assert "Ada Remote" in cast and "as Lead" in cast and "as Sidekick" in cast
    assert "<code>tmdb</code> 123" in row_of(text, "externalIds")

    posters = re.findall(rf'<input type="radio" name="img-{result["id"]}-poster" value="([^"]*)"( checked)?>', text)
    assert posters == [(f"{images}/series-poster.jpg", " checked"), (f"{images}/series-poster-2.jpg", ""), ("", "")]
    assert f'name="img-{result["id"]}-backdrop" value="{images}/series-backdrop.jpg" checked' in text
    assert f'name="img-{result["id"]}-logo"' not in text, "no logo candidates: no picker"

    assert '<details class="md-cascade" data-cascade>' in text
    assert "2 of 3 seasons and 3 of 7 episodes in your library" in text
    one, two, three = (season_of(text, n) for n in (1, 2, 3))
    for season in (one, two):
        assert "data-local" in season and "data-season-accept checked" in season
        assert "data-season-field" in season and 'data-image-slot="poster"' in season
    assert "Accept Season 2" in two
    assert "is-remote-only" in three and "Not in your library" in three
    assert "data-season-accept" not in three and "data-episode-accept" not in three and 'type="radio"' not in three
    local = episode_of(one, 2)
    assert "Remote S01E02 title" in local and "now “Local 1x2”" in local
    assert 'aria-label="Accept S01E02"' in local and "data-episode-accept checked" in local
    for key in ("title", "overview", "airDate", "runtime", "cast", "externalIds"):
        assert f'data-episode-field value="{key}" checked' in local, key
    assert 'value="rating"' not in local, "only the fields the episode has"
    remote = episode_of(one, 3)
    assert 'class="md-episode is-remote-only"' in remote and "Not in your library" in remote
    assert "data-episode-accept" not in remote and "data-episode-field" not in remote

    candidates = re.search(r'<section class="md-candidates".*?</section>', raw, re.S)
    assert candidates
    first, second = re.findall(r'<li class="md-candidate.*?</li>', candidates.group(0), re.S)
    assert "is-chosen" in first and "This result" in first and "data-use-candidate" not in first
    assert 'data-use-candidate data-external-ids="{&#34;tmdb&#34;: &#34;456&#34;}"' in second
    assert "Use this one" in second and "My Show (2005)" in html.unescape(second)
    assert f'data-rescrape-url="/api/plugins/{plugin}/scrape"' in text and 'data-action="seriesByName"' in text


def test_a_candidate_rerun_gives_a_result_without_candidates(
    client: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    result = scrape_series(client, plugin, show["id"], images, externalIds={"tmdb": "456"})
    text = html.unescape(text_of(client, f"{RESULTS}?entity=series&id={show['id']}&new={result['id']}"))
    assert "md-candidates" not in text
    assert "<code>tmdb</code> 456" in row_of(text, "externalIds")


def test_a_movie_result_shows_its_fields_cast_and_artwork(client: Any, plugin: str, movie: str, images: str) -> None:
    body = {"action": "movieByName", "entityType": "video", "entityId": movie, "saveResult": True,
            "input": {"imageBase": images}}  # fmt: skip
    [saved] = ok(client.post(f"/api/plugins/{plugin}/execute", json=body))["savedResults"]
    text = html.unescape(text_of(client, f"{RESULTS}?entity=video&id={movie}"))
    assert 'data-typed="movie"' in text and "md-cascade" not in text
    keys = re.findall(r'<tr class="md-row[^"]*" data-field="([^"]+)"', text)
    assert keys == ["title", "overview", "tagline", "releaseDate", "runtime", "genres", "studio", "cast", "rating",
                    "contentRating", "externalIds"]  # fmt: skip
    assert "The Matrix (1999)" in row_of(text, "title")
    assert "118 min" in row_of(text, "runtime")
    assert "Cara Remote" in row_of(text, "cast") and "as Hero" in row_of(text, "cast")
    assert f'name="img-{saved["id"]}-poster" value="{images}/movie-poster.jpg" checked' in text
    assert 'data-current-art="poster"' in text


def test_an_episode_result_offers_its_still(client: Any, plugin: str, show: dict[str, Any], images: str) -> None:
    episode = show["episodes"][(1, 2)]
    body = {"action": "episodeByName", "entityType": "video", "entityId": episode, "saveResult": True,
            "input": {"imageBase": images, "seasonNumber": 1, "episodeNumber": 2}}  # fmt: skip
    [saved] = ok(client.post(f"/api/plugins/{plugin}/execute", json=body))["savedResults"]
    assert saved["kind"] == "episode"
    text = html.unescape(text_of(client, f"{RESULTS}?entity=video&id={episode}"))
    assert 'data-typed="episode"' in text
    keys = re.findall(r'<tr class="md-row[^"]*" data-field="([^"]+)"', text)
    assert keys == ["title", "overview", "airDate", "runtime", "cast", "externalIds"]
    assert "Guest S01E02" in row_of(text, "cast")
    assert f'name="img-{saved["id"]}-still" value="{images}/still-s01e02.jpg" checked' in text
    assert "md-cascade" not in text


def test_the_review_queue_shows_typed_cards_and_what_was_applied(
    client: Any, run_jobs: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    result = scrape_series(client, plugin, show["id"], images)
    pending = html.unescape(text_of(client, REVIEW))
    assert f'data-result="{result["id"]}"' in pending and "<md-typed-result" in pending
    assert f'<a href="/series/{show["id"]}" data-entity-link>My Show</a>' in pending

    accept = {"resultId": result["id"], "fields": ["title", "overview"], "acceptAllSeasons": False,
              "seasonOverrides": {"1": {"accepted": True, "fieldMask": ["title"],
                                        "selectedImages": {"poster": ""},
                                        "episodes": {"3": {"accepted": False}}}},
              "selectedImages": {"poster": "", "backdrop": ""}}  # fmt: skip
    ok(client.post(f"/api/series/{show['id']}/accept-scrape", json=accept), 202)
    run_jobs("metadata-import")
    done = html.unescape(text_of(client, f"{REVIEW}?status=accepted"))
    assert f'data-result="{result["id"]}"' in done
    assert "data-typed-accept" not in done and "data-season-accept" not in done
    assert '<span class="sr-only">Applied</span>' in row_of(done, "title")
    assert "Not applied" in row_of(done, "tagline")
    titles = {e["title"] for s in ok(client.get(f"/api/series/{show['id']}"))["seasons"] for e in s["episodes"]}
    assert titles == {"Remote S01E01 title", "Remote S01E02 title", "Local 2x1"}
