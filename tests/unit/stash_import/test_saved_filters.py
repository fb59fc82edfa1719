"""Stash saved filters → rule trees: a table of filters in the JSON shapes Stash's UI saves (and the
older and API-made shapes), each with the tree and problems it must give."""

from __future__ import annotations

from typing import Any

import pytest

from plugins_builtin.collections.rules import Group
from plugins_builtin.stash_import.saved_filters import rule_tree_from_saved_filter

IDS = {
    ("tag", "1"): "tag-one", ("tag", "2"): "tag-two", ("tag", "3"): "tag-three",
    ("performer", "7"): "perf-seven", ("performer", "8"): "perf-eight", ("studio", "4"): "studio-four",
}  # fmt: skip


def resolve(entity: str, stash_id: str) -> str | None:
    return IDS.get((entity, stash_id))


def saved(object_filter: Any = None, mode: str = "SCENES", q: str | None = None, name: str = "F") -> dict[str, Any]:
    find = {"q": q, "sort": "date", "direction": "DESC", "per_page": 40}
    return {"id": 1, "name": name, "mode": mode, "find_filter": find, "object_filter": object_filter,
            "ui_options": {"display_mode": 0}}  # fmt: skip


def c(field: str, operator: str, value: Any = None, kind: str = "video") -> dict[str, Any]:
    return {"type": "condition", "entityTypes": [kind], "field": field, "operator": operator, "value": value}


def g(operator: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "operator": operator, "children": list(children)}


def tree(*children: dict[str, Any]) -> dict[str, Any]:
    return g("and", *children)


def labeled(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "label": f"L{i}"} for i in ids]


def hier(items: list[str], excluded: list[str] | None = None, depth: int = 0) -> dict[str, Any]:
    return {"items": labeled(*items), "excluded": labeled(*(excluded or [])), "depth": depth}


