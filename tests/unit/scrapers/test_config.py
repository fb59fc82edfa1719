"""Loading scraper YAML: strict like Stash's config.go, errors naming the file and the key."""

from __future__ import annotations

import textwrap

import pytest

from plugins_builtin.scrapers.engine import ScraperConfigError, load_scraper, parse_scraper
from plugins_builtin.scrapers.engine.config import ACTIONS


def parse(text: str, file: str = "scrapers/Test/Test.yml"):
    return parse_scraper(textwrap.dedent(text), file=file, scraper_id="Test")


def config_error(text: str) -> ScraperConfigError:
    with pytest.raises(ScraperConfigError) as info:
        parse(text)
    return info.value


def test_examples_load_with_their_capabilities(community):
    xpath = load_scraper(community / "ExampleXPath" / "ExampleXPath.yml")
    assert (xpath.id, xpath.name) == ("ExampleXPath", "ExampleXPath")
    assert xpath.dir == (community / "ExampleXPath").resolve()
    caps = xpath.capabilities()
    assert set(caps) == set(ACTIONS)
    assert [a for a, on in caps.items() if on] == ["sceneByURL"]
    assert xpath.requires == []

    json_def = load_scraper(community / "ExampleJson" / "ExampleJson.yml")
    assert {a for a, on in json_def.capabilities().items() if on} == {"sceneByURL", "sceneByFragment"}

    script = load_scraper(community / "ExampleScript" / "ExampleScript.yml")
    assert script.requires == ["py_common"]
    assert {a for a, on in script.capabilities().items() if on} == {
        "performerByName",
        "performerByURL",
        "sceneByURL",
        "groupByURL",
    }
    assert script.supports("movieByURL") and script.supports("groupByURL")
    assert script.url_patterns("performerByURL") == ["/iafd/person.rme/id=", "/iafd/person.rme/perfid="]


def test_movie_by_url_counts_as_group_by_url():
    defn = parse(
        """
        name: Movies
        movieByURL:
          - action: script
            url: [example.com/movie/]
            script: [python, m.py]
        """
    )
    assert defn.capabilities()["groupByURL"] is True
    assert defn.supports("movieByURL")
    assert defn.url_configs("groupByURL")[0].script == ["python", "m.py"]


def test_requires_comment_lists_several():
    defn = parse(
        """
        # requires: py_common, AyloAPI
        name: X
        # requires: Other
        """
    )
    assert defn.requires == ["py_common", "AyloAPI", "Other"]


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("name: X\nsceneByURLs: []\n", "sceneByURLs", "unknown key"),
        ("sceneByURL: []\n", "name", "name must not be empty"),
        ("name: '   '\n", "name", "name must not be empty"),
        (
            "name: X\nsceneByName:\n  action: scrapeHTML\n  scraper: s\n",
            "sceneByName.action",
            "not a valid scraper action",
        ),
        ("name: X\nsceneByName:\n  action: script\n", "sceneByName.script", "script is mandatory"),
        (
            "name: X\nsceneByURL:\n  - action: scrapeXPath\n    scraper: s\n",
            "sceneByURL[0].url",
            "url is mandatory",
        ),
        (
            "name: X\nsceneByURL:\n  - action: scrapeXPath\n    url: [a]\n    scraper: s\n    querURL: x\n",
            "sceneByURL[0].querURL",
            "unknown key",
        ),
        (
            "name: X\nmovieByURL:\n  - {action: script, url: [a], script: [x]}\n"
            "groupByURL:\n  - {action: script, url: [a], script: [x]}\n",
            "movieByURL",
            "cannot both be set",
        ),
        ("name: X\ndriver:\n  useCDP: true\n  wait: 2\n", "driver.wait", "unknown key"),
        ("name: X\ndriver:\n  headers:\n    - Key: a\n      Val: b\n", "driver.headers[0].Val", "unknown key"),
        ("name: X\nxPathScrapers:\n  s:\n    scenes:\n      Title: //h1\n", "xPathScrapers.s.scenes", "unknown key"),
        ("name: X\nname: Y\n", "name", "already defined"),
        ("name: X\ndebug:\n  printHTML: maybe\n", "debug.printHTML", "true or false"),
    ],
)
def test_strict_errors_name_the_file_and_key(text, key, words):
    err = config_error(text)
    assert err.file == "scrapers/Test/Test.yml"
    assert err.key == key
    assert words in str(err)
    assert "scrapers/Test/Test.yml" in str(err) and key in str(err)


POST = """
name: X
xPathScrapers:
  sceneScraper:
    scene:
      Date:
        selector: //span
        postProcess:
          - replace:
              - regex: a
                with: b
{item}
"""


@pytest.mark.parametrize(
    ("item", "key", "words"),
    [
        ("          - {}", "xPathScrapers.sceneScraper.scene.Date.postProcess[1]", "no operation"),
        (
            "          - parseDate: 2006-01-02\n            map: {a: b}",
            "xPathScrapers.sceneScraper.scene.Date.postProcess[1]",
            "must have a single field, found parseDate and map",
        ),
        (
            "          - parseDates: 2006-01-02",
            "xPathScrapers.sceneScraper.scene.Date.postProcess[1].parseDates",
            "invalid post-process action",
        ),
        ("          - anything", "xPathScrapers.sceneScraper.scene.Date.postProcess[1]", "invalid post-process action"),
        (
            "          - feetToCm: false",
            "xPathScrapers.sceneScraper.scene.Date.postProcess[1].feetToCm",
            "invalid post-process action",
        ),
        (
            "          - replace: []",
            "xPathScrapers.sceneScraper.scene.Date.postProcess[1].replace",
            "invalid post-process action",
        ),
    ],
)
def test_post_process_items_need_exactly_one_operation(item, key, words):
    err = config_error(POST.format(item=item))
    assert err.key == key
    assert words in str(err)


