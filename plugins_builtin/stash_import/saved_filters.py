"""Stash saved filters → rule trees of dynamic collections (a pure function, no database).

Stash's UI saves a filter as ``find_filter`` (``q``, sort, direction, page size) and
``object_filter``: one entry per criterion, keyed by the criterion's type, in the shapes the UI's
``list-filter`` models write (``{"modifier": …, "value": …}``)::

    {"tags": {"modifier": "INCLUDES_ALL", "value": {"items": [{"id": "12", "label": "x"}],
                                                    "excluded": [], "depth": 0}},
     "rating100": {"modifier": "GREATER_THAN", "value": {"value": 60}},
     "organized": {"value": "true", "modifier": "EQUALS"}}

Older saves (and filters made through the GraphQL API) use other shapes, all accepted here:
numbers as ``{"value": 60, "value2": 80}``, link criteria as ``[{"id", "label"}]`` or plain
``["12"]`` with ``excludes``/``depth`` beside them, booleans as ``true``, the 1–5 ``rating``.

:func:`rule_tree_from_saved_filter` answers ``(rule tree, entity type, problems)``. Each mapped
criterion becomes conditions limited to the filter's kind (``entityTypes: ["video"]``), all
ANDed. A criterion with no rule here is left out and named in ``problems``; so is an
approximation (Stash's free-text search matched against titles only, a resolution bucket).
Leaving a criterion out widens what the collection holds: the caller decides what to do with a
filter that has problems. Differences accepted without a problem line: tag and studio rules here
always match sub-tags and sub-studios (Stash's ``depth``), and sort order and page size have no
home (a collection keeps its own order).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["KINDS", "Resolve", "rule_tree_from_saved_filter"]

Resolve = Callable[[str, str], str | None]
"""``resolve(entity, stash id)``: our id of a Stash ``tag``/``performer``/``studio``/``group``, or ``None``."""

KINDS: dict[str, str] = {"SCENES": "video", "IMAGES": "image", "GALLERIES": "gallery"}
"""Stash's filter modes that collections can hold, and the entity type each lists."""

_NOT_HELD: dict[str, str] = {
    "PERFORMERS": "performers", "STUDIOS": "studios", "TAGS": "tags", "GROUPS": "groups", "MOVIES": "groups",
    "SCENE_MARKERS": "scene markers", "MARKERS": "scene markers",
}  # fmt: skip

MAX_CONDITIONS = 100
"""A rule tree holds at most this many conditions (``collections.rules``)."""
MAX_VALUES = 100
"""An ``in``/``not_in`` condition takes at most this many values."""
TEXT_MAX = 300
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?")

# Stash's resolution names → the lowest height of each; a resolution spans up to the next one.
_RESOLUTIONS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("144p", "very_low"), 144), (("240p", "low"), 240), (("360p", "r360p"), 360),
    (("480p", "standard"), 480), (("540p", "web_hd"), 540), (("720p", "standard_hd"), 720),
    (("1080p", "full_hd"), 1080), (("1440p", "quad_hd"), 1440), (("1920p", "vr_hd"), 1920),
    (("4k", "four_k"), 2160), (("5k", "five_k"), 2880), (("6k", "six_k"), 3384), (("7k", "seven_k"), 4032),
    (("8k", "eight_k"), 4320), (("8k+", "huge"), 8640),
)  # fmt: skip
_TOP = 1 << 30
# our ``resolution`` rule's buckets (videos' collection source): label → [lowest, next) height
_BUCKETS: tuple[tuple[str, int, int], ...] = (("480p", 0, 720), ("720p", 720, 1080), ("1080p", 1080, 2160),
                                               ("4K", 2160, _TOP))  # fmt: skip

_LINKS: dict[str, tuple[str, str, str]] = {
    "tags": ("tags", "tag", "tag"),
    "performers": ("performers", "performer", "performer"),
    "studios": ("studio", "studio", "studio"),
}
"""Stash criterion → (our rule field, the entity ``resolve`` takes, its name in messages)."""

_COMMON: dict[str, tuple[str, str]] = {
    "title": ("title", "text"),
    "rating100": ("rating", "number"),
    "rating": ("rating", "rating5"),
    "organized": ("organized", "boolean"),
    "date": ("date", "date"),
    "created_at": ("createdAt", "timestamp"),
    "tags": ("tags", "link"),
    "performers": ("performers", "link"),
    "studios": ("studio", "link"),
}
_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "video": {
        **_COMMON,
        "duration": ("duration", "duration"),
        "resolution": ("resolution", "resolution"),
        "video_codec": ("codec", "text"),
        "play_count": ("playCount", "number"),
    },
    "image": dict(_COMMON),
    "gallery": {**_COMMON, "image_count": ("imageCount", "number"), "is_zip": ("galleryType", "zip")},
}
"""Per kind: Stash criterion → (our rule field, how its value is read)."""


