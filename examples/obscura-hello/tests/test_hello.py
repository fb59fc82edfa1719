"""Each piece of the example plugin, through the real app, a real forking RQ worker and real
PostgreSQL/Redis. The plugin is found through its ``obscura`` entry point, as when installed."""

from __future__ import annotations

import subprocess

import pytest
from obscura_hello import plugin
from sqlalchemy import inspect, text

# plugin_sdk.testing loads the installed third-party plugins (this one, through its entry point)
# and none of Obscura's built-in features; a test that needs one says so (see the last test).


def test_plugin_is_discovered_through_its_entry_point(client) -> None:
    plugins = client.get("/api/plugins").get_json()["data"]["plugins"]
    hello = next(p for p in plugins if p["name"] == "hello")
    assert hello["kind"] == "external" and hello["dist"] == "obscura-hello"
    assert hello["queues"] == ["hello-greet"]
    assert "POST /api/plugins/hello/greetings" in hello["routes"]
    assert {"obscura_models", "obscura_queues", "obscura_processors", "obscura_blueprints", "obscura_nav_items"} <= set(
        hello["hooks"]
    )


def test_migration_created_the_table_in_its_own_lineage(runtime) -> None:
    with runtime.engine.connect() as conn:
        assert "hello_greetings" in inspect(conn).get_table_names()
        version = conn.execute(text("SELECT version_num FROM alembic_version_hello")).scalar_one()
    assert version == "hello_0001"


def test_greeting_round_trip_through_a_real_worker(client, run_jobs) -> None:
    plugin.greeted.clear()
    resp = client.post("/api/plugins/hello/greetings", json={"name": "Ada"})
    assert resp.status_code == 202
    run_id = resp.get_json()["data"]["jobRunId"]
    assert client.get(f"/api/jobs/{run_id}").get_json()["data"]["status"] == "waiting"

    run_jobs("hello-greet", forking=True)

    run = client.get(f"/api/jobs/{run_id}").get_json()["data"]
    assert run["status"] == "completed"
    assert run["result"]["message"] == "Hello, Ada!"
    greetings = client.get("/api/plugins/hello/greetings").get_json()["data"]
    assert greetings["total"] == 1 and greetings["items"][0]["message"] == "Hello, Ada!"


def test_bad_input_gets_the_envelope(client) -> None:
    resp = client.post("/api/plugins/hello/greetings", json={"name": ""})
    assert resp.status_code == 400
    assert "name" in resp.get_json()["error"]["message"]
    assert client.get("/api/plugins/hello/greetings?perPage=0").status_code == 400


def test_nav_item_and_page_render(client, run_jobs) -> None:
    client.post("/api/plugins/hello/greetings", json={"name": "Grace"})
    run_jobs("hello-greet")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/hello"' in home and "Greetings" in home
    page = client.get("/hello").get_data(as_text=True)
    assert "Hello, Grace!" in page and 'aria-current="page"' in page


def test_the_greeting_word_is_a_setting(client, run_jobs) -> None:
    settings = client.get("/api/settings/library").get_json()["data"]
    assert settings["greeting"] == "Hello"
    assert client.put("/api/settings/library", json={"greeting": "Howdy"}).status_code == 200
    assert client.put("/api/settings/library", json={"greeting": ""}).status_code == 400
    client.post("/api/plugins/hello/greetings", json={"name": "Linus"})
    run_jobs("hello-greet")
    assert client.get("/api/plugins/hello/greetings").get_json()["data"]["items"][0]["message"] == "Howdy, Linus!"
    page = client.get("/settings").get_data(as_text=True)
    assert 'id="set-greeting"' in page and "Greeting word" in page


def test_a_scan_greets_the_folders_whose_welcome_switch_is_on(client, run_jobs, tmp_path) -> None:
    for name, welcome in (("Films", True), ("Music", False)):
        (tmp_path / name).mkdir()
        root = client.post("/api/libraries", json={"path": str(tmp_path / name), "helloWelcome": welcome})
        assert root.status_code == 201 and root.get_json()["data"]["helloWelcome"] is welcome
    assert client.post("/api/libraries/scan", json={}).get_json()["data"]["enqueued"] == 1
    run_jobs("hello-greet")
    messages = [g["message"] for g in client.get("/api/plugins/hello/greetings").get_json()["data"]["items"]]
    assert messages == ["Hello, Films!"]


@pytest.mark.parametrize(
    "obscura_plugins", [{"plugins": None, "builtins": ("videos",), "load_entrypoints": True}], indirect=False
)
def test_rating_a_video_greets_it(client, run_jobs, tmp_path) -> None:
    folder = tmp_path / "Movies"
    folder.mkdir()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=1",
         "-pix_fmt", "yuv420p", str(folder / "Sunrise.mp4")],
        check=True,
    )  # fmt: skip
    client.post("/api/libraries", json={"path": str(folder)})
    client.post("/api/libraries/scan", json={})
    run_jobs(timeout=120)
    (video,) = client.get("/api/videos").get_json()["data"]["items"]
    assert client.patch(f"/api/videos/{video['id']}", json={"rating": 80}).status_code == 200
    assert client.patch(f"/api/videos/{video['id']}", json={"organized": True}).status_code == 200  # not a rating
    run_jobs("hello-greet")
    messages = [g["message"] for g in client.get("/api/plugins/hello/greetings").get_json()["data"]["items"]]
    assert messages == [f"Hello, {video['title']}!"]