def test_post_process_and_deprecated_fields_do_not_mix():
    err = config_error(
        """
        name: X
        jsonScrapers:
          s:
            performer:
              Height:
                selector: height
                replace:
                  - {regex: a, with: b}
                postProcess:
                  - feetToCm: true
        """
    )
    assert err.key == "jsonScrapers.s.performer.Height"
    assert "cannot include postProcess and (parseDate, replace, subScraper)" in str(err)


def test_invalid_yaml_names_the_line():
    err = config_error("name: X\nsceneByURL:\n  - action: [unclosed\n")
    assert err.key == ""
    assert err.line is not None and err.line >= 3
    assert "invalid YAML" in str(err)


def test_load_errors_name_the_path(tmp_path):
    path = tmp_path / "Broken.yml"
    path.write_text("name: Broken\nfoo: 1\n")
    with pytest.raises(ScraperConfigError) as info:
        load_scraper(path)
    assert info.value.file == str(path)
    assert info.value.key == "foo"
    assert "(line 2)" in str(info.value)


def test_unknown_fields_and_attribute_keys_are_warnings_not_errors():
    defn = parse(
        """
        name: X
        sceneByURL:
          - action: scrapeXPath
            url: [example.com]
            scraper: s
        xPathScrapers:
          s:
            scene:
              Titel: //h1
              Title:
                selector: //h1
                selectr: //h2
              Performers:
                Name: //a
                Nickname: //b
        """
    )
    assert any("field Titel does not exist in scene" in w for w in defn.warnings)
    assert any("Title: unknown key 'selectr'" in w for w in defn.warnings)
    assert any("field Nickname does not exist" in w for w in defn.warnings)


def test_attributes_keep_yaml_text_and_deprecated_order():
    defn = parse(
        """
        name: X
        xPathScrapers:
          s:
            common:
              $root: //div[@id="x"]
            scene:
              Code:
                fixed: 007
              Details:
                fixed: yes
              Date:
                selector: $root/span
                parseDate: January 2, 2006
                replace:
                  - regex: '^Added '
                    with: ""
                subScraper:
                  selector: //b
                  concat: ", "
              Tags:
                Name:
                  selector: //li
                  split: ","
        """
    )
    scene = defn.xpath_scrapers["s"].scene
    assert scene.fields["Code"].fixed == "007"
    assert scene.fields["Details"].fixed == "yes"
    assert [op.op for op in scene.fields["Date"].post] == ["replace", "subScraper", "parseDate"]
    assert scene.fields["Date"].post[1].arg.concat == ", "
    assert scene.subs["Tags"].fields["Name"].split == ","
    assert defn.xpath_scrapers["s"].common == {"$root": '//div[@id="x"]'}


def test_merge_keys_and_anchors():
    defn = parse(
        """
        name: X
        sceneByURL:
          - &base
            action: scrapeXPath
            url: [a.com]
            scraper: s
          - <<: *base
            url: [b.com]
        xPathScrapers:
          s:
            scene:
              Title: //h1
        """
    )
    configs = defn.url_configs("sceneByURL")
    assert [c.url for c in configs] == [["a.com"], ["b.com"]]
    assert configs[1].action == "scrapeXPath" and configs[1].scraper == "s"


def test_driver_stash_server_and_debug():
    defn = parse(
        """
        name: X
        driver:
          useCDP: false
          sleep: 3
          clicks:
            - xpath: //button
              sleep: 1
          cookies:
            - CookieURL: https://example.com
              Cookies:
                - Name: age_verified
                  Value: "1"
                  Domain: .example.com
                  Path: /
                - Name: session
                  ValueRandom: 12
          headers:
            - Key: User-Agent
              Value: Custom/1.0
        stashServer:
          url: http://user:pw@localhost:9999
          apiKey: k3y
        debug:
          printHTML: true
        """
    )
    driver = defn.driver
    assert driver is not None and not driver.use_cdp and driver.sleep == 3
    assert driver.clicks == [("//button", 1)]
    url, cookies = driver.cookies[0]
    assert url == "https://example.com"
    assert [(c.name, c.value, c.value_random, c.domain) for c in cookies] == [
        ("age_verified", "1", 0, ".example.com"),
        ("session", "", 12, ""),
    ]
    assert driver.headers == [("User-Agent", "Custom/1.0")]
    assert (defn.stash_url, defn.stash_api_key, defn.print_html) == ("http://user:pw@localhost:9999", "k3y", True)


def test_parse_scraper_without_a_path():
    defn = parse_scraper("name: Inline\n", file="<memory>", scraper_id="inline")
    assert (defn.id, defn.name, defn.path, defn.dir) == ("inline", "Inline", None, None)
    assert not any(defn.capabilities().values())
