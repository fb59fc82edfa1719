"""The record shapes of the ``tag``, ``studio`` and ``performer`` importers: which fields each
takes and how a record's fields become column values. No database.

A record becomes a :class:`Parsed`: its name and key (the performer's includes its
disambiguation), aliases, the values that fill a row's blank columns, the flags that are set
when the record sets them, URLs and custom fields added to the row's, and an image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plugins_builtin.taxonomy.import_values import RecordValues
from plugins_builtin.taxonomy.kinds import PERFORMERS, STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.names import NAME_MAX, clean, name_key, performer_key

SHORT_MAX = 200
URL_MAX = 2000
GENDERS = ("male", "female", "transgender_male", "transgender_female", "intersex", "non_binary")
"""Our gender values: Stash's ``GenderEnum`` lower-cased (``MALE`` → ``male``…)."""

COMMON = ("name", "aliases", "favorite", "ignore_auto_tag", "image", "created_at", "updated_at")


@dataclass
class Parsed:
    """What one record brings to its row."""

    name: str
    key: str
    aliases: list[str]
    fill: dict[str, Any] = field(default_factory=dict)
    """Columns set when the row's value is blank (a new row takes them all)."""
    flags: dict[str, bool] = field(default_factory=dict)
    """True/false columns: a new row takes them; an existing one is set when the record says true."""
    urls: list[str] | None = None
    custom: dict[str, Any] | None = None
    created: dict[str, Any] = field(default_factory=dict)
    """Columns only a new row takes (a performer's disambiguation, the timestamps)."""
    image: bytes | None = None


@dataclass(frozen=True)
class Shape:
    """One importer's record shape.

    :param entity: the import entity (``"tag"``).
    :param kind: the taxonomy kind its rows are.
    :param known: the fields it documents.
    :param read: fills a :class:`Parsed` with the kind's own fields.
    :param doc: the shape, for import sources' authors.
    """

    entity: str
    kind: Kind
    known: frozenset[str]
    read: Callable[[RecordValues, Parsed], None]
    doc: str


def parse(shape: Shape, values: RecordValues) -> Parsed | str:
    """The record as column values, or why it cannot be taken."""
    raw = values.fields.get("name")
    if not isinstance(raw, str) or not clean(raw):
        return "it has no name"
    name = clean(raw)
    if len(name) > NAME_MAX:
        return f"its name is longer than {NAME_MAX} characters"
    parsed = Parsed(name=name, key=name_key(name), aliases=values.strings("aliases", NAME_MAX))
    for flag in ("favorite", "ignore_auto_tag"):
        value = values.flag(flag)
        if value is not None:
            parsed.flags[flag] = value
    for stamp in ("created_at", "updated_at"):
        moment = values.time(stamp)
        if moment is not None:
            parsed.created[stamp] = moment
    parsed.image = values.blob("image")
    shape.read(values, parsed)
    return parsed


def _fill(parsed: Parsed, column: str, value: Any) -> None:
    if value is not None:
        parsed.fill[column] = value


def _read_tag(values: RecordValues, parsed: Parsed) -> None:
    _fill(parsed, "description", values.text("description"))
    if values.has("sort_name"):
        values.unmapped.append("sort_name")


def _read_studio(values: RecordValues, parsed: Parsed) -> None:
    _fill(parsed, "details", values.text("details"))
    _fill(parsed, "rating", values.integer("rating", 0, 100))
    parsed.urls = values.strings("urls", URL_MAX)


def _gender(values: RecordValues) -> str | None:
    raw = values.text("gender")
    if raw is None:
        return None
    gender = raw.strip().lower().replace(" ", "_").replace("-", "_")
    if gender not in GENDERS:
        values.warn("gender", f"'{raw}' is not one of {', '.join(g.upper() for g in GENDERS)}")
        return None
    return gender


