"""``/performers/<id>``, ``/studios/<id>``, ``/tags/<id>``: picture, every field, aliases, parents
and children, link counts, favourite and rating in one click, delete, merge — and the linked media,
shown by panels the media plugins contribute (``obscura_panels("performer")`` …, loaded after the
page). Unknown ids get the HTML 404 page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template

from plugin_sdk.db import get_db
from plugin_sdk.formatting import stars
from plugin_sdk.pages import render_panels
from plugins_builtin.taxonomy.pages.views import PAGES, KindPage, count_words, not_found
from plugins_builtin.taxonomy.routes import performers, studios, tags

GENDERS = {
    "male": "Male", "female": "Female", "transgender_male": "Transgender male",
    "transgender_female": "Transgender female", "intersex": "Intersex", "non_binary": "Non-binary",
}  # fmt: skip
DETAILS = {"performers": performers.detail, "studios": studios.detail, "tags": tags.detail}


def _age(birthdate: str | None, today: date | None = None) -> str:
    """``"1990-05-02"`` → ``"2 May 1990 (35)"``; partial dates stay as given."""
    if not birthdate:
        return ""
    parts = [int(p) for p in birthdate.split("-")]
    if len(parts) < 3:
        return birthdate
    born = date(*parts)
    today = today or date.today()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{born.day} {born:%B} {born.year} ({years})"


def performer_facts(d: Any) -> list[tuple[str, str]]:
    career = ""
    if d.career_start or d.career_end:
        career = f"{d.career_start or '?'} – {d.career_end or 'present'}"
    facts = [
        ("Gender", GENDERS.get(d.gender or "", d.gender or "")),
        ("Born", _age(d.birthdate)),
        ("Country", d.country or ""),
        ("Ethnicity", d.ethnicity or ""),
        ("Eye colour", d.eye_color or ""),
        ("Hair colour", d.hair_color or ""),
        ("Height", f"{d.height} cm" if d.height else ""),
        ("Weight", f"{d.weight} kg" if d.weight else ""),
        ("Measurements", d.measurements or ""),
        ("Career", career),
        ("Tattoos", d.tattoos or ""),
        ("Piercings", d.piercings or ""),
    ]
    return [(k, v) for k, v in facts if v]


def context(db: Any, page: KindPage, row: Any) -> dict[str, Any]:
    d = DETAILS[page.plural](db, row)
    ctx: dict[str, Any] = {
        "page": page,
        "d": d,
        "stars": stars(d.rating),
        "counts": count_words(d.counts),
        "total_links": sum(d.counts.values()),
        "facts": [],
        "urls": [],
        "parents": [],
        "children": [],
        "text": None,
        "nav_active": page.path,
        "panels": render_panels(page.singular, d.id, css_class="tx-panel"),
        "merge_info": {"counts": d.counts, "aliases": [d.name, *d.aliases]},
    }
    if page.plural == "performers":
        ctx.update(facts=performer_facts(d), urls=d.urls, text=d.details)
    elif page.plural == "studios":
        ctx.update(parents=[d.parent] if d.parent else [], children=d.children, text=d.details,
                   urls=[d.url] if d.url else [])  # fmt: skip
    else:
        ctx.update(parents=d.parents, children=d.children, text=d.description)
    return ctx


def register(bp: Blueprint) -> None:
    """Add the three detail pages to the pages blueprint."""

    def show(plural: str, entity_id: str) -> Any:
        page = PAGES[plural]
        db = get_db()
        row = db.get(page.kind.model, entity_id) if len(entity_id) <= 64 else None
        if row is None:
            return not_found(page)
        return render_template("taxonomy/detail.html", **context(db, page, row))

    for plural in PAGES:
        bp.add_url_rule(
            f"/{plural}/<entity_id>", f"{plural}_detail", lambda entity_id, plural=plural: show(plural, entity_id)
        )
