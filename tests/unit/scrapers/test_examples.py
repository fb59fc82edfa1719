"""The three CommunityScrapers-style examples (wankz XPath, 1pondo JSON, IAFD script) end to end
through ``scrape`` and ``cascade``, field for field, plus ``action: stash`` against a fake Stash."""

from __future__ import annotations

import base64
import json

import pytest

from plugins_builtin.scrapers.engine import ScrapeError, cascade, load_scraper, parse_scraper, scrape
from tests.fixtures.scrapers.server import PAGES

COVER = "data:image/png;base64," + base64.b64encode((PAGES / "cover.png").read_bytes()).decode()


@pytest.fixture
def xpath_def(community):
    return load_scraper(community / "ExampleXPath" / "ExampleXPath.yml")


@pytest.fixture
def json_def(community):
    return load_scraper(community / "ExampleJson" / "ExampleJson.yml")


@pytest.fixture
def script_def(community):
    return load_scraper(community / "ExampleScript" / "ExampleScript.yml")


def test_xpath_example_scene_by_url(server, xpath_def, log):
    result = scrape(xpath_def, "sceneByURL", {"url": server.url("/wankz/summer-heat-8812.html")}, log=log)
    assert result == {
        "title": "Summer\xa0Heat",
        "date": "2019-12-12",
        "details": "A long summer day turns into a hot night.",
        "tags": [{"name": "Outdoor"}, {"name": "Pool"}],
        "performers": [{"name": "Aiko Tanaka"}, {"name": "Yui Mori"}],
        "studio": {"name": "Wankz"},
        "image": COVER,
    }
    # the second <span> ("12,345 views") is not a date: Stash logs that and keeps the first value
    assert log.messages("warning") == [
        "Error parsing date string '12,345 views' using format '2 January 2006': bad literal"
    ]


def test_xpath_example_ignores_other_urls(xpath_def, log):
    assert scrape(xpath_def, "sceneByURL", {"url": "https://example.com/other"}, log=log) is None


def test_json_example_scene_by_url(server, json_def, log):
    result = scrape(json_def, "sceneByURL", {"url": server.url("/1pondo/movies/123120_001/")}, log=log)
    assert result == {
        "title": "Summer Memories",
        "date": "2020-12-31",
        "image": COVER,
        "url": "https://en.1pondo.tv/movies/123120_001/",
        "urls": ["https://en.1pondo.tv/movies/123120_001/"],
        "performers": [{"name": "Aiko Tanaka"}, {"name": "Yui Mori"}],
        "studio": {"name": "1Pondo"},
    }
    assert server.requests_to("/1pondo/dyn/phpauto/movie_details/movie_id/123120_001.json")


def test_json_example_empty_english_title_falls_back(server, json_def, log):
    result = scrape(json_def, "sceneByURL", {"url": server.url("/1pondo/movies/010121_002/")}, log=log)
    assert result == {
        "title": "新年",
        "date": "2021-01-01",
        "url": "https://en.1pondo.tv/movies/010121_002/",
        "urls": ["https://en.1pondo.tv/movies/010121_002/"],
        "studio": {"name": "1Pondo"},
    }


def test_json_example_scene_by_fragment_uses_the_file_name(server, json_def, log):
    scene = {
        "id": "7",
        "title": "",
        "urls": [server.url("/library/scene/7")],
        "files": [{"path": "/media/jav/1pondo-123120_001-FHD.mp4", "fingerprints": []}],
    }
    result = scrape(json_def, "sceneByFragment", scene, log=log)
    assert result["title"] == "Summer Memories"
    assert result["performers"] == [{"name": "Aiko Tanaka"}, {"name": "Yui Mori"}]


def test_script_example_performer_by_name(script_def, log):
    results = scrape(script_def, "performerByName", {"name": "aiko"}, log=log)
    assert results == [
        {
            "name": "Aiko Tanaka",
            "disambiguation": "2010s",
            "url": "http://127.0.0.1/iafd/person.rme/id=aiko",
            "urls": ["http://127.0.0.1/iafd/person.rme/id=aiko"],
        },
        {
            "name": "Aiko Sato",
            "url": "http://127.0.0.1/iafd/person.rme/id=aiko-sato",
            "urls": ["http://127.0.0.1/iafd/person.rme/id=aiko-sato"],
        },
    ]
    assert ("info", "2 performers match 'aiko'") in log.lines


