"""XPath selectors over HTML, as Stash's ``xpath.go`` (``x/net/html`` + ``antchfx/htmlquery``).

The document is parsed by libxml2 (lxml) and then given the one HTML5 tree fix that selectors
notice most: rows written directly in a ``<table>`` get the ``<tbody>`` an HTML5 parser inserts,
so ``//table/tbody/tr`` works as it does in Stash. Each selected node becomes text like Stash's
``nodeText``: a comment renders as ``<!-- … -->``, anything else is its inner text (all descendant
text, comments left out), then TrimSpace, runs of spaces collapsed, newlines removed; empty
values are dropped. An XPath that does not compile or run is a :class:`QueryError` (Stash logs a
warning and the field gets no value). An expression whose result is not a node-set
(``count(…)``, ``concat(…)``) selects nothing, as in ``antchfx/xpath``. The XPath 2.0 functions
``antchfx/xpath`` adds (``ends-with``, ``lower-case``, ``upper-case``, ``matches``, ``replace``,
``string-join``) are available in predicates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from lxml import etree

from plugins_builtin.scrapers.engine.goregex import GoRegexError, compile_go, replace_all
from plugins_builtin.scrapers.engine.query import QueryError
from plugins_builtin.scrapers.engine.text import clean_node_text

__all__ = ["XPathQuery", "parse_html"]

_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """One libxml2 HTML parser per thread (a shared one would serialise parsing)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            recover=True, no_network=True, remove_comments=False, huge_tree=True, encoding="utf-8"
        )
        _PARSERS.parser = parser
    return parser


def _string_value(arg: Any) -> str:
    """XPath ``string()`` of an extension-function argument."""
    if isinstance(arg, list):
        if not arg:
            return ""
        arg = arg[0]
    if isinstance(arg, str):
        return str(arg)
    if isinstance(arg, bool):
        return "true" if arg else "false"
    if isinstance(arg, float):
        return str(int(arg)) if arg.is_integer() else repr(arg)
    if isinstance(arg, etree._Element):
        return "".join(arg.itertext())
    return str(arg)


def _go_re(pattern: Any) -> Any:
    try:
        return compile_go(_string_value(pattern))
    except GoRegexError as exc:
        raise etree.XPathError(f"invalid regular expression: {exc}") from None


def _ends_with(_ctx: Any, a: Any, b: Any) -> bool:
    return _string_value(a).endswith(_string_value(b))


def _lower_case(_ctx: Any, a: Any) -> str:
    return _string_value(a).lower()


def _upper_case(_ctx: Any, a: Any) -> str:
    return _string_value(a).upper()


def _matches(_ctx: Any, a: Any, pattern: Any) -> bool:
    return _go_re(pattern).search(_string_value(a)) is not None


def _replace(_ctx: Any, a: Any, pattern: Any, repl: Any) -> str:
    return replace_all(_go_re(pattern), _string_value(a), _string_value(repl))


def _string_join(_ctx: Any, nodes: Any, sep: Any = "") -> str:
    items = nodes if isinstance(nodes, list) else [nodes]
    return _string_value(sep).join(_string_value([n]) for n in items)


_EXTENSIONS: dict[tuple[None, str], Callable[..., Any]] = {
    (None, "ends-with"): _ends_with,
    (None, "lower-case"): _lower_case,
    (None, "upper-case"): _upper_case,
    (None, "matches"): _matches,
    (None, "replace"): _replace,
    (None, "string-join"): _string_join,
}


@lru_cache(maxsize=4096)
def _compile(selector: str) -> etree.XPath:
    try:
        return etree.XPath(selector, smart_strings=False, extensions=_EXTENSIONS)
    except (etree.XPathError, ValueError, TypeError) as exc:
        raise QueryError(f"selector '{selector}': parse error: {exc}") from None


def _add_tbody(root: etree._Element) -> None:
    """Wrap each run of ``<tr>`` that sits directly in a ``<table>`` in a ``<tbody>`` (HTML5)."""
    for table in root.iter("table"):
        run: list[etree._Element] = []
        children = list(table)
        for child in [*children, None]:
            if child is not None and child.tag == "tr":
                run.append(child)
                continue
            if run:
                tbody = etree.Element("tbody")
                run[0].addprevious(tbody)
                for tr in run:
                    tbody.append(tr)
                run = []


def parse_html(text: str) -> etree._ElementTree:
    """Parse HTML text into a tree queried by :class:`XPathQuery`."""
    data = text.encode("utf-8", "surrogatepass")
    root = etree.fromstring(data, _parser()) if data.strip() else None
    if root is None:
        root = etree.fromstring(b"<html><body></body></html>", _parser())
    if b"<tr" in data or b"<TR" in data:
        _add_tbody(root)
    return root.getroottree()


def node_text(node: Any) -> str:
    """Stash's ``nodeText`` of one XPath result."""
    if isinstance(node, str):
        text = node
    elif isinstance(node, etree._Comment):
        text = etree.tostring(node, encoding="unicode", with_tail=False)
    elif isinstance(node, etree._Element):
        text = "".join(node.itertext())
    else:
        text = str(node)
    return clean_node_text(text)


class XPathQuery:
    """A parsed HTML document answering XPath selectors."""

    def __init__(
        self,
        tree: etree._ElementTree,
        url: str = "",
        *,
        loader: Callable[[str], XPathQuery] | None = None,
        search: bool = False,
    ) -> None:
        self.tree = tree
        self.url = url
        self.search = search
        self._loader = loader

    @classmethod
    def from_text(cls, text: str, url: str = "", **kwargs: Any) -> XPathQuery:
        return cls(parse_html(text), url, **kwargs)

    def run(self, selector: str) -> list[str]:
        xpath = _compile(selector)
        try:
            found = xpath(self.tree)
        except (etree.XPathError, ValueError, TypeError) as exc:
            raise QueryError(f"selector '{selector}': {exc}") from None
        if not isinstance(found, list):
            return []
        out = []
        for node in found:
            text = node_text(node)
            if text != "":
                out.append(text)
        return out

    def sub_scrape(self, url: str) -> XPathQuery | None:
        if self._loader is None:
            return None
        return self._loader(url)
