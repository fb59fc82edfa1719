"""Writing the fields of a performer, studio or tag: names kept unique, aliases kept clean."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugin_sdk.errors import ConflictError, ValidationError
from plugins_builtin.taxonomy.kinds import Kind
from plugins_builtin.taxonomy.names import clean, clean_aliases

NOT_NULL = ("name", "favorite", "is_nsfw", "ignore_auto_tag", "custom_fields")
LIST_FIELDS = ("aliases", "urls")
VERBATIM = ("details", "description")  # long texts keep their line breaks; others are trimmed


def clean_text(key: str, value: Any) -> Any:
    """A field's text as stored: long texts (``VERBATIM``) trimmed, others whitespace-collapsed;
    blank text is ``None``. Values that are not text come back as they are."""
    if not isinstance(value, str):
        return value
    value = value.strip() if key in VERBATIM else clean(value)
    return value or None


def apply_fields(db: Session, kind: Kind, row: Any, changes: Mapping[str, Any]) -> None:
    """Set ``changes`` (snake_case, already validated) on ``row`` and re-derive its keys.

    Refuses (409) a name another entity of the same kind already has.
    """
    for key, value in changes.items():
        if value is None and key in NOT_NULL:
            raise ValidationError(f"body.{key}: cannot be null")
        if key in LIST_FIELDS:
            value = [v.strip() for v in value or [] if v and v.strip()]
            if key == "urls":
                value = list(dict.fromkeys(value))
        else:
            value = clean_text(key, value)
        if key == "name" and not value:
            raise ValidationError("body.name: cannot be blank")
        setattr(row, key, value)
    key = kind.key_of(row)
    if key != row.name_key:
        other = db.execute(select(kind.model.id).where(kind.model.name_key == key, kind.model.id != row.id)).scalar()
        if other is not None:
            raise ConflictError(f"Another {kind.key} is already called '{row.name}'.", code="name_taken")
        row.name_key = key
    row.aliases, row.alias_keys = clean_aliases(row.aliases or [], kind.own_keys(row))


def flush_unique(db: Session, kind: Kind, row: Any) -> None:
    """Flush, turning a race on the unique name into 409."""
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise ConflictError(f"Another {kind.key} is already called '{row.name}'.", code="name_taken") from None
