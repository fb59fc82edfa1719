"""``from-url`` downloads: http(s) only, timeouts, a byte cap and an ``image/*`` answer — one table of
misbehaving servers (on loopback), run against the SDK helper and against the API routes using it."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from plugin_sdk.fetch import IMAGE, UrlFetchError, fetch_url
from plugin_sdk.limits import MIB
from tests.integration.limits.servers import HUGE, PictureServer, closed_port, picture_server, wait_for
from tests.integration.videos.media import make_h264_mp4

pytestmark = pytest.mark.integration

CAP = 20 * MIB
TIMEOUT_S = 1.0

# (case, path or URL, status, code, part of the message); "{s}" is the server, "{closed}" a dead port
REFUSED = [
    ("file URL", "file:///etc/passwd", 400, "url_not_allowed", "not file:// URLs"),
    ("ftp URL", "ftp://127.0.0.1/x.png", 400, "url_not_allowed", "not ftp:// URLs"),
    ("gopher URL", "gopher://127.0.0.1:70/1", 400, "url_not_allowed", "not gopher:// URLs"),
    ("no scheme", "127.0.0.1/x.png", 400, "url_not_allowed", "without http:// or https://"),
    ("no host", "http:///x.png", 400, "url_not_allowed", "has no host"),
    ("redirect to file", "{s}/to-file", 400, "url_not_allowed", "redirects to a URL that is not http"),
    ("redirect to ftp", "{s}/to-ftp", 400, "url_not_allowed", "redirects to a URL that is not http"),
    ("redirect to gopher", "{s}/to-gopher", 400, "url_not_allowed", "redirects to a URL that is not http"),
    ("redirect loop", "{s}/loop", 400, "fetch_failed", "redirects more than 5 times"),
    ("50 MB announced", "{s}/huge-declared.jpg", 400, "fetch_too_large", "the limit is 20 MiB"),
    ("50 MB streamed", "{s}/huge-streamed.jpg", 400, "fetch_too_large", "the limit is 20 MiB"),
    ("html page", "{s}/page.html", 415, "unsupported_media_type", "is text/html, not"),
    ("HTTP 404", "{s}/missing.png", 400, "fetch_failed", "answered HTTP 404"),
    ("nothing listening", "http://127.0.0.1:{closed}/x.png", 400, "fetch_failed", "could not be reached"),
    ("hangs before answering", "{s}/hang-headers.png", 400, "fetch_timeout", "took longer than 1 s"),
    ("hangs in the body", "{s}/hang-body.png", 400, "fetch_timeout", "took longer than 1 s"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[PictureServer]:
    with picture_server() as running:
        yield running


def _url(template: str, server: PictureServer) -> str:
    return template.format(s=server.base, closed=closed_port())


@pytest.mark.parametrize(("case", "where", "status", "code", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_the_helper_refuses(server: PictureServer, case: str, where: str, status: int, code: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(UrlFetchError) as refused:
        fetch_url(_url(where, server), max_bytes=CAP, accept=IMAGE, timeout=TIMEOUT_S)
    assert (refused.value.status, refused.value.code) == (status, code), refused.value.message
    assert message in refused.value.message
    assert time.monotonic() - started < 4 * TIMEOUT_S + 3, "a hanging server is given up on"


def test_the_helper_stops_reading_at_the_cap(server: PictureServer) -> None:
    before = len(server.streamed)
    with pytest.raises(UrlFetchError, match="larger than allowed"):
        fetch_url(server.url("/huge-streamed.jpg"), max_bytes=1 * MIB, timeout=5)
    wait_for(lambda: len(server.streamed) > before)
    sent = server.streamed[-1]
    assert sent < HUGE // 4, f"the server wrote {sent} bytes before the client hung up"


def test_the_helper_takes_pictures(server: PictureServer) -> None:
    got = fetch_url(server.url("/photo.png"), max_bytes=CAP, timeout=TIMEOUT_S)
    assert got.content_type == "image/png" and Image.open(io.BytesIO(got.body)).size == (40, 30)
    untyped = fetch_url(server.url("/untyped.png"), max_bytes=CAP, timeout=TIMEOUT_S)
    assert untyped.content_type == "" and untyped.body == got.body, "an untyped answer is left to the decoder"


# ---------------------------------------------------------------------------------------------- API


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("taxonomy", "videos"), "load_entrypoints": False}


@pytest.fixture
def quick_timeout(client) -> None:
    resp = client.put("/api/settings/library", json={"fetchTimeoutSeconds": 1})
    assert resp.status_code == 200 and resp.get_json()["data"]["fetchTimeoutSeconds"] == 1


@pytest.fixture
def video_id(client, run_jobs, tmp_path: Path) -> str:
    root = tmp_path / "Movies"
    root.mkdir()
    make_h264_mp4(root / "Clip (2020).mp4", seconds=2)
    made = client.post("/api/libraries", json={"path": str(root)}).get_json()["data"]
    client.post(f"/api/libraries/{made['id']}/scan", json={})
    run_jobs("library-scan")
    return client.get("/api/videos").get_json()["data"]["items"][0]["id"]


@pytest.mark.parametrize(("case", "where", "status", "code", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_performer_picture_from_a_url_is_refused(
    client, quick_timeout, server: PictureServer, case: str, where: str, status: int, code: str, message: str
) -> None:
    performer = client.post("/api/performers", json={"name": "Meg"}).get_json()["data"]["id"]
    resp = client.post(f"/api/performers/{performer}/image/from-url", json={"url": _url(where, server)})
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["code"] == code and message in body["error"]["message"]
    assert client.get(f"/api/performers/{performer}/image").status_code == 404, "no picture was stored"


def test_pictures_from_urls_are_kept(client, quick_timeout, server: PictureServer, video_id: str) -> None:
    performer = client.post("/api/performers", json={"name": "Tom"}).get_json()["data"]["id"]
    resp = client.post(f"/api/performers/{performer}/image/from-url", json={"url": server.url("/photo.png")})
    assert resp.status_code == 200, resp.get_json()
    assert client.get(f"/api/performers/{performer}/image").status_code == 200

    thumb = client.post(f"/api/videos/{video_id}/thumbnail/from-url", json={"url": server.url("/photo.png")})
    assert thumb.status_code == 200, thumb.get_json()
    got = client.get(f"/api/videos/{video_id}/thumbnail")
    assert Image.open(io.BytesIO(got.data)).size == (40, 30)


@pytest.mark.parametrize(
    ("where", "status", "code"),
    [
        ("file:///etc/passwd", 400, "url_not_allowed"),
        ("gopher://127.0.0.1:70/1", 400, "url_not_allowed"),
        ("{s}/to-file", 400, "url_not_allowed"),
        ("{s}/huge-streamed.jpg", 400, "fetch_too_large"),
        ("{s}/page.html", 415, "unsupported_media_type"),
        ("{s}/hang-body.png", 400, "fetch_timeout"),
    ],
)
def test_a_video_thumbnail_from_a_url_is_refused(
    client, quick_timeout, server: PictureServer, video_id: str, where: str, status: int, code: str
) -> None:
    resp = client.post(f"/api/videos/{video_id}/thumbnail/from-url", json={"url": _url(where, server)})
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["error"]["code"] == code
    assert client.get(f"/api/videos/{video_id}").get_json()["data"]["thumbnailUrl"] is None, "nothing was stored"