# (object_filter, expected tree, expected problems)
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, list[str]]] = [
    # ---- tags (hierarchical: items / excluded / depth, as Stash ≥ 0.20 saves them)
    ("tags includes all, with an excluded tag",
     {"tags": {"modifier": "INCLUDES_ALL", "value": hier(["1", "2"], ["3"], depth=-1)}},
     tree(c("tags", "equals", "tag-one"), c("tags", "equals", "tag-two"), c("tags", "not_in", ["tag-three"])), []),
    ("tags includes (any of)",
     {"tags": {"modifier": "INCLUDES", "value": hier(["1", "2"])}},
     tree(c("tags", "in", ["tag-one", "tag-two"])), []),
    ("tags excludes",
     {"tags": {"modifier": "EXCLUDES", "value": hier(["1", "3"])}},
     tree(c("tags", "not_in", ["tag-one", "tag-three"])), []),
    ("tags: only excluded ones under INCLUDES (the UI's 'excludes' pills)",
     {"tags": {"modifier": "INCLUDES", "value": hier([], ["2"])}},
     tree(c("tags", "not_in", ["tag-two"])), []),
    ("tags: older plain list of labeled ids",
     {"tags": {"modifier": "INCLUDES_ALL", "value": labeled("1", "2")}},
     tree(c("tags", "equals", "tag-one"), c("tags", "equals", "tag-two")), []),
    ("tags: criterion-input form, plain ids with excludes and depth",
     {"tags": {"modifier": "INCLUDES", "value": ["1"], "excludes": ["2"], "depth": 0}},
     tree(c("tags", "in", ["tag-one"]), c("tags", "not_in", ["tag-two"])), []),
    ("tags: an id not imported is left out and named",
     {"tags": {"modifier": "INCLUDES_ALL", "value": hier(["1", "99"])}},
     tree(c("tags", "equals", "tag-one")), ["tags: tag 99 (L99) not imported; left out of the rule"]),
    ("tags: nothing imported",
     {"tags": {"modifier": "INCLUDES", "value": hier(["98", "99"])}},
     None, ["tags: tag 98 (L98), 99 (L99) not imported; left out of the rule"]),
    ("tags IS_NULL",
     {"tags": {"modifier": "IS_NULL", "value": hier([])}},
     None, ["tags: IS_NULL (with no tag) has no rule here"]),
    # ---- performers (items / excluded, no depth) and studios (hierarchical)
    ("performers includes all",
     {"performers": {"modifier": "INCLUDES_ALL", "value": {"items": labeled("7", "8"), "excluded": []}}},
     tree(c("performers", "equals", "perf-seven"), c("performers", "equals", "perf-eight")), []),
    ("performers: older plain list",
     {"performers": {"modifier": "INCLUDES", "value": labeled("7")}},
     tree(c("performers", "in", ["perf-seven"])), []),
    ("performers EQUALS (exactly these) has no rule",
     {"performers": {"modifier": "EQUALS", "value": {"items": labeled("7"), "excluded": []}}},
     None, ["performers: modifier EQUALS has no rule here"]),
    ("performers NOT_NULL",
     {"performers": {"modifier": "NOT_NULL"}},
     None, ["performers: NOT_NULL (with any performer) has no rule here"]),
    ("studios includes, with sub-studios",
     {"studios": {"modifier": "INCLUDES", "value": hier(["4"], depth=-1)}},
     tree(c("studio", "in", ["studio-four"])), []),
    ("studios excludes",
     {"studios": {"modifier": "EXCLUDES", "value": hier(["4"])}},
     tree(c("studio", "not_in", ["studio-four"])), []),
    # ---- rating100 (value {value, value2} since 0.20; {value, value2} beside it before)
    ("rating EQUALS", {"rating100": {"modifier": "EQUALS", "value": {"value": 80}}},
     tree(c("rating", "equals", 80)), []),
    ("rating NOT_EQUALS",
     {"rating100": {"modifier": "NOT_EQUALS", "value": {"value": 20, "value2": None}}},
     tree(c("rating", "not_equals", 20)), []),
    ("rating GREATER_THAN",
     {"rating100": {"modifier": "GREATER_THAN", "value": {"value": 60}}}, tree(c("rating", "greater_than", 60)), []),
    ("rating LESS_THAN", {"rating100": {"modifier": "LESS_THAN", "value": {"value": 40}}},
     tree(c("rating", "less_than", 40)), []),
    ("rating BETWEEN", {"rating100": {"modifier": "BETWEEN", "value": {"value": 20, "value2": 80}}},
     tree(c("rating", "between", [20, 80])), []),
    ("rating BETWEEN, older flat shape, reversed bounds",
     {"rating100": {"modifier": "BETWEEN", "value": 80, "value2": 20}}, tree(c("rating", "between", [20, 80])), []),
    ("rating NOT_BETWEEN", {"rating100": {"modifier": "NOT_BETWEEN", "value": {"value": 20, "value2": 40}}},
     tree(g("not", c("rating", "between", [20, 40]))), []),
    ("rating IS_NULL", {"rating100": {"modifier": "IS_NULL"}}, tree(c("rating", "is_null")), []),
    ("rating NOT_NULL", {"rating100": {"modifier": "NOT_NULL", "value": {"value": 0}}},
     tree(c("rating", "is_not_null")), []),
    ("the 1–5 rating of old saves", {"rating": {"modifier": "EQUALS", "value": 4}},
     tree(c("rating", "equals", 80)), []),
    # ---- organized (string booleans; true in very old saves)
    ("organized true", {"organized": {"value": "true", "modifier": "EQUALS"}}, tree(c("organized", "is_true")), []),
    ("organized false", {"organized": {"value": "false", "modifier": "EQUALS"}}, tree(c("organized", "is_false")), []),
    ("organized as a JSON boolean", {"organized": {"value": True}}, tree(c("organized", "is_true")), []),
    # ---- title (words: INCLUDES any, EXCLUDES none; a quoted text is one phrase)
    ("title INCLUDES one word", {"title": {"modifier": "INCLUDES", "value": "beach"}},
     tree(c("title", "contains", "beach")), []),
    ("title INCLUDES words (any of them, as Stash)", {"title": {"modifier": "INCLUDES", "value": "beach  sunset"}},
     tree(g("or", c("title", "contains", "beach"), c("title", "contains", "sunset"))), []),
    ("title INCLUDES a quoted phrase", {"title": {"modifier": "INCLUDES", "value": '"beach sunset"'}},
     tree(c("title", "contains", "beach sunset")), []),
    ("title EXCLUDES words (none of them)", {"title": {"modifier": "EXCLUDES", "value": "draft wip"}},
     tree(c("title", "not_contains", "draft"), c("title", "not_contains", "wip")), []),
    ("title EQUALS", {"title": {"modifier": "EQUALS", "value": "Intro"}}, tree(c("title", "equals", "Intro")), []),
    ("title NOT_EQUALS", {"title": {"modifier": "NOT_EQUALS", "value": "Intro"}},
     tree(c("title", "not_equals", "Intro")), []),
    ("title IS_NULL", {"title": {"modifier": "IS_NULL", "value": ""}}, tree(c("title", "is_null")), []),
    ("title MATCHES_REGEX", {"title": {"modifier": "MATCHES_REGEX", "value": "^a.*"}},
     None, ["title: modifier MATCHES_REGEX has no rule here"]),
    ("details has no rule", {"details": {"modifier": "INCLUDES", "value": "x"}}, None, ["details: no rule for it"]),
    # ---- date, created_at
    ("date GREATER_THAN", {"date": {"modifier": "GREATER_THAN", "value": {"value": "2020-01-01"}}},
     tree(c("date", "greater_than", "2020-01-01")), []),
    ("date BETWEEN", {"date": {"modifier": "BETWEEN", "value": {"value": "2020-01-01", "value2": "2020-12-31"}}},
     tree(c("date", "between", ["2020-01-01", "2020-12-31"])), []),
    ("date IS_NULL", {"date": {"modifier": "IS_NULL"}}, tree(c("date", "is_null")), []),
    ("date not a date", {"date": {"modifier": "EQUALS", "value": {"value": "last week"}}},
     None, ["date: expects a date as YYYY-MM-DD, not 'last week'"]),
    ("created_at GREATER_THAN a day", {"created_at": {"modifier": "GREATER_THAN", "value": {"value": "2023-05-01"}}},
     tree(c("createdAt", "greater_equal", "2023-05-01")), []),
    ("created_at LESS_THAN a time",
     {"created_at": {"modifier": "LESS_THAN", "value": {"value": "2023-05-01 13:30"}}},
     tree(c("createdAt", "less_equal", "2023-05-01")),
     ["created_at: compared by day here (the time of day is left out)"]),
    # ---- duration (whole seconds in Stash, fractional here)
    ("duration EQUALS", {"duration": {"modifier": "EQUALS", "value": {"value": 600}}},
     tree(c("duration", "greater_equal", 600), c("duration", "less_than", 601)), []),
    ("duration GREATER_THAN", {"duration": {"modifier": "GREATER_THAN", "value": {"value": 600}}},
     tree(c("duration", "greater_equal", 601)), []),
    ("duration LESS_THAN", {"duration": {"modifier": "LESS_THAN", "value": {"value": 60}}},
     tree(c("duration", "less_than", 60)), []),
    ("duration BETWEEN", {"duration": {"modifier": "BETWEEN", "value": {"value": 60, "value2": 120}}},
     tree(c("duration", "greater_equal", 60), c("duration", "less_than", 121)), []),
    ("duration NOT_EQUALS", {"duration": {"modifier": "NOT_EQUALS", "value": {"value": 60}}},
     tree(g("not", c("duration", "greater_equal", 60), c("duration", "less_than", 61))), []),
    # ---- resolution (our buckets: 480p below 720, 720p, 1080p up to 2160, 4K)
    ("resolution EQUALS 720p (exact)", {"resolution": {"modifier": "EQUALS", "value": "720p"}},
     tree(c("resolution", "equals", "720p")), []),
    ("resolution GREATER_THAN 720p (exact)", {"resolution": {"modifier": "GREATER_THAN", "value": "720p"}},
     tree(c("resolution", "in", ["1080p", "4K"])), []),
    ("resolution LESS_THAN 720p (exact)", {"resolution": {"modifier": "LESS_THAN", "value": "720p"}},
     tree(c("resolution", "equals", "480p")), []),
    ("resolution EQUALS FULL_HD (enum name), approximated",
     {"resolution": {"modifier": "EQUALS", "value": "FULL_HD"}},
     tree(c("resolution", "equals", "1080p")),
     ["resolution: EQUALS FULL_HD approximated by our buckets 1080p"]),
    ("resolution NOT_EQUALS 4k", {"resolution": {"modifier": "NOT_EQUALS", "value": "4k"}},
     tree(c("resolution", "in", ["480p", "720p", "1080p", "4K"])),
     ["resolution: NOT_EQUALS 4k approximated by our buckets 480p, 720p, 1080p, 4K"]),
    ("resolution unknown", {"resolution": {"modifier": "EQUALS", "value": "9000p"}},
     None, ["resolution: unknown resolution '9000p'"]),
    # ---- other video fields
    ("video codec", {"video_codec": {"modifier": "EQUALS", "value": "h264"}}, tree(c("codec", "equals", "h264")), []),
    ("play count", {"play_count": {"modifier": "GREATER_THAN", "value": {"value": 2}}},
     tree(c("playCount", "greater_than", 2)), []),
    # ---- criteria without a rule, mixed with ones that map
    ("several, some without a rule",
     {"o_counter": {"modifier": "GREATER_THAN", "value": {"value": 0}},
      "organized": {"value": "true", "modifier": "EQUALS"},
      "interactive": {"value": "true"}, "stash_id_endpoint": {"modifier": "NOT_NULL"}},
     tree(c("organized", "is_true")),
     ["o_counter: no rule for it", "interactive: no rule for it", "stash_id_endpoint: no rule for it"]),
    ("groups have no rule", {"groups": {"modifier": "INCLUDES", "value": hier(["5"])}}, None,
     ["groups: no rule for it"]),
    # ---- sub-filters (GraphQL-made filters)
    ("NOT sub-filter", {"organized": {"value": "true"}, "NOT": {"tags": {"modifier": "INCLUDES", "value": ["1"]}}},
     tree(c("organized", "is_true"), g("not", c("tags", "in", ["tag-one"]))), []),
    ("OR sub-filter",
     {"rating100": {"modifier": "GREATER_THAN", "value": {"value": 80}}, "OR": {"organized": {"value": "true"}}},
     tree(g("or", c("rating", "greater_than", 80), c("organized", "is_true"))), []),
    ("NOT sub-filter with a criterion without a rule is left out",
     {"organized": {"value": "true"}, "NOT": {"o_counter": {"modifier": "EQUALS", "value": {"value": 0}}}},
     tree(c("organized", "is_true")),
     ["NOT.o_counter: no rule for it", "NOT: left out, a criterion inside it has no rule here"]),
]  # fmt: skip