def test_script_example_performer_by_url(server, script_def, log):
    url = server.url("/iafd/person.rme/id=aiko")
    assert scrape(script_def, "performerByURL", {"url": url}, log=log) == {
        "name": "Aiko Tanaka",
        "gender": "FEMALE",
        "url": url,
        "urls": [url],
        "birthdate": "1995-04-02",
        "ethnicity": "Asian",
        "country": "Japan",
        "height": "160",
        "weight": "48",
        "measurements": "32B-24-34",
        "aliases": "Aiko T., Aiko",
        "tags": [{"name": "Brunette"}, {"name": "Natural"}],
        "career_length": "2015 - 2020",
    }
    assert ("debug", f"fetching {url}") in log.lines


def test_script_example_scene_and_group_by_url(server, script_def, log):
    url = server.url("/iafd/title.rme/id=summer")
    assert scrape(script_def, "sceneByURL", {"url": url}, log=log) == {
        "title": "Summer Memories",
        "date": "2020-12-31",
        "details": "Two friends spend a summer by the sea.",
        "director": "Ken Ito",
        "url": url,
        "urls": [url],
        "studio": {"name": "1Pondo"},
        "performers": [{"name": "Aiko Tanaka"}, {"name": "Yui Mori"}],
        "tags": [{"name": "Outdoor"}],
    }
    assert scrape(script_def, "groupByURL", {"url": url}, log=log) == {
        "name": "Summer Memories",
        "date": "2020-12-31",
        "duration": "60:00",
        "director": "Ken Ito",
        "synopsis": "Two friends spend a summer by the sea.",
        "url": url,
        "urls": [url],
        "studio": {"name": "1Pondo"},
    }
    assert scrape(script_def, "movieByURL", {"url": url}, log=log)["name"] == "Summer Memories"


def test_script_example_unknown_operation_fails(script_def, log):
    with pytest.raises(ScrapeError, match="exit status 1: Operation: performer-by-fragment"):
        from plugins_builtin.scrapers.engine.config import ActionConfig

        script_def.single["performerByFragment"] = ActionConfig(
            action="script", script=["python", "ExampleScript.py", "performer-by-fragment"]
        )
        scrape(script_def, "performerByFragment", {"name": "x"}, log=log)


def test_cascade_scene_url_first(server, xpath_def, json_def, log):
    url = server.url("/wankz/summer-heat-8812.html")
    action, result = cascade(xpath_def, "scene", {"title": "x", "urls": [url]}, url=None, query=None, log=log)
    assert action == "sceneByURL" and result["title"] == "Summer\xa0Heat"
    # a URL no config matches is skipped; the JSON example then uses the stored scene
    scene = {"id": "1", "title": "t", "urls": [server.url("/elsewhere")], "files": [{"path": "/x/123120_001.mp4"}]}
    action, result = cascade(json_def, "scene", scene, url=None, query=None, log=log)
    assert action == "sceneByFragment" and result["title"] == "Summer Memories"


def test_cascade_performer_url_then_name(server, script_def, log):
    url = server.url("/iafd/person.rme/id=aiko")
    action, result = cascade(script_def, "performer", {"name": "Aiko"}, url=url, query=None, log=log)
    assert action == "performerByURL" and result["height"] == "160"
    action, result = cascade(script_def, "performer", {"name": "Yui"}, url=None, query=None, log=log)
    assert action == "performerByName" and [r["name"] for r in result] == ["Yui Mori"]
    action, result = cascade(script_def, "performer", {"name": "Nobody"}, url=None, query=None, log=log)
    assert (action, result) == ("performerByName", None)  # nothing usable: the last action tried


def test_cascade_raises_when_every_attempt_failed(server, xpath_def, log):
    with pytest.raises(ScrapeError, match="http error 404"):
        cascade(xpath_def, "scene", {}, url=server.url("/wankz/missing"), query=None, log=log)
    assert cascade(xpath_def, "scene", {}, url=None, query="x", log=log) == ("", None)


STASH = """
name: OtherStash
sceneByFragment:
  action: stash
sceneByName:
  action: stash
sceneByQueryFragment:
  action: stash
performerByName:
  action: stash
performerByFragment:
  action: stash
stashServer:
  url: {url}
  apiKey: s3cret
"""


