"""A metadata source for the metadata plugin's tests: it answers from a table of canned results
keyed by URL (as a site would), and reads the fragment it is given (as a fingerprint lookup would).
"""

from __future__ import annotations

from typing import Any

from plugin_sdk import MetadataSource, ScrapeRequest, ScrapeResult, hookimpl
from plugin_sdk.errors import ValidationError

PAGES: dict[str, dict[str, Any]] = {}
"""URL → the scene (or performer) Stash's scraped shape a site gives for it; tests fill it."""
BY_OSHASH: dict[str, list[dict[str, Any]]] = {}
"""oshash → scenes found by that fingerprint."""
SEEN: list[ScrapeRequest] = []


def scrape(db: Any, request: ScrapeRequest) -> list[ScrapeResult]:
    SEEN.append(request)
    if request.source_id == "broken":
        raise RuntimeError("the site changed its layout")
    if request.url:
        page = PAGES.get(request.url)
        if page is None:
            raise ValidationError(f"http error 404: {request.url}", code="scrape_failed")
        return [ScrapeResult(page, "sceneByURL" if request.kind == "scene" else "performerByURL", "url")]
    hashes = [fp["fingerprint"] for f in request.fragment.get("files", []) for fp in f.get("fingerprints", [])
              if fp["type"] == "oshash"]  # fmt: skip
    found = [scene for h in hashes for scene in BY_OSHASH.get(h, [])]
    return [ScrapeResult(scene, "sceneByFragment", "fingerprint") for scene in found]


def describe(db: Any, source_id: str) -> dict[str, Any] | None:
    if source_id in ("site", "broken"):
        return {"id": source_id, "name": f"Fake {source_id}", "kinds": ["scene", "performer", "gallery"]}
    return None


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    return [MetadataSource("fake", "fake-sources", "Fake sources", scrape=scrape, describe=describe,
                           entries=lambda db: [describe(db, "site")])]
