"""Streaming engine: compat table, byte-range direct play, live fMP4 remux and on-demand HLS.

Real media made with ffmpeg lavfi (module-scoped), a tiny Flask app built here (no database) that
routes to the engine like the real routes will, ffprobe to check what comes out.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, jsonify, request, send_file
from werkzeug.serving import make_server

from plugin_sdk.errors import ObscuraError
from plugin_sdk.files import mimetype_for, send_source
from plugin_sdk.media import ProbeResult, probe
from plugins_builtin.videos.streaming import hls, remux
from plugins_builtin.videos.streaming.compat import browser_playable, remux_mode
from plugins_builtin.videos.streaming.hls import HlsCache
from plugins_builtin.videos.streaming.hls_cache import SourceSignature
from plugins_builtin.videos.streaming.hls_errors import HlsError, HlsNotFoundError
from plugins_builtin.videos.streaming.hls_playlists import (
    find_rendition,
    master_playlist,
    renditions_for,
    variant_playlist,
)

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"

pytestmark = pytest.mark.skipif(not Path(FFMPEG).exists(), reason="ffmpeg is required")


# ---------------------------------------------------------------------------------------------
# fixtures


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True, timeout=120)


def _ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """mp4 (h264/aac 320x180 20 s), hevc mkv, h264 mkv, vp9 webm, 2-hour 64x36 1 fps mp4, random blob."""
    d = tmp_path_factory.mktemp("media")
    files = {
        "mp4": d / "clip.mp4",
        "hevc": d / "clip-hevc.mkv",
        "h264mkv": d / "clip-h264.mkv",
        "webm": d / "clip.webm",
        "long": d / "long.mp4",
        "blob": d / "blob.mp4",
    }
    src = ["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=20", "-f", "lavfi", "-i", "sine=f=440:d=20"]
    _ffmpeg(*src, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-shortest", str(files["mp4"]))
    _ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=10", "-f", "lavfi", "-i", "sine=f=330:d=10"],
        *["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-c:a", "aac", "-shortest"],
        str(files["hevc"]),
    )
    _ffmpeg("-i", str(files["mp4"]), "-c", "copy", str(files["h264mkv"]))
    _ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=5", "-f", "lavfi", "-i", "sine=d=5"],
        *["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k", "-c:a", "libopus"],
        *["-shortest", str(files["webm"])],
    )
    _ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=s=64x36:r=1:d=7200"],
        *["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", str(files["long"])],
    )
    files["blob"].write_bytes(os.urandom(200_000))
    return files


@pytest.fixture(scope="module")
def facts(media: dict[str, Path]) -> dict[str, ProbeResult]:
    return {name: probe(path, binary=FFPROBE) for name, path in media.items() if name != "blob"}


def build_app(media: dict[str, Path], facts: dict[str, ProbeResult], cache: HlsCache | None) -> Flask:
    """What the real routes do, minus the database: id → (path, probe facts)."""
    app = Flask(__name__)

    @app.errorhandler(ObscuraError)
    def _error(exc: ObscuraError) -> Any:
        status = exc.status
        response = jsonify({"ok": False, "error": {"message": exc.message, "code": exc.code}})
        return response, status

    def video(vid: str) -> tuple[Path, ProbeResult]:
        if vid not in facts:
            raise HlsNotFoundError("no such video")
        return media[vid], facts[vid]

    @app.get("/api/video-stream/<vid>/source")
    def source(vid: str) -> Any:
        path = media[vid]
        return send_source(path)

    @app.get("/api/video-stream/<vid>/live.mp4")
    def live(vid: str) -> Any:
        path, info = video(vid)
        mode = remux_mode(info.container, info.video_codec, info.audio_codec, pixel_format=info.pixel_format)
        if mode == "direct":
            mode = "remux"
        return remux.stream_fmp4(path, mode, float(request.args.get("t", 0)), FFMPEG, audio_codec=info.audio_codec)

    @app.get("/api/video-stream/<vid>/hls/master.m3u8")
    def master(vid: str) -> Any:
        _, info = video(vid)
        body = master_playlist(vid, renditions_for(info.width, info.height), has_audio=info.has_audio)
        return app.response_class(body, mimetype="application/vnd.apple.mpegurl")

    @app.get("/api/video-stream/<vid>/hls/<rendition>.m3u8")
    def variant(vid: str, rendition: str) -> Any:
        _, info = video(vid)
        chosen = find_rendition(renditions_for(info.width, info.height), rendition)
        body = variant_playlist(info.duration or 0, rendition=chosen)
        return app.response_class(body, mimetype="application/vnd.apple.mpegurl")

    @app.get("/api/video-stream/<vid>/hls/<rendition>/<int:seg>.ts")
    def segment(vid: str, rendition: str, seg: int) -> Any:
        path, info = video(vid)
        chosen = find_rendition(renditions_for(info.width, info.height), rendition)
        assert cache is not None
        out = cache.segment(vid, path, info.duration or 0, chosen, seg)
        return send_file(out, mimetype="video/mp2t", max_age=31536000)

    return app


def fetch(client: Any, url: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
    """GET (or ``method=``) through the test client; always closes the response."""
    method = kwargs.pop("method", "GET")
    response = client.open(url, method=method, **kwargs)
    try:
        return response.status_code, dict(response.headers), response.get_data()
    finally:
        response.close()


def ffmpeg_children() -> list[int]:
    """Live (or zombie) ffmpeg processes whose parent is this test process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == os.getpid() and comm == "ffmpeg":
            found.append(int(entry))
    return found


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


