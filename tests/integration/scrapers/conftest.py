from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins_builtin.scrapers.index import ENV, clear_cache
from tests.integration.scrapers.packs import IndexDir, http_server, standard_index


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("scrapers",), "load_entrypoints": False}


@pytest.fixture(autouse=True)
def _fresh_index_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> IndexDir:
    """The standard local index (py_common, ScriptSite, ExampleSite), named by its file path."""
    folder = tmp_path / "community"
    folder.mkdir()
    built = standard_index(folder)
    monkeypatch.setenv(ENV, str(built.index_file))
    return built


@pytest.fixture
def served_index(index: IndexDir, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The standard index over loopback HTTP; the setting names its folder URL (``…/``)."""
    with http_server(index.root) as base:
        monkeypatch.setenv(ENV, base + "/")
        yield base


@pytest.fixture
def scrapers_dir(runtime) -> Path:
    return Path(runtime.settings.data_dir) / "scrapers"
