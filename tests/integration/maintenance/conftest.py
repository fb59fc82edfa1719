from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.videos.media import MediaCache


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaCache:
    return MediaCache(tmp_path_factory.mktemp("media-cache"))


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "maintenance"), "load_entrypoints": False}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "Library"
    root.mkdir()
    return root
