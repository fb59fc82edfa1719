"""JSON scrapers end to end, and queryURL placeholders/replacements for every scrape type."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from plugins_builtin.scrapers.engine import ScrapeError, scrape

PEOPLE = """
name: People
performerByName:
  action: scrapeJson
  queryURL: "{url}"
  scraper: p
performerByURL:
  - action: scrapeJson
    url: [/people.json]
    scraper: one
jsonScrapers:
  p:
    performer:
      Name: results.#.name
      Birthdate: results.#.born
      Height: results.#.height
      Weight: results.#.weight
  one:
    common:
      $first: results.0
    performer:
      Name: $first.name
      Height: $first.height
      Weight:
        selector: $first.weight
        postProcess:
          - lbToKg: true
      URLs: $first.links
      Details: meta.nested
      Disambiguation: meta.count
      CareerLength: meta.ok
"""


def test_json_search_keeps_every_index(server, make_scraper, log):
    defn = make_scraper(PEOPLE, name="People")
    defn.action_config("performerByName").query_url = server.url("/people.json?q={}")
    results = scrape(defn, "performerByName", {"name": "a b"}, log=log)
    assert results == [
        {"name": "Anna Bell", "birthdate": "1993-06-07", "height": "175", "weight": "59"},
        {"name": "Bo Chen", "birthdate": "", "height": "168", "weight": "52.25"},
        {"name": "", "birthdate": "2000-01-01", "height": "", "weight": "0"},
    ]
    assert server.requests_to("/people.json?q=a+b")


def test_json_single_object_values(server, make_scraper, log):
    defn = make_scraper(PEOPLE, name="People")
    result = scrape(defn, "performerByURL", {"url": server.url("/people.json")}, log=log)
    assert result == {
        "name": "Anna Bell",
        "height": "175",
        "weight": "27",  # 59.0 lb → 26.76 kg
        "urls": ["https://example.com/anna"],
        "url": "https://example.com/anna",
        "details": '{"a": [1, 2]}',
        "disambiguation": "3",
        "career_length": "true",
    }


NULLDOC = """
name: NullDoc
sceneByURL:
  - action: scrapeJson
    url: [/null.json, /features.html]
    scraper: s
jsonScrapers:
  s:
    scene:
      Title: data.title
      Date: data.date
      Tags:
        Name: data.tags
"""


def test_a_null_object_is_no_result(server, make_scraper, log):
    defn = make_scraper(NULLDOC, name="NullDoc")
    assert scrape(defn, "sceneByURL", {"url": server.url("/null.json")}, log=log) is None


def test_a_body_that_is_not_json_is_an_error(server, make_scraper, log):
    defn = make_scraper(NULLDOC, name="NullDoc")
    with pytest.raises(ScrapeError, match=r"^not valid json$"):
        scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)


FRAGMENT = """
name: Frag
sceneByFragment:
  action: scrapeXPath
  queryURL: "{base}/echo?c={checksum}&o={oshash}&p={phash}&f={filename}&t={title}&u={url}&x={missing}"
  scraper: s
sceneByQueryFragment:
  action: scrapeXPath
  queryURL: "{base}/echo?t={title}&c={code}&u={url}&d={date}&de={details}&di={director}&r={remote_site_id}"
  scraper: s
  queryURLReplace:
    title:
      - regex: '\\s+'
        with: "-"
      - regex: '^(.*)$'
        with: " ${1}-x "
    date:
      - regex: '(\\d+)-(\\d+)-(\\d+)'
        with: $3.$2.$1
galleryByFragment:
  action: scrapeXPath
  queryURL: "{base}/echo?c={checksum}&f={filename}&t={title}&u={url}"
  scraper: s
imageByFragment:
  action: scrapeXPath
  queryURL: "{base}/echo?c={checksum}&f={filename}&t={title}&u={url}"
  scraper: s
sceneByName:
  action: scrapeXPath
  queryURL: "{base}/echo?q={}&again={}"
  scraper: s
sceneByURL:
  - action: scrapeXPath
    url: [example.com/scenes/]
    queryURL: "{base}/echo?id={url}"
    queryURLReplace:
      url:
        - regex: '.*/scenes/(\\d+).*'
          with: $1
    scraper: s
  - action: scrapeXPath
    url: [example.org/]
    queryURL: "{base}/never"
    scraper: s
