"""Editing media rows: one PATCH rule for every media plugin.

``apply_patch`` is what a media PATCH (or bulk PATCH) route does with the request body, so that
every kind of row is edited the same way::

    @api_route(bp, "/api/clips/<clip_id>", methods=["PATCH"], body=ClipPatch, response=ClipOut)
    def patch(clip_id: str, body: ClipPatch):
        db = get_db()
        clip = get_clip(db, clip_id)
        apply_patch(db, "clip", [clip], body.model_dump(exclude_unset=True), editable=EDITABLE)
        db.commit()
        return ok(with_links(db, "clip", clip_out(clip)))

or, in one call, ``return patch_row(db, "clip", clip, body, lambda: clip_out(clip), editable=EDITABLE)``.
A PATCH body of a kind of row with the usual fields derives from :class:`EditableFields`::

    class ClipPatch(EditableFields):
        urls: list[str] | None = Field(None, max_length=50)

It hands the link fields (``tagNames``…) to the plugin keeping links, sets the row's own fields,
keeps ``sort_title`` and ``edited_fields`` (the fields later scans must not overwrite) up to date,
and tells every plugin what changed (``obscura_entity_changed``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from pydantic.alias_generators import to_camel

from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel
from plugin_sdk.links import apply_links, pop_links
from plugin_sdk.rows import answer_row

if TYPE_CHECKING:
    from flask import Response
    from sqlalchemy.orm import Session

TITLE_MAX = 500
DETAILS_MAX = 20000
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
"""A calendar day, ``YYYY-MM-DD``."""

NOT_NULL: tuple[str, ...] = ("title", "organized", "is_nsfw")
"""Fields a PATCH may leave out but never set to ``null``."""


class EditableFields(ApiModel):
    """The fields a person edits on most kinds of media rows, for a PATCH body to derive from (and
    add its own): ``title`` (1–500 characters), ``details`` (≤ 20,000), ``date`` (``YYYY-MM-DD``),
    a 0–100 ``rating``, ``organized`` and ``isNsfw``; each may be left out."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    details: str | None = Field(None, max_length=DETAILS_MAX)
    date: str | None = Field(None, pattern=DATE_PATTERN)
    rating: int | None = Field(None, ge=0, le=100)
    organized: bool | None = None
    is_nsfw: bool | None = None


def apply_patch(
    db: Session,
    entity_type: str,
    rows: Sequence[Any],
    changes: dict[str, Any],
    *,
    editable: Collection[str] | None = None,
    not_null: Collection[str] = NOT_NULL,
    columns: Mapping[str, str] | None = None,
) -> list[str]:
    """Apply a PATCH body to ``rows`` (the caller commits).

    :param entity_type: the rows' kind, for link fields and ``obscura_entity_changed``.
    :param rows: the ORM rows to edit (checked to exist by the caller).
    :param changes: ``body.model_dump(exclude_unset=True)``: snake_case fields the request set.
    :param editable: fields recorded in the rows' ``edited_fields`` (``None``: every field set).
    :param not_null: fields that may not be set to ``null`` (400).
    :param columns: a field stored under another attribute (``{"title": "custom_name"}``).
    :return: the names of the fields set, link fields included.
    :raises ValidationError: a ``null`` for a ``not_null`` field, or a link field no plugin keeps.
    """
    changes = dict(changes)
    for key in not_null:
        if key in changes and changes[key] is None:
            raise ValidationError(f"body.{to_camel(key)}: cannot be null")
    if isinstance(changes.get("title"), str):
        changes["title"] = changes["title"].strip()
    links = pop_links(changes)
    ids = [row.id for row in rows]
    apply_links(db, entity_type, ids, links)
    columns = columns or {}
    recorded = set(changes) if editable is None else set(changes) & set(editable)
    for row in rows:
        for key, value in changes.items():
            setattr(row, columns.get(key, key), value)
        if "title" in changes and "title" not in columns and hasattr(row, "sort_title"):
            row.sort_title = row.title.lower()
        if recorded and hasattr(row, "edited_fields"):
            row.edited_fields = sorted(set(row.edited_fields or []) | recorded)
    fields = [*changes, *links]
    if ids and fields:
        db.flush()
        entity_changed(db, entity_type, ids, fields)
    return fields


def patch_row(
    db: Session,
    entity_type: str,
    row: Any,
    body: BaseModel,
    out: Callable[[], Any],
    *,
    editable: Collection[str] | None = None,
    not_null: Collection[str] = NOT_NULL,
    columns: Mapping[str, str] | None = None,
) -> tuple[Response, int]:
    """A media PATCH route's work on one row: :func:`apply_patch` with the fields ``body`` sets
    (the keyword arguments are its own), commit, and answer ``out()`` with the row's links
    (:func:`~plugin_sdk.rows.answer_row`)."""
    changes = body.model_dump(exclude_unset=True)
    apply_patch(db, entity_type, [row], changes, editable=editable, not_null=not_null, columns=columns)
    return answer_row(db, entity_type, out)


def entity_changed(db: Session, entity_type: str, entity_ids: Sequence[str], fields: Collection[str]) -> None:
    """Tell every plugin that these rows were edited (``obscura_entity_changed``), in the editing
    transaction; :func:`apply_patch` calls it, a route editing rows another way calls it itself."""
    from obscura_core.runtime import get_runtime

    get_runtime().hooks.notify(
        "obscura_entity_changed", savepoint=db, db=db, entity_type=entity_type,
        entity_ids=list(entity_ids), fields=sorted(fields),
    )  # fmt: skip
