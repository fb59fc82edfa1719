"""The rule compiler: validation of trees, every operator's SQL, nesting and dropped conditions.

No database: conditions are compiled to PostgreSQL SQL text with literal values; link fields go
through a stand-in of ``plugin_sdk.links.filter_clause`` (the real one is exercised by the
integration tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError as PydanticError
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, Text, literal_column
from sqlalchemy.dialects import postgresql

from plugin_sdk.errors import ValidationError
from plugin_sdk.types import CollectionSource, RuleField
from plugins_builtin.collections import compiler
from plugins_builtin.collections.rules import MAX_DEPTH, OPERATORS, OPERATORS_BY_TYPE, Group

meta = MetaData()
clips = Table(
    "clips", meta,
    Column("id", String, primary_key=True), Column("title", Text), Column("seconds", Float),
    Column("rating", Integer), Column("day", String(10)), Column("added", Date), Column("done", Boolean),
    Column("shape", String),
)  # fmt: skip
photos = Table("photos", meta, Column("id", String, primary_key=True), Column("title", Text), Column("width", Integer))


def _source(kind: str, table: Table, fields: list[RuleField]) -> CollectionSource:
    return CollectionSource(kind=kind, label=kind.title(), table=table, id_column=table.c.id,
                            title_column=table.c.title, fields=fields, views=lambda db, ids: {},
                            thumbnail_files=lambda db, ids: {})  # fmt: skip


SOURCES = {
    "clip": _source("clip", clips, [
        RuleField("title", "Title", "text", clips.c.title),
        RuleField("duration", "Duration", "duration", clips.c.seconds),
        RuleField("rating", "Rating", "number", clips.c.rating),
        RuleField("date", "Date", "date", clips.c.day),
        RuleField("added", "Added", "date", clips.c.added),
        RuleField("done", "Done", "boolean", clips.c.done),
        RuleField("shape", "Shape", "enum", clips.c.shape, options=("wide", "tall")),
        RuleField("tags", "Tags", "link", link_key="tags"),
    ]),
    "photo": _source("photo", photos, [
        RuleField("title", "Title", "text", photos.c.title),
        RuleField("width", "Width", "number", photos.c.width),
    ]),
}  # fmt: skip


@pytest.fixture(autouse=True)
def fake_links(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, list[str]]]:
    """``filter_clause`` stand-in: ``<kind>:<key>=<value>`` as a SQL literal, calls recorded."""
    calls: list[tuple[str, str, list[str]]] = []

    def fake(entity_type: str, id_column: Any, key: str, values: list[str], db: Any = None) -> Any:
        calls.append((entity_type, key, list(values)))
        return literal_column(f"LINK({entity_type}:{key}={values[0]})")

    monkeypatch.setattr(compiler, "filter_clause", fake)
    return calls


def tree(*children: dict[str, Any], op: str = "and") -> Group:
    return Group.model_validate({"type": "group", "operator": op, "children": list(children)})


def c(field: str, operator: str, value: Any = None, kinds: list[str] | None = None) -> dict[str, Any]:
    return {"type": "condition", "field": field, "operator": operator, "value": value, "entityTypes": kinds or []}


def sql(t: Group, kind: str = "clip") -> str | None:
    cond = compiler.condition_for(None, kind, SOURCES[kind], t)  # type: ignore[arg-type]
    if cond is None:
        return None
    text = str(cond.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return text.replace("%%", "%")  # the driver's paramstyle doubles literal percent signs


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (c("title", "equals", "Hi"), "lower(clips.title) = 'hi'"),
        (c("title", "not_equals", "Hi"), "clips.title IS NULL OR lower(clips.title) != 'hi'"),
        (c("title", "contains", "50%_a"), "clips.title ILIKE '%50\\%\\_a%' ESCAPE '\\'"),
        (c("title", "not_contains", "x"), "clips.title IS NULL OR clips.title NOT ILIKE '%x%' ESCAPE '\\'"),
        (c("title", "in", ["A", "b"]), "lower(clips.title) IN ('a', 'b')"),
        (c("title", "not_in", ["A"]), "clips.title IS NULL OR (lower(clips.title) NOT IN ('a'))"),
        (c("title", "is_null"), "clips.title IS NULL"),
        (c("title", "is_not_null"), "clips.title IS NOT NULL"),
        (c("rating", "equals", 3), "clips.rating = 3"),
        (c("rating", "not_equals", 3), "clips.rating IS NULL OR clips.rating != 3"),
        (c("rating", "greater_than", 3), "clips.rating > 3"),
        (c("rating", "less_than", 3), "clips.rating < 3"),
        (c("rating", "greater_equal", 3), "clips.rating >= 3"),
        (c("rating", "less_equal", 3.5), "clips.rating <= 3.5"),
        (c("rating", "between", [1, 4]), "clips.rating BETWEEN 1 AND 4"),
        (c("rating", "in", [1, 2]), "clips.rating IN (1, 2)"),
        (c("rating", "not_in", [1]), "clips.rating IS NULL OR (clips.rating NOT IN (1))"),
        (c("duration", "greater_than", 600), "clips.seconds > 600"),
        (c("duration", "between", [60, 120]), "clips.seconds BETWEEN 60 AND 120"),
        (c("date", "less_than", "2020-02-01"), "clips.day < '2020-02-01'"),
        (c("added", "between", ["2020-01-01", "2020-12-31"]), "clips.added BETWEEN '2020-01-01' AND '2020-12-31'"),
        (c("done", "is_true"), "clips.done IS true"),
        (c("done", "is_false"), "clips.done IS false"),
        (c("shape", "equals", "wide"), "clips.shape = 'wide'"),
        (c("shape", "in", ["wide", "tall"]), "clips.shape IN ('wide', 'tall')"),
        (c("shape", "is_null"), "clips.shape IS NULL"),
        (c("tags", "equals", "Red"), "LINK(clip:tags=Red)"),
        (c("tags", "not_equals", "Red"), "NOT LINK(clip:tags=Red)"),
        (c("tags", "in", ["Red", "Blue"]), "LINK(clip:tags=Red) OR LINK(clip:tags=Blue)"),
        (c("tags", "not_in", ["Red", "Blue"]), "NOT (LINK(clip:tags=Red) OR LINK(clip:tags=Blue))"),
    ],
)
def test_each_operator_compiles_to_its_sql(condition: dict[str, Any], expected: str) -> None:
    assert sql(tree(condition)) == expected


def test_every_operator_is_used_by_some_field_type() -> None:
    used = {op for ops in OPERATORS_BY_TYPE.values() for op in ops}
    assert used == set(OPERATORS)


def test_groups_nest_and_not_negates_the_conjunction() -> None:
    t = tree(
        c("rating", "greater_than", 1),
        {"type": "group", "operator": "or", "children": [c("title", "is_null"), c("done", "is_true")]},
        {"type": "group", "operator": "not", "children": [c("shape", "equals", "wide"), c("tags", "equals", "X")]},
    )
    assert sql(t) == (
        "clips.rating > 1 AND (clips.title IS NULL OR clips.done IS true) "
        "AND NOT (clips.shape = 'wide' AND LINK(clip:tags=X))"
    )
    assert sql(tree(c("title", "is_null"), c("rating", "equals", 2), op="or")) == (
        "clips.title IS NULL OR clips.rating = 2"
    )


def test_conditions_a_kind_cannot_answer_are_dropped_for_that_kind() -> None:
    t = tree(c("title", "contains", "a"), c("width", "greater_than", 10))
    assert sql(t, "clip") == "clips.title ILIKE '%a%' ESCAPE '\\'"
    assert sql(t, "photo") == "photos.title ILIKE '%a%' ESCAPE '\\' AND photos.width > 10"
    only_photos = tree(c("title", "equals", "x", ["photo"]))
    assert sql(only_photos, "clip") is None, "a kind the tree says nothing about contributes no rows"
    assert sql(tree(), "clip") is None
    assert sql(tree({"type": "group", "operator": "or", "children": []}), "clip") is None
    where = compiler.conditions(None, SOURCES, tree(c("width", "less_than", 5)))  # type: ignore[arg-type]
    assert list(where) == ["photo"]


def test_link_rules_without_a_plugin_answering_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: Any, **kwargs: Any) -> Any:
        raise ValidationError("query.tags: needs the taxonomy plugin", code="plugin_missing")

    monkeypatch.setattr(compiler, "filter_clause", missing)
    with pytest.raises(ValidationError) as exc:
        sql(tree(c("tags", "equals", "x")))
    assert exc.value.code == "plugin_missing" and "Rules on tags need the taxonomy plugin" in exc.value.message


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (c("nope", "equals", 1), "ruleTree.children[0]: unknown field 'nope'"),
        (c("width", "equals", 1, ["clip"]), "unknown field 'width'"),
        (c("title", "equals", "x", ["book"]), "unknown entity type 'book'"),
        (c("rating", "contains", "x"), "operator contains does not apply to rating (number)"),
        (c("done", "equals", True), "operator equals does not apply to done (boolean)"),
        (c("tags", "is_null"), "operator is_null does not apply to tags (link)"),
        (c("rating", "equals", "3"), "expects a number"),
        (c("rating", "equals", True), "expects a number"),
        (c("rating", "between", [3]), "between expects [min, max]"),
        (c("rating", "between", [5, 1]), "between expects min ≤ max"),
        (c("rating", "in", []), "in expects a list of values"),
        (c("rating", "in", list(range(101))), "in takes at most 100 values"),
        (c("title", "equals", "  "), "expects a non-empty text"),
        (c("title", "equals", "x" * 301), "at most 300 characters"),
        (c("title", "equals", 5), "expects a non-empty text"),
        (c("date", "equals", "2020/01/01"), "YYYY-MM-DD"),
        (c("date", "equals", "2020-02-30"), "is not a date"),
        (c("shape", "equals", "round"), "shape is one of wide, tall"),
    ],
)
def test_bad_conditions_are_refused_with_where_and_why(condition: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        compiler.check(SOURCES, tree(condition))
    assert message in exc.value.message and exc.value.status == 400


def test_errors_name_the_nested_condition() -> None:
    t = tree(c("title", "is_null"), {"type": "group", "operator": "or", "children": [c("rating", "equals", "x")]})
    with pytest.raises(ValidationError) as exc:
        compiler.check(SOURCES, t)
    assert exc.value.message.startswith("ruleTree.children[1].children[0]:")


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "group", "operator": "xor", "children": []},
        {"type": "group", "operator": "and", "children": [{"type": "condition", "field": "t", "operator": "like"}]},
        {"type": "group", "operator": "and", "children": [{"type": "thing"}]},
        {"type": "group", "operator": "and", "children": [], "extra": 1},
        {"type": "condition", "field": "title", "operator": "equals", "value": "x"},
    ],
)
def test_malformed_trees_fail_validation(raw: dict[str, Any]) -> None:
    with pytest.raises(PydanticError):
        Group.model_validate(raw)


def test_depth_and_size_are_bounded() -> None:
    node: dict[str, Any] = {"type": "group", "operator": "and", "children": [c("title", "is_null")]}
    for _ in range(MAX_DEPTH):
        node = {"type": "group", "operator": "and", "children": [node]}
    with pytest.raises(PydanticError, match="nest at most"):
        Group.model_validate(node)
    with pytest.raises(PydanticError, match="at most 100 conditions"):
        Group.model_validate({"type": "group", "operator": "or", "children": [
            {"type": "group", "operator": "or", "children": [c("title", "is_null")] * 60}] * 2})  # fmt: skip
