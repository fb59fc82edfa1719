"""The ``/search`` page (grouped results, kind filter, paging, empty states), the palette's link to
it, and the search working with any subset of plugins — and the palette without it."""

from __future__ import annotations

import html
import re
import types
from typing import Any

import pytest

from plugin_sdk import SearchHit, hookimpl
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def _page(client: Any, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def _hits(text: str) -> list[tuple[str, str]]:
    """``(url, title)`` of every hit on the page, in order."""
    return re.findall(r'<a class="sr-hit" href="([^"]+)".*?<span class="sr-title">([^<]+)</span>', text, re.S)


def test_results_are_grouped_with_a_kind_filter(client, library, mode) -> None:
    text = _page(client, "/search?q=mandlebrot")
    assert "<title>“mandlebrot” · Search · Obscura</title>" in text
    assert 'data-page-module="/static/search/search.js"' in text
    assert 'name="q" value="mandlebrot"' in text
    groups = re.findall(r'<section class="sr-group" aria-labelledby="sr-([a-z]+)"', text)
    assert {"video", "performer", "gallery", "image", "track"} <= set(groups)
    hits = _hits(text)
    assert (f"/videos/{library['Mandelbrot Zoom']}", "Mandelbrot Zoom") in hits
    assert (f"/performers/{library['Benoit Mandelbrot']}", "Benoit Mandelbrot") in hits
    chips = re.findall(r'<a class="chip[^"]*" href="([^"]+)" data-kind="([a-z]+)"', text)
    assert [k for _, k in chips] == groups, "one chip per kind found"
    assert html.unescape(chips[0][0]) == f"/search?q=mandlebrot&kind={groups[0]}"
    assert 'class="chip is-active" href="/search?q=mandlebrot" aria-current="page">All<' in text


def test_one_kind_pages_through_its_hits(client, runtime, library, mode) -> None:
    root = rows.root(runtime, "/media/more")
    rows.videos(runtime, root, [f"Mandelbrot Part {i:02d}" for i in range(35)])
    text = _page(client, "/search?q=mandelbrot&kind=video")
    assert "Results for “mandelbrot” in Videos" in text
    assert 'data-kind="video" aria-current="page"' in text and '<input type="hidden" name="kind" value="video">' in text
    first = _hits(text)
    assert len(first) == 30 and first[0][1] == "Mandelbrot"
    assert re.findall(r'<section class="sr-group" aria-labelledby="sr-([a-z]+)"', text) == ["video"]
    nxt = html.unescape(re.search(r'href="([^"]+)" rel="next"', text).group(1))
    assert nxt == "/search?q=mandelbrot&kind=video&offset=30"
    second = _page(client, nxt)
    rest = _hits(second)
    assert len(rest) == 35 + 3 - 30 and not {u for u, _ in rest} & {u for u, _ in first}
    assert 'rel="next"' not in second
    assert html.unescape(re.search(r'href="([^"]+)" rel="prev"', second).group(1)) == "/search?q=mandelbrot&kind=video"
    # on the all-kinds page the group links to its own page
    assert 'href="/search?q=mandelbrot&amp;kind=video" data-show-all' in _page(client, "/search?q=mandelbrot")


def test_empty_and_nothing_found_states(client, library) -> None:
    text = _page(client, "/search")
    assert "Search your library" in text and 'name="q" value=""' in text and "autofocus" in text
    assert "sr-group" not in text and "sr-kinds" not in text
    text = _page(client, "/search?q=qwxzv")
    assert "Nothing matches “qwxzv”" in text and "sr-group" not in text
    text = _page(client, "/search?q=mandelbrot&kind=spaceship")
    assert "Nothing matches “mandelbrot” in Spaceships" in text and 'href="/search?q=mandelbrot"' in text
    # bad parameters never break the page
    for url in ("/search?q=%00%25_", "/search?q=zoom&kind=BAD%20KIND&offset=x", "/search?q=zoom&offset=-5",
                "/search?q=" + "z" * 5000):  # fmt: skip
        assert "<h1>Search</h1>" in _page(client, url)
    assert "<script>alert" not in _page(client, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E")


def test_the_palette_links_to_the_search_page(client, library) -> None:
    home = _page(client, "/")
    assert '<a data-search-page href="/search" hidden' in home, "the palette finds the page through the shell"
    js = client.get("/static/js/palette.js").get_data(as_text=True)
    assert "data-search-page" in js and "See all results for" in js
    groups = client.get("/api/palette?q=mandlebrot").get_json()["data"]["groups"]
    assert any(i["title"] == "Mandelbrot Zoom" for g in groups for i in g["items"]), "the palette finds typos too"


class TestWithoutMediaPlugins:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("taxonomy", "search"), "load_entrypoints": False}

    def test_search_works_with_only_the_taxonomy(self, client) -> None:
        assert client.post("/api/tags", json={"name": "Mandelbrot"}).status_code == 201
        data = client.get("/api/search?q=mandlebrot").get_json()["data"]
        assert [(g["kind"], [i["title"] for i in g["items"]]) for g in data["groups"]] == [("tag", ["Mandelbrot"])]
        assert "Mandelbrot" in _page(client, "/search?q=mandel")


class TestPaletteWithoutSearch:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("videos",), "load_entrypoints": False}

    def test_the_palette_keeps_working(self, client, runtime) -> None:
        rows.videos(runtime, rows.root(runtime), ["Mandelbrot Zoom"])
        groups = client.get("/api/palette?q=mandel").get_json()["data"]["groups"]
        assert [(g["label"], [i["title"] for i in g["items"]]) for g in groups] == [("Videos", ["Mandelbrot Zoom"])]
        assert client.get("/api/search?q=mandel").status_code == 404
        assert client.get("/search?q=mandel").status_code == 404
        assert "data-search-page" not in _page(client, "/")


def _notes_plugin() -> types.ModuleType:
    """A third-party plugin written against the original hook: ``(db, query, limit)`` only."""
    mod = types.ModuleType("notes_search_plugin")
    notes = [f"Mandelbrot note {i}" for i in range(1, 6)]

    @hookimpl
    def obscura_search(query: str, limit: int) -> list[SearchHit]:
        found = [n for n in notes if query.lower() in n.lower()]
        hits = [SearchHit("note", n[-1], n, f"/notes/{n[-1]}", score=0.5 - i / 100) for i, n in enumerate(found)]
        return hits[:limit]

    mod.obscura_search = obscura_search  # type: ignore[attr-defined]
    return mod


class TestAnOlderHookImplementation:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": [("notes", _notes_plugin())], "builtins": ("search",), "load_entrypoints": False}

    def test_kinds_and_paging_still_apply(self, client) -> None:
        def titles(**params: Any) -> tuple[list[str], bool]:
            (group,) = client.get("/api/search", query_string=params).get_json()["data"]["groups"]
            return [i["title"] for i in group["items"]], group["hasMore"]

        assert titles(q="mandel", limit=2) == (["Mandelbrot note 1", "Mandelbrot note 2"], True)
        assert titles(q="mandel", limit=2, offset=2) == (["Mandelbrot note 3", "Mandelbrot note 4"], True)
        assert titles(q="mandel", limit=2, offset=4) == (["Mandelbrot note 5"], False)
        assert client.get("/api/search?q=mandel&kinds=video").get_json()["data"]["groups"] == []
        assert client.get("/api/search?q=mandel").get_json()["data"]["groups"][0]["label"] == "Notes"
        assert "/api/search" in client.get("/api/openapi.json").get_json()["paths"]
