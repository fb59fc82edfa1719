"""Mapped scrapers end to end against the loopback server: selectors and common, concat/split,
fixed values and {inputURL}, URLs, relationship maps, searches, subScraper, nil results."""

from __future__ import annotations

import pytest

from plugins_builtin.scrapers.engine import ScrapeError, scrape

FEATURES = """
name: Features
sceneByURL:
  - action: scrapeXPath
    url: [/features.html]
    scraper: sceneScraper
xPathScrapers:
  sceneScraper:
    common:
      $scene: //div[@id="scene"]
      $cast: //div[@id="scene"]/div[@class="cast"]
    scene:
      Title: $scene/h1[@class="scene-title"]
      Code: $scene/@data-code
      Date:
        selector: $scene/span[@class="date"]
        postProcess:
          - replace:
              - regex: ^Released:\\s*
                with: ""
          - parseDate: Jan 2, 2006
      Details:
        selector: $scene/div[@class="desc"]/p
        concat: "\\n\\n"
      Director:
        selector: $scene/comment()
        postProcess:
          - replace:
              - regex: '<!--\\s*director:\\s*(.+?)\\s*-->'
                with: $1
      URLs: $scene//a[@class="ext"]/@href
      URL:
        fixed: "{inputURL}"
      Tags:
        Name: $scene/ul[@class="tags"]/li
      Performers:
        Name: $cast/a/span
        URL: $cast/a/@href
        Tags:
          Name: $scene/div[@class="cast-tags"]/i
      Studio:
        Name: $scene/span[@class="studio"]
        URL:
          fixed: "https://{inputHostname}/studio"
      Groups:
        Name: $scene/div[@class="series"]/a
        URL: $scene/div[@class="series"]/a/@href
"""


def test_scene_with_every_relationship(server, make_scraper, log):
    defn = make_scraper(FEATURES, name="Features")
    url = server.url("/features.html")
    result = scrape(defn, "sceneByURL", {"url": url}, log=log)
    performer_tags = [{"name": "Featured"}, {"name": "Verified"}]
    assert result == {
        "title": "The\xa0Long Road Home",
        "code": "ABC-123",
        "date": "2021-03-05",
        "details": "First paragraph.\n\nSecond\tparagraph.",
        "director": "Jane Doe",
        "url": url,
        "urls": ["https://example.com/scene/1", "https://example.org/scene/1"],
        "tags": [{"name": "Drama"}, {"name": "Road Trip"}, {"name": "Night"}],
        "performers": [
            {"name": "Anna Bell", "url": "/performers/anna", "urls": ["/performers/anna"], "tags": performer_tags},
            {"name": "Bo Chen", "url": "/performers/bo", "urls": ["/performers/bo"], "tags": performer_tags},
        ],
        "studio": {"name": "Road\xa0Studio", "url": "https://127.0.0.1/studio"},
        "groups": [
            {"name": "Road Series", "url": "/series/7", "urls": ["/series/7"]},
            {"name": "Night Series", "url": "/series/8", "urls": ["/series/8"]},
        ],
    }
    assert log.messages("warning") == [] and log.messages("error") == []


SPLIT = """
name: Split
sceneByURL:
  - action: scrapeXPath
    url: [/features.html]
    scraper: s
xPathScrapers:
  s:
    scene:
      Title:
        selector: //ul[@class="tags"]/li
        concat: " / "
      Details:
        selector: //div[@class="keywords"]
        split: ","
      Code:
        selector: //ul[@class="tags"]/li
        concat: "|"
        postProcess:
          - replace:
              - regex: Drama
                with: Play
        split: "|"
      Tags:
        Name:
          selector: //div[@class="keywords"]
          split: ","
"""


def test_concat_and_split(server, make_scraper, log):
    defn = make_scraper(SPLIT, name="Split")
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    # concat joins every match; split without concat splits the first match only (no trimming)
    assert result["title"] == "Drama / Road Trip / Drama / Night"
    assert result["details"] == "one"
    assert result["code"] == "Play"
    assert result["tags"] == [{"name": "one"}, {"name": " two"}, {"name": "three"}]


