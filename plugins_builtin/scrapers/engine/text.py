"""Go's string helpers as the scrapers see them: ``strings.TrimSpace`` and the XPath node cleanup."""

from __future__ import annotations

import re

# unicode.IsSpace: the Latin-1 spaces plus the White_Space property (U+0085, U+00A0, U+1680,
# U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Python's str.strip() would also take
# U+001C..U+001F, which Go keeps.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"
)

_MULTI_SPACE = re.compile("  +")


def trim_space(value: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return value.strip(GO_SPACE)


def clean_node_text(value: str) -> str:
    """What Stash's xpath ``nodeText`` does to a node's text: TrimSpace, collapse runs of two or
    more spaces (only U+0020) into one, then delete every newline (tabs stay)."""
    value = value.strip(GO_SPACE)
    if "  " in value:
        value = _MULTI_SPACE.sub(" ", value)
    if "\n" in value:
        value = value.replace("\n", "")
    return value


def unique_non_empty(values: list[str]) -> list[str]:
    """Stash's ``cleanResults``: drop duplicates (first occurrence kept), then empty strings."""
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v in seen:
            continue
        seen.add(v)
        if v != "":
            out.append(v)
    return out
