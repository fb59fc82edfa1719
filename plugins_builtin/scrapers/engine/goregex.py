"""Go's ``regexp`` (RE2 syntax) on top of Python's ``re``.

Scrapers are written against Go: ``replace`` regexes, ``queryURLReplace`` and ``with`` templates
(``$1``, ``${1}``, ``${name}``, ``$name``). :func:`compile_go` translates an RE2 pattern into an
equivalent Python pattern (ASCII ``\\d \\w \\s \\b``, ``$`` as end of text, ``\\z``, ``\\Q..\\E``,
``[[:alpha:]]``, ``(?<name>..)``, flags in the middle of a pattern) and refuses what RE2 refuses
(look-arounds, back-references, ``\\Z``) so that a regex that fails in Stash fails here too.
:func:`replace_all` is ``Regexp.ReplaceAllString``: Go's template expansion (``$1x`` is the group
named ``1x``, unknown groups expand to nothing, ``$$`` is ``$``) and Go's rule for empty matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["GoRegexError", "compile_go", "expand_template", "replace_all"]


class GoRegexError(ValueError):
    """A pattern Go's regexp.Compile would reject (or that has no Python equivalent)."""


_PERL_OUT = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
}
_PERL_IN = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}

# Unicode classes with a usable Python spelling: (outside a class, inside a class or None).
_UNICODE = {
    "L": ("[^\\W\\d_]", None),
    "N": ("\\d", "\\d"),
    "Nd": ("\\d", "\\d"),
    "Z": ("[^\\S\\t\\n\\v\\f\\r\\x1c-\\x1f\\x85]", None),
    "Zs": ("[^\\S\\t\\n\\v\\f\\r\\x1c-\\x1f\\x85]", None),
}
_UNICODE_NEG = {"L": "[\\W\\d_]", "N": "\\D", "Nd": "\\D"}

_SIMPLE_ESCAPES = set("aftnrv")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")


