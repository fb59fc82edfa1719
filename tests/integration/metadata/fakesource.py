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
                           entries=lambda db: [describe(db, "site")]), *box_sources()]


BOX_SCENES: dict[str, dict[str, Any]] = {}
"""oshash → a stash-box scene (Stash's scraped shape, with remote ids) that fingerprint knows."""
BATCHES: list[int] = []
"""The size of each batch the box was asked."""
BOX_ENDPOINT = "https://box.example/graphql"


def _box_lookup(request: ScrapeRequest) -> list[ScrapeResult]:
    known = {s["endpoint"]: s["stash_id"] for s in request.fragment.get("stash_ids", [])}
    hashes = [fp["fingerprint"] for f in request.fragment.get("files", []) for fp in f.get("fingerprints", [])
              if fp["type"] == "oshash"]  # fmt: skip
    for h in hashes:
        scene = BOX_SCENES.get(h)
        if scene is not None:
            match = "stashid" if known.get(BOX_ENDPOINT) == scene["remote_site_id"] else "fingerprint"
            return [ScrapeResult(scene, "findByFingerprint", match, remote_id=scene["remote_site_id"],
                                 match_details={"fingerprints": [{"algorithm": "OSHASH", "hash": h}]})]
    return []


def box_scrape(db: Any, request: ScrapeRequest) -> list[ScrapeResult]:
    SEEN.append(request)
    return _box_lookup(request)


def box_scrape_batch(db: Any, requests: list[ScrapeRequest]) -> list[list[ScrapeResult]]:
    BATCHES.append(len(requests))
    return [_box_lookup(r) for r in requests]


def box_describe(db: Any, source_id: str) -> dict[str, Any] | None:
    if source_id == "box":
        return {"id": "box", "name": "Fake box", "kinds": ["scene", "performer"], "endpoint": BOX_ENDPOINT}
    return None


def box_sources() -> list[MetadataSource]:
    return [MetadataSource("fakebox", "fake-boxes", "Fake boxes", scrape=box_scrape, describe=box_describe,
                           scrape_batch=box_scrape_batch, batch_size=3)]  # fmt: skip
