"""The rule tree of dynamic collections (reference §1.5), validated with pydantic.

::

    Group     = {"type": "group", "operator": "and" | "or" | "not", "children": [Group | Condition]}
    Condition = {"type": "condition", "entityTypes": [...] (empty = every kind), "field": "duration",
                 "operator": "greater_than", "value": 600}

``not`` is NOT(AND(children)). Which fields and operators exist depends on the loaded media plugins
(``obscura_collection_sources``); :mod:`.compiler` checks them and turns the tree into SQL.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

MAX_DEPTH = 8
MAX_CONDITIONS = 100

OPERATORS: tuple[str, ...] = (
    "equals", "not_equals", "contains", "not_contains", "greater_than", "less_than", "greater_equal",
    "less_equal", "between", "in", "not_in", "is_null", "is_not_null", "is_true", "is_false",
)  # fmt: skip

_COMPARE = ("equals", "not_equals", "greater_than", "less_than", "greater_equal", "less_equal", "between")
_NULLS = ("is_null", "is_not_null")

OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "text": ("equals", "not_equals", "contains", "not_contains", "in", "not_in", *_NULLS),
    "number": (*_COMPARE, "in", "not_in", *_NULLS),
    "duration": (*_COMPARE, *_NULLS),
    "date": (*_COMPARE, *_NULLS),
    "boolean": ("is_true", "is_false"),
    "enum": ("equals", "not_equals", "in", "not_in", *_NULLS),
    "link": ("equals", "not_equals", "in", "not_in"),
}
"""The operators each field type accepts."""

OPERATOR_LABELS: dict[str, str] = {
    "equals": "is", "not_equals": "is not", "contains": "contains", "not_contains": "does not contain",
    "greater_than": ">", "less_than": "<", "greater_equal": "≥", "less_equal": "≤", "between": "between",
    "in": "is any of", "not_in": "is none of", "is_null": "is empty", "is_not_null": "is set",
    "is_true": "is yes", "is_false": "is no",
}  # fmt: skip


class _Node(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Condition(_Node):
    """One test on one field; ``entity_types`` limits it to some kinds (empty: every kind having the field)."""

    type: Literal["condition"]
    entity_types: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(default_factory=list, max_length=8)
    field: str = Field(min_length=1, max_length=64)
    operator: Literal[OPERATORS]  # type: ignore[valid-type]
    value: Any = None


class Group(_Node):
    """Children combined with ``and``, ``or`` or ``not`` (= none of… NOT(AND(children)))."""

    type: Literal["group"]
    operator: Literal["and", "or", "not"]
    children: list[Annotated[Group | Condition, Field(discriminator="type")]] = Field(
        default_factory=list, max_length=MAX_CONDITIONS
    )

    @model_validator(mode="after")
    def _bounded(self) -> Group:
        if self.depth() > MAX_DEPTH:
            raise ValueError(f"rule groups nest at most {MAX_DEPTH} deep")
        if self.count() > MAX_CONDITIONS:
            raise ValueError(f"a rule tree holds at most {MAX_CONDITIONS} conditions")
        return self

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children if isinstance(c, Group)), default=0)

    def count(self) -> int:
        return sum(c.count() if isinstance(c, Group) else 1 for c in self.children)

    def conditions(self) -> list[Condition]:
        out: list[Condition] = []
        for child in self.children:
            out.extend(child.conditions() if isinstance(child, Group) else [child])
        return out

    def dump(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")
