"""``plugin_sdk.pages``: the entity a panel fragment is asked for travels in its URL."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from plugin_sdk.pages import panel_target, panel_url


def test_panel_urls_carry_the_entity() -> None:
    assert panel_url("/v/linked", "performer", "abc") == "/v/linked?entity=performer&id=abc"
    assert panel_url("/x?limit=5", "tag", "a b&c") == "/x?limit=5&entity=tag&id=a+b%26c", "appended and escaped"
    assert panel_url("/dashboard/panel", "dashboard", None) == "/dashboard/panel", "no entity, no change"


def test_panel_target_reads_and_checks_it() -> None:
    assert panel_target(MultiDict({"entity": "tag", "id": " 42 "})) == ("tag", "42")
    assert panel_target(MultiDict({"entity": "tag", "id": "42"}), ("performer", "tag")) == ("tag", "42")
    assert panel_target(MultiDict({"entity": "video", "id": "42"}), ("performer", "tag")) is None, "not allowed"
    assert panel_target(MultiDict({"entity": "tag"})) is None, "no id"
    assert panel_target(MultiDict({"id": "42"})) is None, "no entity type"
    assert panel_target(MultiDict({"entity": "tag", "id": "x" * 65})) is None, "too long for an id"
