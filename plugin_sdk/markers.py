"""Markers (a title at a time, optionally with an end) on any media row: the four JSON routes.

A media plugin whose rows have a duration declares a marker table and gets the same routes, rules,
messages and JSON as the built-in videos and audio tracks::

    class ClipMarker(TimestampMixin, Base):
        __tablename__ = "clips_markers"
        id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
        clip_id: Mapped[str] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), nullable=False)
        title: Mapped[str] = mapped_column(Text, nullable=False)
        seconds: Mapped[float] = mapped_column(Float, nullable=False)
        end_seconds: Mapped[float | None] = mapped_column(Float)

    add_marker_routes(bp, "/api/clips/<clip_id>", get_parent=get_clip, marker_model=ClipMarker, noun="clip")

which registers, under the parent's URL:

* ``GET …/markers``: the markers by time (``200``, a list of ``out_model``);
* ``POST …/markers`` (:class:`MarkerIn`): add one (``201``);
* ``PATCH …/markers/<marker_id>`` (:class:`MarkerPatch`): rename or move one (``200``);
* ``DELETE …/markers/<marker_id>``: remove one (``200``, ``{"id", "deleted": true}``).

``get_parent(db, parent_id)`` answers the parent row or raises :class:`~plugin_sdk.errors.NotFoundError`
(so every route 404s for an unknown parent); the parent has an ``id`` and, unless ``duration`` says
otherwise, a ``duration`` in seconds (``None`` when unknown). A marker of another parent, or an id
longer than 64 characters, is a ``404`` ("No marker '…' on this clip."); an end before the start, or
a start more than a second past the end of the parent, is a ``400``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import Field
from sqlalchemy import select

from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok

if TYPE_CHECKING:
    from flask import Blueprint
    from sqlalchemy.orm import Session

__all__ = ["MarkerIn", "MarkerOut", "MarkerPatch", "add_marker_routes", "check_marker_span", "markers_of"]

ID_MAX = 64
"""Longer marker ids are not looked up (answered ``404``)."""
TITLE_MAX = 300
END_SLACK = 1.0
"""How far (s) past the parent's duration a marker may start (probed durations are approximate)."""

_URL_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)>")


class MarkerIn(ApiModel):
    """A new marker: ``title`` at ``seconds``, optionally until ``endSeconds``."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    seconds: float = Field(ge=0)
    end_seconds: float | None = Field(None, ge=0)


class MarkerPatch(ApiModel):
    """The fields of a marker to change (``endSeconds: null`` removes the end)."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    seconds: float | None = Field(None, ge=0)
    end_seconds: float | None = Field(None, ge=0)


class MarkerOut(ApiModel):
    """A marker as the routes answer it (subclass it to add columns, e.g. ``created_at``)."""

    id: str
    title: str
    seconds: float
    end_seconds: float | None


def check_marker_span(seconds: float, end: float | None, duration: float | None, noun: str) -> None:
    """Refuse (``ValidationError``) an end before the start, or a start past the end of the ``noun``
    (by more than :data:`END_SLACK`; an unknown or zero ``duration`` allows any start)."""
    if end is not None and end < seconds:
        raise ValidationError("endSeconds must not be before seconds.")
    if duration and seconds > duration + END_SLACK:
        raise ValidationError(f"seconds ({seconds:g}) is past the end of the {noun} ({duration:g} s).")


def markers_of(db: Session, marker_model: type[Any], parent_column: str, parent_id: str) -> list[Any]:
    """The markers of one parent, by time (ties by id, so the order is stable)."""
    column = getattr(marker_model, parent_column)
    return list(
        db.execute(
            select(marker_model).where(column == parent_id).order_by(marker_model.seconds, marker_model.id)
        ).scalars()
    )


def _url_variable(url_prefix: str) -> str:
    names = _URL_VARIABLE.findall(url_prefix)
    if len(names) != 1 or names[0] == "marker_id":
        raise ValueError(f"url_prefix must hold exactly one URL variable (the parent's id), not {url_prefix!r}")
    return names[0]


