"""Core routes through the real app on real PostgreSQL: envelope, validation, libraries,
settings, UI prefs, system status, OpenAPI, cross-site protection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration import jobplugin

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("jobtest", jobplugin)], "builtins": (), "load_entrypoints": False}


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["ok"] is False
    assert body["error"]["message"]
    return body["error"]


# --- envelope and errors -------------------------------------------------------------------


def test_unknown_api_route_is_a_json_404(client) -> None:
    err = _error(client.get("/api/nope"), 404)
    assert "No API route matches GET /api/nope" in err["message"]


def test_wrong_method_is_a_json_405(client) -> None:
    err = _error(client.delete("/api/settings/library", headers={"Content-Type": "application/json"}), 405)
    assert err["code"] == "method_not_allowed"


def test_malformed_json_is_a_400_with_a_readable_message(client) -> None:
    resp = client.post("/api/libraries", data="{not json", headers={"Content-Type": "application/json"})
    err = _error(resp, 400)
    assert err["message"] == "Request body is not valid JSON."


def test_wrong_types_name_the_field(client) -> None:
    err = _error(client.put("/api/settings/library", json={"backgroundWorkerConcurrency": "many"}), 400)
    assert "backgroundWorkerConcurrency" in err["message"]
    err = _error(client.put("/api/settings/library", json={"backgroundWorkerConcurrency": 17}), 400)
    assert "less than or equal to 16" in err["message"]
    err = _error(client.put("/api/settings/library", json={"noSuchSetting": True}), 400)
    assert "noSuchSetting" in err["message"]


def test_unknown_ids_are_404(client) -> None:
    assert _error(client.get("/api/libraries/123"), 404)["code"] == "not_found"
    assert _error(client.get("/api/jobs/abc"), 404)["code"] == "not_found"
    _error(client.post("/api/jobs/abc/cancel", json={}), 404)
    _error(client.post("/api/jobs/queues/no-such-queue/run", json={}), 404)
    _error(client.get("/api/jobs?queue=no-such-queue"), 404)


def test_bad_query_strings_are_400(client) -> None:
    assert "perPage" in _error(client.get("/api/jobs?perPage=0"), 400)["message"]
    assert "perPage" in _error(client.get("/api/jobs?perPage=501"), 400)["message"]
    _error(client.get("/api/jobs?page=abc"), 400)
    _error(client.get("/api/jobs?status=exploded"), 400)


# --- cross-site protection -----------------------------------------------------------------


def test_form_posts_are_refused(client, tmp_path: Path) -> None:
    resp = client.post("/api/libraries", data={"path": str(tmp_path)})
    assert _error(resp, 415)["code"] == "unsupported_media_type"


def test_cross_site_mutation_is_refused(client, tmp_path: Path) -> None:
    resp = client.post("/api/libraries", json={"path": str(tmp_path)}, headers={"Origin": "http://evil.example"})
    assert _error(resp, 403)["code"] == "cross_site"
    resp = client.post("/api/libraries", json={"path": str(tmp_path)}, headers={"Sec-Fetch-Site": "cross-site"})
    assert _error(resp, 403)["code"] == "cross_site"
    # same origin is fine
    resp = client.post(
        "/api/libraries",
        json={"path": str(tmp_path)},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert resp.status_code == 201


# --- libraries -----------------------------------------------------------------------------


def test_library_root_lifecycle(client, tmp_path: Path) -> None:
    media = tmp_path / "Media"
    media.mkdir()
    resp = client.post("/api/libraries", json={"path": str(media), "isNsfw": True, "scanTests": False})
    assert resp.status_code == 201
    root = resp.get_json()["data"]
    assert root["label"] == "Media"
    assert root["isNsfw"] is True and root["scanTests"] is False, "a plugin's root switch (RootOption)"
    assert "scanMovies" not in root, "no switch of a plugin that is not loaded"
    _error(client.post("/api/libraries", json={"path": str(media), "scanMovies": False}), 400)

    listed = client.get("/api/libraries").get_json()["data"]
    assert [r["id"] for r in listed] == [root["id"]]

    patched = client.patch(f"/api/libraries/{root['id']}", json={"label": "Films", "enabled": False}).get_json()["data"]
    assert patched["label"] == "Films" and patched["enabled"] is False and patched["scanTests"] is False
    patched = client.patch(f"/api/libraries/{root['id']}", json={"scanTests": True}).get_json()["data"]
    assert patched["scanTests"] is True and patched["label"] == "Films"
    _error(client.patch(f"/api/libraries/{root['id']}", json={"scanTests": None}), 400)

    _error(client.post(f"/api/libraries/{root['id']}/scan", json={}), 409)

    deleted = client.delete(f"/api/libraries/{root['id']}", headers={"Content-Type": "application/json"})
    assert deleted.get_json()["data"]["deleted"] is True
    assert client.get("/api/libraries").get_json()["data"] == []
    assert media.is_dir(), "deleting a root never touches the files"


def test_library_path_validation(client, tmp_path: Path) -> None:
    missing = _error(client.post("/api/libraries", json={"path": str(tmp_path / "missing")}), 400)
    assert "does not exist" in missing["message"]

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert (
        "is a file, not a folder" in _error(client.post("/api/libraries", json={"path": str(a_file)}), 400)["message"]
    )

    assert "absolute path" in _error(client.post("/api/libraries", json={"path": "relative/dir"}), 400)["message"]
    _error(client.post("/api/libraries", json={}), 400)
    _error(client.post("/api/libraries", json={"path": ""}), 400)

    outer = tmp_path / "outer"
    (outer / "inner").mkdir(parents=True)
    assert client.post("/api/libraries", json={"path": str(outer)}).status_code == 201
    nested = _error(client.post("/api/libraries", json={"path": str(outer / "inner")}), 400)
    assert "inside the library root" in nested["message"]
    assert _error(client.post("/api/libraries", json={"path": str(outer)}), 409)["code"] == "root_exists"
    assert (
        "contains the library root"
        in _error(client.post("/api/libraries", json={"path": str(tmp_path)}), 400)["message"]
    )


def test_scanning_a_root_asks_the_plugins(client, run_jobs, tmp_path: Path) -> None:
    root = client.post("/api/libraries", json={"path": str(tmp_path)}).get_json()["data"]
    assert client.post(f"/api/libraries/{root['id']}/scan", json={}).get_json()["data"]["enqueued"] == 1
    # enqueueing the same target again does not duplicate the waiting run
    assert client.post("/api/libraries/scan", json={}).get_json()["data"]["enqueued"] == 1
    jobs = client.get("/api/jobs?queue=test-scan").get_json()["data"]
    assert jobs["total"] == 1
    run_jobs()
    run = client.get("/api/jobs?queue=test-scan").get_json()["data"]["items"][0]
    assert run["status"] == "completed"
    assert run["result"] == {"root": root["id"]}
    assert run["targetLabel"] == root["label"]


def test_folder_browser(client, tmp_path: Path) -> None:
    tmp_path = tmp_path / "browse"
    (tmp_path / "b").mkdir(parents=True)
    (tmp_path / "A").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "file.mp4").write_text("x")
    data = client.get(f"/api/libraries/browse?path={tmp_path}").get_json()["data"]
    assert [d["name"] for d in data["directories"]] == ["A", "b"]
    assert data["parentPath"] == str(tmp_path.parent)
    _error(client.get(f"/api/libraries/browse?path={tmp_path / 'nope'}"), 404)
    _error(client.get("/api/libraries/browse?path=relative"), 400)


# --- settings ------------------------------------------------------------------------------


def test_library_settings_defaults_and_partial_update(client) -> None:
    settings = client.get("/api/settings/library").get_json()["data"]
    assert settings["backgroundWorkerConcurrency"] == 1
    assert settings["scanIntervalMinutes"] == 60
    assert settings["testMode"] == "quick" and settings["testRatio"] == 0.5, "a plugin's settings group"
    assert len(settings) == 8 + 3 + 5, "the core's settings (its row and Limits) and the test plugin's, and no others"

    updated = client.put(
        "/api/settings/library", json={"backgroundWorkerConcurrency": 4, "testMode": "thorough", "testLimit": 7}
    ).get_json()["data"]
    assert updated["backgroundWorkerConcurrency"] == 4 and updated["testMode"] == "thorough"
    assert updated["testLimit"] == 7 and updated["scanIntervalMinutes"] == 60 and updated["testRatio"] == 0.5
    again = client.get("/api/settings/library").get_json()["data"]
    assert again["backgroundWorkerConcurrency"] == 4 and again["testMode"] == "thorough"
    _error(client.put("/api/settings/library", json={"testMode": "sloppy"}), 400)
    _error(client.put("/api/settings/library", json={"testLimit": 11}), 400)
    _error(client.put("/api/settings/library", json={"scanIntervalMinutes": 1}), 400)
    _error(client.put("/api/settings/library", json={"testVerbose": None}), 400)
    _error(client.put("/api/settings/library", json={"generatePhash": True}), 400)  # videos is not loaded
    assert client.get("/api/settings/library").get_json()["data"]["testLimit"] == 7, "a refused PUT changes nothing"


# --- ui prefs ------------------------------------------------------------------------------


def test_ui_prefs_round_trip(client) -> None:
    _error(client.get("/api/ui-prefs/videos.grid"), 404)
    value = {"size": 3, "sort": "date", "filters": ["a", "b"]}
    put = client.put("/api/ui-prefs/videos.grid", json={"value": value}).get_json()["data"]
    assert put["value"] == value
    assert client.get("/api/ui-prefs/videos.grid").get_json()["data"]["value"] == value
    client.put("/api/ui-prefs/videos.grid", json={"value": 7})
    assert client.get("/api/ui-prefs/videos.grid").get_json()["data"]["value"] == 7
    assert [p["key"] for p in client.get("/api/ui-prefs").get_json()["data"]] == ["videos.grid"]
    client.delete("/api/ui-prefs/videos.grid", headers={"Content-Type": "application/json"})
    _error(client.get("/api/ui-prefs/videos.grid"), 404)
    _error(client.put("/api/ui-prefs/" + "x" * 201, json={"value": 1}), 400)
    _error(client.put("/api/ui-prefs/bad key!", json={"value": 1}), 400)
    _error(client.put("/api/ui-prefs/k", json={}), 400)


# --- system --------------------------------------------------------------------------------


def test_system_status_reports_services_and_tools(client) -> None:
    data = client.get("/api/system/status").get_json()["data"]
    assert data["ok"] is True
    assert data["database"]["reachable"] and data["redis"]["reachable"]
    assert data["ffmpeg"]["found"] and data["ffmpeg"]["version"]
    assert data["ffprobe"]["found"]
    assert data["workersAlive"] == 0


def test_changelog_client_info_and_plugins(client) -> None:
    log = client.get("/api/changelog").get_json()["data"]
    assert "Changelog" in log["markdown"]
    info = client.get("/api/client-info").get_json()["data"]
    assert info["isLan"] is True
    plugins = client.get("/api/plugins").get_json()["data"]["plugins"]
    mine = next(p for p in plugins if p["name"] == "jobtest")
    assert "test-ok" in mine["queues"]
    assert "obscura_scan_roots" in mine["hooks"]


def test_openapi_describes_validated_routes(client) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    post = doc["paths"]["/api/libraries"]["post"]
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert "path" in schema["properties"] and "isNsfw" in schema["properties"]
    params = {p["name"] for p in doc["paths"]["/api/jobs"]["get"]["parameters"]}
    assert {"page", "perPage", "queue", "status"} <= params
    assert "/api/jobs/{run_id}/cancel" in doc["paths"]


def test_no_api_route_answers_500_to_garbage(app, client) -> None:
    """Walk every /api rule with junk ids, bodies and query strings: never a 500."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "openapi" in rule.rule:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "%00junk%2F..%2F")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for body in ('{"x": [1, {"y": null}]}', "[]", "null", '"str"', "{bad"):
                resp = client.open(
                    url + "?page=-1&perPage=x&path=%00",
                    method=method,
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                assert resp.status_code < 500, (method, url, body, resp.get_data(as_text=True))
                if resp.status_code >= 400:
                    assert resp.get_json()["ok"] is False


def test_nul_characters_are_refused_with_a_clear_400(client) -> None:
    for url in ("/api/jobs/%00", "/api/libraries?search=%00", "/api/jobs/a%00b"):
        resp = client.get(url)
        assert resp.status_code == 400, url
        assert "NUL" in resp.get_json()["error"]["message"]
    resp = client.post("/api/libraries", json={"path": "/tmp/x\u0000y"})
    assert resp.status_code == 400 and resp.get_json()["ok"] is False


def _route_plugin(name: str, field: str):
    import types

    from flask import Blueprint

    from plugin_sdk import hookimpl
    from plugin_sdk.http import ApiModel, Page, Pagination, api_route, page

    run_out = type("RunOut", (ApiModel,), {"__annotations__": {field: int}})

    def blueprints():
        bp = Blueprint(f"bp_{name}", __name__)

        @api_route(bp, f"/api/plugins/{name}/runs", query=Pagination, response=Page[run_out])
        def runs(query):
            """Runs, paginated."""
            return page([], 0, query)

        return [bp]

    module = types.ModuleType(name)
    module.obscura_blueprints = hookimpl(blueprints)
    module.obscura_blueprints.__name__ = "obscura_blueprints"
    return module


def test_openapi_names_models_per_plugin_and_documents_pages(make_runtime) -> None:
    from obscura_core.app import create_app

    rt = make_runtime(plugins=[("alpha", _route_plugin("alpha", "a")), ("beta", _route_plugin("beta", "b"))],
                      builtins=())  # fmt: skip
    doc = create_app(runtime=rt).test_client().get("/api/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert set(schemas["alpha.RunOut"]["properties"]) == {"a"} and set(schemas["beta.RunOut"]["properties"]) == {"b"}
    data = doc["paths"]["/api/plugins/alpha/runs"]["get"]["responses"]["200"]["content"]["application/json"]
    page_schema = data["schema"]["properties"]["data"]
    assert set(page_schema["required"]) == {"items", "total", "page", "perPage"}
    assert page_schema["properties"]["items"]["items"] == {"$ref": "#/components/schemas/alpha.RunOut"}