# ---------------------------------------------------------------------------------------------
# compat

COMPAT_TABLE: list[tuple[str | None, str | None, str | None, bool, str]] = [
    ("mp4", "h264", "aac", True, "direct"),
    ("mp4", "h264", None, True, "direct"),
    ("mov", "h264", "mp3", True, "direct"),
    ("m4v", "h264", "opus", True, "direct"),
    ("mov,mp4,m4a,3gp,3g2,mj2", "avc1", "mp4a", True, "direct"),
    ("mp4", "h264", "ac3", False, "remux"),
    ("mp4", "h264", "flac", False, "remux"),
    ("mp4", "hevc", "aac", False, "transcode"),
    ("mp4", "h265", None, False, "transcode"),
    ("mp4", "vp9", "opus", False, "transcode"),
    ("webm", "vp9", "opus", True, "direct"),
    ("webm", "vp8", "vorbis", True, "direct"),
    ("webm", "av1", None, True, "direct"),
    ("webm", "vp9", "aac", False, "transcode"),
    ("webm", "h264", "opus", False, "remux"),
    ("matroska", "h264", "aac", False, "remux"),
    ("mkv", "h264", "dts", False, "remux"),
    ("matroska,webm", "vp9", "opus", False, "transcode"),
    ("matroska", "hevc", "aac", False, "transcode"),
    ("avi", "mpeg4", "mp3", False, "transcode"),
    ("mpegts", "h264", "aac", False, "remux"),
    ("flv", "h264", "aac", False, "remux"),
    ("mp4", None, "aac", False, "transcode"),
    (None, None, None, False, "transcode"),
]


@pytest.mark.parametrize(("container", "video", "audio", "playable", "mode"), COMPAT_TABLE)
def test_compat_table(container: str | None, video: str | None, audio: str | None, playable: bool, mode: str) -> None:
    assert browser_playable(container, video, audio) is playable
    assert remux_mode(container, video, audio) == mode


def test_compat_ten_bit_h264_is_transcoded() -> None:
    assert browser_playable("mp4", "h264", "aac", pixel_format="yuv420p") is True
    assert browser_playable("mp4", "h264", "aac", pixel_format="yuv420p10le") is False
    assert remux_mode("mkv", "h264", "aac", pixel_format="yuv420p10le") == "transcode"


def test_compat_for_probed_files(facts: dict[str, ProbeResult]) -> None:
    modes = {
        name: remux_mode(f.container, f.video_codec, f.audio_codec, pixel_format=f.pixel_format)
        for name, f in facts.items()
    }
    assert modes == {"mp4": "direct", "hevc": "transcode", "h264mkv": "remux", "webm": "direct", "long": "direct"}


# ---------------------------------------------------------------------------------------------
# direct play