@pytest.fixture
def stash_def(server):
    url = server.base.replace("http://", "http://user:pw@")
    return parse_scraper(STASH.format(url=url), file="OtherStash.yml", scraper_id="OtherStash")


def test_stash_action_scene_by_fragment(server, stash_def, log):
    scene = {
        "id": "3",
        "files": [{"path": "/a.mp4", "fingerprints": [{"type": "oshash", "fingerprint": "0123456789abcdef"}]}],
    }
    result = scrape(stash_def, "sceneByFragment", scene, log=log)
    assert result == {
        "title": "Summer Memories",
        "details": "By the sea.",
        "date": "2020-12-31",
        "url": "https://example.com/summer",
        "urls": ["https://example.com/summer"],
        "file": {
            "size": "1000",
            "duration": 3600.5,
            "video_codec": "h264",
            "audio_codec": "aac",
            "width": 1920,
            "height": 1080,
            "framerate": 29.97,
            "bitrate": 5000000,
        },
        "studio": {"name": "1Pondo", "url": "https://1pondo.tv"},
        "tags": [{"name": "Outdoor"}],
        "performers": [
            {
                "name": "Aiko Tanaka",
                "gender": "FEMALE",
                "urls": ["https://example.com/aiko"],
                "url": "https://example.com/aiko",
                "birthdate": "1995-04-02",
                "height": "160",
                "weight": "48",
                "aliases": "Aiko T., Aiko",
                "tags": [{"name": "Brunette"}],
            }
        ],
        "image": COVER,
    }
    post = server.requests_to("/graphql")[-1]
    assert post["method"] == "POST"
    assert post["headers"]["ApiKey"] == "s3cret"
    assert post["headers"]["Authorization"] == "Basic " + base64.b64encode(b"user:pw").decode()
    sent = json.loads(post["body"])
    assert "findSceneByHash(input: $c)" in sent["query"]
    assert sent["variables"] == {"c": {"checksum": "", "oshash": "0123456789abcdef"}}
    assert server.requests_to("/scene/41/screenshot")[-1]["headers"]["ApiKey"] == "s3cret"


def test_stash_action_unknown_scene_is_no_result(stash_def, log):
    scene = {"id": "3", "files": [{"path": "/a.mp4", "fingerprints": [{"type": "oshash", "fingerprint": "ffff"}]}]}
    assert scrape(stash_def, "sceneByFragment", scene, log=log) is None


def test_stash_action_search_then_query_fragment(server, stash_def, log):
    results = scrape(stash_def, "sceneByName", {"name": "summer"}, log=log)
    assert [(r["title"], r["urls"]) for r in results] == [("Summer Memories", ["41"])]
    sent = json.loads(server.requests_to("/graphql")[-1]["body"])
    assert "findScenes(filter: $f)" in sent["query"]
    assert sent["variables"] == {"f": {"q": "summer", "page": 1, "per_page": 10}}
    chosen = scrape(stash_def, "sceneByQueryFragment", {"title": "Summer Memories", "urls": ["41"]}, log=log)
    assert chosen["title"] == "Summer Memories" and chosen["image"] == COVER


def test_stash_action_performers(server, stash_def, log):
    found = scrape(stash_def, "performerByName", {"name": "aiko"}, log=log)
    assert found == [
        {"name": "Aiko Tanaka", "url": "7", "urls": ["7"]},
        {"name": "Aiko Sato", "url": "8", "urls": ["8"]},
    ]
    performer = scrape(stash_def, "performerByFragment", {"name": "Aiko Tanaka", "url": "7"}, log=log)
    assert performer == {
        "name": "Aiko Tanaka",
        "gender": "FEMALE",
        "urls": ["https://example.com/aiko"],
        "url": "https://example.com/aiko",
        "birthdate": "1995-04-02",
        "country": "JP",
        "height": "160",
        "weight": "48",
        "aliases": "Aiko T.",
        "tags": [{"name": "Brunette"}],
        "details": "Bio.",
        "image": COVER,
        "images": [COVER],
    }
    assert server.requests_to("/performer/7/image")


def test_stash_action_cannot_scrape_urls(server, make_scraper, log):
    defn = make_scraper(
        """
        name: StashUrl
        sceneByURL:
          - action: stash
            url: [example.com]
        stashServer:
          url: http://127.0.0.1:9
        """,
        name="StashUrl",
    )
    with pytest.raises(ScrapeError, match="cannot scrape by URL"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/x"}, log=log)
