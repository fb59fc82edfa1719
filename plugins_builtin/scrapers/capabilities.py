"""What a package can do, from its stored capabilities (Stash action → supported)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_KIND = re.compile(r"^([a-z]+)By[A-Z]")
_KIND_ALIASES = {"movie": "group"}
KIND_ORDER = ("scene", "performer", "group", "gallery", "image")


def supported_actions(capabilities: Mapping[str, Any] | None) -> list[str]:
    """The actions marked supported, in the stored order."""
    return [str(action) for action, ok in (capabilities or {}).items() if ok]


def action_kind(action: str) -> str | None:
    """``sceneByURL`` → ``scene``, ``movieByURL`` → ``group``; ``None`` for another name."""
    match = _KIND.match(action)
    if match is None:
        return None
    return _KIND_ALIASES.get(match.group(1), match.group(1))


def kinds(capabilities: Mapping[str, Any] | None) -> list[str]:
    """The entity kinds a package scrapes (``scene``, ``performer``…), in a stable order."""
    found = {k for k in (action_kind(a) for a in supported_actions(capabilities)) if k}
    return sorted(found, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))
