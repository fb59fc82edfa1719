"""What the taxonomy pages share: the wording of each kind, link counts in words, cards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template

from plugin_sdk.formatting import stars
from plugins_builtin.taxonomy.kinds import PERFORMERS, STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.links import image_url

MEDIA_WORDS: dict[str, tuple[str, str]] = {  # entity type → (singular, plural)
    "video": ("video", "videos"),
    "series": ("series", "series"),
    "gallery": ("gallery", "galleries"),
    "image": ("image", "images"),
    "audio-track": ("track", "tracks"),
    "audio-library": ("album", "albums"),
}
MEDIA_ORDER = list(MEDIA_WORDS)


@dataclass(frozen=True)
class KindPage:
    """How the pages word and show one kind."""

    kind: Kind
    title: str  # "Performers"
    singular: str  # "performer"
    icon: str
    portrait: bool  # pictures are portraits (2:3) rather than logos/landscapes (16:9)
    empty_text: str

    @property
    def plural(self) -> str:
        return self.kind.plural

    @property
    def path(self) -> str:
        return f"/{self.kind.plural}"


PAGES: dict[str, KindPage] = {
    "performers": KindPage(
        PERFORMERS, "Performers", "performer", "user", True,
        "People in your videos, galleries and audio. Add one here, or cast people from a video's "
        "“People & tags” panel.",
    ),
    "studios": KindPage(
        STUDIOS, "Studios", "studio", "building", False,
        "Who made your media. Studios can sit under a parent studio (a network, a label).",
    ),
    "tags": KindPage(
        TAGS, "Tags", "tag", "tag", False,
        "Words that describe your media. Tags can have parent tags: filtering by a parent includes its children.",
    ),
}  # fmt: skip

SORTS: list[tuple[str, str]] = [
    ("name", "Name"),
    ("count", "Most linked"),
    ("scenes", "Most videos"),
    ("rating", "Rating"),
    ("recent", "Recently added"),
]


def count_words(counts: dict[str, int]) -> list[str]:
    """``{"video": 3, "image": 1}`` → ``["3 videos", "1 image"]`` in a stable order."""
    out = []
    for entity_type in sorted(counts, key=lambda t: (MEDIA_ORDER.index(t) if t in MEDIA_ORDER else 99, t)):
        n = counts[entity_type]
        if not n:
            continue
        one, many = MEDIA_WORDS.get(entity_type, (entity_type.replace("-", " "), entity_type.replace("-", " ") + "s"))
        out.append(f"{n:,} {one if n == 1 else many}")
    return out


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    sub: str | None
    url: str
    image: str | None
    favorite: bool
    stars: int | None
    counts: list[str]


def card(page: KindPage, row: Any, counts: dict[str, int], sub: str | None = None) -> Card:
    return Card(
        id=row.id,
        name=row.name,
        sub=sub,
        url=f"{page.path}/{row.id}",
        image=image_url(page.kind, row),
        favorite=row.favorite,
        stars=stars(row.rating),
        counts=count_words(counts),
    )


def not_found(page: KindPage) -> tuple[str, int]:
    """The HTML 404 of a detail or edit page."""
    return render_template("taxonomy/not_found.html", page=page, nav_active=page.path), 404
