"""A move cancelled half-way stops at once, loses nothing, and the next run finishes it."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from plugin_sdk.models import JobRunRow
from tests.integration.maintenance import clipsplugin
from tests.integration.maintenance.helpers import sha

pytestmark = pytest.mark.integration

CLIPS = 50


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("clips", clipsplugin)], "builtins": ("maintenance",), "load_entrypoints": False}


def _run(client, run_jobs, runtime) -> JobRunRow:
    resp = client.post("/api/jobs/migrate-asset-storage", json={"targetDedicated": False})
    assert resp.status_code == 202, resp.get_json()
    run_jobs("library-maintenance")
    with runtime.session() as db:
        return db.execute(select(JobRunRow).where(JobRunRow.id == resp.get_json()["data"]["jobRunId"])).scalar_one()


def test_cancel_then_rerun(client, runtime, run_jobs, tmp_path) -> None:
    library = tmp_path / "clips"
    library.mkdir()
    media = [library / f"clip {i:02d}.mp4" for i in range(CLIPS)]
    digests = {}
    for i, path in enumerate(media):
        path.write_bytes(b"")
        asset = clipsplugin.files(i, path)[0]
        asset.cache_path.parent.mkdir(parents=True, exist_ok=True)
        asset.cache_path.write_bytes(os.urandom(2000 + i))
        digests[i] = sha(asset.cache_path)
    clipsplugin.state.update(media=media, cancel_at=30)
    try:
        first = _run(client, run_jobs, runtime)
        assert first.status == "cancelled"
        moved = [i for i in range(CLIPS) if clipsplugin.files(i, media[i])[0].sidecar_path.is_file()]
        assert moved == list(range(40))  # stopped at the first check after the cancel
        for i in range(CLIPS):  # every file in exactly one place, intact
            asset = clipsplugin.files(i, media[i])[0]
            assert asset.sidecar_path.is_file() != asset.cache_path.is_file()
            assert sha(asset.sidecar_path if i < 40 else asset.cache_path) == digests[i]

        clipsplugin.state["cancel_at"] = None
        second = _run(client, run_jobs, runtime)
        assert second.status == "completed" and second.progress == 100
        assert (second.result["moved"], second.result["alreadyThere"], second.result["failed"]) == (10, 40, 0)
        for i in range(CLIPS):
            asset = clipsplugin.files(i, media[i])[0]
            assert not asset.cache_path.exists() and sha(asset.sidecar_path) == digests[i]
    finally:
        clipsplugin.state.update(media=[], cancel_at=None)
