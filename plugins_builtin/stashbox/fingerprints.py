"""Our files' fingerprints as Stash sends them to a stash-box, and which of them a remote scene has.

Formats (Stash's ``convertFingerprints``): ``OSHASH`` is the 16-hex-digit oshash, ``MD5`` the
32-hex-digit digest, ``PHASH`` the 64-bit pHash as ``strconv.FormatUint(v, 16)`` — lower-case hex
*without* zero padding (``PhashToString``). stash-box answers every hash zero-padded to 16
digits, so hashes are compared as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

OSHASH, MD5, PHASH = "OSHASH", "MD5", "PHASH"
ORDER = (OSHASH, PHASH, MD5)
"""The order fingerprints are sent in (MD5 last: newer servers ignore it)."""
PHASH_DISTANCE = 8
"""The largest pHash distance still shown as a fingerprint match (for servers matching by distance)."""

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_TYPES = {"oshash": OSHASH, "md5": MD5, "checksum": MD5, "phash": PHASH}


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One fingerprint as sent: ``{"hash", "algorithm"}`` (a ``FingerprintQueryInput``)."""

    algorithm: str
    hash: str

    def query_input(self) -> dict[str, str]:
        return {"hash": self.hash, "algorithm": self.algorithm}


def stash_hash(algorithm: str, value: Any) -> str | None:
    """``value`` in the form Stash sends for ``algorithm``; ``None`` when it is not a valid hash."""
    if isinstance(value, int) and not isinstance(value, bool) and algorithm == PHASH:
        return format(value & 0xFFFFFFFFFFFFFFFF, "x")
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        return None
    text = value.strip().lower()
    if algorithm == OSHASH:
        return text.rjust(16, "0") if len(text) <= 16 else None
    if algorithm == MD5:
        return text if len(text) == 32 else None
    if algorithm == PHASH:
        return format(int(text, 16), "x") if len(text) <= 16 else None
    return None


def of_fragment(fragment: Mapping[str, Any]) -> list[Fingerprint]:
    """The fingerprints of a scene fragment's files (``files[].fingerprints[] = {type, fingerprint}``),
    each (algorithm, hash) once, in :data:`ORDER`."""
    found: dict[tuple[str, str], Fingerprint] = {}
    for file in fragment.get("files") or []:
        if not isinstance(file, Mapping):
            continue
        for fp in file.get("fingerprints") or []:
            if not isinstance(fp, Mapping):
                continue
            algorithm = _TYPES.get(str(fp.get("type", "")).lower())
            hashed = stash_hash(algorithm, fp.get("fingerprint")) if algorithm else None
            if algorithm and hashed:
                found.setdefault((algorithm, hashed), Fingerprint(algorithm, hashed))
    return sorted(found.values(), key=lambda f: ORDER.index(f.algorithm))


def _number(value: Any) -> int | None:
    try:
        return int(str(value), 16)
    except ValueError:
        return None


def matched(ours: Iterable[Fingerprint], remote: Any) -> list[dict[str, Any]]:
    """Which of ``ours`` the remote scene's fingerprints hold: ``[{"algorithm", "hash"}]`` (our
    hash as sent), with ``"distance"`` for a pHash the server matched by distance."""
    theirs: dict[str, set[int]] = {}
    for fp in remote or []:
        if isinstance(fp, Mapping) and fp.get("algorithm") in ORDER:
            number = _number(fp.get("hash"))
            if number is not None:
                theirs.setdefault(fp["algorithm"], set()).add(number)
    out: list[dict[str, Any]] = []
    for fp in ours:
        number = _number(fp.hash)
        candidates = theirs.get(fp.algorithm, set())
        if number is None or not candidates:
            continue
        if number in candidates:
            out.append({"algorithm": fp.algorithm, "hash": fp.hash})
        elif fp.algorithm == PHASH:
            distance = min(bin(number ^ other).count("1") for other in candidates)
            if distance <= PHASH_DISTANCE:
                out.append({"algorithm": fp.algorithm, "hash": fp.hash, "distance": distance})
    return out
