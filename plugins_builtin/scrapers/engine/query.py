"""What a mapped scraper queries: a parsed document that answers selectors (``mappedQuery``)."""

from __future__ import annotations

from typing import Protocol


class QueryError(Exception):
    """A selector that could not run (bad XPath, bad path): logged as a warning, no value."""


class Query(Protocol):
    """One loaded document. ``url`` is the address it came from (``{inputURL}``); ``search`` is
    set for ``*ByName`` scrapes, whose values are not de-duplicated."""

    url: str
    search: bool

    def run(self, selector: str) -> list[str]:
        """The selector's values, empty strings already dropped for XPath. Raises :class:`QueryError`."""
        ...

    def sub_scrape(self, url: str) -> Query | None:
        """The document at ``url`` fetched with the same driver, or ``None`` (logged) if that fails."""
        ...
