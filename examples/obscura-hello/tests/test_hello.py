"""Each piece of the example plugin, through the real app, a real forking RQ worker and real
PostgreSQL/Redis. The plugin is found through its ``obscura`` entry point, as when installed."""

from __future__ import annotations

import pytest
from obscura_hello import plugin
from sqlalchemy import inspect, text


@pytest.fixture
def obscura_plugins() -> dict:
    # no built-in features needed; third-party plugins come from the installed entry points
    return {"plugins": None, "builtins": (), "load_entrypoints": True}


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
