"""Comparing package versions the way semantic versioning orders them, without ever failing.

``0.10.0 > 0.9.1``; ``1.0.0-beta < 1.0.0``; ``1.0.0-alpha.2 < 1.0.0-alpha.10 < 1.0.0-beta``; a
leading ``v`` and build metadata (``+build.5``) are ignored; missing parts count as 0 (``1.2`` is
``1.2.0``). Text that is not a version at all (a git hash, ``latest``) sorts below every real
version and compares as text among its kind, so a junk version is never an error.
"""

from __future__ import annotations

import re
from typing import TypeAlias

__all__ = ["compare_versions", "is_newer_version", "version_key"]

_CORE = re.compile(r"^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?$")

_Key: TypeAlias = tuple[int, tuple[int, ...], int, tuple[tuple[int, int, str], ...], str]


def version_key(version: str | None) -> _Key:
    """A sort key for ``version`` (see the module); equal keys mean equal versions."""
    text = (version or "").strip()
    core = text[1:] if text[:1] in ("v", "V") else text
    core = core.split("+", 1)[0]
    match = _CORE.match(core)
    if match is None:
        return (0, (), 0, (), text)
    numbers = tuple(int(n) for n in match.group(1).split("."))
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers = numbers[:-1]
    pre = match.group(2)
    if pre is None:
        return (1, numbers, 1, (), "")
    idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (1, numbers, 0, idents, "")


def compare_versions(a: str | None, b: str | None) -> int:
    """``1`` when ``a`` is newer than ``b``, ``-1`` when older, ``0`` when the same version."""
    ka, kb = version_key(a), version_key(b)
    return (ka > kb) - (ka < kb)


def is_newer_version(available: str | None, installed: str | None) -> bool:
    """Whether ``available`` is a newer version than ``installed`` (nothing is newer than a missing
    ``available``; anything real is newer than a missing ``installed``)."""
    if not (available or "").strip():
        return False
    return compare_versions(available, installed) > 0
