"""The ``scrapers`` metadata source: ``describe`` and ``scrape`` with installed packages, run by the
real engine against a loopback site (XPath by URL and by file hash) and a script scraper that
imports ``py_common`` (by name, for scenes and performers); failures as clear 4xx errors."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.types import ScrapeRequest
from plugins_builtin.scrapers import source
from tests.integration.scrapers.packs import IndexDir, xpath_scraper_yml

pytestmark = pytest.mark.integration

OSHASH = "0123456789abcdef"
SCENE_HTML = """<html><body>
<h1>First Scene</h1><span class="date">2024-03-05</span>
<div class="details">A scene on the loopback site.</div>
<a class="studio">Loop Studio</a><a class="performer">Jane Doe</a><a class="performer">John Roe</a>
</body></html>"""


@pytest.fixture
def site() -> Iterator[str]:
    """``/scene/1`` and ``/hash/<OSHASH>`` answer the scene page; anything else is a 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in ("/scene/1", f"/hash/{OSHASH}"):
                body, status = SCENE_HTML.encode(), 200
            else:
                body, status = b"<html><body>nothing here</body></html>", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def installed(client, index: IndexDir, site: str) -> IndexDir:
    """``ExampleSite`` (pointed at the loopback site) and ``ScriptSite`` (with py_common) installed."""
    port = urlsplit(site).port
    yml = xpath_scraper_yml().replace("{port}", str(port))
    index.add("ExampleSite", {"ExampleSite.yml": yml}, name="Example Site")
    for package_id in ("ExampleSite", "ScriptSite"):
        resp = client.post("/api/scrapers/packages", json={"packageId": package_id})
        assert resp.status_code == 201, resp.get_json()
    return index


def _scrape(runtime, **fields) -> list:
    with runtime.session() as db:
        return list(source.scrape(db, ScrapeRequest(**fields)))


def _describe(runtime, source_id: str):
    with runtime.session() as db:
        return source.describe(db, source_id)


def _scene_fragment(oshash: str | None = OSHASH) -> dict:
    fingerprints = [{"type": "oshash", "fingerprint": oshash}] if oshash else []
    return {
        "id": "v1",
        "title": "Some File",
        "urls": [],
        "files": [{"path": "/media/Some File.mp4", "fingerprints": fingerprints, "duration": 60.0}],
    }


def test_the_source_is_registered(runtime) -> None:
    plugin, registered = runtime.registry.metadata_sources["scrapers"]
    assert plugin == "scrapers" and registered is source.SOURCE
    assert (registered.kind, registered.collection, registered.label) == ("scrapers", "scrapers", "Community scrapers")


def test_describe(runtime, client, installed: IndexDir) -> None:
    example = _describe(runtime, "ExampleSite")
    assert {k: v for k, v in example.items() if k != "actions"} == {
        "id": "ExampleSite",
        "name": "Example Site",
        "kinds": ["scene"],
    }
    assert sorted(example["actions"]) == ["sceneByFragment", "sceneByURL"]
    script = _describe(runtime, "ScriptSite")
    assert script["kinds"] == ["scene", "performer"]
    assert set(script["actions"]) == {"sceneByName", "sceneByQueryFragment", "performerByName"}
    assert _describe(runtime, "py_common") is None  # a library
    assert _describe(runtime, "Nope") is None
    client.patch("/api/scrapers/packages/ExampleSite", json={"enabled": False})
    assert _describe(runtime, "ExampleSite") is None


def test_scrape_by_url(runtime, installed: IndexDir, site: str) -> None:
    lines: list[tuple[str, str]] = []
    results = _scrape(
        runtime, source_id="ExampleSite", kind="scene", fragment={}, action="sceneByURL",
        url=f"{site}/scene/1", log=lambda level, msg: lines.append((level, msg)),
    )  # fmt: skip
    assert len(results) == 1
    result = results[0]
    assert (result.action, result.match_type, result.remote_id) == ("sceneByURL", "url", None)
    raw = dict(result.raw)
    assert raw["title"] == "First Scene" and raw["date"] == "2024-03-05"
    assert raw["details"] == "A scene on the loopback site."
    assert raw["studio"]["name"] == "Loop Studio"
    assert [p["name"] for p in raw["performers"]] == ["Jane Doe", "John Roe"]

    # the cascade picks sceneByURL when a URL is given
    cascaded = _scrape(
        runtime, source_id="ExampleSite", kind="scene", fragment=_scene_fragment(), url=f"{site}/scene/1"
    )
    assert [(r.action, r.match_type, r.raw["title"]) for r in cascaded] == [("sceneByURL", "url", "First Scene")]