@pytest.fixture(scope="module")
def direct_client(media: dict[str, Path], facts: dict[str, ProbeResult]) -> Iterator[Any]:
    yield build_app(media, facts, None).test_client()


def test_direct_full_and_head(direct_client: Any, media: dict[str, Path]) -> None:
    data = media["blob"].read_bytes()
    status, headers, body = fetch(direct_client, "/api/video-stream/blob/source")
    assert status == 200 and body == data
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == str(len(data))
    assert headers["Content-Type"] == "video/mp4"
    assert headers["ETag"] and headers["Last-Modified"]
    assert "max-age=0" in headers["Cache-Control"]
    assert "X-Sendfile" not in headers
    status, headers, body = fetch(direct_client, "/api/video-stream/blob/source", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(data))


def test_direct_ranges(direct_client: Any, media: dict[str, Path]) -> None:
    data = media["blob"].read_bytes()
    size = len(data)
    url = "/api/video-stream/blob/source"
    status, headers, body = fetch(direct_client, url, headers={"Range": "bytes=100-199"})
    assert status == 206 and body == data[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{size}" and headers["Content-Length"] == "100"
    status, headers, body = fetch(direct_client, url, headers={"Range": "bytes=-500"})
    assert status == 206 and body == data[-500:]
    assert headers["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"
    status, headers, body = fetch(direct_client, url, headers={"Range": "bytes=150000-"})
    assert status == 206 and body == data[150000:]
    status, headers, body = fetch(direct_client, url, headers={"Range": f"bytes={size - 1}-{size + 50}"})
    assert status == 206 and body == data[-1:]
    status, headers, _ = fetch(direct_client, url, headers={"Range": f"bytes={size}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}"
    status, _, _ = fetch(direct_client, url, headers={"Range": "bytes=500-100"})
    assert status == 416
    status, _, body = fetch(direct_client, url, headers={"Range": "bytes=0-9,20-29"})
    assert status == 200 and body == data


def test_direct_conditional(direct_client: Any, media: dict[str, Path]) -> None:
    data = media["blob"].read_bytes()
    url = "/api/video-stream/blob/source"
    _, headers, _ = fetch(direct_client, url, method="HEAD")
    etag = headers["ETag"]
    status, _, body = fetch(direct_client, url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert status == 206 and body == data[:10]
    status, _, body = fetch(direct_client, url, headers={"Range": "bytes=0-9", "If-Range": '"stale-etag"'})
    assert status == 200 and body == data
    status, _, body = fetch(direct_client, url, headers={"If-None-Match": etag})
    assert status == 304 and body == b""


def test_direct_range_keeps_server_file_wrapper(media: dict[str, Path], facts: dict[str, ProbeResult]) -> None:
    """A 206 body is still gunicorn's FileWrapper, positioned at the range start (sendfile-able)."""
    from gunicorn.http.wsgi import FileWrapper as GunicornFileWrapper

    app = build_app(media, facts, None)
    data = media["blob"].read_bytes()
    environ = {"wsgi.file_wrapper": GunicornFileWrapper}
    with app.test_request_context(headers={"Range": "bytes=123456-124455"}, environ_base=environ):
        response = send_source(media["blob"])
        try:
            assert response.status_code == 206
            assert isinstance(response.response, GunicornFileWrapper)
            filelike = response.response.filelike
            assert os.lseek(filelike.fileno(), 0, os.SEEK_CUR) == 123456
            assert response.content_length == 1000
            assert b"".join(response.response) == data[123456:124456]
        finally:
            response.close()
    with app.test_request_context(environ_base=environ):
        response = send_source(media["blob"])
        try:
            assert response.status_code == 200 and isinstance(response.response, GunicornFileWrapper)
        finally:
            response.close()


def test_direct_mimetypes() -> None:
    assert mimetype_for("a.MP4") == "video/mp4"
    assert mimetype_for("a.m4v") == "video/mp4"
    assert mimetype_for("a.mov") == "video/mp4"
    assert mimetype_for("a.webm") == "video/webm"
    assert mimetype_for("a.mkv") == "video/x-matroska"
    assert mimetype_for("a.xyz") == "application/octet-stream"


def test_direct_through_gunicorn(media: dict[str, Path], tmp_path: Path) -> None:
    """Exact bytes through a real gunicorn gthread server (sendfile path)."""
    app_file = tmp_path / "direct_app.py"
    app_file.write_text(
        "import os\n"
        "from flask import Flask\n"
        "from plugin_sdk.files import send_source\n"
        "app = Flask(__name__)\n"
        "@app.get('/f')\n"
        "def f():\n"
        f"    return send_source({str(media['blob'])!r})\n"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{Path.cwd()}"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "gthread",
            "--threads",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "direct_app:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/f"

        def up() -> bool:
            try:
                requests.head(url, timeout=1).close()
                return True
            except requests.RequestException:
                return False

        assert wait_until(up, 15)
        data = media["blob"].read_bytes()
        with requests.Session() as session:
            for rng, expected in (
                ("bytes=100-199", data[100:200]),
                ("bytes=-777", data[-777:]),
                ("bytes=5000-", data[5000:]),
            ):
                answer = session.get(url, headers={"Range": rng}, timeout=10)
                assert answer.status_code == 206 and answer.content == expected, rng
            answer = session.get(url, timeout=10)
            assert answer.status_code == 200 and answer.content == data
    finally:
        server.terminate()
        server.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# live remux


@pytest.fixture()
def live_client(media: dict[str, Path], facts: dict[str, ProbeResult]) -> Iterator[Any]:
    yield build_app(media, facts, None).test_client()
    assert wait_until(lambda: not ffmpeg_children(), 10), "an ffmpeg child outlived its stream"
    assert remux.live_remux_count() == 0


def test_remux_hevc_mkv_is_h264_mp4(live_client: Any, tmp_path: Path) -> None:
    status, headers, body = fetch(live_client, "/api/video-stream/hevc/live.mp4")
    assert status == 200
    assert headers["Content-Type"] == "video/mp4"
    assert headers["Accept-Ranges"] == "none"
    assert "Content-Length" not in headers
    out = tmp_path / "out.mp4"
    out.write_bytes(body)
    info = _ffprobe(out)
    assert "mp4" in info["format"]["format_name"]
    codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    assert abs(float(info["format"]["duration"]) - 10) < 0.6


def test_remux_copy_h264_mkv_and_seek(live_client: Any, tmp_path: Path) -> None:
    status, _, body = fetch(live_client, "/api/video-stream/h264mkv/live.mp4?t=10")
    assert status == 200
    out = tmp_path / "copy.mp4"
    out.write_bytes(body)
    info = _ffprobe(out)
    codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    # stream copy starts at the keyframe at or before t=10 (the fixture has one every 2 s)
    assert 9.9 <= float(info["format"]["duration"]) <= 12.1


def test_remux_killed_when_client_stops_reading(live_client: Any) -> None:
    response = live_client.get("/api/video-stream/hevc/live.mp4", buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert first[4:8] == b"ftyp"
    assert len(ffmpeg_children()) == 1 and remux.live_remux_count() == 1
    response.close()  # what the WSGI server does when the client goes away
    assert wait_until(lambda: not ffmpeg_children(), 5)
    assert remux.live_remux_count() == 0


def test_remux_killed_on_socket_disconnect(media: dict[str, Path], facts: dict[str, ProbeResult]) -> None:
    server = make_server("127.0.0.1", 0, build_app(media, facts, None), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as conn:
            conn.sendall(b"GET /api/video-stream/hevc/live.mp4 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"200" in conn.recv(4096)
            assert wait_until(lambda: len(ffmpeg_children()) == 1, 5)
        assert wait_until(lambda: not ffmpeg_children(), 10)
        assert wait_until(lambda: remux.live_remux_count() == 0, 5)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_remux_busy_beyond_limit(live_client: Any) -> None:
    remux.set_live_remux_limit(1)
    try:
        first = live_client.get("/api/video-stream/hevc/live.mp4", buffered=False)
        try:
            status, _, body = fetch(live_client, "/api/video-stream/h264mkv/live.mp4")
            assert status == 503 and json.loads(body)["error"]["code"] == "remux_busy"
        finally:
            first.close()
        status, _, _ = fetch(live_client, "/api/video-stream/h264mkv/live.mp4", method="HEAD")
        assert status == 200
    finally:
        remux.set_live_remux_limit(remux.MAX_LIVE_REMUXES)


def test_remux_unreadable_source_raises(media: dict[str, Path]) -> None:
    app = Flask(__name__)
    with app.test_request_context(), pytest.raises(remux.RemuxError):
        remux.stream_fmp4(media["blob"], "transcode", 0, FFMPEG)
    assert remux.live_remux_count() == 0


# ---------------------------------------------------------------------------------------------
# HLS: ladder and playlists


def test_renditions_filtered_to_source() -> None:
    names = lambda rs: [r.name for r in rs]  # noqa: E731
    assert names(renditions_for(1920, 1080)) == ["1080p", "720p", "480p", "360p", "240p", "180p"]
    assert names(renditions_for(1280, 720)) == ["720p", "480p", "360p", "240p", "180p"]
    assert names(renditions_for(1920, 1080, 720))[0] == "720p"
    assert names(renditions_for(1000, 500)) == ["480p", "360p", "240p", "180p"]
    assert names(renditions_for(None, None))[0] == "720p"
    assert names(renditions_for(64, 36)) == ["36p"]
    portrait = renditions_for(1080, 1920)
    assert portrait[0].name == "1080p" and (portrait[0].width, portrait[0].frame_height) == (1080, 1920)
    assert all(r.width % 2 == 0 and r.frame_height % 2 == 0 for r in renditions_for(1917, 1079))
    assert (renditions_for(1920, 1080)[2].width, renditions_for(1920, 1080)[2].frame_height) == (854, 480)
    with pytest.raises(HlsNotFoundError):
        find_rendition(renditions_for(320, 180), "720p")
    assert isinstance(HlsNotFoundError("x"), ValueError)


def test_master_playlist_through_route(media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path) -> None:
    client = build_app(media, facts, None).test_client()
    status, headers, body = fetch(client, "/api/video-stream/mp4/hls/master.m3u8")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    assert text.startswith("#EXTM3U\n")
    assert text.count("#EXT-X-STREAM-INF") == 1 and "\n180p.m3u8\n" in text and "360p" not in text
    assert 'RESOLUTION=320x180,CODECS="avc1.4d401f,mp4a.40.2"' in text
    silent = master_playlist("x", renditions_for(1280, 720), has_audio=False)
    assert silent.count("#EXT-X-STREAM-INF") == 5 and "mp4a" not in silent
    assert silent.index("720p.m3u8") < silent.index("180p.m3u8")


@pytest.mark.parametrize("duration", [20.0, 7200.0, 6.0, 0.5, 12.04])
def test_variant_playlist(duration: float) -> None:
    text = variant_playlist(duration, rendition="720p")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
    for tag in ("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-TARGETDURATION:6", "#EXT-X-INDEPENDENT-SEGMENTS"):
        assert tag in lines
    extinf = [float(line.split(":")[1].rstrip(",")) for line in lines if line.startswith("#EXTINF:")]
    uris = [line for line in lines if line and not line.startswith("#")]
    count = math.ceil(duration / 6)
    assert len(extinf) == count and uris == [f"720p/{i}.ts" for i in range(count)]
    assert all(d == 6.0 for d in extinf[:-1])
    assert extinf[-1] == pytest.approx(duration - 6 * (count - 1), abs=0.001)
    assert sum(extinf) == pytest.approx(duration, abs=0.002)
    with pytest.raises(HlsError):
        variant_playlist(0, rendition="720p")


def test_variant_playlist_route_last_segment_shorter(media: dict[str, Path], facts: dict[str, ProbeResult]) -> None:
    client = build_app(media, facts, None).test_client()
    status, _, body = fetch(client, "/api/video-stream/mp4/hls/180p.m3u8")
    extinf = [line for line in body.decode().splitlines() if line.startswith("#EXTINF:")]
    assert status == 200 and len(extinf) == math.ceil(facts["mp4"].duration / 6) == 4
    assert extinf[-1] == "#EXTINF:2.000,"
    status, _, _ = fetch(client, "/api/video-stream/mp4/hls/1080p.m3u8")
    assert status == 404


# ---------------------------------------------------------------------------------------------
# HLS: segments


@pytest.fixture()
def cache(tmp_path: Path) -> Iterator[HlsCache]:
    hls_cache = HlsCache(tmp_path / "cache", ffmpeg=FFMPEG, prefetch=0)
    yield hls_cache
    hls_cache.close()


def _ts_info(path: Path) -> tuple[str, float]:
    info = _ffprobe(path)
    assert info["format"]["format_name"] == "mpegts"
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return video["codec_name"], float(video["start_time"])


def test_segments_far_seek_encodes_only_that_segment(
    cache: HlsCache, media: dict[str, Path], facts: dict[str, ProbeResult]
) -> None:
    info = facts["long"]
    assert info.duration == pytest.approx(7200, abs=1)
    rendition = renditions_for(info.width, info.height)[0]
    began = time.perf_counter()
    first = cache.segment("long1", media["long"], info.duration, rendition, 0)
    first_s = time.perf_counter() - began
    began = time.perf_counter()
    far = cache.segment("long1", media["long"], info.duration, rendition, 1000)
    far_s = time.perf_counter() - began
    assert far == cache.segment_path("long1", rendition, 1000)
    codec, start = _ts_info(first)
    assert codec == "h264" and 0 <= start <= 2.1  # x264's B-frame delay shifts segment 0 by ≤ 2 frames (1 fps)
    codec, start = _ts_info(far)
    assert codec == "h264" and start == pytest.approx(6000, abs=0.05)
    assert far_s < 3 * first_s + 0.5, (first_s, far_s)
    assert cache.encodes == 2 and sorted(i for (_, _, i) in cache.encode_counts) == [0, 1000]


def test_segments_through_route(media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path) -> None:
    hls_cache = HlsCache(tmp_path / "c", ffmpeg=FFMPEG, prefetch=0)
    try:
        client = build_app(media, facts, hls_cache).test_client()
        status, headers, body = fetch(client, "/api/video-stream/mp4/hls/180p/1.ts")
        assert status == 200 and headers["Content-Type"] == "video/mp2t" and body[:1] == b"\x47"
        (tmp_path / "seg.ts").write_bytes(body)
        info = _ffprobe(tmp_path / "seg.ts")
        assert {s["codec_name"] for s in info["streams"]} == {"h264", "aac"}
        assert float(next(s for s in info["streams"] if s["codec_type"] == "video")["start_time"]) == pytest.approx(
            6, abs=0.05
        )
        assert {(s["width"], s["height"]) for s in info["streams"] if s["codec_type"] == "video"} == {(320, 180)}
        began = time.perf_counter()
        status, _, again = fetch(client, "/api/video-stream/mp4/hls/180p/1.ts")
        assert status == 200 and again == body and time.perf_counter() - began < 0.1
        assert hls_cache.encodes == 1 and hls_cache.stats.hits == 1
        assert fetch(client, "/api/video-stream/mp4/hls/180p/4.ts")[0] == 404
        assert fetch(client, "/api/video-stream/mp4/hls/360p/0.ts")[0] == 404
        assert hls_cache.encodes == 1
    finally:
        hls_cache.close()


def test_concurrent_requests_share_one_ffmpeg(
    media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path
) -> None:
    hls_cache = HlsCache(tmp_path / "c", ffmpeg=FFMPEG, prefetch=0)
    app = build_app(media, facts, hls_cache)
    barrier = threading.Barrier(4)
    results: list[tuple[int, bytes]] = []

    def hit() -> None:
        client = app.test_client()
        barrier.wait()
        status, _, body = fetch(client, "/api/video-stream/mp4/hls/180p/2.ts")
        results.append((status, body))

    try:
        threads = [threading.Thread(target=hit) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(results) == 4 and all(status == 200 for status, _ in results)
        assert len({body for _, body in results}) == 1
        assert hls_cache.encodes == 1 and hls_cache.encode_counts[("mp4", "180p", 2)] == 1
        assert hls_cache.stats.joins + hls_cache.stats.hits == 3
    finally:
        hls_cache.close()


def test_two_processes_share_one_ffmpeg(media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path) -> None:
    """Two caches on one folder stand in for two gunicorn workers: the flock makes them share."""
    caches = [HlsCache(tmp_path / "c", ffmpeg=FFMPEG, prefetch=0) for _ in range(2)]
    info = facts["mp4"]
    rendition = renditions_for(info.width, info.height)[0]
    barrier = threading.Barrier(4)
    paths: list[Path] = []

    def hit(c: HlsCache) -> None:
        barrier.wait()
        paths.append(c.segment("shared1", media["mp4"], info.duration, rendition, 3))

    try:
        threads = [threading.Thread(target=hit, args=(caches[i % 2],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(paths) == 4 and len(set(paths)) == 1
        assert sum(c.encodes for c in caches) == 1
    finally:
        for c in caches:
            c.close()


def test_source_change_wipes_video_cache(
    cache: HlsCache, media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path
) -> None:
    src = tmp_path / "changing.mp4"
    shutil.copyfile(media["mp4"], src)
    info = facts["mp4"]
    rendition = renditions_for(info.width, info.height)[0]
    seg0 = cache.segment("chg1", src, info.duration, rendition, 0)
    meta = json.loads((cache.video_dir("chg1") / "meta.json").read_text())
    assert meta["source_size"] == src.stat().st_size and meta["source_path"] == str(src)
    assert cache.segment("chg1", src, info.duration, rendition, 0) == seg0 and cache.encodes == 1  # a hit
    with src.open("ab") as f:
        f.write(b"\0" * 1024)
    os.utime(src, (time.time() + 5, time.time() + 5))
    seg1 = cache.segment("chg1", src, info.duration, rendition, 1)
    assert seg1.exists() and not seg0.exists()
    assert cache.stats.wipes == 1 and cache.encodes == 2
    meta = json.loads((cache.video_dir("chg1") / "meta.json").read_text())
    assert meta["source_size"] == src.stat().st_size
    assert cache.segment("chg1", src, info.duration, rendition, 0) == seg0 and cache.encodes == 3


def test_eviction_keeps_cache_under_bound(
    media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path
) -> None:
    info = facts["mp4"]
    rendition = renditions_for(info.width, info.height)[0]
    probe_cache = HlsCache(tmp_path / "probe", ffmpeg=FFMPEG, prefetch=0)
    try:
        one = probe_cache.segment("ev0", media["mp4"], info.duration, rendition, 0).stat().st_size
    finally:
        probe_cache.close()
    bound = int(one * 2.5)
    hls_cache = HlsCache(tmp_path / "c", ffmpeg=FFMPEG, prefetch=0, max_bytes=bound)
    try:
        root = tmp_path / "c" / "hls"
        for video in ("eva", "evb"):
            for index in range(4):
                path = hls_cache.segment(video, media["mp4"], info.duration, rendition, index)
                assert path.exists()
                total = sum(p.stat().st_size for p in root.rglob("*.ts") if not p.name.startswith("."))
                assert total <= bound
        assert hls_cache.stats.evicted_files >= 5
        assert hls_cache.segment_path("evb", rendition, 3).exists()  # most recent survives
        assert not hls_cache.segment_path("eva", rendition, 0).exists()  # oldest went first
    finally:
        hls_cache.close()


def test_prefetch_encodes_next_two(media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path) -> None:
    hls_cache = HlsCache(tmp_path / "c", ffmpeg=FFMPEG, prefetch=2)
    info = facts["mp4"]
    rendition = renditions_for(info.width, info.height)[0]
    try:
        hls_cache.segment("pf1", media["mp4"], info.duration, rendition, 0)
        nxt = [hls_cache.segment_path("pf1", rendition, i) for i in (1, 2)]
        assert wait_until(lambda: all(p.exists() for p in nxt), 10)
        assert wait_until(lambda: hls_cache.stats.prefetched == 2, 5)
        assert not hls_cache.segment_path("pf1", rendition, 3).exists()
        before = hls_cache.encodes
        assert hls_cache.segment("pf1", media["mp4"], info.duration, rendition, 1) == nxt[0]
        assert hls_cache.stats.hits == 1
        assert wait_until(lambda: hls_cache.segment_path("pf1", rendition, 3).exists(), 10)  # 1 served → 3 queued
        assert hls_cache.encodes == before + 1
        assert all(count == 1 for count in hls_cache.encode_counts.values())
    finally:
        hls_cache.close()


def test_foreground_preempts_prefetch(cache: HlsCache) -> None:
    """With every slot held by a prefetch encode, a foreground request kills one and goes first."""
    cache.max_encodes = 1
    rendition = renditions_for(320, 180)[0]
    dummy = hls._Job(("x", SourceSignature("x", 1, 1), "180p", 0), Path("x"), rendition, 0, 0, 6, Path("x"), {}, False)
    dummy.proc = subprocess.Popen(["sleep", "30"])
    cache._running.add(dummy)
    fg = hls._Job(("x", SourceSignature("x", 1, 1), "180p", 1), Path("x"), rendition, 1, 6, 6, Path("y"), {}, True)

    def victim_exits() -> None:
        assert dummy.proc is not None
        dummy.proc.wait()
        cache._release_slot(dummy)

    watcher = threading.Thread(target=victim_exits)
    watcher.start()
    began = time.monotonic()
    cache._acquire_slot(fg, foreground=True, deadline=time.monotonic() + 10)
    assert time.monotonic() - began < 2
    watcher.join(timeout=5)
    assert dummy.preempted and dummy.proc.returncode == -9 and cache.stats.preempted == 1
    assert cache._running == {fg}
    cache._release_slot(fg)


def test_segment_errors(cache: HlsCache, media: dict[str, Path], facts: dict[str, ProbeResult], tmp_path: Path) -> None:
    info = facts["mp4"]
    rendition = renditions_for(info.width, info.height)[0]
    with pytest.raises(HlsNotFoundError):
        cache.segment("err1", media["mp4"], info.duration, rendition, 4)
    with pytest.raises(HlsNotFoundError):
        cache.segment("err1", media["mp4"], info.duration, rendition, -1)
    with pytest.raises(HlsNotFoundError):
        cache.segment("../etc", media["mp4"], info.duration, rendition, 0)
    with pytest.raises(HlsError) as missing:
        cache.segment("err1", tmp_path / "gone.mp4", info.duration, rendition, 0)
    assert missing.value.status == 404
    with pytest.raises(HlsError) as broken:
        cache.segment("err2", media["blob"], 20.0, rendition, 0)
    assert broken.value.status == 500 and "ffmpeg failed" in broken.value.message
    assert not list((cache.video_dir("err2") / rendition.name).glob("*.ts"))  # no partial output
    slow = HlsCache(tmp_path / "slow", ffmpeg=FFMPEG, prefetch=0, encode_timeout=0.01)
    try:
        with pytest.raises(HlsError) as timed_out:
            slow.segment("err3", media["mp4"], info.duration, rendition, 0)
        assert timed_out.value.status == 504
    finally:
        slow.close()
    assert wait_until(lambda: not ffmpeg_children(), 5)


def test_portrait_segment_and_shared_cache(tmp_path: Path) -> None:
    src = tmp_path / "portrait.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=360x640:r=25:d=3", "-c:v", "libx264", "-preset", "ultrafast", str(src))
    info = probe(src, binary=FFPROBE)
    renditions = renditions_for(info.width, info.height)
    assert [r.name for r in renditions] == ["360p", "240p", "180p"]
    assert (renditions[2].width, renditions[2].frame_height) == (180, 320)
    shared = hls.shared_cache(tmp_path / "c", FFMPEG, prefetch=0)
    try:
        assert hls.shared_cache(tmp_path / "c", FFMPEG) is shared
        out = shared.segment("port1", src, info.duration or 0, renditions[2], 0)
        video = next(s for s in _ffprobe(out)["streams"] if s["codec_type"] == "video")
        assert (video["width"], video["height"]) == (180, 320)
        assert "mp4a" not in master_playlist("port1", renditions, has_audio=info.has_audio)
    finally:
        shared.close()
    assert hls.shared_cache(tmp_path / "c", FFMPEG) is not shared
    hls.shared_cache(tmp_path / "c", FFMPEG).close()
