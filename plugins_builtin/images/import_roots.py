"""The library roots of imported rows: the root whose folder holds a path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.models import LibraryRoot


@dataclass(frozen=True, slots=True)
class Root:
    """A library root as the importers need it."""

    id: str
    path: str
    label: str
    is_nsfw: bool


class Roots:
    """Finds the library root of a path: the root whose folder is the longest prefix of it (on a
    path boundary: ``/media/pics`` holds ``/media/pics/a.jpg``, not ``/media/pictures``)."""

    def __init__(self, roots: Iterable[Root]) -> None:
        self._roots = sorted(roots, key=lambda r: len(r.path), reverse=True)

    def of(self, path: str) -> Root | None:
        """The root holding ``path`` (or being it), or ``None``."""
        for root in self._roots:
            base = root.path.rstrip("/")
            if path == root.path or path == base or path.startswith(base + "/"):
                return root
        return None


def load_roots(db: Session) -> Roots:
    """Every library root, for :meth:`Roots.of` (one query per batch)."""
    rows = db.execute(select(LibraryRoot.id, LibraryRoot.path, LibraryRoot.label, LibraryRoot.is_nsfw)).all()
    return Roots(Root(r.id, r.path, r.label, bool(r.is_nsfw)) for r in rows)
