"""A metadata source for the browser tests of the metadata plugin (``test_ui_metadata.py``), loaded
into ``obscura serve`` as an ``obscura`` entry point: one entry, "Fake site", that answers from a
table of canned pages keyed by URL, as a site would; any other URL is the site's 404."""

from __future__ import annotations

import base64
import io
from typing import Any

from plugin_sdk import MetadataSource, ScrapeRequest, ScrapeResult, hookimpl
from plugin_sdk.errors import ValidationError

ENTRY = {"id": "site", "name": "Fake site", "kinds": ["scene", "performer"],
         "actions": ["sceneByURL", "sceneByFragment", "performerByURL"]}  # fmt: skip


def _png(colour: tuple[int, int, int]) -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (160, 90), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


BASE = "https://fake.example"
SCENES: dict[str, dict[str, Any]] = {
    f"{BASE}/scenes/night-and-day": {
        "title": "Night &amp; Day",
        "date": "2021-05-04",
        "details": "Two friends meet at dusk.\nThey talk until dawn.",
        "urls": [f"{BASE}/scenes/night-and-day"],
        "code": "ND-001",
        "director": "Ann Director",
        "studio": {"name": "Moonlight Studio"},
        "performers": [{"name": "Jane Roe"}, {"name": "John Doe"}],
        "tags": [{"name": "Outdoor"}, {"name": "Drama"}, {"name": "Romance"}],
        "image": _png((40, 90, 160)),
    },
    f"{BASE}/scenes/second-opinion": {
        "title": "Second Opinion",
        "studio": {"name": "Other Studio"},
        "tags": [{"name": "Clinic"}],
    },
}
PERFORMERS: dict[str, dict[str, Any]] = {
    f"{BASE}/people/ada-lovelace": {
        "name": "Ada Lovelace",
        "aliases": "Analytical Engine Lady",
        "gender": "female",
        "birthdate": "1815-12-10",
        "country": "United Kingdom",
        "height": "165 cm",
        "tags": [{"name": "Mathematician"}],
    },
}


def scrape(db: Any, request: ScrapeRequest) -> list[ScrapeResult]:
    pages = PERFORMERS if request.kind == "performer" else SCENES
    action = "performerByURL" if request.kind == "performer" else "sceneByURL"
    if not request.url:
        return []  # no fingerprint or name lookup on this site
    page = pages.get(request.url)
    if page is None:
        raise ValidationError(f"Fake site failed: http error 404 for {request.url}", code="scrape_failed")
    return [ScrapeResult(page, action, "url")]


def describe(db: Any, source_id: str) -> dict[str, Any] | None:
    return dict(ENTRY) if source_id == ENTRY["id"] else None


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    return [MetadataSource("fake", "fake-sources", "Fake sources", scrape=scrape, describe=describe,
                           entries=lambda db: [dict(ENTRY)])]  # fmt: skip
