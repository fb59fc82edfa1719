"""Fixtures for the scraper engine tests: a loopback HTTP server with the fixture pages, scrapers
written into temporary folders, and a log that keeps its lines. Nothing reaches the internet."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plugins_builtin.scrapers.engine import ScrapeLog, ScraperDef, load_scraper
from tests.fixtures.scrapers.server import COMMUNITY, FixtureServer


@pytest.fixture(scope="session")
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


@pytest.fixture
def log() -> ScrapeLog:
    return ScrapeLog("test")


@pytest.fixture
def community() -> Path:
    return COMMUNITY


@pytest.fixture
def make_scraper(tmp_path: Path) -> Callable[..., ScraperDef]:
    """Write a scraper YAML (dedented) into ``tmp_path/<folder>/<name>.yml`` and load it;
    ``files`` adds more files beside it (e.g. a script)."""

    def make(
        yaml_text: str, name: str = "Test", folder: str | None = None, files: dict[str, str] | None = None
    ) -> ScraperDef:
        directory = tmp_path / (folder or name)
        directory.mkdir(parents=True, exist_ok=True)
        for fname, content in (files or {}).items():
            (directory / fname).write_text(textwrap.dedent(content), encoding="utf-8")
        path = directory / f"{name}.yml"
        path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
        return load_scraper(path)

    return make