@pytest.mark.parametrize(("object_filter", "expected", "problems"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scene_filters(object_filter: dict[str, Any], expected: dict[str, Any] | None, problems: list[str]) -> None:
    got, kind, found = rule_tree_from_saved_filter(saved(object_filter), resolve)
    assert kind == "video"
    assert got == expected
    assert found == problems
    if got is not None:
        assert Group.model_validate(got).dump() == got, "a valid tree, already in the stored shape"


def test_search_text_is_matched_against_titles() -> None:
    got, kind, problems = rule_tree_from_saved_filter(saved({}, q='beach -draft "golden hour"'), resolve)
    assert kind == "video"
    assert got == tree(c("title", "contains", "beach"), c("title", "not_contains", "draft"),
                       c("title", "contains", "golden hour"))  # fmt: skip
    assert problems == ["q (search): matched against titles only here (Stash also searches details, paths, codes…)"]


def test_a_filter_without_criteria_holds_every_row_of_its_kind() -> None:
    for object_filter in ({}, None):
        got, kind, problems = rule_tree_from_saved_filter(saved(object_filter, mode="IMAGES"), resolve)
        assert (got, kind, problems) == (tree(c("createdAt", "is_not_null", kind="image")), "image", [])


def test_nothing_maps_gives_no_tree_and_every_problem() -> None:
    got, kind, problems = rule_tree_from_saved_filter(
        saved(
            {"o_counter": {"modifier": "EQUALS", "value": {"value": 1}}, "path": {"modifier": "INCLUDES", "value": "x"}}
        ),
        resolve,
    )
    assert (got, kind) == (None, "video")
    assert problems == ["o_counter: no rule for it", "path: no rule for it"]


@pytest.mark.parametrize(
    ("mode", "what"),
    [("PERFORMERS", "performers"), ("STUDIOS", "studios"), ("TAGS", "tags"), ("GROUPS", "groups"),
     ("MOVIES", "groups"), ("SCENE_MARKERS", "scene markers"), ("SOMETHING_NEW", "this kind of row")],
)  # fmt: skip
def test_modes_collections_cannot_hold(mode: str, what: str) -> None:
    object_filter = {"tags": {"modifier": "INCLUDES", "value": hier(["1"])}}
    got = rule_tree_from_saved_filter(saved(object_filter, mode=mode), resolve)
    assert got == (None, None, [f"mode {mode}: collections hold videos, images and galleries, not {what}"])


def test_images_and_galleries_use_their_own_fields() -> None:
    image_filter = {"rating100": {"modifier": "EQUALS", "value": {"value": 100}},
                    "duration": {"modifier": "EQUALS", "value": {"value": 5}}}  # fmt: skip
    got, kind, problems = rule_tree_from_saved_filter(saved(image_filter, mode="IMAGES"), resolve)
    assert (got, kind, problems) == (tree(c("rating", "equals", 100, kind="image")), "image",
                                     ["duration: no rule for it"])  # fmt: skip

    gallery_filter = {"image_count": {"modifier": "GREATER_THAN", "value": {"value": 10}},
                      "is_zip": {"value": "true", "modifier": "EQUALS"},
                      "performers": {"modifier": "INCLUDES",
                                     "value": {"items": labeled("8"), "excluded": []}}}  # fmt: skip
    got, kind, problems = rule_tree_from_saved_filter(saved(gallery_filter, mode="GALLERIES"), resolve)
    assert kind == "gallery" and problems == []
    assert got == tree(c("imageCount", "greater_than", 10, kind="gallery"),
                       c("galleryType", "equals", "zip", kind="gallery"),
                       c("performers", "in", ["perf-eight"], kind="gallery"))  # fmt: skip
    Group.model_validate(got)


def test_many_values_are_split_and_too_many_conditions_give_no_tree() -> None:
    many = {("tag", str(i)): f"t{i}" for i in range(150)}

    def lookup(entity: str, stash_id: str) -> str | None:
        return many.get((entity, stash_id))

    ids = [str(i) for i in range(150)]
    got, _, problems = rule_tree_from_saved_filter(saved({"tags": {"modifier": "INCLUDES", "value": ids}}), lookup)
    assert problems == []
    assert got == tree(g("or", c("tags", "in", [f"t{i}" for i in range(100)]),
                         c("tags", "in", [f"t{i}" for i in range(100, 150)])))  # fmt: skip
    Group.model_validate(got)

    got, _, problems = rule_tree_from_saved_filter(saved({"tags": {"modifier": "INCLUDES_ALL", "value": ids}}), lookup)
    assert got is None and problems == ["the rule would need more than 100 conditions"]


def test_bad_shapes_are_problems_not_errors() -> None:
    got, kind, problems = rule_tree_from_saved_filter(saved(["not", "an", "object"]), resolve)
    assert (got, kind, problems) == (None, "video", ["object_filter: not a JSON object (list)"])
    weird = {"rating100": {"modifier": "GREATER_THAN", "value": {"value": "lots"}},
             "tags": {"modifier": "INCLUDES", "value": 42},
             "title": {"modifier": "INCLUDES", "value": None}}  # fmt: skip
    got, _, problems = rule_tree_from_saved_filter(saved(weird), resolve)
    assert got is None
    assert problems == ["rating100: expects a number, not 'lots'", "tags: tag 42 not imported; left out of the rule",
                        "title: INCLUDES without a text"]  # fmt: skip
