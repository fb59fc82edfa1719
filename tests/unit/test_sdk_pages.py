"""``plugin_sdk.pages``: the entity a panel fragment is asked for travels in its URL."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

import plugin_sdk.links
from plugin_sdk import LinkKind
from plugin_sdk.pages import linked_filter, panel_target, panel_url


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


def test_linked_filter_selects_a_performers_tags_or_studios_rows_and_refuses_anything_else(monkeypatch) -> None:
    kinds = (
        LinkKind("performer_names", filter="performers", linked_type="performer"),
        LinkKind("tag_names", filter="tags", linked_type="tag"),
        LinkKind("studio_name", filter="studio", many=False, linked_type="studio"),
        LinkKind("mood_names", filter=None, linked_type="mood"),  # no filter: no linked page
    )
    monkeypatch.setattr(plugin_sdk.links, "link_kinds", lambda: kinds)
    assert linked_filter(MultiDict({"entity": "performer", "id": "p1"})) == {"performers": ["p1"]}
    assert linked_filter(MultiDict({"entity": "tag", "id": "t1"})) == {"tags": ["t1"]}
    assert linked_filter(MultiDict({"entity": "studio", "id": "s1"})) == {"studio": "s1"}
    for bad in ({"entity": "video", "id": "v1"}, {"entity": "tag"}, {"entity": "mood", "id": "m1"}, {}):
        with pytest.raises(BadRequest):
            linked_filter(MultiDict(bad))
