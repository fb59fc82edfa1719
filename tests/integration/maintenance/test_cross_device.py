"""A cache on another filesystem than the library: moves copy, verify, then delete — both ways."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.maintenance.helpers import (
    assert_all_in,
    assert_served,
    layout,
    migrate,
    originals,
    scanned_library,
    set_dedicated,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a tmpfs at /dev/shm"),
]


@pytest.fixture
def shm_cache() -> Iterator[Path]:
    path = Path("/dev/shm") / f"obscura-test-cache-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def obscura_plugins(shm_cache: Path) -> dict:
    return {
        "plugins": None,
        "builtins": ("videos", "maintenance"),
        "load_entrypoints": False,
        "cache_dir_override": shm_cache,
    }


def test_moves_across_filesystems_and_back(client, runtime, run_jobs, media, library, shm_cache) -> None:
    scanned_library(client, run_jobs, media, library)
    assert os.stat(shm_cache).st_dev != os.stat(library).st_dev
    first = originals(layout(runtime))
    assert_all_in(layout(runtime), "cache", first)

    set_dedicated(client, False)
    out = migrate(client, run_jobs)
    assert (out["moved"], out["failed"]) == (8, 0)
    assert_all_in(layout(runtime), "side", first)
    assert not [p.name for p in (library / "Films").iterdir() if p.name.startswith(".")]  # no temp left
    assert_served(client, first)

    back = migrate(client, run_jobs, targetDedicated=True)
    assert (back["moved"], back["failed"]) == (8, 0)
    assert_all_in(layout(runtime), "cache", first)
    assert_served(client, first)
