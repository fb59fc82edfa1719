"""The ``search`` filter of the media list routes takes the text literally: ``%``, ``_`` and ``\\``
typed by a user match themselves, not "anything" (``plugin_sdk.search.ilike_contains``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

# (searched text, the titles that contain it literally, titles a LIKE wildcard would also match)
CASES = [
    ("50%", ["Sale 50% off"], ["Sale 500 off", "Sale 50 off"]),
    ("a_b", ["Clip a_b take"], ["Clip axb take", "Clip a-b take"]),
    ("c\\d", ["Dir c\\d name"], ["Dir cd name"]),
    ("%", ["Sale 50% off"], ["Sale 500 off", "Clip a_b take"]),
    ("_", ["Clip a_b take"], ["Clip axb take", "Sale 50 off"]),
]
TITLES = sorted({t for _, hits, misses in CASES for t in (*hits, *misses)})


def _series(runtime: Any, root: str) -> None:
    for title in TITLES:
        rows.series(runtime, root, title)


def _videos(runtime: Any, root: str) -> None:
    rows.videos(runtime, root, TITLES)


def _images(runtime: Any, root: str) -> None:
    rows.images(runtime, root, TITLES)


def _galleries(runtime: Any, root: str) -> None:
    for title in TITLES:
        rows.gallery(runtime, title)


def _libraries(runtime: Any, root: str) -> None:
    for title in TITLES:
        rows.audio_library(runtime, root, title)


def _tracks(runtime: Any, root: str) -> None:
    rows.tracks(runtime, root, TITLES)


ROUTES: list[tuple[str, Callable[[Any, str], None]]] = [
    ("/api/series", _series),
    ("/api/images", _images),
    ("/api/galleries", _galleries),
    ("/api/audio-libraries", _libraries),
    ("/api/audio-tracks", _tracks),
    ("/api/videos", _videos),
]


@pytest.mark.parametrize(("url", "make"), ROUTES, ids=[u for u, _ in ROUTES])
def test_search_matches_the_literal_text_only(runtime, client, url: str, make: Callable[[Any, str], None]) -> None:
    make(runtime, rows.root(runtime))
    everything = client.get(f"{url}?perPage=100").get_json()["data"]
    assert everything["total"] == len(TITLES)
    for text, hits, misses in CASES:
        resp = client.get(url, query_string={"search": text, "perPage": 100})
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        data = resp.get_json()["data"]
        titles = sorted(item["title"] for item in data["items"])
        assert titles == sorted(hits), (url, text)
        assert data["total"] == len(hits), (url, text)
        assert not set(misses) & set(titles)