def test_scrape_by_fingerprint(runtime, installed: IndexDir) -> None:
    results = _scrape(runtime, source_id="ExampleSite", kind="scene", fragment=_scene_fragment())
    assert [(r.action, r.match_type, r.raw["title"]) for r in results] == [
        ("sceneByFragment", "fingerprint", "First Scene")
    ]
    explicit = _scrape(
        runtime, source_id="ExampleSite", kind="scene", fragment=_scene_fragment(), action="sceneByFragment"
    )
    assert [(r.action, r.match_type) for r in explicit] == [("sceneByFragment", "fingerprint")]


def test_scrape_by_name_runs_the_script_with_py_common(runtime, installed: IndexDir) -> None:
    lines: list[tuple[str, str]] = []
    results = _scrape(
        runtime, source_id="ScriptSite", kind="scene", fragment={}, action="sceneByName", query="Blue",
        log=lambda level, msg: lines.append((level, msg)),
    )  # fmt: skip
    assert [(r.raw["title"], r.action, r.match_type) for r in results] == [
        ("Blue one", "sceneByName", "name"),
        ("Blue two", "sceneByName", "name"),
    ]
    assert any(level == "info" and "[Scrape / Script Site]" in msg and "scene-by-name" in msg for level, msg in lines)

    performers = _scrape(runtime, source_id="ScriptSite", kind="performer", fragment={"name": "Jane Doe"})
    assert [(r.raw["name"], r.action, r.match_type) for r in performers] == [("Jane Doe", "performerByName", "name")]


def test_no_match_is_an_empty_list(runtime, installed: IndexDir) -> None:
    def scrape(**fields) -> list:
        return _scrape(runtime, source_id="ScriptSite", kind="scene", **fields)

    assert scrape(fragment={}, action="sceneByName", query="nothing") == []
    assert scrape(fragment={"title": "nothing"}, action="sceneByQueryFragment") == []
    assert scrape(fragment={"title": "nothing"}) == []  # the cascade: by name, then by query fragment


def test_scrape_errors_are_clear(runtime, client, installed: IndexDir, site: str, monkeypatch) -> None:
    def fails(code: str, exc_type=ValidationError, **fields) -> str:
        with pytest.raises(exc_type) as caught:
            _scrape(runtime, **{"kind": "scene", "fragment": {}, **fields})
        assert caught.value.code == code, caught.value.message
        return caught.value.message

    assert "sceneByName" in fails("unsupported_action", source_id="ExampleSite", action="sceneByName", query="x")
    assert "performerByURL" in fails("unsupported_action", source_id="ExampleSite", action="performerByURL")
    fails("missing_input", source_id="ExampleSite", action="sceneByURL")
    fails("unsupported_kind", source_id="ExampleSite", kind="performer", query="Jane")
    assert "Example Site" in fails("scrape_failed", source_id="ExampleSite", action="sceneByURL", url=f"{site}/gone")
    fails("scrape_failed", source_id="ScriptSite", action="sceneByName", query="boom")
    monkeypatch.setattr(source, "TIMEOUT_S", 1.0)
    fails("scrape_timeout", source_id="ScriptSite", action="sceneByName", query="slow")

    fails("scraper_not_found", NotFoundError, source_id="py_common")
    fails("scraper_not_found", NotFoundError, source_id="Nope")
    client.patch("/api/scrapers/packages/ScriptSite", json={"enabled": False})
    fails("scraper_not_found", NotFoundError, source_id="ScriptSite", action="sceneByName", query="x")


def test_definitions_are_cached_until_the_file_changes(runtime, installed: IndexDir, scrapers_dir: Path) -> None:
    source._load.cache_clear()
    fragment = _scene_fragment()
    _scrape(runtime, source_id="ExampleSite", kind="scene", fragment=fragment)
    _scrape(runtime, source_id="ExampleSite", kind="scene", fragment=fragment)
    info = source._load.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    yml = scrapers_dir / "ExampleSite" / "ExampleSite.yml"
    yml.write_text(yml.read_text().replace("name: Example Site", "name: Renamed Site"))
    stat = yml.stat()
    os.utime(yml, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    _scrape(runtime, source_id="ExampleSite", kind="scene", fragment=fragment)
    assert source._load.cache_info().misses == 2