xPathScrapers:
  s:
    scene:
      Title: //li[@data-k="user-agent"]
    gallery:
      Title: //li[@data-k="user-agent"]
    image:
      Title: //li[@data-k="user-agent"]
"""


@pytest.fixture
def frag(server, make_scraper):
    return make_scraper(FRAGMENT.replace("{base}", server.base), name="Frag")


def last_path(server) -> str:
    return unquote(server.requests_to("/")[-1]["path"])


def test_stored_scene_placeholders(server, frag, log):
    scene = {
        "id": "12",
        "title": "My Scene",
        "urls": ["https://example.com/s/1", "https://example.com/s/2"],
        "files": [
            {
                "path": "/media/videos/My Scene [1080p].mp4",
                "fingerprints": [
                    {"type": "oshash", "fingerprint": "0123456789abcdef"},
                    {"type": "md5", "fingerprint": "d41d8cd98f00b204e9800998ecf8427e"},
                    {"type": "phash", "fingerprint": "c7c3c1e1f0f8fc3c"},
                ],
            }
        ],
    }
    assert scrape(frag, "sceneByFragment", scene, log=log) is not None
    assert last_path(server) == (
        "/echo?c=d41d8cd98f00b204e9800998ecf8427e&o=0123456789abcdef&p=c7c3c1e1f0f8fc3c"
        "&f=My Scene [1080p].mp4&t=My Scene&u=https://example.com/s/1&x={missing}"
    )


def test_stored_scene_without_title_or_phash_leaves_them_literal(server, frag, log):
    scene = {"id": "3", "title": "", "urls": [], "files": [{"path": "C:\\clips\\a.mkv", "fingerprints": []}]}
    scrape(frag, "sceneByFragment", scene, log=log)
    assert last_path(server) == "/echo?c=&o=&p={phash}&f=a.mkv&t={title}&u={url}&x={missing}"


def test_query_fragment_placeholders_and_replacements(server, frag, log):
    fragment = {
        "title": "Long   Road Home",
        "code": "ABC-1",
        "url": "https://legacy.example/x",
        "urls": ["https://example.com/first"],
        "date": "2021-03-05",
        "details": None,
        "director": "Jane",
    }
    scrape(frag, "sceneByQueryFragment", fragment, log=log)
    assert last_path(server) == (
        "/echo?t=Long-Road-Home-x&c=ABC-1&u=https://example.com/first&d=05.03.2021&de={details}&di=Jane&r={remote_site_id}"
    )


def test_gallery_and_image_fragment_placeholders(server, frag, log):
    gallery = {
        "id": "5",
        "title": "Set",
        "urls": ["https://example.com/g/5"],
        "files": [{"path": "/pics/set5.zip", "fingerprints": [{"type": "md5", "fingerprint": "abc"}]}],
    }
    scrape(frag, "galleryByFragment", gallery, log=log)
    assert last_path(server) == "/echo?c=abc&f=set5.zip&t=Set&u=https://example.com/g/5"
    scrape(frag, "imageByFragment", {"id": "9", "title": "", "files": [{"path": "/pics/p.jpg"}]}, log=log)
    assert last_path(server) == "/echo?c=&f=p.jpg&t={title}&u={url}"


def test_by_name_placeholder_is_query_escaped(server, frag, log):
    scrape(frag, "sceneByName", {"name": "Anna & Bo/2 + ü"}, log=log)
    assert server.requests_to("/")[-1]["path"] == "/echo?q=Anna+%26+Bo%2F2+%2B+%C3%BC&again=Anna+%26+Bo%2F2+%2B+%C3%BC"


def test_by_url_replace_uses_query_url_only_with_replacements(server, frag, log):
    result = scrape(frag, "sceneByURL", {"url": "https://example.com/scenes/42/slug"}, log=log)
    assert last_path(server) == "/echo?id=42"
    assert result["title"].startswith("Mozilla/5.0")
    # without queryURLReplace the URL itself is fetched (here: an unreachable host → error)
    with pytest.raises(ScrapeError):
        scrape(frag, "sceneByURL", {"url": "http://127.0.0.1:9/example.org/x"}, log=log)
