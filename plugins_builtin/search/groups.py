"""Fan a query out to every plugin's ``obscura_search`` and group the hits by kind."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import SearchHit, ValidationError
from plugin_sdk.search import QUERY_MAX, search_everything, search_mode

KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
KINDS_MAX = 20
LIMIT_MAX = 50
OFFSET_MAX = 10_000

LABELS = {
    "video": "Videos",
    "series": "Series",
    "performer": "Performers",
    "studio": "Studios",
    "tag": "Tags",
    "gallery": "Galleries",
    "image": "Images",
    "album": "Albums",
    "track": "Tracks",
}
ORDER = list(LABELS)  # the order of groups whose best hits score the same


def label(kind: str) -> str:
    """A group's heading: ``video`` → Videos; a kind we do not know gets a plain plural."""
    if kind in LABELS:
        return LABELS[kind]
    words = kind.replace("-", " ").replace("_", " ")
    if words.endswith("s"):
        plural = words
    elif words.endswith("y") and words[-2:-1] not in ("a", "e", "i", "o", "u"):
        plural = words[:-1] + "ies"
    else:
        plural = words + "s"
    return plural[:1].upper() + plural[1:]


def tidy(q: str | None) -> str:
    """``q`` trimmed, inner runs of spaces made one, NUL characters dropped, at most ``QUERY_MAX``."""
    return " ".join((q or "").replace("\x00", " ").split())[:QUERY_MAX].strip()


def clean_query(q: str | None) -> str:
    """:func:`tidy` ``q``; 400 if nothing is left."""
    text = tidy(q)
    if not text:
        raise ValidationError("q: type something to search for.", code="empty_query")
    return text


def parse_kinds(raw: str | None) -> list[str] | None:
    """``video,performer`` → ``["video", "performer"]``; ``None``/empty → every kind; 400 if malformed."""
    if raw is None or not raw.strip():
        return None
    kinds: list[str] = []
    for part in raw.split(","):
        kind = part.strip().lower()
        if not KIND_RE.match(kind):
            raise ValidationError(f"kinds: '{part.strip()[:40]}' is not a kind (letters, digits, - and _).")
        if kind not in kinds:
            kinds.append(kind)
    if len(kinds) > KINDS_MAX:
        raise ValidationError(f"kinds: at most {KINDS_MAX} kinds.")
    return kinds


@dataclass
class Group:
    kind: str
    label: str
    items: list[SearchHit] = field(default_factory=list)
    has_more: bool = False

    @property
    def best(self) -> float:
        return self.items[0].score if self.items else 0.0


@dataclass
class Results:
    query: str
    mode: str
    groups: list[Group]
    offset: int
    limit: int
    duration_ms: float

    def dump(self) -> dict[str, Any]:
        """The API's JSON (camelCase)."""
        return {
            "query": self.query,
            "mode": self.mode,
            "offset": self.offset,
            "limit": self.limit,
            "durationMs": round(self.duration_ms, 1),
            "groups": [
                {
                    "kind": g.kind,
                    "label": g.label,
                    "hasMore": g.has_more,
                    "items": [
                        {
                            "kind": h.kind,
                            "id": h.id,
                            "title": h.title,
                            "subtitle": h.subtitle,
                            "url": h.url,
                            "thumbnailUrl": h.thumbnail_url,
                            "score": round(h.score, 4),
                        }
                        for h in g.items
                    ],
                }
                for g in self.groups
            ],
        }


def run(db: Session, query: str, kinds: Sequence[str] | None, limit: int, offset: int = 0) -> Results:
    """Up to ``limit`` hits of each kind (after ``offset``), grouped; groups with the best hits first."""
    started = time.perf_counter()
    hits = search_everything(db, query, limit + 1, kinds, offset)
    groups: dict[str, Group] = {}
    for hit in hits:  # best first
        if kinds is not None and hit.kind not in kinds:
            continue
        group = groups.setdefault(hit.kind, Group(hit.kind, label(hit.kind)))
        if len(group.items) < limit:
            group.items.append(hit)
        else:
            group.has_more = True
    rank = {k: i for i, k in enumerate(ORDER)}
    ordered = sorted(groups.values(), key=lambda g: (-round(g.best, 6), rank.get(g.kind, len(ORDER)), g.kind))
    return Results(query, search_mode(db), ordered, offset, limit, (time.perf_counter() - started) * 1000)
