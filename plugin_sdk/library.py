"""Helpers for plugins that scan library roots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting "2.jpg" before "10.jpg" (numbers compared as numbers, text case-folded)."""
    parts = _DIGITS.split(name)
    return tuple((0, int(p)) if i % 2 else (1, p.casefold()) for i, p in enumerate(parts) if p)


def root_problem(path: str) -> str | None:
    """Why a library root cannot be scanned safely right now (so nothing may be pruned), or ``None``."""
    p = Path(path)
    if not p.exists():
        return f"The folder {path} is missing (unplugged drive or unmounted share?). Nothing was removed."
    if not p.is_dir():
        return f"{path} is no longer a folder. Nothing was removed."
    if not os.access(p, os.R_OK | os.X_OK):
        return f"The folder {path} cannot be read by the server. Nothing was removed."
    return None


def emptied_root_problem(path: str, known: int, what: str) -> str:
    """The report for a root that suddenly holds nothing while ``known`` items are indexed."""
    return (
        f"The folder {path} has no {what} now but {known} are known; it may be an empty mount point. "
        "Nothing was removed."
    )


def _option_default(key: str) -> bool:
    from obscura_core.runtime import get_runtime

    option = get_runtime().registry.root_options.get(key)
    if option is None:
        raise KeyError(f"no loaded plugin declares the root option '{key}' (obscura_root_options)")
    return option.default


def root_option(root: Any, key: str) -> bool:
    """A root's switch ``key`` (a ``RootOption`` some plugin declares), or its default when unset."""
    value = (root.options or {}).get(key)
    return _option_default(key) if value is None else bool(value)


def root_option_clause(key: str) -> ColumnElement[bool]:
    """The SQL condition "this root's switch ``key`` is on" (for ``select(LibraryRoot)...where``)."""
    from sqlalchemy import func

    from plugin_sdk.models import LibraryRoot

    stored = LibraryRoot.options[key].as_boolean()
    return func.coalesce(stored, _option_default(key))
