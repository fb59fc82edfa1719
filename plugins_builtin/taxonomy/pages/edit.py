"""``/performers/<id>/edit``, ``/studios/<id>/edit``, ``/tags/<id>/edit``: a form for every field
(performers: Stash's fields; studios: parent, aliases, URL; tags: parents, aliases, description)
and the picture (upload, from a URL, remove). The page module (``edit.js``) sends the changed
fields to the kind's PATCH route and the picture to its image routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template

from plugin_sdk.db import get_db
from plugins_builtin.taxonomy.pages.detail import DETAILS, GENDERS
from plugins_builtin.taxonomy.pages.views import PAGES, KindPage, not_found


@dataclass(frozen=True)
class Field:
    """One form control: ``api`` is the PATCH body's field, ``type`` how it is edited and sent
    (text, number, partial-date, lines → list, textarea, select, checkbox, parents → ids)."""

    api: str
    label: str
    type: str
    value: Any
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    wide: bool = False


def _lines(values: list[str] | None) -> str:
    return "\n".join(values or [])


def performer_fields(d: Any) -> list[Field]:
    genders = (("", "Not set"), *GENDERS.items())
    return [
        Field("name", "Name", "text", d.name),
        Field("disambiguation", "Disambiguation", "text", d.disambiguation, "Tells apart people with the same name"),
        Field("aliases", "Aliases", "lines", _lines(d.aliases), "One per line", wide=True),
        Field("gender", "Gender", "select", d.gender or "", options=genders),
        Field("birthdate", "Birthdate", "partial-date", d.birthdate, "YYYY, YYYY-MM or YYYY-MM-DD"),
        Field("country", "Country", "text", d.country),
        Field("ethnicity", "Ethnicity", "text", d.ethnicity),
        Field("eyeColor", "Eye colour", "text", d.eye_color),
        Field("hairColor", "Hair colour", "text", d.hair_color),
        Field("height", "Height (cm)", "number", d.height),
        Field("weight", "Weight (kg)", "number", d.weight),
        Field("measurements", "Measurements", "text", d.measurements),
        Field("careerStart", "Career start (year)", "number", d.career_start),
        Field("careerEnd", "Career end (year)", "number", d.career_end),
        Field("tattoos", "Tattoos", "textarea", d.tattoos, wide=True),
        Field("piercings", "Piercings", "textarea", d.piercings, wide=True),
        Field("urls", "Links", "lines", _lines(d.urls), "One http(s) URL per line", wide=True),
        Field("details", "Details", "textarea", d.details, wide=True),
        Field("isNsfw", "NSFW", "checkbox", d.is_nsfw),
    ]


def studio_fields(d: Any) -> list[Field]:
    parent = [{"id": d.parent.id, "name": d.parent.name}] if d.parent else []
    return [
        Field("name", "Name", "text", d.name),
        Field("aliases", "Aliases", "lines", _lines(d.aliases), "One per line", wide=True),
        Field("parentId", "Parent studio", "parent", parent, "A network or label this studio belongs to"),
        Field("url", "Website", "text", d.url, "http(s) URL"),
        Field("details", "Details", "textarea", d.details, wide=True),
        Field("isNsfw", "NSFW", "checkbox", d.is_nsfw),
    ]


def tag_fields(d: Any) -> list[Field]:
    parents = [{"id": p.id, "name": p.name} for p in d.parents]
    return [
        Field("name", "Name", "text", d.name),
        Field("aliases", "Aliases", "lines", _lines(d.aliases), "One per line", wide=True),
        Field("parentIds", "Parent tags", "parents", parents, "Filtering by a parent tag includes this one"),
        Field("description", "Description", "textarea", d.description, wide=True),
        Field("isNsfw", "NSFW", "checkbox", d.is_nsfw),
    ]


FIELDS = {"performers": performer_fields, "studios": studio_fields, "tags": tag_fields}


def context(db: Any, page: KindPage, row: Any) -> dict[str, Any]:
    d = DETAILS[page.plural](db, row)
    return {"page": page, "d": d, "fields": FIELDS[page.plural](d), "nav_active": page.path}


def register(bp: Blueprint) -> None:
    """Add the three edit pages to the pages blueprint."""

    def edit(plural: str, entity_id: str) -> Any:
        page = PAGES[plural]
        db = get_db()
        row = db.get(page.kind.model, entity_id) if len(entity_id) <= 64 else None
        if row is None:
            return not_found(page)
        return render_template("taxonomy/edit.html", **context(db, page, row))

    for plural in PAGES:
        bp.add_url_rule(
            f"/{plural}/<entity_id>/edit", f"{plural}_edit", lambda entity_id, plural=plural: edit(plural, entity_id)
        )
