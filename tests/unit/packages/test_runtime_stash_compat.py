"""The ``stash-compat`` runtime: a package's Stash scraper YAML run by the scrapers plugin's engine
against pages served on loopback."""

from __future__ import annotations

import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from plugin_sdk.errors import ConflictError, ValidationError
from plugins_builtin.packages import runtime
from plugins_builtin.packages.manifest import Manifest, load_manifest
from plugins_builtin.packages.runtime import PluginRunError, run, run_batch
from plugins_builtin.packages.runtime.stash_compat import stash_action

PLUGINS = Path(__file__).resolve().parents[2] / "fixtures" / "plugin_packages" / "plugins"

SCENE_PAGE = """<html><body>
<h1 class="title">Summer Heat</h1>
<span class="date">7 March 2021</span>
<p class="details">Two friends by the sea.</p>
<div class="studio">Sea Studio</div>
<a class="performer">Aiko</a><a class="performer">Ben</a><a class="performer">aiko</a>
<a class="tag">Outdoor</a><a class="tag">Beach</a>
</body></html>"""

SEARCH_PAGE = """<html><body><ul>
<li><a href="/scene/summer-heat">Summer Heat</a></li>
<li><a href="/scene/winter-cold">Winter Cold</a></li>
</ul></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/scene/"):
            body = SCENE_PAGE
        elif self.path.startswith("/search"):
            body = SEARCH_PAGE
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def package(tmp_path: Path, base: str) -> tuple[Path, Manifest]:
    folder = tmp_path / "stash-xpath"
    shutil.copytree(PLUGINS / "stash-xpath", folder)
    yml = folder / "StashXPath.yml"
    yml.write_text(yml.read_text().replace("{{BASE}}", base))
    return folder, load_manifest(folder)


def test_video_by_url_is_a_stash_scene_by_url_normalized(package: tuple[Path, Manifest], base: str) -> None:
    folder, manifest = package
    lines: list[tuple[str, str]] = []
    result = run(
        folder, manifest, "videoByURL", {"url": f"{base}/scene/summer-heat"}, {}, log=lambda *a: lines.append(a)
    )
    assert result == {
        "title": "Summer Heat",
        "date": "2021-03-07",
        "details": "Two friends by the sea.",
        "urls": [f"{base}/scene/summer-heat"],
        "studioName": "Sea Studio",
        "performerNames": ["Aiko", "Ben"],
        "tagNames": ["Outdoor", "Beach"],
        "imageUrl": None,
        "episodeNumber": None,
        "series": None,
        "code": None,
        "director": None,
    }


def test_video_by_name_answers_the_first_hit(package: tuple[Path, Manifest], base: str) -> None:
    folder, manifest = package
    result = run(folder, manifest, "videoByName", {"title": "summer"}, {})
    assert result["title"] == "Summer Heat"
    assert result["urls"] == ["/scene/summer-heat"]  # as the search page links it


def test_a_url_no_config_matches_is_no_result(package: tuple[Path, Manifest], base: str) -> None:
    folder, manifest = package
    assert run(folder, manifest, "videoByURL", {"url": f"{base}/other/page"}, {}) is None


def test_failures(package: tuple[Path, Manifest], base: str) -> None:
    folder, manifest = package
    with pytest.raises(PluginRunError, match="Stash XPath failed"):
        run(folder, manifest, "videoByFragment", {"title": "x"}, {})
    with pytest.raises(ValidationError, match="cannot do folderCascade"):
        run(folder, manifest, "folderCascade", {}, {})
    with pytest.raises(ValidationError, match="needs a url"):
        run(folder, manifest, "videoByURL", {}, {})
    (folder / "StashXPath.yml").write_text("name: [broken\n")
    with pytest.raises(PluginRunError, match="stash definition is not valid"):
        run(folder, manifest, "videoByURL", {"url": f"{base}/scene/x"}, {})


def test_batch_runs_each_item(package: tuple[Path, Manifest], base: str) -> None:
    folder, manifest = package
    results = run_batch(folder, manifest, "videoByURL", [("a", {"url": f"{base}/scene/a"}), ("b", {})], {})
    assert results["a"]["title"] == "Summer Heat"
    assert isinstance(results["b"], ValidationError)


def test_action_names() -> None:
    assert stash_action("videoByURL") == "sceneByURL"
    assert stash_action("videoByFragment") == "sceneByFragment"
    assert stash_action("videoByName") == "sceneByName"
    assert stash_action("performerByName") == "performerByName"
    assert stash_action("sceneByQueryFragment") == "sceneByQueryFragment"


def test_without_the_scrapers_plugin(package: tuple[Path, Manifest], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, manifest = package
    monkeypatch.setitem(sys.modules, "plugins_builtin.scrapers.engine", None)
    assert runtime.runtime_status(manifest) == "needs the scrapers plugin"
    with pytest.raises(ConflictError) as err:
        run(folder, manifest, "videoByURL", {"url": "http://x/scene/a"}, {})
    assert err.value.status == 409 and err.value.code == "needs_scrapers_plugin"
    assert err.value.message == "stash-compat plugins need the scrapers plugin"
