"""Both search modes on the real database: ``trigram`` (pg_trgm, installed by the migrations on
this server) and ``fallback`` (what the embedded PostgreSQL without pg_trgm uses), switched with
``plugin_sdk.search.force_search_mode``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugin_sdk.search import FALLBACK, TRIGRAM, force_search_mode, has_trigram_extension
from tests.integration.taxonomy import rows


@pytest.fixture(params=[TRIGRAM, FALLBACK])
def mode(request: pytest.FixtureRequest, runtime: Any) -> Iterator[str]:
    """Run the test once per mode; trigram mode needs the extension the migrations installed."""
    if request.param == TRIGRAM:
        with runtime.session() as db:
            if not has_trigram_extension(db):  # the embedded pgserver: its migrations skipped the indexes
                pytest.skip("this PostgreSQL has no pg_trgm (CI's server has it)")
    force_search_mode(request.param)
    yield request.param
    force_search_mode(None)


@pytest.fixture
def library(runtime: Any, client: Any) -> dict[str, Any]:
    """A small library of every kind, with names close to each other."""
    root = rows.root(runtime)
    ids: dict[str, Any] = {}
    titles = ["Mandelbrot Zoom", "Mandelbrot", "The Mandelbrot Set Explained", "Zoom Meeting Recording",
              "Julia Fractal", "Zoo Animals at Night", "100% Pure"]  # fmt: skip
    ids.update(zip(titles, rows.videos(runtime, root, titles), strict=True))
    series = rows.series(runtime, root, "Fractal Journeys")
    ids["Fractal Journeys"] = series
    ids.update(zip(["Pilot Fractal"], rows.videos(runtime, root, ["Pilot Fractal"], series_id=series), strict=True))
    gallery = rows.gallery(runtime, "Mandelbrot Posters")
    ids["Mandelbrot Posters"] = gallery
    ids.update(zip(["mandelbrot-poster-1"], rows.images(runtime, root, ["mandelbrot-poster-1"], gallery), strict=True))
    album = rows.audio_library(runtime, root, "Fractal Sounds")
    ids["Fractal Sounds"] = album
    ids.update(zip(["Mandelbrot Blues"], rows.tracks(runtime, root, ["Mandelbrot Blues"], album), strict=True))
    for path, body in (
        ("/api/performers", {"name": "Ada Lovelace", "aliases": ["Augusta King"]}),
        ("/api/performers", {"name": "Benoit Mandelbrot"}),
        ("/api/studios", {"name": "Zoom Studios"}),
        ("/api/tags", {"name": "Fractals", "aliases": ["Self-similar"]}),
    ):
        resp = client.post(path, json=body)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        ids[body["name"]] = resp.get_json()["data"]["id"]
    return ids
