"""How names are compared: one normalised key per name, so "Tom Hanks" and " tom  HANKS " are one.

Pure functions (no database): the key is NFKC-normalised, whitespace-collapsed and case-folded.
A performer's key includes its disambiguation, ``"tom hanks (actor)"``, so two performers may
share a name when a disambiguation tells them apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

NAME_MAX = 300
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def clean(name: str | None) -> str:
    """The name as shown: NFC, trimmed, inner runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def name_key(name: str | None) -> str:
    """The comparison key of a name (empty for a blank name)."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def performer_key(name: str, disambiguation: str | None) -> str:
    """A performer's key: its name's key, plus ``" (<disambiguation>)"`` when it has one."""
    key = name_key(name)
    extra = name_key(disambiguation)
    return f"{key} ({extra})" if extra else key


def unique_names(names: Iterable[str | None]) -> list[tuple[str, str]]:
    """``(display name, key)`` for each distinct non-blank name, in the order first given."""
    seen: dict[str, str] = {}
    for raw in names:
        shown = clean(raw)
        key = name_key(shown)
        if key and key not in seen:
            seen[key] = shown
    return [(shown, key) for key, shown in seen.items()]


def clean_aliases(aliases: Iterable[str | None], own_keys: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Aliases without blanks, duplicates or the entity's own name: ``(aliases, their keys)``."""
    skip = {k for k in own_keys if k}
    shown: list[str] = []
    keys: list[str] = []
    for alias, key in unique_names(aliases):
        if key not in skip:
            shown.append(alias)
            keys.append(key)
    return shown, keys


def merged_aliases(
    target_name_keys: Iterable[str], target_aliases: Iterable[str], sources: Iterable[tuple[str, Iterable[str]]]
) -> tuple[list[str], list[str]]:
    """The target's aliases after a merge: its own, then each source's name and aliases.

    :param target_name_keys: keys the target is already known by (its name, with and without
        disambiguation), never repeated as aliases.
    :param sources: ``(name, aliases)`` of each merged entity.
    """
    names: list[str] = list(target_aliases)
    for name, aliases in sources:
        names.append(name)
        names.extend(aliases)
    return clean_aliases(names, target_name_keys)


def is_uuid(value: str) -> bool:
    """True when ``value`` looks like one of our ids rather than a name."""
    return bool(UUID_RE.match(value))
