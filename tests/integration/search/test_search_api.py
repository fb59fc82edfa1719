"""``GET /api/search`` on the real database, in both modes (trigram and fallback): typos, partial
words, aliases, ranking, grouping by kind, kinds/limit/offset, and bad input."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration


def _search(client: Any, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/search", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is True
    return body["data"]


def _err(client: Any, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/search", query_string=params)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["message"]
    return body["error"]


def _titles(data: dict[str, Any], kind: str) -> list[str]:
    group = next((g for g in data["groups"] if g["kind"] == kind), None)
    return [i["title"] for i in group["items"]] if group else []


def test_typos_and_partial_words_find_the_title(client, library, mode) -> None:
    data = _search(client, q="mandlebrot")
    assert data["mode"] == mode and data["query"] == "mandlebrot"
    assert "Mandelbrot Zoom" in _titles(data, "video")
    assert "Benoit Mandelbrot" in _titles(data, "performer")
    assert _titles(data, "gallery") == ["Mandelbrot Posters"]
    assert _titles(data, "track") == ["Mandelbrot Blues"]
    for partial in ("mandel", "zoo", "mandel zoo", "ZOOM mandel"):
        assert "Mandelbrot Zoom" in _titles(_search(client, q=partial), "video"), partial
    assert "Mandelbrot Zoom" in _titles(_search(client, q="mandelbrot zom"), "video"), "a typo in one word of two"
    assert "Zoo Animals at Night" in _titles(_search(client, q="animls"), "video")
    assert "Julia Fractal" not in _titles(_search(client, q="mandlebrot"), "video")


def test_exact_matches_rank_first(client, library, mode) -> None:
    videos = _search(client, q="Mandelbrot", kinds="video", limit=10)["groups"][0]["items"]
    assert videos[0]["title"] == "Mandelbrot" and videos[0]["score"] > videos[1]["score"]
    assert [v["title"] for v in videos[1:3]] == ["Mandelbrot Zoom", "The Mandelbrot Set Explained"], (
        "a title starting with the query, then one containing the word"
    )
    assert [v["score"] for v in videos] == sorted((v["score"] for v in videos), reverse=True)
    assert _titles(_search(client, q="mandelbrot zoom"), "video")[0] == "Mandelbrot Zoom"
    assert _titles(_search(client, q="zoom"), "video")[0] == "Zoom Meeting Recording"
    data = _search(client, q="zoom")
    assert data["groups"][0]["kind"] == "studio" and data["groups"][0]["items"][0]["title"] == "Zoom Studios", (
        "the group with the best hit comes first"
    )
    assert _titles(data, "video")[:2] == ["Zoom Meeting Recording", "Mandelbrot Zoom"]


def test_performer_and_tag_aliases(client, library, mode) -> None:
    for q in ("augusta", "Augusta King", "agusta"):
        performers = next(g for g in _search(client, q=q)["groups"] if g["kind"] == "performer")["items"]
        assert performers[0]["title"] == "Ada Lovelace", q
        assert performers[0]["url"] == f"/performers/{library['Ada Lovelace']}"
        assert "Augusta King" in performers[0]["subtitle"]
    assert _titles(_search(client, q="self similar"), "tag") == ["Fractals"]
    assert _titles(_search(client, q="lovelace"), "performer") == ["Ada Lovelace"]


def test_groups_by_kind_with_labels_and_fields(client, library, mode) -> None:
    data = _search(client, q="fractal")
    groups = {g["kind"]: g for g in data["groups"]}
    assert {"video", "series", "tag", "album"} <= set(groups)
    assert groups["video"]["label"] == "Videos" and groups["series"]["label"] == "Series"
    assert groups["tag"]["label"] == "Tags" and groups["album"]["label"] == "Albums"
    series = groups["series"]["items"][0]
    assert series == {
        "kind": "series", "id": library["Fractal Journeys"], "title": "Fractal Journeys",
        "subtitle": "Series · 1 episode", "url": f"/series/{library['Fractal Journeys']}", "thumbnailUrl": None,
        "score": series["score"],
    }  # fmt: skip
    assert 0 < series["score"] <= 1
    episode = next(i for i in groups["video"]["items"] if i["title"] == "Pilot Fractal")
    assert episode["subtitle"].startswith("Fractal Journeys")
    image = _search(client, q="poster", kinds="image")["groups"][0]["items"][0]
    assert image["url"] == f"/images/{library['mandelbrot-poster-1']}" and image["subtitle"] == "Mandelbrot Posters"


def test_kinds_limit_and_offset(client, library, mode) -> None:
    data = _search(client, q="mandelbrot", kinds="video,performer")
    assert {g["kind"] for g in data["groups"]} == {"video", "performer"}
    assert _search(client, q="mandelbrot", kinds="spaceship")["groups"] == []

    first = _search(client, q="mandelbrot", kinds="video", limit=1)
    assert first["limit"] == 1 and len(first["groups"]) == 1
    group = first["groups"][0]
    assert len(group["items"]) == 1 and group["hasMore"] is True
    seen = [group["items"][0]["id"]]
    offset = 1
    while True:
        page = _search(client, q="mandelbrot", kinds="video", limit=1, offset=offset)["groups"]
        if not page:
            break
        seen.append(page[0]["items"][0]["id"])
        offset += 1
        if not page[0]["hasMore"]:
            break
    everything = _search(client, q="mandelbrot", kinds="video", limit=50)["groups"][0]
    assert everything["hasMore"] is False
    assert seen == [i["id"] for i in everything["items"]], "paging one by one gives the same order, no repeats"
    assert _search(client, q="mandelbrot", kinds="video", offset=50)["groups"] == []
    every = _search(client, q="m", limit=2)
    assert every["groups"] and all(len(g["items"]) <= 2 for g in every["groups"])


def test_bad_input_is_a_400(client, library) -> None:
    assert _err(client, q="")["code"] == "empty_query"
    assert _err(client, q="   \t ")["code"] == "empty_query"
    _err(client, q="zoom\x00")  # a NUL character is refused (it cannot reach PostgreSQL)
    assert "q" in _err(client)["message"]
    for params in ({"limit": 0}, {"limit": 51}, {"limit": "many"}, {"offset": -1}, {"offset": 10_001},
                   {"kinds": "vid eo"}, {"kinds": ",".join(f"k{i}" for i in range(21))}, {"q2": "x"},
                   {"q": "x" * 1001}):  # fmt: skip
        _err(client, **({"q": "zoom"} | params))
    data = _search(client, q="  mandel   zoom ", kinds="VIDEO")
    assert data["query"] == "mandel zoom" and _titles(data, "video")[0] == "Mandelbrot Zoom"
    assert _search(client, q="x" * 500)["query"] == "x" * 200, "long queries are cut, not refused"
    for q in ("100%", "%", "_", "\\", "'; drop table videos; --", "a:* & b", "(", "!"):
        data = _search(client, q=q)  # wildcards and tsquery syntax are plain text
        if q == "100%":
            assert _titles(data, "video") == ["100% Pure"]
        assert "Mandelbrot Zoom" not in _titles(data, "video"), q
