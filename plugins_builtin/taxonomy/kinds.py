"""The three kinds of taxonomy entity and what differs between them (table, link table, wording)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError
from plugins_builtin.taxonomy.models import (
    EntityPerformer,
    EntityStudio,
    EntityTag,
    NamedMixin,
    Performer,
    Studio,
    Tag,
)
from plugins_builtin.taxonomy.names import name_key, performer_key


@dataclass(frozen=True)
class Kind:
    """One kind of taxonomy entity.

    :param key: singular name (``performer``), used in messages.
    :param plural: URL segment and cache folder (``performers``).
    :param model: its table.
    :param link: its link table; ``link_fk`` is the link table's column pointing at ``model``.
    :param single: True when a media row links at most one (studios).
    """

    key: str
    plural: str
    model: type[NamedMixin]
    link: type[Any]
    link_fk: Any
    single: bool = False

    def key_of(self, row: Any) -> str:
        """The unique key of a row from its current fields."""
        if self.model is Performer:
            return performer_key(row.name, row.disambiguation)
        return name_key(row.name)

    def own_keys(self, row: Any) -> set[str]:
        """The key a row is known by through its name (never stored again as an alias).

        A disambiguated performer may keep its plain name as an alias: "Tom Hanks" then finds
        "Tom Hanks (actor)" when no plain "Tom Hanks" exists.
        """
        return {self.key_of(row)}

    def get(self, db: Session, entity_id: str) -> Any:
        """The row with that id, or 404."""
        row = db.get(self.model, entity_id) if len(entity_id) <= 64 else None
        if row is None:
            raise NotFoundError(f"No {self.key} with id '{entity_id}'.")
        return row


PERFORMERS = Kind("performer", "performers", Performer, EntityPerformer, EntityPerformer.performer_id)
STUDIOS = Kind("studio", "studios", Studio, EntityStudio, EntityStudio.studio_id, single=True)
TAGS = Kind("tag", "tags", Tag, EntityTag, EntityTag.tag_id)
KINDS = {k.plural: k for k in (PERFORMERS, STUDIOS, TAGS)}
