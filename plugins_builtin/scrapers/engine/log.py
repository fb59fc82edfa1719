"""Per-scrape log lines, shaped like Stash's ``[Scrape / <name>] message``."""

from __future__ import annotations

from collections.abc import Callable

LEVELS = ("trace", "debug", "info", "warning", "error", "progress")


class ScrapeLog:
    """Collects what one scrape has to say and forwards each line to ``sink(level, text)``.

    ``lines`` keeps ``(level, message)`` (without the prefix) so callers and tests can read it back.
    """

    def __init__(self, name: str, sink: Callable[[str, str], None] | None = None) -> None:
        self.name = name
        self.sink = sink
        self.lines: list[tuple[str, str]] = []

    def _emit(self, level: str, message: str) -> None:
        self.lines.append((level, message))
        if self.sink is not None:
            self.sink(level, f"[Scrape / {self.name}] {message}")

    def trace(self, message: str) -> None:
        self._emit("trace", message)

    def debug(self, message: str) -> None:
        self._emit("debug", message)

    def info(self, message: str) -> None:
        self._emit("info", message)

    def warning(self, message: str) -> None:
        self._emit("warning", message)

    def error(self, message: str) -> None:
        self._emit("error", message)

    def progress(self, message: str) -> None:
        self._emit("progress", message)

    def log(self, level: str, message: str) -> None:
        """Log at a level named by one of ``LEVELS`` (unknown names log as errors)."""
        getattr(self, level if level in LEVELS else "error")(message)

    def messages(self, level: str | None = None) -> list[str]:
        """The messages logged so far, at one level or all of them."""
        return [m for lv, m in self.lines if level is None or lv == level]