def test_concat_split_results_are_deduplicated(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Dedupe
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Tags:
                Name:
                  selector: //ul[@class="tags"]/li
                  concat: ","
                  split: ","
        """,
        name="Dedupe",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"tags": [{"name": "Drama"}, {"name": "Road Trip"}, {"name": "Night"}]}


def test_common_is_substituted_once_and_not_in_fixed_values(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Common
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            common:
              $a: //div[@id="scene"]
              $b: $a/h1
            scene:
              Title: $a/h1
              Code:
                fixed: $a
              Details: $b
        """,
        name="Common",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result["title"] == "The\xa0Long Road Home"
    assert result["code"] == "$a"
    # "$b" becomes "$a/h1", which is not expanded again: an invalid XPath, a warning, no value
    assert "details" not in result
    assert any("key 'Details'" in w and "$a/h1" in w for w in log.messages("warning"))


SUB = """
name: Sub
sceneByURL:
  - {action: scrapeXPath, url: [/features.html], scraper: s}
xPathScrapers:
  s:
    scene:
      Title: //h1
      Director:
        selector: //a[@class="detail"]/@href
        postProcess:
          - subScraper:
              selector: //div[@class="director"]
              postProcess:
                - replace:
                    - regex: Doe
                      with: D.
      Details:
        selector: //a[@class="detail"]/@href
        postProcess:
          - subScraper:
              selector: //ul[@class="crew"]/li
              concat: " & "
      Date:
        selector: //a[@class="detail"]/@href
        subScraper:
          selector: //div[@class="released"]
        parseDate: 2006-01-02
      Code:
        selector: //a[@class="detail-missing"]/@href
        postProcess:
          - subScraper:
              selector: //div
"""


def test_sub_scraper(server, make_scraper, log):
    defn = make_scraper(SUB, name="Sub")
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result["director"] == "Jane D."
    assert result["details"] == "Cam One & Cam Two"
    assert result["date"] == "2021-03-06"
    assert "code" not in result  # the sub page is a 404: "" and a warning
    assert any("sub-scraper" in w and "http error 404" in w for w in log.messages("warning"))
    assert len(server.requests_to("/sub/detail.html")) >= 3


PERFORMER = """
name: People
performerByURL:
  - {action: scrapeXPath, url: [/performers/], scraper: p}
performerByName:
  action: scrapeXPath
  queryURL: "{url}"
  scraper: p
xPathScrapers:
  p:
    common:
      $bio: //div[@class="bio"]
    performer:
      Name: $bio/h1
      Birthdate:
        selector: $bio//dd[@class="born"]
        postProcess:
          - parseDate: January 2, 2006
      Height:
        selector: $bio//dd[@class="height"]
        postProcess:
          - feetToCm: true
      Weight:
        selector: $bio//dd[@class="weight"]
        postProcess:
          - lbToKg: true
      Gender:
        selector: $bio//dd[@class="gender"]
        postProcess:
          - map:
              F: Female
              M: Male
      EyeColor: $bio//dd[@class="eyes"]
      Aliases: $bio//dd[@class="aliases"]
      Measurements: $bio//dd[@class="measurements"]
      URLs: $bio/a[@class="social"]/@href
      Image: $bio/img/@src
      Country:
        fixed: USA
      Tags:
        Name: $bio/span[@class="ptag"]
"""


def test_performer_scrape_with_conversions_and_image_download(server, make_scraper, log):
    defn = make_scraper(PERFORMER, name="People")
    result = scrape(defn, "performerByURL", {"url": server.url("/performers/anna")}, log=log)
    image = result.pop("image")
    assert image.startswith("data:image/png;base64,iVBOR")
    assert result == {
        "name": "Anna Bell",
        "birthdate": "1993-06-07",
        "height": "178",
        "weight": "59",
        "gender": "Female",
        "eye_color": "Blue",
        "aliases": "Annie B, A. Bell",
        "measurements": "34C-25-35",
        "country": "USA",
        "urls": ["https://twitter.com/annabell", "https://instagram.com/annabell"],
        "url": "https://twitter.com/annabell",
        "images": [image],
        "tags": [{"name": "Blonde"}, {"name": "Tall"}],
    }
    # the image was fetched with the same User-Agent and the image's site as Referer
    fetched = server.requests_to("/images/cover.png")[-1]["headers"]
    assert fetched["Referer"] == server.base + "/"
    assert "Chrome/" in fetched["User-Agent"]


SEARCH = """
name: Search
sceneByName:
  action: scrapeXPath
  queryURL: "{url}"
  scraper: s
performerByName:
  action: scrapeXPath
  queryURL: "{url}"
  scraper: s
xPathScrapers:
  s:
    common:
      $r: //div[@class="result"]
    scene:
      Title: $r/a[@class="title"]
      URL: $r/a[@class="title"]/@href
      Date: $r/span[@class="date"]
      Image: $r/img/@src
      Studio:
        Name: $r/span[@class="studio"]
      Tags:
        Name: //div[@class="common-tags"]/b
    performer:
      Name: $r/a[@class="title"]
      URLs: $r/a[@class="title"]/@href
"""


def test_scene_search_keeps_duplicates_and_attaches_relationships(server, make_scraper, log, monkeypatch):
    defn = make_scraper(SEARCH, name="Search")
    cfg = defn.action_config("sceneByName")
    cfg.query_url = server.url("/search?q={}")
    results = scrape(defn, "sceneByName", {"name": "road trip"}, log=log)
    assert server.requests_to("/search?q=road+trip")
    base = server.base
    assert results == [
        {
            "title": "Road Trip",
            "url": f"{base}/scenes/1.html",
            "urls": [f"{base}/scenes/1.html"],
            "date": "2021-03-05",
            "image": "/thumbs/1.jpg",
            "studio": {"name": "Road Studio"},
            "tags": [{"name": "Travel"}],
        },
        {
            "title": "Road Trip",
            "url": f"{base}/scenes/2.html",
            "urls": [f"{base}/scenes/2.html"],
            # the empty date node is dropped by the XPath query, so dates shift by one (as in Stash)
            "date": "2021-04-01",
            "image": "/thumbs/2.jpg",
            "studio": {"name": "Other Studio"},
            "tags": [{"name": "Travel"}],
        },
        {
            "title": "Road Home",
            "url": f"{base}/scenes/3.html",
            "urls": [f"{base}/scenes/3.html"],
            "image": "/thumbs/3.jpg",
            "studio": {"name": "Third Studio"},
            "tags": [{"name": "Travel"}],
        },
    ]


def test_performer_search_is_one_value_per_result(server, make_scraper, log):
    defn = make_scraper(SEARCH, name="Search")
    defn.action_config("performerByName").query_url = server.url("/search?q={}")
    results = scrape(defn, "performerByName", {"name": "x"}, log=log)
    assert [r["name"] for r in results] == ["Road Trip", "Road Trip", "Road Home"]
    assert results[2]["urls"] == [f"{server.base}/scenes/3.html"]


def test_nothing_found_is_no_result(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Nothing
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        galleryByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Title: //h7
              Tags:
                Name: //nothing
            gallery:
              Title: //h7
        """,
        name="Nothing",
    )
    assert scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log) is None
    assert scrape(defn, "galleryByURL", {"url": server.url("/features.html")}, log=log) is None


def test_relationships_alone_make_a_result(server, make_scraper, log):
    defn = make_scraper(
        """
        name: RelOnly
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Title: //h7
              Studio:
                Name: //span[@class="studio"]
        """,
        name="RelOnly",
    )
    assert scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log) == {
        "studio": {"name": "Road\xa0Studio"}
    }


def test_gallery_image_and_group(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Kinds
        galleryByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        imageByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        groupByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            gallery:
              Title: //h1
              Photographer: //span[@class="studio"]
              URLs: //a[@class="ext"]/@href
              Performers:
                Name: //div[@class="cast"]/a/span
              Tags:
                Name: //ul[@class="tags"]/li
            image:
              Title: //h1
              Code: //div[@id="scene"]/@data-code
              Studio:
                Name: //span[@class="studio"]
            movie:
              Name: //div[@class="series"]/a
              Duration: //table[@class="facts"]/tbody/tr[1]/td[2]
              Synopsis: //div[@class="desc"]/p[1]
              FrontImage: //a[@class="detail"]/@href
        """,
        name="Kinds",
    )
    url = server.url("/features.html")
    gallery = scrape(defn, "galleryByURL", {"url": url}, log=log)
    assert gallery == {
        "title": "The\xa0Long Road Home",
        "photographer": "Road\xa0Studio",
        "urls": ["https://example.com/scene/1", "https://example.org/scene/1"],
        "url": "https://example.com/scene/1",
        "performers": [{"name": "Anna Bell"}, {"name": "Bo Chen"}],
        "tags": [{"name": "Drama"}, {"name": "Road Trip"}, {"name": "Night"}],
    }
    image = scrape(defn, "imageByURL", {"url": url}, log=log)
    assert image == {"title": "The\xa0Long Road Home", "code": "ABC-123", "studio": {"name": "Road\xa0Studio"}}
    group = scrape(defn, "groupByURL", {"url": url}, log=log)
    front = group.pop("front_image")
    assert front.startswith("data:text/html;base64,")  # whatever the URL serves becomes the data URI
    assert group == {"name": "Road Series", "duration": "42 min", "synopsis": "First paragraph."}


def test_unknown_fields_are_logged_not_fatal(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Unknown
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Title: //h1
              Titel: //h1
        """,
        name="Unknown",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"title": "The\xa0Long Road Home"}
    assert any("field Titel does not exist in scene" in w for w in log.messages("warning"))
    assert "Field Titel does not exist in scene" in log.messages("error")


def test_invalid_xpath_is_a_warning_not_a_crash(server, make_scraper, log):
    defn = make_scraper(
        """
        name: BadXPath
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Title: //h1
              Details: //div[@class=
              Code: //div[nonexistent-function(.)]
        """,
        name="BadXPath",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"title": "The\xa0Long Road Home"}
    warnings = log.messages("warning")
    assert any(w.startswith("key 'Details': selector '//div[@class=': parse error") for w in warnings)
    assert any(w.startswith("key 'Code'") for w in warnings)


def test_javascript_is_a_warning_not_a_crash(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Js
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: s}
        xPathScrapers:
          s:
            scene:
              Date:
                selector: //span[@class="date"]
                postProcess:
                  - javascript: |
                      return value.replace("Released: ", "");
                  - parseDate: "Released: Jan 2, 2006"
        """,
        name="Js",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"date": "2021-03-05"}
    assert "javascript postProcess is not supported (field Date); the value is kept" in log.messages("warning")


def test_missing_mapped_scraper_is_an_error(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Missing
        sceneByURL:
          - {action: scrapeXPath, url: [/features.html], scraper: nope}
        """,
        name="Missing",
    )
    with pytest.raises(ScrapeError, match="xpath scraper with name 'nope' not found"):
        scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)


def test_url_configs_first_non_nil_wins(server, make_scraper, log):
    defn = make_scraper(
        """
        name: Order
        sceneByURL:
          - {action: scrapeXPath, url: [/nomatch/], scraper: title}
          - {action: scrapeXPath, url: [/features.html], scraper: empty}
          - {action: scrapeXPath, url: [127.0.0.1], scraper: title}
        xPathScrapers:
          empty:
            scene:
              Title: //h7
          title:
            scene:
              Title: //span[@class="studio"]
        """,
        name="Order",
    )
    result = scrape(defn, "sceneByURL", {"url": server.url("/features.html")}, log=log)
    assert result == {"title": "Road\xa0Studio"}
    assert scrape(defn, "sceneByURL", {"url": "http://elsewhere.test/x"}, log=log) is None
