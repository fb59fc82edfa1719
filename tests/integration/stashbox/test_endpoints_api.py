"""StashBox endpoints through the API: create, read, change and delete them; the key is stored
encrypted and never answered; the test button says who the key belongs to, or what is wrong."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from plugin_sdk.secrets import decrypt
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY, SECRET, error, ok

pytestmark = pytest.mark.integration


def _stored_key(runtime: Any, endpoint_id: str) -> str | None:
    with runtime.engine.connect() as conn:
        return conn.execute(text("SELECT api_key FROM stashbox_endpoints WHERE id = :id"), {"id": endpoint_id}).scalar()


def _no_key_in(res: Any, key: str = KEY) -> None:
    assert key not in res.get_data(as_text=True)


def test_crud_never_answers_the_key_and_stores_it_encrypted(client: Any, runtime: Any, box: FakeStashBox) -> None:
    body = {"name": "  Stash  DB ", "endpoint": box.url, "apiKey": KEY, "excludeTagPatterns": ["^4K", "watermark"]}
    res = client.post("/api/stashbox-endpoints", json=body)
    created = ok(res, 201)
    _no_key_in(res)
    assert created["name"] == "Stash DB" and created["endpoint"] == box.url
    assert created["apiKeySet"] is True and "apiKey" not in created
    assert created["maxRequestsPerMinute"] == 240 and created["enabled"] is True
    assert created["excludeTagPatterns"] == ["^4K", "watermark"]

    stored = _stored_key(runtime, created["id"])
    assert stored and stored != KEY and KEY not in stored, "encrypted at rest"
    assert decrypt(stored, secret=SECRET) == KEY

    for res in (client.get("/api/stashbox-endpoints"), client.get(f"/api/stashbox-endpoints/{created['id']}")):
        _no_key_in(res)
    assert [e["id"] for e in ok(client.get("/api/stashbox-endpoints"))] == [created["id"]]

    res = client.patch(f"/api/stashbox-endpoints/{created['id']}", json={"maxRequestsPerMinute": 60, "enabled": False})
    patched = ok(res)
    _no_key_in(res)
    assert (patched["maxRequestsPerMinute"], patched["enabled"], patched["apiKeySet"]) == (60, False, True)
    assert _stored_key(runtime, created["id"]) == stored, "a PATCH without apiKey keeps the key"

    patched = ok(client.patch(f"/api/stashbox-endpoints/{created['id']}", json={"apiKey": "other-key"}))
    assert patched["apiKeySet"] is True
    assert decrypt(_stored_key(runtime, created["id"]), secret=SECRET) == "other-key"
    patched = ok(client.patch(f"/api/stashbox-endpoints/{created['id']}", json={"apiKey": None}))
    assert patched["apiKeySet"] is False and _stored_key(runtime, created["id"]) is None

    assert ok(client.delete(f"/api/stashbox-endpoints/{created['id']}", json={})) == {"deleted": created["id"]}
    assert error(client.get(f"/api/stashbox-endpoints/{created['id']}"), 404)["code"] == "endpoint_not_found"
    assert ok(client.get("/api/stashbox-endpoints")) == []


@pytest.mark.parametrize(
    "url",
    ["ftp://stashdb.org/graphql", "stashdb.org/graphql", "javascript:alert(1)", "http://", "https://:99999/graphql",
     "file:///etc/passwd"],
)  # fmt: skip
def test_an_endpoint_that_is_not_http_is_refused(client: Any, url: str) -> None:
    res = client.post("/api/stashbox-endpoints", json={"name": "Bad", "endpoint": url})
    assert error(res, 400)["code"] == "invalid_endpoint"
    assert ok(client.get("/api/stashbox-endpoints")) == []


def test_bad_input_is_a_clear_4xx(client: Any, make_endpoint: Callable[..., dict[str, Any]], box: FakeStashBox) -> None:
    created = make_endpoint()
    assert error(client.post("/api/stashbox-endpoints", json={"name": "Again", "endpoint": box.url}), 409)[
        "code"] == "endpoint_exists"  # fmt: skip
    res = client.post("/api/stashbox-endpoints", json={"name": "X", "endpoint": "https://x.example/graphql",
                                                       "excludeTagPatterns": ["(unclosed"]})  # fmt: skip
    assert error(res, 400)["code"] == "invalid_pattern"
    for body in ({"maxRequestsPerMinute": 0}, {"name": "   "}, {"endpoint": "gopher://x"}, {"enabled": None}, {},
                 {"apiKey": 5}, {"unknown": 1}, {"apiKey": "clé-à-moi"}, {"apiKey": "two words"},
                 {"endpoint": "https://x.example/graph ql"}):  # fmt: skip
        res = client.patch(f"/api/stashbox-endpoints/{created['id']}", json=body)
        assert res.status_code == 400, (body, res.get_json())
        assert res.get_json()["error"]["message"]
    assert error(client.patch("/api/stashbox-endpoints/nope", json={"enabled": True}), 404)
    assert error(client.delete("/api/stashbox-endpoints/" + "x" * 300, json={}), 404)
    assert error(client.post("/api/stashbox-endpoints/nope/test", json={}), 404)


def test_the_test_button_names_the_keys_user(client: Any, box: FakeStashBox, endpoint: dict[str, Any]) -> None:
    assert ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/test", json={})) == {"name": "tester"}
    [call] = box.calls("Me")
    assert call.headers["apikey"] == KEY and call.headers["content-type"] == "application/json"
    assert call.query.split("\n")[0] == "query Me { me { name } }"


def test_the_test_button_explains_what_is_wrong(
    client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]]
) -> None:
    wrong = make_endpoint(apiKey="wrong-key")
    err = error(client.post(f"/api/stashbox-endpoints/{wrong['id']}/test", json={}), 400)
    assert err["code"] == "bad_api_key" and "refused the API key (HTTP 401)" in err["message"]

    keyless = make_endpoint(name="No key", endpoint=box.url + "?keyless", apiKey=None)
    err = error(client.post(f"/api/stashbox-endpoints/{keyless['id']}/test", json={}), 400)
    assert err["code"] == "bad_api_key" and "not authorized" in err["message"]

    site = make_endpoint(name="Site", endpoint=box.base + "/")
    err = error(client.post(f"/api/stashbox-endpoints/{site['id']}/test", json={}), 502)
    assert err["code"] == "not_graphql" and "HTML page" in err["message"] and "/graphql" in err["message"]

    good = make_endpoint(name="Good", endpoint=box.url + "?good")
    box.not_graphql = True
    err = error(client.post(f"/api/stashbox-endpoints/{good['id']}/test", json={}), 502)
    assert err["code"] == "not_graphql" and "not a GraphQL answer" in err["message"]
    box.not_graphql, box.other_schema = False, True
    err = error(client.post(f"/api/stashbox-endpoints/{good['id']}/test", json={}), 502)
    assert err["code"] == "not_stashbox" and 'Cannot query field "me"' in err["message"]

    gone = make_endpoint(name="Gone", endpoint="http://127.0.0.1:9/graphql")
    err = error(client.post(f"/api/stashbox-endpoints/{gone['id']}/test", json={}), 502)
    assert err["code"] == "unreachable" and "cannot be reached" in err["message"]


def test_a_redirect_is_not_followed_with_the_key(client: Any, box: FakeStashBox, endpoint: dict[str, Any]) -> None:
    box.fail_next(308, {"Location": "https://elsewhere.example/graphql"})
    err = error(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/test", json={}), 502)
    assert err["code"] == "redirected" and "https://elsewhere.example/graphql" in err["message"]
    assert len(box.calls()) == 1


def test_endpoints_are_listed_as_metadata_sources(client: Any, box: FakeStashBox,
                                                  make_endpoint: Callable[..., dict[str, Any]]) -> None:  # fmt: skip
    first = make_endpoint(name="B box")
    make_endpoint(name="A disabled", endpoint=box.url + "?2", enabled=False)
    [source] = [s for s in ok(client.get("/api/metadata-sources")) if s["kind"] == "stashbox"]
    assert (source["collection"], source["label"]) == ("stashbox-endpoints", "StashBox")
    assert source["entries"] == [{"id": first["id"], "name": "B box", "kinds": ["scene", "performer"],
                                  "actions": ["findById", "findByFingerprint", "searchByTitle"],
                                  "endpoint": box.url}]  # fmt: skip
    assert json.dumps(source).count(KEY) == 0
