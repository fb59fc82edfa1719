"""Upload caps: a setting of the library (and a route's own, smaller cap), enforced while the body is
read — a declared length over the cap is refused before a byte is read, a body without one stops at
the first byte past it — answered ``413`` with the envelope, leaving nothing on disk."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder, encode_multipart, run_wsgi_app

from plugin_sdk.bodylimit import JSON_MAX_BYTES
from plugin_sdk.limits import MIB
from tests.integration.images.media import jpeg_bytes, picture
from tests.integration.limits.servers import raw_request
from tests.integration.videos.media import make_h264_mp4

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images", "videos", "taxonomy"), "load_entrypoints": False}


@pytest.fixture
def library(client, run_jobs, tmp_path: Path) -> dict:
    """A root with a gallery folder ``Shots`` (one picture) and one movie, scanned."""
    root = tmp_path / "Library"
    (root / "Shots").mkdir(parents=True)
    (root / "Shots" / "first.jpg").write_bytes(jpeg_bytes(picture(120, 90, 1)))
    make_h264_mp4(root / "Clip (2020).mp4", seconds=2, size="160x90")
    made = client.post("/api/libraries", json={"path": str(root)}).get_json()["data"]
    client.post(f"/api/libraries/{made['id']}/scan", json={})
    run_jobs()
    galleries = client.get("/api/galleries").get_json()["data"]["items"]
    video = client.get("/api/videos").get_json()["data"]["items"][0]
    shots = next(g for g in galleries if g["title"] == "Shots")
    return {"root": made, "dir": root, "gallery": shots["id"], "video": video["id"]}


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _refused(resp, status: int, code: str) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["code"] == code
    return body["error"]["message"]


def _post(client, url: str, files: dict[str, tuple[bytes, str]], **fields: str):
    """A multipart POST encoded in memory (the test client would spool a large one to a temporary
    file it never closes)."""
    values = MultiDict({k: FileStorage(io.BytesIO(data), name) for k, (data, name) in files.items()})
    values.update(fields)
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _set(client, **values: int) -> dict:
    resp = client.put("/api/settings/library", json=values)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["data"]


def test_the_limits_are_library_settings(client) -> None:
    current = client.get("/api/settings/library").get_json()["data"]
    assert (current["maxUploadMb"], current["minFreeDiskMb"], current["fetchTimeoutSeconds"]) == (20480, 1024, 20)
    assert _set(client, maxUploadMb=5, minFreeDiskMb=0, fetchTimeoutSeconds=3)["maxUploadMb"] == 5
    again = client.get("/api/settings/library").get_json()["data"]
    assert (again["maxUploadMb"], again["minFreeDiskMb"], again["fetchTimeoutSeconds"]) == (5, 0, 3)
    for bad in ({"maxUploadMb": 0}, {"minFreeDiskMb": -1}, {"fetchTimeoutSeconds": 0}, {"maxUploadMb": "x"}):
        _refused(client.put("/api/settings/library", json=bad), 400, "validation_error")
    page = client.get("/settings")
    assert page.status_code == 200 and "Largest upload" in page.get_data(as_text=True)


def test_an_upload_over_the_cap_is_refused_and_leaves_nothing(client, library) -> None:
    _set(client, maxUploadMb=1)
    before = _listing(library["dir"])
    big = jpeg_bytes(picture(120, 90, 2)) + b"\0" * (2 * MIB)
    message = _refused(
        _post(client, f"/api/galleries/{library['gallery']}/images/upload", {"file": (big, "big.jpg")}),
        413,
        "payload_too_large",
    )
    assert message == "The upload is too large: the library takes at most 1 MiB per upload (Settings → Limits)."
    video = _post(client, "/api/videos/upload", {"file": (big, "big.mp4")}, libraryRootId=library["root"]["id"])
    _refused(video, 413, "payload_too_large")
    assert _listing(library["dir"]) == before, "nothing was written, not even a temporary file"

    small = client.post(
        f"/api/galleries/{library['gallery']}/images/upload",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(jpeg_bytes(picture(120, 90, 3))), "small.jpg")},
    )
    assert small.status_code == 201, small.get_json()
    assert (library["dir"] / "Shots" / "small.jpg").is_file()


def test_a_route_takes_at_most_its_own_size(client, library) -> None:
    performer = client.post("/api/performers", json={"name": "Ann"}).get_json()["data"]["id"]
    huge_picture = jpeg_bytes(picture(120, 90, 4)) + b"\0" * (21 * MIB)
    message = _refused(
        _post(client, f"/api/performers/{performer}/image", {"file": (huge_picture, "a.jpg")}),
        413,
        "payload_too_large",
    )
    assert message == "The upload is too large: this takes at most 20 MiB."
    # a file just over the route's size (the framing fits under the body cap): the route's own check
    over = b"1\n00:00:00,000 --> 00:00:01,000\nhi\n\n" + b" " * (5 * MIB)
    message = _refused(
        _post(client, f"/api/videos/{library['video']}/subtitles", {"file": (over, "en.srt")}),
        413,
        "payload_too_large",
    )
    assert message == "Subtitle files may be at most 5 MiB."
    assert client.get(f"/api/performers/{performer}/image").status_code == 404


class _EndlessUpload(io.RawIOBase):
    """A multipart body without a Content-Length (as a chunked upload) that goes on for 16 MiB
    (endless as far as a 1 MiB cap is concerned, finite so a regression fails instead of hanging):
    counts what is read."""

    LENGTH = 16 * MIB
    BOUNDARY = "obscura-limit-test"

    def __init__(self) -> None:
        self.head = (
            f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="endless.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.LENGTH - self.read_bytes)
        start = self.read_bytes
        head = self.head[start : start + n] if start < len(self.head) else b""
        data = head + b"\xab" * (n - len(head))
        buffer[:n] = data
        self.read_bytes += n
        return n


def test_a_body_without_a_length_stops_at_the_cap(app, client, library) -> None:
    _set(client, maxUploadMb=1)
    before = _listing(library["dir"])
    body = _EndlessUpload()
    environ = EnvironBuilder(path=f"/api/galleries/{library['gallery']}/images/upload", method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["CONTENT_TYPE"] = f"multipart/form-data; boundary={_EndlessUpload.BOUNDARY}"
    environ["wsgi.input"] = io.BufferedReader(body)
    environ["wsgi.input_terminated"] = True  # what gunicorn and Werkzeug's server say for a chunked body
    app_iter, status, _ = run_wsgi_app(app, environ, buffered=True)
    answer = json.loads(b"".join(app_iter))
    assert status.startswith("413") and answer["error"]["code"] == "payload_too_large", answer
    assert body.read_bytes <= 1 * MIB + 256 * 1024, f"{body.read_bytes} bytes were read for a 1 MiB cap"
    assert _listing(library["dir"]) == before


@pytest.fixture
def served(app) -> Iterator[tuple[str, int]]:
    """The app behind Werkzeug's threaded HTTP server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_an_announced_length_over_the_cap_is_answered_before_the_body(client, library, served) -> None:
    host, port = served
    before = _listing(library["dir"])
    announced = 30 * 1024 * MIB
    head = (
        f"POST /api/galleries/{library['gallery']}/images/upload HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
    )
    status, answer = raw_request(served, head, b"--x\r\n")  # 5 bytes of 30 GiB: answered anyway
    assert status == 413 and answer["error"]["code"] == "payload_too_large"
    assert "20 GiB per upload" in answer["error"]["message"]

    json_head = (
        f"PUT /api/settings/library HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {JSON_MAX_BYTES + 1}\r\nConnection: close\r\n\r\n"
    )
    status, answer = raw_request(served, json_head, b'{"maxUploadMb": ')
    assert status == 413 and answer["error"]["message"].startswith("The request body is too large")
    assert client.get("/api/settings/library").get_json()["data"]["maxUploadMb"] == 20480
    assert _listing(library["dir"]) == before
