"""What a typed result's card shows (a movie, an episode or a series of a script plugin such as
TMDB or TVDB): each field of the accept mask beside the entity's current value, the cast with
characters, the genres, the image candidates to pick from and, for a series, the season/episode
cascade, where only the seasons and episodes that exist here can be accepted.

The current values come from the target (``describe``, ``describe_typed``) and the links
(``plugin_sdk.links.links_for``); what neither says (a tagline, a content rating, a rating, the
current artwork, a season's title) is marked *pending* and filled in by the card's element
(``static/metadata/typed.js``) from the entity's JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from plugin_sdk import MetadataTarget
from plugin_sdk.links import links_for
from plugin_sdk.metadata import metadata_sources
from plugins_builtin.metadata import normalize, typed
from plugins_builtin.metadata.models import ScrapeResultRow

logger = logging.getLogger("obscura.metadata")

KINDS = typed.KINDS
LABELS = {
    "title": "Title", "overview": "Overview", "tagline": "Tagline", "releaseDate": "Release date",
    "airDate": "Air date", "firstAirDate": "First aired", "runtime": "Runtime", "genres": "Genres",
    "studio": "Studio", "cast": "Cast", "rating": "Rating", "contentRating": "Content rating",
    "externalIds": "External ids",
}  # fmt: skip
"""The label of each accept-mask key (``typed.MASK``)."""
FIELD_KEYS = {
    "movie": ("title", "overview", "tagline", "releaseDate", "runtime", "genres", "studio", "cast", "rating",
              "contentRating", "externalIds"),
    "series": ("title", "overview", "tagline", "firstAirDate", "genres", "studio", "cast", "rating", "contentRating",
               "externalIds"),
    "episode": ("title", "overview", "airDate", "runtime", "cast", "rating", "externalIds"),
}  # fmt: skip
"""The mask keys a card offers, in order, for each kind (those the result has a value for)."""
SEASON_KEYS = ("title", "overview", "airDate", "externalIds")
EPISODE_KEYS = typed.EPISODE_MASK
SHAPES = {"overview": "long", "genres": "chips", "cast": "cast", "externalIds": "ids", "rating": "rating",
          "runtime": "runtime"}  # fmt: skip
PROPOSED_KEYS = {"studio": "studioName"}
"""Mask keys read from another key of ``proposed`` (a cast is an episode's ``guestStars``)."""
PENDING_KEYS = {"tagline", "contentRating", "rating", "firstAirDate"}
"""Current values the pages cannot read server-side: ``typed.js`` fills them from the entity's JSON."""
APPLIED_KEYS = {"releaseDate": "date", "airDate": "date", "firstAirDate": "date", "genres": "tags"}
"""How ``applied.fields`` of an accepted result names a mask key."""
IMAGE_LABELS = {"poster": "Poster", "backdrop": "Backdrop", "logo": "Logo", "still": "Still"}
TYPED_ACTIONS: dict[str, tuple[str, ...]] = {
    "series": ("seriesByName", "folderByName", "seriesCascade", "folderCascade", "seriesByURL", "seriesByFragment",
               "folderByFragment"),
    "movie": ("movieByName", "movieByURL", "movieByFragment", "videoByName", "videoByURL", "videoByFragment"),
    "episode": ("episodeByName", "episodeByURL", "episodeByFragment", "videoByName", "videoByURL",
                "videoByFragment"),
    "audio_track": ("audioByFragment", "audioByURL"),
    "audio_library": ("audioLibraryByName",),
}  # fmt: skip
"""The actions of a typed source that fit an entity of each kind, in the order they are offered."""
ACTION_LABELS = {
    "seriesCascade": "Series, with seasons and episodes", "folderCascade": "Folder, with seasons and episodes",
    "seriesByName": "Search series by name", "folderByName": "Search by folder name",
    "seriesByURL": "Series from the URL", "seriesByFragment": "From this series’ data",
    "folderByFragment": "From the folder’s data", "movieByName": "Search movies by title",
    "movieByURL": "Movie from the URL", "movieByFragment": "From this movie’s data",
    "videoByName": "Search by title", "videoByURL": "From the URL", "videoByFragment": "From this video’s data",
    "episodeByName": "Search episodes by title", "episodeByURL": "Episode from the URL",
    "episodeByFragment": "From this episode’s data", "audioByFragment": "From this track’s tags and hashes",
    "audioByURL": "Track from the URL", "audioLibraryByName": "Search albums by name",
}  # fmt: skip
IDENTIFY_LABEL = "Identify with…"


# ------------------------------------------------------------------------------------------ sources


def typed_kind(db: Session, tgt: MetadataTarget, entity_id: str) -> str | None:
    """What typed sources see the entity as (``movie``, ``episode``, ``series``, ``audio_track``,
    ``audio_library``), or ``None``."""
    if tgt.describe_typed is None:
        return None
    try:
        found = (tgt.describe_typed(db, [entity_id]) or {}).get(entity_id)
    except Exception:
        logger.exception("metadata target %r failed describing %s for typed sources", tgt.entity_type, entity_id)
        return None
    kind = found.get("kind") if isinstance(found, Mapping) else None
    return kind if kind in TYPED_ACTIONS else None


def typed_actions(actions: Iterable[Any], kind: str) -> tuple[tuple[str, str], ...]:
    """``(action, label)`` of a typed entry's declared actions that fit an entity of ``kind``."""
    declared = {a for a in actions if isinstance(a, str)}
    return tuple((a, ACTION_LABELS.get(a, a)) for a in TYPED_ACTIONS.get(kind, ()) if a in declared)


# ------------------------------------------------------------------------------------------ current values


def _names(value: Any) -> list[str]:
    return normalize.names(value) if isinstance(value, list) else []


def _studio(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return normalize.text(value.get("name"))
    return normalize.text(value)


def _minutes(seconds: Any) -> int | None:
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return max(round(seconds / 60), 1)
    return None


@dataclass(slots=True)
class LocalEpisode:
    number: int
    title: str | None


@dataclass(slots=True)
class TypedCurrent:
    """An entity's current values under the mask keys, and a series' local seasons."""

    values: dict[str, Any]
    seasons: dict[int, dict[int, LocalEpisode]] = field(default_factory=dict)
    """``{season number: {episode number: episode}}`` of what is on disk (series only)."""


def typed_currents(db: Session, tgt: MetadataTarget, ids: Sequence[str]) -> dict[str, TypedCurrent]:
    """``{id: current}`` for the typed cards of one target's entities (unknown ids left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted or tgt.describe_typed is None:
        return {}
    try:
        described = {str(k): dict(v) for k, v in (tgt.describe(db, wanted) or {}).items()}
        inputs = {str(k): dict(v) for k, v in (tgt.describe_typed(db, list(described)) or {}).items()}
    except Exception:
        logger.exception("metadata target %r failed describing %d entities", tgt.entity_type, len(wanted))
        return {}
    links = links_for(db, tgt.entity_type, list(described)) if described else {}
    out: dict[str, TypedCurrent] = {}
    for entity_id, fragment in described.items():
        given = inputs.get(entity_id, {})
        linked = links.get(entity_id, {})
        date = normalize.day(given.get("date"))
        title = given.get("title") or fragment.get("title") or fragment.get("name")
        values = {
            "title": normalize.text(title),
            "overview": normalize.long_text(fragment.get("details") or fragment.get("synopsis")),
            "releaseDate": date, "airDate": date,
            "runtime": _minutes(given.get("duration")),
            "genres": _names(linked.get("tags")),
            "studio": _studio(linked.get("studio")),
            "cast": _names(linked.get("performers")),
            "externalIds": {str(k): str(v) for k, v in (given.get("externalIds") or {}).items() if v},
        }  # fmt: skip
        seasons: dict[int, dict[int, LocalEpisode]] = {}
        for season in given.get("localSeasons") or []:
            if not isinstance(season, Mapping) or not isinstance(season.get("seasonNumber"), int):
                continue
            episodes = seasons.setdefault(season["seasonNumber"], {})
            for ep in season.get("episodes") or []:
                parsed = ep.get("parsed") if isinstance(ep, Mapping) else None
                number = parsed.get("episode") if isinstance(parsed, Mapping) else None
                if isinstance(number, int) and number not in episodes:
                    episodes[number] = LocalEpisode(number, normalize.text(parsed.get("title")))
        out[entity_id] = TypedCurrent(values, seasons)
    return out


# ------------------------------------------------------------------------------------------ the card


@dataclass(frozen=True, slots=True)
class TypedField:
    """One mask field: the proposed value beside the current one."""

    key: str
    label: str
    shape: str
    """``text``, ``long``, ``chips`` (genres), ``cast``, ``ids``, ``rating`` (0–10) or ``runtime`` (minutes)."""
    proposed: Any
    current: Any
    pending: bool
    """The current value is read in the browser (``data-current-pending``)."""
    same: bool
    applied: bool = False


@dataclass(frozen=True, slots=True)
class ImageChoice:
    url: str
    size: str
    """``680×1000``, or empty when the source does not say."""
    language: str


@dataclass(frozen=True, slots=True)
class ImagePicker:
    """The candidates of one artwork slot, as radio buttons (the first chosen; "None" keeps none)."""

    slot: str
    label: str
    choices: tuple[ImageChoice, ...]
    current: str | None = None
    """What the entity has now, when the pages know (else ``typed.js`` shows it)."""


@dataclass(frozen=True, slots=True)
class EpisodeView:
    season_number: int
    number: int
    code: str
    title: str | None
    overview: str | None
    air_date: str | None
    local: bool
    local_title: str | None
    masks: tuple[tuple[str, str], ...]
    """``(key, label)`` of the episode's fields that can be left out one by one."""


@dataclass(frozen=True, slots=True)
class SeasonView:
    number: int
    label: str
    title: str | None
    overview: str | None
    air_date: str | None
    local: bool
    masks: tuple[tuple[str, str, Any], ...]
    """``(key, label, proposed value)`` of the season's own fields."""
    poster: ImagePicker | None
    episodes: tuple[EpisodeView, ...]

    @property
    def local_episodes(self) -> int:
        return sum(1 for e in self.episodes if e.local)


@dataclass(frozen=True, slots=True)
class CandidateView:
    """Another series the search found (disambiguation): "Use this one" scrapes again with its ids."""

    title: str
    year: int | None
    overview: str | None
    poster_url: str | None
    external_ids: dict[str, str]
    chosen: bool = False
    """The result is this one (its external ids are the candidate's)."""


@dataclass(slots=True)
class TypedView:
    kind: str
    fields: list[TypedField]
    images: list[ImagePicker]
    cast: list[dict[str, Any]]
    seasons: list[SeasonView] = field(default_factory=list)
    candidates: list[CandidateView] = field(default_factory=list)
    original_title: str | None = None
    entity_api_url: str | None = None
    rescrape_url: str | None = None
    """The source entry's scrape route, for "Use this one" (``None``: the source is not loaded)."""
    applied_images: list[str] = field(default_factory=list)

    @property
    def local_seasons(self) -> int:
        return sum(1 for s in self.seasons if s.local)

    @property
    def episode_counts(self) -> tuple[int, int]:
        """Episodes here, and episodes of the result."""
        episodes = [e for s in self.seasons for e in s.episodes]
        return sum(1 for e in episodes if e.local), len(episodes)


def _proposed_value(kind: str, proposed: Mapping[str, Any], key: str) -> Any:
    if key == "cast" and kind == "episode":
        return proposed.get("guestStars") or proposed.get("cast")
    return proposed.get(PROPOSED_KEYS.get(key, key))


def _same(key: str, proposed: Any, current: Any) -> bool:
    if current in (None, "", [], {}):
        return False
    if key == "cast":
        return {str(c.get("name")).casefold() for c in proposed} <= {str(n).casefold() for n in current}
    if key == "genres":
        return {str(g).casefold() for g in proposed} <= {str(n).casefold() for n in current}
    if key == "externalIds":
        return all(current.get(k) == v for k, v in proposed.items())
    if key == "studio":
        return str(proposed).casefold() == str(current).casefold()
    return proposed == current


def _was_applied(key: str, applied: set[str]) -> bool:
    return APPLIED_KEYS.get(key, key) in applied or (key == "cast" and "performers" in applied)


def typed_fields(
    kind: str, proposed: Mapping[str, Any], current: Mapping[str, Any] | None, applied: Iterable[str] = ()
) -> list[TypedField]:
    """The mask fields the result has a value for, beside the current ones (``None``: not known)."""
    done = set(applied)
    rows = []
    for key in FIELD_KEYS.get(kind, ()):
        value = _proposed_value(kind, proposed, key)
        if value in (None, "", [], {}):
            continue
        pending = current is not None and key in PENDING_KEYS and current.get(key) is None
        now = None if current is None else current.get(key)
        rows.append(TypedField(
            key=key, label=LABELS.get(key, key), shape=SHAPES.get(key, "text"), proposed=value, current=now,
            pending=pending, same=not pending and _same(key, value, now), applied=_was_applied(key, done),
        ))  # fmt: skip
    return rows


def _choices(candidates: Any) -> tuple[ImageChoice, ...]:
    out = []
    for c in candidates if isinstance(candidates, list) else []:
        if not isinstance(c, Mapping) or not isinstance(c.get("url"), str):
            continue
        size = f"{c['width']}×{c['height']}" if c.get("width") and c.get("height") else ""
        out.append(ImageChoice(url=c["url"], size=size, language=str(c.get("language") or "")))
    return tuple(out)


def image_pickers(kind: str, proposed: Mapping[str, Any]) -> list[ImagePicker]:
    """A picker per artwork slot the result has candidates for (an episode's: its still)."""
    slots = ("still",) if kind == "episode" else ("poster", "backdrop", "logo")
    out = []
    for slot in slots:
        choices = _choices(proposed.get(typed.IMAGE_SLOTS[slot]))
        if choices:
            out.append(ImagePicker(slot, IMAGE_LABELS[slot], choices))
    return out


def _code(season: int, episode: int) -> str:
    return f"S{season:02d}E{episode:02d}"


def season_views(proposed: Mapping[str, Any], local: Mapping[int, Mapping[int, LocalEpisode]]) -> list[SeasonView]:
    """The result's seasons and episodes; those here (by season and episode number) can be accepted,
    the others are shown as not in the library."""
    out = []
    for raw in proposed.get("seasons") or []:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("seasonNumber"), int):
            continue
        number = raw["seasonNumber"]
        here = local.get(number)
        episodes = []
        for ep in raw.get("episodes") or []:
            if not isinstance(ep, Mapping) or not isinstance(ep.get("episodeNumber"), int):
                continue
            season_number = ep.get("seasonNumber") if isinstance(ep.get("seasonNumber"), int) else number
            mine = (local.get(season_number) or {}).get(ep["episodeNumber"])
            masks = tuple(
                (k, "Guest stars" if k == "cast" else LABELS[k]) for k in EPISODE_KEYS
                if _proposed_value("episode", ep, k) not in (None, "", [], {})
            )  # fmt: skip
            episodes.append(EpisodeView(
                season_number=season_number, number=ep["episodeNumber"], code=_code(season_number, ep["episodeNumber"]),
                title=ep.get("title"), overview=ep.get("overview"), air_date=ep.get("airDate"),
                local=here is not None and mine is not None, local_title=mine.title if mine else None, masks=masks,
            ))  # fmt: skip
        choices = _choices(raw.get("posterCandidates"))
        out.append(SeasonView(
            number=number, label="Specials" if number == 0 else f"Season {number}", title=raw.get("title"),
            overview=raw.get("overview"), air_date=raw.get("airDate"), local=here is not None,
            masks=tuple((k, LABELS[k], raw[k]) for k in SEASON_KEYS if raw.get(k) not in (None, "", [], {})),
            poster=ImagePicker("poster", f"Season {number} poster", choices) if choices else None,
            episodes=tuple(episodes),
        ))  # fmt: skip
    return out


def candidate_views(proposed: Mapping[str, Any]) -> list[CandidateView]:
    mine = proposed.get("externalIds") if isinstance(proposed.get("externalIds"), Mapping) else {}
    out = []
    for c in proposed.get("candidates") or []:
        ids = c.get("externalIds") if isinstance(c, Mapping) else None
        if not isinstance(ids, Mapping) or not ids or not c.get("title"):
            continue
        out.append(CandidateView(
            title=str(c["title"]), year=c.get("year") if isinstance(c.get("year"), int) else None,
            overview=c.get("overview"), poster_url=c.get("posterUrl"),
            external_ids={str(k): str(v) for k, v in ids.items()},
            chosen=all(mine.get(k) == str(v) for k, v in ids.items()),
        ))  # fmt: skip
    return out


def _rescrape_url(row: ScrapeResultRow, tgt: MetadataTarget | None) -> str | None:
    src = metadata_sources().get(row.source_kind)
    if src is None or tgt is None:
        return None
    verb = "scrape-performer" if tgt.kind == "performer" else "scrape"
    return f"/api/{src.collection}/{quote(row.source_id, safe='')}/{verb}"


def typed_view(
    row: ScrapeResultRow, tgt: MetadataTarget | None, current: TypedCurrent | None, api_url: str | None
) -> TypedView:
    """The card of one typed result (``current`` ``None``: the entity's values are not known, or
    the result was accepted and shows what was applied)."""
    proposed = row.proposed or {}
    accepted = row.status == "accepted"
    values = None if current is None or accepted else current.values
    applied = [str(f) for f in (row.applied or {}).get("fields") or []]
    cast = [dict(c) for c in _proposed_value(row.kind, proposed, "cast") or [] if isinstance(c, Mapping)]
    original = proposed.get("originalTitle")
    seasons = season_views(proposed, current.seasons if current else {}) if row.kind == "series" else []
    return TypedView(
        kind=row.kind, fields=typed_fields(row.kind, proposed, values, applied),
        images=image_pickers(row.kind, proposed), cast=cast, seasons=seasons,
        candidates=candidate_views(proposed) if row.kind == "series" and not accepted else [],
        original_title=original if original and original != proposed.get("title") else None,
        entity_api_url=api_url, rescrape_url=_rescrape_url(row, tgt),
        applied_images=[f for f in applied if f in IMAGE_LABELS or f.startswith("season:")],
    )  # fmt: skip