def _read_performer(values: RecordValues, parsed: Parsed) -> None:
    disambiguation = values.text("disambiguation", SHORT_MAX)
    if disambiguation:
        parsed.created["disambiguation"] = disambiguation
        parsed.key = performer_key(parsed.name, disambiguation)
    texts = ("country", "ethnicity", "eye_color", "hair_color", "measurements", "fake_tits", "circumcised")
    for column in texts:
        _fill(parsed, column, values.text(column, SHORT_MAX))
    for column in ("tattoos", "piercings", "details"):
        _fill(parsed, column, values.text(column))
    _fill(parsed, "gender", _gender(values))
    _fill(parsed, "birthdate", values.partial_date("birthdate", "birthdate_precision"))
    _fill(parsed, "death_date", values.partial_date("death_date", "death_date_precision"))
    _fill(parsed, "height", values.integer("height", 1, 400))
    _fill(parsed, "weight", values.integer("weight", 1, 1000))
    _fill(parsed, "penis_length", values.number("penis_length", 0, 100))
    _fill(parsed, "rating", values.integer("rating", 0, 100))
    start = values.integer("career_start", 1900, 2200)
    end = values.integer("career_end", 1900, 2200)
    if start is not None and end is not None and end < start:
        values.warn("career_end", f"{end} is before career_start {start}")
        end = None
    _fill(parsed, "career_start", start)
    _fill(parsed, "career_end", end)
    parsed.urls = values.strings("urls", URL_MAX)
    parsed.custom = values.mapping("custom_fields")
    length = values.text("career_length")
    if length and start is None and end is None:  # Stash before its career years: free text
        parsed.custom.setdefault("career_length", length)


TAG_DOC = """\
name: str (required), sort_name: str|None (no home here: unmapped), aliases: list[str],
description: str|None, favorite: bool, ignore_auto_tag: bool, image: bytes|None (JPEG, PNG, WebP…),
created_at: datetime|None, updated_at: datetime|None (used for new rows).
Match: target_id, else the tag with that name (case-insensitive), else the oldest with it as an
alias, else created. A merge keeps the row's name and filled fields, adds aliases and fills blanks."""

STUDIO_DOC = """\
name: str (required), aliases: list[str], urls: list[str] (url = the first), details: str|None,
rating: int 0-100|None, favorite: bool, ignore_auto_tag: bool, image: bytes|None,
created_at: datetime|None, updated_at: datetime|None. Parents: the "studio_parent" entity.
Match and merge as tags."""

PERFORMER_DOC = """\
name: str (required), disambiguation: str|None, aliases: list[str], gender: MALE|FEMALE|
TRANSGENDER_MALE|TRANSGENDER_FEMALE|INTERSEX|NON_BINARY|None (any case), birthdate: str|None and
death_date: str|None (YYYY[-MM[-DD]]; cut to birthdate_precision / death_date_precision when
given: Stash's 0 day, 1 month, 2 year), country, ethnicity, eye_color, hair_color, measurements,
fake_tits, circumcised, tattoos, piercings, details: str|None, height: int cm|None,
weight: int kg|None, penis_length: float cm|None, career_start: int year|None,
career_end: int year|None, career_length: str|None (kept as custom_fields["career_length"] only
when both years are None), urls: list[str], favorite: bool, rating: int 0-100|None,
ignore_auto_tag: bool, custom_fields: dict[str, JSON value], image: bytes|None,
created_at: datetime|None, updated_at: datetime|None.
Match: target_id, else the performer with the same name AND disambiguation (case-insensitive;
"Jane" (A) and "Jane" (B) stay two performers, and neither merges into a plain "Jane"), else the
oldest with that name (and disambiguation) as an alias, else created. Merge as tags; custom
fields add the keys the row lacks."""

TAG_SHAPE = Shape("tag", TAGS, frozenset((*COMMON, "sort_name", "description")), _read_tag, TAG_DOC)
STUDIO_SHAPE = Shape("studio", STUDIOS, frozenset((*COMMON, "urls", "details", "rating")), _read_studio, STUDIO_DOC)
PERFORMER_FIELDS = (
    "disambiguation", "gender", "birthdate", "birthdate_precision", "death_date", "death_date_precision",
    "country", "ethnicity", "eye_color", "hair_color", "height", "weight", "measurements", "fake_tits",
    "penis_length", "circumcised", "tattoos", "piercings", "career_start", "career_end", "career_length",
    "details", "urls", "rating", "custom_fields",
)  # fmt: skip
PERFORMER_SHAPE = Shape(
    "performer", PERFORMERS, frozenset((*COMMON, *PERFORMER_FIELDS)), _read_performer, PERFORMER_DOC
)