class _NoRule(Exception):
    """The criterion (or part of it) has no rule here; the message says why."""


class _Builder:
    """Collects the conditions of one filter of one kind, and the problems met on the way."""

    def __init__(self, kind: str, resolve: Resolve) -> None:
        self.kind = kind
        self.resolve = resolve
        self.problems: list[str] = []

    # -------------------------------------------------------------------------------- nodes

    def cond(self, field: str, operator: str, value: Any = None) -> dict[str, Any]:
        return {"type": "condition", "entityTypes": [self.kind], "field": field, "operator": operator, "value": value}

    @staticmethod
    def group(operator: str, children: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "group", "operator": operator, "children": children}

    def negate(self, nodes: list[dict[str, Any]]) -> dict[str, Any]:
        """NOT(AND(nodes)) as one node."""
        return self.group("not", nodes)

    # -------------------------------------------------------------------------------- filters

    def filter(self, obj: Mapping[str, Any], where: str = "") -> list[dict[str, Any]]:
        """The ANDed nodes of one object filter (with its ``AND``/``OR``/``NOT`` sub-filters)."""
        fields = _FIELDS[self.kind]
        nodes: list[dict[str, Any]] = []
        for name, crit in obj.items():
            if name in ("AND", "OR", "NOT"):
                continue
            label = f"{where}{name}"
            if crit is None:
                continue
            if name not in fields:
                self.problems.append(f"{label}: no rule for it")
                continue
            field, how = fields[name]
            try:
                found, notes = self.criterion(name, field, how, crit)
            except _NoRule as exc:
                self.problems.append(f"{label}: {exc}")
                continue
            nodes.extend(found)
            self.problems.extend(f"{label}: {note}" for note in notes)
        for op in ("AND", "OR", "NOT"):
            sub = obj.get(op)
            if isinstance(sub, Mapping) and sub:
                nodes = self.sub_filter(op, sub, nodes, f"{where}{op}.")
        return nodes

    def sub_filter(
        self, op: str, sub: Mapping[str, Any], nodes: list[dict[str, Any]], where: str
    ) -> list[dict[str, Any]]:
        before = len(self.problems)
        inner = self.filter(sub, where)
        if op == "AND":
            return nodes + inner
        if op == "NOT":
            if len(self.problems) > before or not inner:  # NOT of a weaker filter would drop too much
                self.problems.append(f"{where[:-1]}: left out, a criterion inside it has no rule here")
                return nodes
            return [*nodes, self.negate(inner)]
        if not inner or not nodes:  # OR with a side that matches everything here
            self.problems.append(f"{where[:-1]}: left out, one side of it has no rule here")
            return nodes
        left = nodes[0] if len(nodes) == 1 else self.group("and", nodes)
        right = inner[0] if len(inner) == 1 else self.group("and", inner)
        return [self.group("or", [left, right])]

    # -------------------------------------------------------------------------------- criteria

    def criterion(self, name: str, field: str, how: str, crit: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """``(nodes, notes)`` of one criterion; raises :class:`_NoRule`."""
        if not isinstance(crit, Mapping):
            crit = {"modifier": "EQUALS", "value": crit}
        modifier = str(crit.get("modifier") or "EQUALS").upper()
        if how == "link":
            return self.link(name, field, modifier, crit)
        if how == "boolean":
            return [self.cond(field, "is_true" if _truth(crit.get("value"), modifier) else "is_false")], []
        if how == "zip":
            op = "equals" if _truth(crit.get("value"), modifier) else "not_equals"
            return [self.cond(field, op, "zip")], []
        if modifier in ("IS_NULL", "NOT_NULL"):
            if how == "resolution":
                raise _NoRule(f"{modifier} has no rule here")
            return [self.cond(field, "is_null" if modifier == "IS_NULL" else "is_not_null")], []
        if how == "text":
            return self.text(field, modifier, crit.get("value")), []
        if how == "resolution":
            return self.resolution(field, modifier, crit.get("value"))
        low, high = _range(crit)
        if how in ("number", "rating5"):
            scale = 20 if how == "rating5" else 1
            return self.number(field, modifier, _int(low, scale), _int(high, scale) if high is not None else None), []
        if how == "duration":
            return self.duration(field, modifier, _int(low), _int(high) if high is not None else None), []
        if how == "date":
            return self.number(field, modifier, _date(low), _date(high) if high is not None else None), []
        return self.timestamp(field, modifier, low, high)

    def number(self, field: str, modifier: str, low: Any, high: Any) -> list[dict[str, Any]]:
        simple = {"EQUALS": "equals", "NOT_EQUALS": "not_equals", "GREATER_THAN": "greater_than",
                  "LESS_THAN": "less_than"}  # fmt: skip
        if modifier in simple:
            return [self.cond(field, simple[modifier], low)]
        if modifier in ("BETWEEN", "NOT_BETWEEN"):
            if high is None:
                raise _NoRule(f"{modifier} without a second value")
            between = self.cond(field, "between", sorted([low, high]))
            return [between] if modifier == "BETWEEN" else [self.negate([between])]
        raise _NoRule(f"modifier {modifier} has no rule here")

    def duration(self, field: str, modifier: str, low: int, high: int | None) -> list[dict[str, Any]]:
        """Stash compares whole seconds (``CAST(duration AS INT)``); ours are fractional."""

        def span(a: int, b: int) -> list[dict[str, Any]]:  # a ≤ whole seconds ≤ b
            return [self.cond(field, "greater_equal", a), self.cond(field, "less_than", b + 1)]

        if modifier == "EQUALS":
            return span(low, low)
        if modifier == "NOT_EQUALS":
            return [self.negate(span(low, low))]
        if modifier == "GREATER_THAN":
            return [self.cond(field, "greater_equal", low + 1)]
        if modifier == "LESS_THAN":
            return [self.cond(field, "less_than", low)]
        if modifier in ("BETWEEN", "NOT_BETWEEN"):
            if high is None:
                raise _NoRule(f"{modifier} without a second value")
            a, b = sorted([low, high])
            return span(a, b) if modifier == "BETWEEN" else [self.negate(span(a, b))]
        raise _NoRule(f"modifier {modifier} has no rule here")

    def timestamp(self, field: str, modifier: str, low: Any, high: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """Stash compares times; our ``createdAt`` rule compares days."""
        day, timed = _day(low)
        notes = []
        if modifier == "GREATER_THAN":
            nodes = [self.cond(field, "greater_equal", day)]
        elif modifier == "LESS_THAN":
            nodes = [self.cond(field, "less_equal" if timed else "less_than", day)]
        elif modifier in ("BETWEEN", "NOT_BETWEEN"):
            if high is None:
                raise _NoRule(f"{modifier} without a second value")
            day2, timed2 = _day(high)
            timed = timed or timed2
            a, b = sorted([day, day2])
            nodes = [self.cond(field, "between", [a, b])]
            if modifier == "NOT_BETWEEN":
                nodes = [self.negate(nodes)]
        else:
            raise _NoRule(f"modifier {modifier} has no rule here")
        if timed:
            notes.append("compared by day here (the time of day is left out)")
        return nodes, notes

    def text(self, field: str, modifier: str, value: Any) -> list[dict[str, Any]]:
        """Stash's INCLUDES matches any of the words (or the quoted phrase); EXCLUDES none of them."""
        if not isinstance(value, str) or not value.strip():
            raise _NoRule(f"{modifier} without a text")
        text = value.strip()
        if modifier in ("EQUALS", "NOT_EQUALS"):
            return [self.cond(field, "equals" if modifier == "EQUALS" else "not_equals", _fit(text))]
        if modifier not in ("INCLUDES", "EXCLUDES"):
            raise _NoRule(f"modifier {modifier} has no rule here")
        words = _words(text)
        if modifier == "EXCLUDES":
            return [self.cond(field, "not_contains", w) for w in words]
        nodes = [self.cond(field, "contains", w) for w in words]
        return nodes if len(nodes) == 1 else [self.group("or", nodes)]

    def resolution(self, field: str, modifier: str, value: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """A Stash resolution spans from its height to the next one's; our rule has four buckets."""
        name = str(value or "").strip().lower()
        index = next((i for i, (names, _) in enumerate(_RESOLUTIONS) if name in names), None)
        if index is None:
            raise _NoRule(f"unknown resolution {value!r}")
        low = _RESOLUTIONS[index][1]
        high = _RESOLUTIONS[index + 1][1] if index + 1 < len(_RESOLUTIONS) else _TOP
        spans = {
            "EQUALS": [(low, high)], "NOT_EQUALS": [(0, low), (high, _TOP)],
            "GREATER_THAN": [(high, _TOP)], "LESS_THAN": [(0, low)],
        }.get(modifier)  # fmt: skip
        if spans is None:
            raise _NoRule(f"modifier {modifier} has no rule here")
        spans = [(a, b) for a, b in spans if a < b]
        wanted = [label for label, a, b in _BUCKETS if any(a < hi and lo < b for lo, hi in spans)]
        if not wanted:
            raise _NoRule(f"{modifier} {value} matches no resolution")
        exact = all(any(lo <= a and b <= hi for lo, hi in spans) for label, a, b in _BUCKETS if label in wanted)
        node = self.cond(field, "equals", wanted[0]) if len(wanted) == 1 else self.cond(field, "in", wanted)
        notes = [] if exact else [f"{modifier} {value} approximated by our buckets {', '.join(wanted)}"]
        return [node], notes

    def link(
        self, name: str, field: str, modifier: str, crit: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """tags / performers / studios: INCLUDES (any of), INCLUDES_ALL (every one of), EXCLUDES."""
        _, entity, noun = _LINKS[name]
        if modifier in ("IS_NULL", "NOT_NULL"):
            raise _NoRule(f"{modifier} (with {'no' if modifier == 'IS_NULL' else 'any'} {noun}) has no rule here")
        if modifier not in ("INCLUDES", "INCLUDES_ALL", "EXCLUDES"):
            raise _NoRule(f"modifier {modifier} has no rule here")
        items, excluded = _link_values(crit)
        if modifier == "EXCLUDES":
            items, excluded = [], items + excluded
        if not items and not excluded:
            raise _NoRule(f"{modifier} without a {noun}")
        unknown: list[str] = []
        ours = self._resolved(entity, items, unknown)
        not_ours = self._resolved(entity, excluded, unknown)
        nodes: list[dict[str, Any]] = []
        if ours:
            if modifier == "INCLUDES_ALL":
                nodes.extend(self.cond(field, "equals", i) for i in ours)
            else:
                chunks = [self.cond(field, "in", c) for c in _chunks(ours)]
                nodes.extend(chunks if len(chunks) == 1 else [self.group("or", chunks)])
        nodes.extend(self.cond(field, "not_in", c) for c in _chunks(not_ours))
        notes = [f"{noun} {', '.join(unknown)} not imported; left out of the rule"] if unknown else []
        if not nodes:
            raise _NoRule(notes[0] if notes else f"{modifier} without a {noun}")
        return nodes, notes

    def _resolved(self, entity: str, refs: list[tuple[str, str]], unknown: list[str]) -> list[str]:
        out: list[str] = []
        for stash_id, label in refs:
            ours = self.resolve(entity, stash_id)
            if ours:
                if ours not in out:
                    out.append(ours)
            else:
                unknown.append(f"{stash_id} ({label})" if label and label != stash_id else stash_id)
        return out

    def search(self, q: str) -> tuple[list[dict[str, Any]], list[str]]:
        """``find_filter.q``: every word (or quoted phrase) in the title; ``-word``: not in it."""
        nodes = []
        for word in _search_words(q):
            if word.startswith("-") and len(word) > 1:
                nodes.append(self.cond("title", "not_contains", word[1:]))
            else:
                nodes.append(self.cond("title", "contains", word))
        notes = ["matched against titles only here (Stash also searches details, paths, codes…)"] if nodes else []
        return nodes, notes


# ------------------------------------------------------------------------------------ values


def _truth(value: Any, modifier: str) -> bool:
    if isinstance(value, Mapping):
        value = value.get("value")
    flag = value.strip().lower() == "true" if isinstance(value, str) else bool(value)
    return flag if modifier != "NOT_EQUALS" else not flag


def _range(crit: Mapping[str, Any]) -> tuple[Any, Any]:
    """``(value, value2)`` of ``{"value": {"value", "value2"}}`` or the older ``{"value", "value2"}``."""
    value = crit.get("value")
    if isinstance(value, Mapping):
        return value.get("value"), value.get("value2")
    return value, crit.get("value2")


def _int(value: Any, scale: int = 1) -> int:
    if isinstance(value, bool) or value is None:
        raise _NoRule(f"expects a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _NoRule(f"expects a number, not {value!r:.40}") from None
    return round(number * scale)


def _date(value: Any) -> str:
    text = str(value or "").strip()[:10]
    if not _DATE.match(text):
        raise _NoRule(f"expects a date as YYYY-MM-DD, not {value!r:.40}")
    return text


def _day(value: Any) -> tuple[str, bool]:
    """``("YYYY-MM-DD", whether a time of day was given)`` of a Stash timestamp criterion value."""
    m = _TIMESTAMP.match(str(value or "").strip())
    if not m:
        raise _NoRule(f"expects a date (and time), not {value!r:.40}")
    return m.group(1), bool(m.group(2)) and m.group(2) not in ("00:00", "00:00:00")


def _fit(text: str) -> str:
    if len(text) > TEXT_MAX:
        raise _NoRule(f"texts are at most {TEXT_MAX} characters here")
    return text


def _words(text: str) -> list[str]:
    """Stash's ``getStringSearchClause``: a quoted text is one phrase, else its words."""
    trimmed = text.strip('"')
    if trimmed != text:
        return [_fit(trimmed)] if trimmed.strip() else []
    return [_fit(w) for w in text.split()]


def _search_words(q: str) -> list[str]:
    """The words and ``"quoted phrases"`` of a search text."""
    out = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', q):
        token = (phrase if phrase else word).strip()
        if token:
            out.append(_fit(token))
    return out


def _ref(item: Any) -> tuple[str, str] | None:
    if isinstance(item, Mapping):
        if item.get("id") is None:
            return None
        return str(item["id"]), str(item.get("label") or "")
    if isinstance(item, str | int) and not isinstance(item, bool) and str(item).strip():
        return str(item).strip(), ""
    return None


def _refs(values: Any) -> list[tuple[str, str]]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        values = [values]
    return [r for r in (_ref(v) for v in values) if r is not None]


def _link_values(crit: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(items, excluded)`` as ``(stash id, label)`` from every shape Stash has saved:
    ``{"items", "excluded", "depth"}``, ``[{"id", "label"}]`` or ``["12"]`` (+ ``excludes``)."""
    value = crit.get("value")
    if isinstance(value, Mapping):
        return _refs(value.get("items")), _refs(value.get("excluded") or value.get("excludes"))
    return _refs(value), _refs(crit.get("excludes") or crit.get("excluded"))


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), MAX_VALUES):
        yield values[i : i + MAX_VALUES]


def _count(node: Mapping[str, Any]) -> int:
    if node.get("type") == "condition":
        return 1
    return sum(_count(c) for c in node.get("children", []))


# ------------------------------------------------------------------------------------ entry point


def rule_tree_from_saved_filter(
    saved: Mapping[str, Any], resolve: Resolve
) -> tuple[dict[str, Any] | None, str | None, list[str]]:
    """A Stash saved filter (``StashReader.saved_filters()``) as a rule tree of our collections.

    :param saved: ``{id, name, mode, find_filter, object_filter, …}``.
    :param resolve: ``resolve(entity, stash id)`` → our id of a ``tag``/``performer``/``studio``/``group``.
    :return: ``(rule tree | None, entity type | None, problems)``. The tree is ``None`` when no
        criterion maps (or the mode lists something collections cannot hold); a filter without
        any criterion maps to every row of its kind. ``problems`` has one line per criterion left
        out or approximated, e.g. ``"o_counter: no rule for it"``.
    """
    mode = str(saved.get("mode") or "").upper()
    kind = KINDS.get(mode)
    if kind is None:
        what = _NOT_HELD.get(mode, "this kind of row")
        return None, None, [f"mode {mode or '(none)'}: collections hold videos, images and galleries, not {what}"]
    builder = _Builder(kind, resolve)
    obj = saved.get("object_filter")
    if obj is not None and not isinstance(obj, Mapping):
        return None, kind, [f"object_filter: not a JSON object ({type(obj).__name__})"]
    obj = obj or {}
    nodes = builder.filter(obj)
    find = saved.get("find_filter") if isinstance(saved.get("find_filter"), Mapping) else {}
    q = find.get("q") if find else None
    searched = False
    if isinstance(q, str) and q.strip():
        searched = True
        try:
            found, notes = builder.search(q)
        except _NoRule as exc:
            builder.problems.append(f"q (search): {exc}")
        else:
            nodes.extend(found)
            builder.problems.extend(f"q (search): {n}" for n in notes)
    criteria = [k for k, v in obj.items() if v is not None]
    if not nodes:
        if not criteria and not searched:  # no criterion at all: every row of the kind
            return builder.group("and", [builder.cond("createdAt", "is_not_null")]), kind, []
        return None, kind, builder.problems
    tree = builder.group("and", nodes)
    if _count(tree) > MAX_CONDITIONS:
        return None, kind, [*builder.problems, f"the rule would need more than {MAX_CONDITIONS} conditions"]
    return tree, kind, builder.problems
