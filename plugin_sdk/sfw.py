"""SFW mode: the server hides NSFW rows from every list, count, search, detail and asset route.

A browser turns SFW mode on per device (the shell's switch sets the ``obscura_sfw=1`` cookie, so
page loads, API calls, thumbnails and streams all carry it); API clients send the header
``X-Obscura-Nsfw-Mode: off``. For such a request the core marks the request's session, and every
ORM ``SELECT`` it runs — lists, counts, ``db.get``, subqueries and joins — leaves out rows of
NSFW-capable tables that are hidden:

* a table is NSFW-capable when its model has an ``is_nsfw`` column (core tables such as library
  roots are configuration, not content, and stay visible);
* a row is hidden when its own ``is_nsfw`` is true, or — for models that name their entity type
  with ``__obscura_entity__ = "video"`` — when a plugin's ``obscura_sfw_clause`` says so (the
  taxonomy plugin hides media linked to an NSFW performer, studio or tag: reference §4.6).

So a plugin that reads its rows through the ORM needs nothing more: a hidden row is simply not
found (its detail and asset routes answer 404 like for an unknown id). Two things are the
plugin's job:

* raw SQL (``text()``, COPY, driver cursors) bypasses the ORM: add :func:`visible_clause` to it,
  or check rows with :func:`is_hidden`;
* counts over link tables (rows that point at media without an ``is_nsfw`` column) must restrict
  the linked ids with :func:`visible_ids` or :func:`visible_links`.

Background jobs never run in SFW mode: they process everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

SFW_COOKIE = "obscura_sfw"
"""Cookie set by the shell's SFW switch (value ``1``), per device."""
SFW_HEADER = "X-Obscura-Nsfw-Mode"
"""Header for API clients: ``off`` hides NSFW rows from that request."""
ENTITY_ATTR = "__obscura_entity__"
"""Class attribute naming a model's entity type (``video``, ``image``…) for propagation rules."""


def sfw_requested() -> bool:
    """Whether the current HTTP request asks for SFW mode (cookie or header); ``False`` outside one."""
    from flask import has_request_context, request

    if not has_request_context():
        return False
    if request.headers.get(SFW_HEADER, "").strip().lower() == "off":
        return True
    return request.cookies.get(SFW_COOKIE) == "1"


def is_sfw(db: Session) -> bool:
    """Whether ``db`` is the session of a request in SFW mode."""
    return bool(db.info.get("sfw"))


def nsfw_models() -> list[type[Any]]:
    """Every mapped content model with an ``is_nsfw`` column."""
    from obscura_core.sfw import nsfw_models as _models

    return _models()


def entity_model(entity_type: str) -> type[Any] | None:
    """The model declaring ``__obscura_entity__ = entity_type``, if any plugin has one."""
    for model in nsfw_models():
        if getattr(model, ENTITY_ATTR, None) == entity_type:
            return model
    return None


def visible_clause(db: Session, model: type[Any]) -> ColumnElement[bool] | None:
    """The condition a row of ``model`` meets to be shown in ``db``'s mode (``None``: all shown).

    Use it in raw or Core SQL the ORM criteria do not reach.
    """
    from obscura_core.sfw import criteria_for

    return criteria_for(db, model) if is_sfw(db) else None


def visible_ids(db: Session, entity_type: str) -> Select[Any] | None:
    """``SELECT id`` of the visible rows of an entity type in SFW mode (``None``: no restriction).

    For counts and joins over link tables: ``link.entity_id.in_(visible_ids(db, "video"))``.
    """
    if not is_sfw(db):
        return None
    model = entity_model(entity_type)
    if model is None:
        return None
    return select(model.id)  # the ORM criteria apply to this select too


def visible_links(db: Session, entity_type: Any, entity_id: Any) -> ColumnElement[bool] | None:
    """For a polymorphic link table (``entity_type``, ``entity_id`` columns): the links whose media
    row is visible in SFW mode (``None``: no restriction). Links to entity types no model declares
    are kept."""
    if not is_sfw(db):
        return None
    declared = {getattr(m, ENTITY_ATTR): m for m in nsfw_models() if getattr(m, ENTITY_ATTR, None)}
    return or_(
        entity_type.not_in(list(declared)),
        *(and_(entity_type == et, entity_id.in_(select(model.id))) for et, model in declared.items()),
    )


def is_hidden(db: Session, row: Any) -> bool:
    """Whether a row loaded outside the ORM criteria must be hidden in ``db``'s mode."""
    if not is_sfw(db):
        return False
    model = type(row)
    clause = visible_clause(db, model)
    if clause is None:
        return False
    found = db.execute(select(model.id).where(model.id == row.id, clause)).first()
    return found is None
