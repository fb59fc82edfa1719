"""Both runtimes through the API, as a user gets them: a Python and a JavaScript plugin in the
original's format installed from a loopback index, their credentials set, then run with
``execute`` (input built from a video, credentials decrypted for the plugin only) and through a
bulk scrape (one ``executeBatch`` process per chunk)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from plugins_builtin.packages.index import ENV
from tests.fixtures.plugin_packages.index_server import PluginIndexFixture
from tests.integration.packages.conftest import SECRET, error, ok

PLUGINS = Path(__file__).resolve().parents[2] / "fixtures" / "plugin_packages" / "plugins"
ECHOES = ("py-echo", "js-echo")


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy", "metadata", "packages"), "load_entrypoints": False,
            "secret": SECRET}  # fmt: skip


@pytest.fixture
def echoes(client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Both echo plugins installed from the index, each with its ``ECHO_TOKEN`` set."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    index = PluginIndexFixture()
    for plugin_id in ECHOES:
        index.add(PLUGINS / plugin_id)
    with index.serve() as base:
        monkeypatch.setenv(ENV, base)
        for plugin_id in ECHOES:
            ok(client.post("/api/plugins/packages", json={"pluginId": plugin_id}), 201)
            ok(client.put(f"/api/plugins/packages/{plugin_id}/auth/ECHO_TOKEN", json={"value": f"tok-{plugin_id}"}))
        yield list(ECHOES)


@pytest.fixture
def video(runtime: Any) -> str:
    from plugins_builtin.videos.models import Video
    from tests.integration.taxonomy import rows

    [video_id] = rows.videos(runtime, rows.root(runtime, "/media/echo"), ["Night and Day"])
    with runtime.session() as db:
        row = db.get(Video, video_id)
        row.oshash, row.md5, row.duration = "0123456789abcdef", "d41d8cd98f00b204e9800998ecf8427e", 93.5
        db.commit()
    return video_id


@pytest.mark.parametrize("plugin_id", ECHOES)
def test_a_plugin_gets_the_entity_its_credentials_and_nothing_else(
    client: Any, runtime: Any, echoes: list[str], video: str, plugin_id: str
) -> None:
    body = {"action": "videoByName", "entityType": "video", "entityId": video, "input": {"extra": 1}}
    answer = ok(client.post(f"/api/plugins/{plugin_id}/execute", json=body))
    got = answer["result"]
    assert got["action"] == "videoByName"
    sent = got["input"]
    assert (sent["title"], sent["oshash"], sent["checksumMd5"], sent["duration"], sent["extra"]) == (
        "Night and Day",
        "0123456789abcdef",
        "d41d8cd98f00b204e9800998ecf8427e",
        93.5,
        1,
    )
    assert sent["kind"] == "movie" and sent["filePath"].endswith(".mp4")
    assert got["auth"] == {"ECHO_TOKEN": f"tok-{plugin_id}"}, "its own credential, decrypted"
    with runtime.session() as db:
        stored = db.execute(text("SELECT encrypted_value FROM plugin_auth")).scalars().all()
    assert len(stored) == 2 and not any("tok-" in value for value in stored), "no plaintext at rest"


def test_a_bulk_scrape_runs_one_batch_process_per_chunk(client: Any, runtime: Any, run_jobs: Any) -> None:
    from tests.integration.taxonomy import rows

    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / "py-titles")}), 201)
    titles = [f"Clip {i:03d}" for i in range(150)]
    ids = rows.videos(runtime, rows.root(runtime, "/media/many"), titles)
    res = client.post("/api/plugins/py-titles/scrape-bulk", json={"videoIds": ids})
    assert ok(res, 202)["entities"] == 150
    run_jobs("metadata-import")
    results = ok(client.get("/api/scrape-results?perPage=500&source=plugins"))["items"]
    proposed = {r["entityId"]: r["proposed"] for r in results}
    assert {i: p["title"] for i, p in proposed.items()} == {
        i: f"{t} (remote)" for i, t in zip(ids, titles, strict=True)
    }
    assert {p["tags"][0] for p in proposed.values()} == {"Batch"}
    processes = {p["details"] for p in proposed.values()}
    assert len(processes) == 2, "chunks of 100: two executeBatch processes for 150 videos"


def test_a_plugin_that_fails_answers_a_clear_error_and_saves_nothing(client: Any, video: str) -> None:
    for name in ("py-garbage", "py-fail", "py-exit"):
        ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / name)}), 201)
    for name, says in (("py-garbage", "not JSON"), ("py-fail", "ok: false"), ("py-exit", "exited with code 3")):
        manifest = (PLUGINS / name / "manifest.yml").read_text()
        action = next(line.split(":")[0].strip() for line in manifest.split("capabilities:")[1].splitlines()
                      if line.strip().endswith("true") and "supportsBatch" not in line)  # fmt: skip
        body = {"action": action, "entityType": "video", "entityId": video, "saveResult": True}
        err = error(client.post(f"/api/plugins/{name}/execute", json=body), 502)
        assert err["code"] == "plugin_failed" and says in err["message"], err
    assert ok(client.get("/api/scrape-results?perPage=50"))["items"] == []
