"""A small library with generated previews, and what a user checks after a move."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from plugin_sdk.models import JobRunRow
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video
from tests.integration.videos.media import MediaCache

KEYS = ("thumb", "preview", "sprite", "trickplay")
ENDPOINTS = {"thumb": "thumbnail", "preview": "preview", "sprite": "sprite", "trickplay": "trickplay.vtt"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scanned_library(client, run_jobs, media: MediaCache, library: Path) -> dict:
    """Two videos in a sub-folder, scanned, probed and previewed; returns the root."""
    media.copy(media.h264(), library / "Films" / "First Film.mp4")
    media.copy(media.h264_b(), library / "Films" / "Second Film.mp4")
    resp = client.post("/api/libraries", json={"path": str(library)})
    assert resp.status_code == 201, resp.get_json()
    root = resp.get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    return root


def videos(runtime) -> list[Video]:
    with runtime.session() as db:
        return list(db.execute(select(Video).order_by(Video.file_path)).scalars())


def layout(runtime) -> dict[tuple[str, str], dict[str, str | None]]:
    """``{(video id, key): {"cache": sha|None, "side": sha|None}}`` of every movable asset."""
    out = {}
    with runtime.session() as db:
        for video in db.execute(select(Video)).scalars():
            for key, af in assets.files_of(db, video).items():
                out[(video.id, key)] = {
                    "cache": sha(af.cache_path) if af.cache_path.is_file() else None,
                    "side": sha(af.sidecar_path) if af.sidecar_path and af.sidecar_path.is_file() else None,
                }
    return out


def originals(state: dict) -> dict[tuple[str, str], str]:
    """The one copy of each asset (asserting there is exactly one)."""
    out = {}
    for ident, places in state.items():
        present = [d for d in places.values() if d]
        assert len(present) == 1, (ident, places)
        out[ident] = present[0]
    return out


def assert_all_in(state: dict, where: str, expected: dict[tuple[str, str], str]) -> None:
    other = "side" if where == "cache" else "cache"
    for ident, digest in expected.items():
        assert state[ident][where] == digest, (ident, state[ident])
        assert state[ident][other] is None, (ident, state[ident])


def assert_served(client, expected: dict[tuple[str, str], str]) -> None:
    for (video_id, key), digest in expected.items():
        resp = client.get(f"/api/videos/{video_id}/{ENDPOINTS[key]}")
        assert resp.status_code == 200, (video_id, key, resp.status_code)
        assert hashlib.sha256(resp.data).hexdigest() == digest, (video_id, key)


def migrate(client, run_jobs, **body) -> dict:
    resp = client.post("/api/jobs/migrate-asset-storage", json=body)
    assert resp.status_code == 202, resp.get_json()
    run_id = resp.get_json()["data"]["jobRunId"]
    run_jobs("library-maintenance")
    run = client.get(f"/api/jobs/{run_id}").get_json()["data"]
    assert run["status"] == "completed", run
    return run["result"]


def set_dedicated(client, value: bool) -> None:
    resp = client.put("/api/settings/library", json={"metadataStorageDedicated": value})
    assert resp.status_code == 200, resp.get_json()


def maintenance_runs(runtime) -> list[JobRunRow]:
    with runtime.session() as db:
        return list(db.execute(select(JobRunRow).where(JobRunRow.queue_name == "library-maintenance")).scalars())


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files, even for root (``chattr +i``); chmod for other users."""
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)