def add_marker_routes(
    bp: Blueprint,
    url_prefix: str,
    *,
    get_parent: Callable[[Session, str], Any],
    marker_model: type[Any],
    noun: str,
    out_model: type[ApiModel] = MarkerOut,
    parent_column: str | None = None,
    duration: Callable[[Any], float | None] | None = None,
) -> None:
    """Register the marker routes of one kind of media row on ``bp`` (see the module docstring).

    ``url_prefix`` is the parent's URL with its one id variable (``"/api/videos/<video_id>"``);
    ``marker_model`` the ORM class (columns ``id``, ``title``, ``seconds``, ``end_seconds`` and the
    parent's id in ``parent_column``, by default named like the URL variable); ``noun`` names the
    parent in messages (``"video"``); ``out_model`` serializes a marker (from its attributes);
    ``duration(parent)`` gives the parent's length in seconds (default: its ``duration``). The
    endpoints are ``<bp>.list_markers``, ``add_marker``, ``patch_marker`` and ``delete_marker``.
    """
    variable = _url_variable(url_prefix)
    column = parent_column or variable
    length = duration or (lambda parent: getattr(parent, "duration", None))
    collection, one = f"{url_prefix}/markers", f"{url_prefix}/markers/<marker_id>"

    def parent_of(db: Session, url: dict[str, Any]) -> Any:
        return get_parent(db, url[variable])

    def marker_of(db: Session, parent: Any, marker_id: str) -> Any:
        marker = db.get(marker_model, marker_id) if len(marker_id) <= ID_MAX else None
        if marker is None or getattr(marker, column) != parent.id:
            raise NotFoundError(f"No marker '{marker_id}' on this {noun}.")
        return marker

    @api_route(bp, collection, response=list[out_model], summary=f"Markers of a {noun}, by time.")  # type: ignore[valid-type]
    def list_markers(**url: Any) -> Any:
        db = get_db()
        parent = parent_of(db, url)
        return ok([out_model.model_validate(m) for m in markers_of(db, marker_model, column, parent.id)])

    @api_route(
        bp, collection, methods=["POST"], body=MarkerIn, response=out_model, status=201,
        summary=f"Add a marker to a {noun} (a title at a time, optionally with an end).",
    )  # fmt: skip
    def add_marker(body: MarkerIn, **url: Any) -> Any:
        db = get_db()
        parent = parent_of(db, url)
        check_marker_span(body.seconds, body.end_seconds, length(parent), noun)
        marker = marker_model(
            **{column: parent.id}, title=body.title.strip(), seconds=body.seconds, end_seconds=body.end_seconds
        )
        db.add(marker)
        db.commit()
        return ok(out_model.model_validate(marker), status=201)

    @api_route(bp, one, methods=["PATCH"], body=MarkerPatch, response=out_model, summary="Rename or move a marker.")
    def patch_marker(marker_id: str, body: MarkerPatch, **url: Any) -> Any:
        db = get_db()
        parent = parent_of(db, url)
        marker = marker_of(db, parent, marker_id)
        changes = body.model_dump(exclude_unset=True)
        for key in ("title", "seconds"):
            if key in changes and changes[key] is None:
                raise ValidationError(f"body.{key}: cannot be null")
        for key, value in changes.items():
            setattr(marker, key, value.strip() if isinstance(value, str) else value)
        check_marker_span(marker.seconds, marker.end_seconds, length(parent), noun)
        db.commit()
        return ok(out_model.model_validate(marker))

    @api_route(bp, one, methods=["DELETE"], summary="Remove a marker.")
    def delete_marker(marker_id: str, **url: Any) -> Any:
        db = get_db()
        marker = marker_of(db, parent_of(db, url), marker_id)
        db.delete(marker)
        db.commit()
        return ok({"id": marker_id, "deleted": True})
