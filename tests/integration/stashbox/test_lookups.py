"""Looking performers, studios and tags up on the fake stash-box by name or by stash id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import error, ok

pytestmark = pytest.mark.integration


def _lookup(client: Any, endpoint: dict[str, Any], kind: str, query: str) -> list[dict[str, Any]]:
    return ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/lookup/{kind}", json={"query": query}))["results"]


def test_lookups_by_name_and_by_id(client: Any, box: FakeStashBox, endpoint: dict[str, Any]) -> None:
    jane = box.add_performer("Jane Roe", aliases=["JR"], gender="FEMALE")
    box.add_performer("Janet Doe")
    parent = box.add_studio("Moon Network")
    studio = box.add_studio("Moonlight", parent=parent)
    box.add_tag("Outdoors")
    exact = box.add_tag("Outdoor")

    found = _lookup(client, endpoint, "performer", "jan")
    assert [(r["name"], r["raw"]["name"]) for r in found] == [("Jane Roe", "Jane Roe"), ("Janet Doe", "Janet Doe")]
    [by_id] = _lookup(client, endpoint, "performer", jane["id"].upper())
    raw = {"name": "Jane Roe", "gender": "FEMALE", "aliases": "JR", "remote_site_id": jane["id"]}
    assert by_id == {"remoteId": jane["id"], "name": "Jane Roe", "raw": raw}

    [by_name] = _lookup(client, endpoint, "studio", "moonlight")
    assert by_name["raw"]["parent"] == {"name": "Moon Network", "remote_site_id": parent["id"]}
    assert _lookup(client, endpoint, "studio", studio["id"])[0]["remoteId"] == studio["id"]
    assert _lookup(client, endpoint, "studio", "nobody") == []

    assert [r["name"] for r in _lookup(client, endpoint, "tag", "outdoor")] == ["Outdoor", "Outdoors"], "exact first"
    raw = {"name": "Outdoor", "remote_site_id": exact["id"]}
    assert _lookup(client, endpoint, "tag", exact["id"]) == [{"remoteId": exact["id"], "name": "Outdoor", "raw": raw}]
    ops = [(c.operation, c.variables) for c in box.calls()]
    assert ("FindStudio", {"id": None, "name": "moonlight"}) in ops
    assert ("FindTag", {"id": exact["id"], "name": None}) in ops
    assert ("SearchPerformer", {"term": "jan"}) in ops


def test_lookup_bad_input(client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]]) -> None:
    endpoint = make_endpoint()
    url = f"/api/stashbox-endpoints/{endpoint['id']}/lookup"
    assert error(client.post(url + "/scene", json={"query": "x"}), 404)
    assert error(client.post(url + "/tag", json={"query": ""}), 400)
    assert error(client.post(url + "/tag", json={"query": "   "}), 400)
    assert error(client.post(url + "/tag", json={}), 400)
    off = make_endpoint(name="Off", endpoint=box.url + "?off", enabled=False)
    assert error(client.post(f"/api/stashbox-endpoints/{off['id']}/lookup/tag", json={"query": "x"}), 409)[
        "code"] == "endpoint_disabled"  # fmt: skip
    wrong = make_endpoint(name="Wrong", endpoint=box.url + "?wrong", apiKey="nope")
    res = client.post(f"/api/stashbox-endpoints/{wrong['id']}/lookup/performer", json={"query": "x"})
    assert error(res, 400)["code"] == "bad_api_key"
