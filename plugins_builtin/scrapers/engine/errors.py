"""The engine's exceptions: a scraper file that is wrong, and a scrape that failed."""

from __future__ import annotations


class ScraperConfigError(ValueError):
    """A scraper YAML that Stash would refuse to load.

    ``file`` is the YAML's path (or the name it was parsed under) and ``key`` the dotted path of the
    offending key, e.g. ``xPathScrapers.sceneScraper.scene.Date.postProcess[1]`` (empty for the
    document as a whole). The message names both.
    """

    def __init__(self, file: str, key: str, problem: str, *, line: int | None = None) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        self.line = line
        where = f" at {key}" if key else ""
        at_line = f" (line {line})" if line else ""
        super().__init__(f"{self.file}{where}{at_line}: {problem}")


class ScrapeError(Exception):
    """A scrape that failed; the message is one line meant for the user."""


class ScrapeTimeout(ScrapeError):
    """A scrape (a script, usually) that ran out of time."""
