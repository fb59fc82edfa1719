"""Path mapping: Stash's file paths as they are on this machine (``--map /data=/mnt/media``).

Stash often ran in Docker, where the library was mounted at ``/data``; ``PathMap`` rewrites the
longest matching prefix, on folder boundaries only (``/data`` maps ``/data/x`` but not
``/database/x``). Paths no mapping covers stay as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from plugin_sdk.errors import ValidationError

__all__ = ["PathMap", "parse_mappings"]


def _clean(prefix: str) -> str:
    prefix = prefix.strip()
    if len(prefix) > 1:
        prefix = prefix.rstrip("/\\")
    return prefix


def parse_mappings(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """``OLD=NEW`` strings (the CLI's ``--map``) or a ``{old: new}`` mapping, checked.

    Both sides must be absolute (``/…``, or a Windows drive such as ``C:\\…`` for the Stash side);
    a prefix given twice is refused.
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items or ():
            old, sep, new = str(item).partition("=")
            if not sep:
                raise ValidationError(f"A mapping is OLD_PREFIX=NEW_PREFIX (got '{item}').")
            pairs.append((old, new))
    out: dict[str, str] = {}
    for old, new in pairs:
        old_c, new_c = _clean(old), _clean(new)
        if not old_c or not new_c:
            raise ValidationError(f"A mapping needs both prefixes (got '{old}={new}').")
        if not (old_c.startswith(("/", "\\")) or (len(old_c) > 1 and old_c[1] == ":")):
            raise ValidationError(f"The Stash side of a mapping must be an absolute path (got '{old}').")
        if not new_c.startswith("/"):
            raise ValidationError(f"The new side of a mapping must be an absolute path here (got '{new}').")
        if old_c in out:
            raise ValidationError(f"The prefix '{old_c}' is mapped twice.")
        out[old_c] = new_c
    return out


@dataclass(frozen=True)
class PathMap:
    """Rewrites Stash paths to paths here (longest prefix first)."""

    mappings: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_order", sorted(self.mappings, key=len, reverse=True))

    def match(self, path: str) -> str | None:
        """The mapping prefix covering ``path``, if any."""
        for old in self._order:  # type: ignore[attr-defined]
            if path == old or (path.startswith(old) and (old.endswith(("/", "\\")) or path[len(old)] in "/\\")):
                return old
        return None

    def apply(self, path: str) -> str:
        """``path`` as it is here: the longest matching prefix replaced (Windows separators of the
        rest turned into ``/`` when the Stash side was a Windows path)."""
        old = self.match(path)
        if old is None:
            return path
        rest = path[len(old) :]
        if "\\" in old or (len(old) > 1 and old[1] == ":"):
            rest = rest.replace("\\", "/")
        new = self.mappings[old]
        if not rest:
            return new
        return new.rstrip("/") + "/" + rest.lstrip("/")

    def unused(self, paths: Iterable[str]) -> list[str]:
        """The prefixes that map none of ``paths`` (a mapping that maps nothing is an error)."""
        left = set(self.mappings)
        for p in paths:
            if not left:
                break
            old = self.match(p)
            left.discard(old)  # type: ignore[arg-type]
        return sorted(left)


def exists(path: str) -> bool:
    """Whether a (mapped) path is on disk here; unreadable counts as missing."""
    try:
        return os.path.exists(path)
    except (OSError, ValueError):
        return False
