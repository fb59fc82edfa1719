"""The free-disk check: uploads and generated files are not written when their disk would keep less
than Settings → Limits' ``minFreeDiskMb`` — a request answers ``507`` with the envelope, a job fails
at once with the reason (no retry loop). The disk is made "full" by asking for more free space than
it has."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from plugin_sdk.limits import MIB
from plugin_sdk.models import JobRunRow
from tests.integration.images.media import jpeg_bytes, picture
from tests.integration.limits.servers import picture_server, raw_request
from tests.integration.videos.media import make_h264_mp4

pytestmark = pytest.mark.integration

FULL = re.compile(r"^Not enough free disk space in (/\S+): [\d.]+ [KMGT]?i?B free, [\d.]+ [KMGT]?i?B needed")


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images", "videos", "taxonomy"), "load_entrypoints": False}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A library with a gallery folder ``Shots`` (one picture) and one movie (not yet scanned)."""
    root = tmp_path / "Library"
    (root / "Shots").mkdir(parents=True)
    (root / "Shots" / "first.jpg").write_bytes(jpeg_bytes(picture(160, 120, 1)))
    make_h264_mp4(root / "Clip (2020).mp4", seconds=2, size="160x90")
    return root


def _free_mb(path: Path) -> int:
    return shutil.disk_usage(path).free // MIB


def _keep_free(client, mb: int) -> None:
    resp = client.put("/api/settings/library", json={"minFreeDiskMb": mb})
    assert resp.status_code == 200 and resp.get_json()["data"]["minFreeDiskMb"] == mb, resp.get_json()


def _disk_full(client, where: Path) -> None:
    """Ask for 1 GiB more free space than the disk holding ``where`` (and the cache) has."""
    _keep_free(client, _free_mb(where) + 1024)


def _full(resp) -> str:
    assert resp.status_code == 507, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["code"] == "insufficient_storage"
    assert FULL.match(body["error"]["message"]), body["error"]["message"]
    return body["error"]["message"]


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _scan(client, run_jobs, folder: Path) -> dict:
    root = client.post("/api/libraries", json={"path": str(folder)}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    return root


def _runs(runtime, queue: str) -> list[JobRunRow]:
    with runtime.session() as db:
        return list(db.execute(select(JobRunRow).where(JobRunRow.queue_name == queue)).scalars())


def test_generation_jobs_fail_at_once_with_the_reason(client, runtime, run_jobs, folder: Path) -> None:
    _disk_full(client, folder)
    _scan(client, run_jobs, folder)

    for queue in ("image-thumbnail", "preview"):
        [run] = _runs(runtime, queue)
        assert run.status == "failed", (queue, run.status, run.error)
        assert run.attempts == 1, "a full disk is not retried"
        assert "InsufficientStorageError: Not enough free disk space in " in run.error
        assert "Traceback" not in run.error, "the reason, not a stack trace"
    assert {r.status for r in _runs(runtime, "media-probe")} == {"completed"}, "reading needs no disk"
    image = client.get("/api/images").get_json()["data"]["items"][0]
    assert image["thumbnailUrl"] is None
    video = client.get("/api/videos").get_json()["data"]["items"][0]
    assert video["thumbnailUrl"] is None and video["previewUrl"] is None

    # the disk has room again: the same runs, retried from the API, complete
    _keep_free(client, 0)
    for queue in ("image-thumbnail", "preview"):
        [run] = _runs(runtime, queue)
        assert client.post(f"/api/jobs/{run.id}/retry", json={}).status_code == 201
    run_jobs()
    for queue in ("image-thumbnail", "preview"):
        statuses = {r.status for r in _runs(runtime, queue)}
        assert "completed" in statuses and not statuses & {"waiting", "active"}, (queue, statuses)
    assert client.get(client.get("/api/images").get_json()["data"]["items"][0]["thumbnailUrl"]).status_code == 200
    assert client.get(f"/api/videos/{video['id']}/preview").status_code == 200


def test_requests_that_write_answer_507(client, run_jobs, folder: Path) -> None:
    root = _scan(client, run_jobs, folder)
    gallery = next(g for g in client.get("/api/galleries").get_json()["data"]["items"] if g["title"] == "Shots")
    image = client.get("/api/images").get_json()["data"]["items"][0]
    video = client.get("/api/videos").get_json()["data"]["items"][0]
    performer = client.post("/api/performers", json={"name": "Ann"}).get_json()["data"]["id"]
    picture_bytes = jpeg_bytes(picture(120, 90, 5))
    before = _listing(folder)
    _disk_full(client, folder)

    message = _full(
        client.post(
            f"/api/galleries/{gallery['id']}/images/upload",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(picture_bytes), "new.jpg")},
        )
    )
    assert str(folder / "Shots") in message
    _full(
        client.post(
            "/api/videos/upload",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(b"\0" * 1000), "new.mp4"), "libraryRootId": root["id"]},
        )
    )
    assert _listing(folder) == before, "nothing was written"

    _full(client.post(f"/api/performers/{performer}/image", data={"file": (io.BytesIO(picture_bytes), "a.jpg")}))
    assert client.get(f"/api/performers/{performer}/image").status_code == 404
    with picture_server() as server:
        _full(client.post(f"/api/performers/{performer}/image/from-url", json={"url": server.url("/photo.png")}))
        _full(client.post(f"/api/videos/{video['id']}/thumbnail/from-url", json={"url": server.url("/photo.png")}))
    _full(client.post(f"/api/videos/{video['id']}/thumbnail/from-frame", json={"seconds": 0.5}))

    _full(client.get(f"/api/images/{image['id']}/thumbnail?size=preview"))  # the lightbox size, made on demand
    rendition = client.get(f"/api/video-stream/{video['id']}/hls/master.m3u8").get_data(as_text=True)
    variant = next(line for line in rendition.splitlines() if line.endswith(".m3u8"))
    segment = f"/api/video-stream/{video['id']}/hls/{variant.removesuffix('.m3u8')}/0.ts"
    _full(client.get(segment))

    _keep_free(client, 0)
    assert client.get(segment).status_code == 200
    assert client.get(f"/api/images/{image['id']}/thumbnail?size=preview").status_code == 200
    ok = client.post(f"/api/performers/{performer}/image", data={"file": (io.BytesIO(picture_bytes), "a.jpg")})
    assert ok.status_code == 200
    _disk_full(client, folder)
    assert client.get(segment).status_code == 200, "a segment already made is still served"


@pytest.fixture
def served(app) -> Iterator[tuple[str, int]]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_an_upload_too_large_for_the_temporary_folder_is_refused_first(client, served) -> None:
    spool = Path(tempfile.gettempdir())
    announced = shutil.disk_usage(spool).free + 1024 * MIB
    if announced > 1_048_576 * MIB:
        pytest.skip("the temporary folder has more free space than the largest upload cap")
    _keep_free(client, 0)
    assert client.put("/api/settings/library", json={"maxUploadMb": 1_048_576}).status_code == 200
    host, port = served
    head = (
        f"POST /api/galleries/any/images/upload HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {announced}\r\n\r\n"
    )
    status, answer = raw_request(served, head, b"--x\r\n")
    assert status == 507 and answer["error"]["code"] == "insufficient_storage"
    assert answer["error"]["message"].startswith(f"Not enough free disk space in {spool}:")
