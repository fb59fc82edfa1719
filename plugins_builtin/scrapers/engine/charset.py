"""Decoding a fetched body the way Go's ``golang.org/x/net/html/charset.NewReader`` does.

``DetermineEncoding``: a byte-order mark wins, then the ``charset`` of the Content-Type header,
then a ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 1024 bytes, then
UTF-8 if those 1024 bytes hold valid UTF-8 with at least one non-ASCII byte, else windows-1252.
Labels follow the WHATWG Encoding Standard (``iso-8859-1``, ``latin1`` and ``ascii`` mean
windows-1252, ``gb2312`` means GBK, ``shift_jis`` means windows-31J…).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_body", "determine_encoding"]

# WHATWG labels whose Python codec differs from the label's own name.
_WHATWG = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "gb_2312": "gbk",
    "x-gbk": "gbk",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "utf-16": "utf-16le",
    "unicode": "utf-16le",
    "x-user-defined": "cp1252",
}

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16be"), (codecs.BOM_UTF16_LE, "utf-16le"))

_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([^\s"';/>]+)""", re.IGNORECASE)
_ATTR = re.compile(rb"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s"';]+)""", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def _whatwg_1252(error: UnicodeDecodeError) -> tuple[str, int]:
    """windows-1252's five unassigned bytes map to the C1 controls of the same value (WHATWG)."""
    bad = error.object[error.start : error.end]
    return "".join(chr(b) for b in bad), error.end


codecs.register_error("obscura-whatwg-1252", _whatwg_1252)


def lookup(label: str) -> str | None:
    """The Python codec for a WHATWG encoding label, or ``None`` for an unknown label."""
    label = label.strip().lower()
    if not label:
        return None
    name = _WHATWG.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _prescan(head: bytes) -> str | None:
    """The encoding a ``<meta>`` in the first bytes declares (WHATWG prescan, simplified)."""
    head = _COMMENT.sub(b"", head)
    for meta in _META.finditer(head):
        attrs = {k.lower(): v.strip(b"\"'") for k, v in _ATTR.findall(meta.group(0)[5:])}
        label = attrs.get(b"charset")
        if label is None and attrs.get(b"http-equiv", b"").strip().lower() == b"content-type":
            m = _META_CHARSET.search(attrs.get(b"content", b""))
            label = m.group(1) if m else None
        if not label:
            continue
        name = lookup(label.decode("ascii", "replace"))
        if name is None:
            continue
        return "utf-8" if name.startswith("utf-16") else name
    return None


def determine_encoding(body: bytes, content_type: str | None) -> tuple[str, bool]:
    """``(python codec, certain)`` for a body, as Go's ``charset.DetermineEncoding``."""
    head = body[:1024]
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, True
    if content_type:
        m = _CT_CHARSET.search(content_type)
        if m:
            name = lookup(m.group(1))
            if name is not None:
                return name, True
    if head:
        name = _prescan(head)
        if name is not None:
            return name, False
    # valid UTF-8 with a high bit set in the first 1024 bytes (a cut rune at the end is forgiven)
    if any(b >= 0x80 for b in head):
        trimmed = head
        for cut in range(4):
            try:
                trimmed[: len(trimmed) - cut].decode("utf-8")
                return "utf-8", False
            except UnicodeDecodeError as exc:
                if exc.start < len(trimmed) - 4:
                    break
    return "cp1252", False


def decode_body(body: bytes, content_type: str | None) -> str:
    """The body as text: BOM stripped, invalid bytes replaced like Go's decoders do."""
    name, _ = determine_encoding(body, content_type)
    for bom, bom_name in _BOMS:
        if body.startswith(bom) and name == bom_name:
            body = body[len(bom) :]
            break
    if name == "cp1252":
        return body.decode("cp1252", "obscura-whatwg-1252")
    return body.decode(name, "replace")


def decode_json_body(body: bytes, content_type: str | None) -> str:
    """A JSON body as text: BOM or the Content-Type charset, else UTF-8 (RFC 8259)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace")
    if content_type:
        m = _CT_CHARSET.search(content_type)
        if m:
            name = lookup(m.group(1))
            if name is not None:
                return body.decode(name, "obscura-whatwg-1252" if name == "cp1252" else "replace")
    return body.decode("utf-8", "replace")