def _hex_escape(code: int) -> str:
    if code > 0x10FFFF:
        raise GoRegexError("invalid escape sequence")
    return f"\\U{code:08x}"


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        # one frame per open group: [implicit scoped groups to close, multiline flag]
        self.frames: list[list] = [[0, False]]

    # --- escapes -------------------------------------------------------------------------
    def _escape(self, in_class: bool) -> str:
        p = self.p
        self.i += 1
        if self.i >= len(p):
            raise GoRegexError("trailing backslash at end of expression")
        c = p[self.i]
        self.i += 1
        if c in "dwsDWS":
            if in_class:
                return _PERL_IN.get(c, "\\" + c)
            return _PERL_OUT[c]
        if c in "bB":
            if in_class:
                raise GoRegexError(f"invalid escape sequence: \\{c}")
            return f"(?a:\\{c})"
        if c == "A":
            if in_class:
                raise GoRegexError("invalid escape sequence: \\A")
            return "\\A"
        if c == "z":
            if in_class:
                raise GoRegexError("invalid escape sequence: \\z")
            return "\\Z"
        if c in "pP":
            return self._unicode_class(c == "P", in_class)
        if c == "Q":
            end = p.find("\\E", self.i)
            literal = p[self.i :] if end < 0 else p[self.i : end]
            self.i = len(p) if end < 0 else end + 2
            if in_class:
                return "".join("\\" + ch if not ch.isalnum() else ch for ch in literal)
            return re.escape(literal)
        if c == "E":
            return ""
        if c == "x":
            if self.i < len(p) and p[self.i] == "{":
                end = p.find("}", self.i)
                digits = p[self.i + 1 : end] if end > 0 else ""
                if end < 0 or not digits or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
                    raise GoRegexError("invalid escape sequence: \\x")
                self.i = end + 1
                return _hex_escape(int(digits, 16))
            digits = p[self.i : self.i + 2]
            if len(digits) < 2 or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
                raise GoRegexError("invalid escape sequence: \\x")
            self.i += 2
            return _hex_escape(int(digits, 16))
        if c in "01234567":
            # octal: \0, or \1-\7 followed by more octal digits; a lone \1-\9 is a back-reference
            if c != "0" and (self.i >= len(p) or p[self.i] not in "01234567"):
                raise GoRegexError(f"invalid escape sequence: \\{c}")
            digits = c
            while len(digits) < 3 and self.i < len(p) and p[self.i] in "01234567":
                digits += p[self.i]
                self.i += 1
            return _hex_escape(int(digits, 8))
        if c in "89":
            raise GoRegexError(f"invalid escape sequence: \\{c}")
        if c in _SIMPLE_ESCAPES:
            return "\\" + c
        if c.isalnum() or c == "_":
            raise GoRegexError(f"invalid escape sequence: \\{c}")
        return "\\" + c

    def _unicode_class(self, negated: bool, in_class: bool) -> str:
        p = self.p
        if self.i >= len(p):
            raise GoRegexError("invalid character class range")
        if p[self.i] == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise GoRegexError("invalid character class range")
            name = p[self.i + 1 : end]
            self.i = end + 1
        else:
            name = p[self.i]
            self.i += 1
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        if negated:
            if in_class or name not in _UNICODE_NEG:
                raise GoRegexError(f"unsupported character class: \\P{{{name}}}")
            return _UNICODE_NEG[name]
        forms = _UNICODE.get(name)
        if forms is None or (in_class and forms[1] is None):
            raise GoRegexError(f"unsupported character class: \\p{{{name}}}")
        return forms[1] if in_class else forms[0]

    # --- classes ---------------------------------------------------------------------------
    def _char_class(self) -> str:
        p = self.p
        self.i += 1  # past [
        parts = ["["]
        if self.i < len(p) and p[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        prev = ""
        while True:
            if self.i >= len(p):
                raise GoRegexError("missing closing ]")
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and p.startswith("[:", self.i):
                end = p.find(":]", self.i + 2)
                if end > 0:
                    name = p[self.i + 2 : end]
                    if name.startswith("^") or name not in _POSIX:
                        raise GoRegexError(f"invalid character class range: [:{name}:]")
                    parts.append(_POSIX[name])
                    self.i = end + 2
                    prev = ""
                    continue
            if c == "\\":
                parts.append(self._escape(in_class=True))
                prev = ""
                continue
            self.i += 1
            if c in "[&~|" or (c == "-" and prev == "-"):
                parts.append("\\" + c)
            else:
                parts.append(c)
            prev = c
        parts.append("]")
        return "".join(parts)

    # --- groups ----------------------------------------------------------------------------
    def _open_group(self) -> str:
        p = self.p
        at_start = self.i == 0
        if not p.startswith("(?", self.i):
            self.i += 1
            self.frames.append([0, self.frames[-1][1]])
            return "("
        rest = p[self.i + 2 :]
        if rest.startswith("P<") or (rest.startswith("<") and not rest.startswith(("<=", "<!"))):
            start = self.i + (4 if rest.startswith("P<") else 3)
            end = p.find(">", start)
            name = p[start:end] if end > 0 else ""
            if not name or not re.fullmatch(r"[A-Za-z0-9_]+", name) or name[0].isdigit():
                raise GoRegexError(f"invalid named capture: {p[self.i : end + 1]}")
            self.i = end + 1
            self.frames.append([0, self.frames[-1][1]])
            return f"(?P<{name}>"
        if rest.startswith(("=", "!", "<=", "<!")):
            raise GoRegexError("invalid or unsupported Perl syntax: look-around")
        # flags: (?flags) or (?flags:...)
        j = self.i + 2
        flags = ""
        while j < len(p) and p[j] in "imsU-":
            flags += p[j]
            j += 1
        if j >= len(p) or p[j] not in ":)" or (flags == "" and p[j] == ")"):
            raise GoRegexError(f"invalid or unsupported Perl syntax: {p[self.i : j + 1]}")
        if "U" in flags:
            raise GoRegexError("unsupported flag: (?U)")
        on, _, off = flags.partition("-")
        if "-" in off or (flags.endswith("-") and not off):
            raise GoRegexError(f"invalid or unsupported Perl syntax: {p[self.i : j + 1]}")
        multiline = self.frames[-1][1]
        if "m" in on:
            multiline = True
        if "m" in off:
            multiline = False
        self.i = j + 1
        if p[j] == ":":
            self.frames.append([0, multiline])
            return f"(?{flags}:"
        # (?flags): applies to the rest of the current group
        self.frames[-1][1] = multiline
        if at_start and not off:
            return f"(?{on})"
        self.frames[-1][0] += 1
        return f"(?{flags}:"

    def _close_group(self) -> str:
        if len(self.frames) == 1:
            raise GoRegexError("unexpected )")
        implicit, _ = self.frames.pop()
        self.i += 1
        return ")" * implicit + ")"

    # --- main loop -------------------------------------------------------------------------
    def translate(self) -> str:
        p = self.p
        out = self.out
        while self.i < len(p):
            c = p[self.i]
            if c == "\\":
                out.append(self._escape(in_class=False))
            elif c == "[":
                out.append(self._char_class())
            elif c == "(":
                out.append(self._open_group())
            elif c == ")":
                out.append(self._close_group())
            elif c == "$":
                self.i += 1
                out.append("$" if self.frames[-1][1] else "\\Z")
            elif c == "{":
                m = _REPEAT.match(p, self.i)
                if m and out and m.group(3) is not None and m.group(3) != "" and int(m.group(3)) < int(m.group(1)):
                    raise GoRegexError(f"invalid repeat count: {m.group(0)}")
                if m and out:
                    if int(m.group(1)) > 1000 or (m.group(3) and int(m.group(3)) > 1000):
                        raise GoRegexError(f"invalid repeat count: {m.group(0)}")
                    out.append(m.group(0))
                    self.i = m.end()
                else:
                    out.append("\\{")
                    self.i += 1
            elif c == "}":
                out.append("\\}")
                self.i += 1
            else:
                out.append(c)
                self.i += 1
        if len(self.frames) != 1:
            raise GoRegexError("missing closing )")
        out.append(")" * self.frames[0][0])
        return "".join(out)


@lru_cache(maxsize=2048)
def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile a Go (RE2) regex; :class:`GoRegexError` when Go would reject it."""
    translated = _Translator(pattern).translate()
    try:
        return re.compile(translated)
    except (re.error, OverflowError, RecursionError) as exc:
        raise GoRegexError(str(exc)) from exc


# --- templates -------------------------------------------------------------------------------

_Part = str | int | tuple[str]


@lru_cache(maxsize=2048)
def _parse_template(template: str) -> tuple[_Part, ...]:
    """Split a Go ``Expand`` template into literals, group numbers and ``(name,)`` group names."""
    parts: list[_Part] = []
    literal: list[str] = []
    rest = template
    while rest:
        before, dollar, after = rest.partition("$")
        literal.append(before)
        if not dollar:
            break
        rest = after
        if rest.startswith("$"):
            literal.append("$")
            rest = rest[1:]
            continue
        brace = rest.startswith("{")
        body = rest[1:] if brace else rest
        n = 0
        while n < len(body) and (body[n].isalnum() or body[n] == "_"):
            n += 1
        if n == 0 or (brace and (n >= len(body) or body[n] != "}")):
            literal.append("$")  # malformed: the $ is literal text
            continue
        name = body[:n]
        rest = body[n + 1 :] if brace else body[n:]
        if literal:
            parts.append("".join(literal))
            literal = []
        if name.isascii() and name.isdigit() and not (name[0] == "0" and len(name) > 1) and len(name) <= 8:
            parts.append(int(name))
        else:
            parts.append((name,))
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def expand_template(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand`` of ``template`` for one match."""
    out: list[str] = []
    groupindex = match.re.groupindex
    ngroups = match.re.groups
    for part in _parse_template(template):
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, int):
            if part <= ngroups:
                out.append(match.group(part) or "")
        else:
            idx = groupindex.get(part[0])
            if idx is not None:
                out.append(match.group(idx) or "")
    return "".join(out)


def replace_all(pattern: re.Pattern[str], src: str, template: str) -> str:
    """Go's ``Regexp.ReplaceAllString``: like ``re.sub`` but with Go's template syntax and Go's
    handling of empty matches (no empty match right after the previous match)."""
    parts = _parse_template(template)
    simple = parts[0] if len(parts) == 1 and isinstance(parts[0], str) else ("" if not parts else None)
    out: list[str] = []
    last_end = 0
    search_pos = 0
    end = len(src)
    search = pattern.search
    while search_pos <= end:
        m = search(src, search_pos)
        if m is None:
            break
        a0, a1 = m.span()
        out.append(src[last_end:a0])
        if a1 > last_end or a0 == 0:
            out.append(simple if simple is not None else expand_template(template, m))
        last_end = a1
        if search_pos + 1 > a1:
            search_pos += 1
        else:
            search_pos = a1
    out.append(src[last_end:])
    return "".join(out)
