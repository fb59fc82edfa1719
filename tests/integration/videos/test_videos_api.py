"""The videos API on a scanned library: list filters/sorts/keyset paging, detail, edits, markers,
streaming (ranges, live remux, HLS), assets, subtitles, upload, delete, and bad input."""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from PIL import Image

from tests.integration.videos.media import SRT_EN, build_library

pytestmark = pytest.mark.integration


@pytest.fixture
def scanned(client, run_jobs, media, library):
    """A library scanned and probed (follow-up jobs left waiting unless a test runs them)."""
    files = build_library(media, library)
    root = client.post("/api/libraries", json={"path": str(library)}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs("library-scan")
    run_jobs("media-probe")
    items = client.get("/api/videos?perPage=100").get_json()["data"]["items"]
    by_name = {}
    for item in items:
        detail = client.get(f"/api/videos/{item['id']}").get_json()["data"]
        by_name[Path(detail["filePath"]).name] = detail
    return {"root": root, "files": files, "videos": by_name}


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["message"]
    return body["error"]


def test_list_filters_sorts_and_keyset(client, scanned) -> None:
    data = client.get("/api/videos").get_json()["data"]
    assert data["total"] == 9 and data["page"] == 1 and data["perPage"] == 60
    names = lambda resp: [i["title"] for i in resp.get_json()["data"]["items"]]  # noqa: E731
    assert names(client.get("/api/videos?kind=movie&sort=title&order=asc")) == [
        "Broken Movie", "empty", "Lost", "Movie Title", "notes",
    ]  # fmt: skip
    episodes = client.get("/api/videos?kind=episode&sort=episode&order=asc").get_json()["data"]["items"]
    show = [(e["seasonNumber"], e["episodeNumber"]) for e in episodes if e["seriesTitle"] == "Show"]
    assert show == [(1, 1), (1, 2), (2, 1)]
    assert names(client.get("/api/videos?search=pilot")) == ["Pilot"]
    assert names(client.get("/api/videos?codec=VP9")) == ["Episode 2"]  # "Show S01E02": no title of its own
    low = client.get("/api/videos?resolution=240p").get_json()["data"]["items"]
    assert {min(i["width"], i["height"]) for i in low} == {180} and len(low) == 6
    long = client.get("/api/videos?durationMin=2.5&sort=duration").get_json()["data"]["items"]
    assert [round(i["duration"]) for i in long] == [3, 3] or all(i["duration"] >= 2.5 for i in long)
    assert client.get("/api/videos?played=true").get_json()["data"]["total"] == 0

    # keyset paging walks every row exactly once, in order
    seen, cursor = [], None
    while True:
        url = "/api/videos?perPage=3&sort=duration" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()["data"]
        seen += [i["id"] for i in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    offset_order = [i["id"] for i in client.get("/api/videos?perPage=100&sort=duration").get_json()["data"]["items"]]
    assert seen == offset_order and len(seen) == 9

    for bad in (
        "perPage=0",
        "sort=random",
        "resolution=8k",
        "cursor=bm9wZQ",
        "dateFrom=yesterday",
        "ratingMin=101",
        "unknownFilter=1",
        "season=-1",
    ):
        _err(client.get(f"/api/videos?{bad}"), 400)


def test_detail_edit_and_markers(client, scanned) -> None:
    movie = scanned["videos"]["Movie Title (2020).mp4"]
    for field in (
        "id",
        "kind",
        "title",
        "filePath",
        "fileSize",
        "duration",
        "width",
        "height",
        "frameRate",
        "bitRate",
        "videoCodec",
        "audioCodec",
        "container",
        "md5",
        "oshash",
        "phash",
        "seriesId",
        "seasonNumber",
        "episodeNumber",
        "directStreamUrl",
        "hlsUrl",
        "thumbnailUrl",
        "previewUrl",
        "spriteUrl",
        "trickplayVttUrl",
        "subtitles",
        "markers",
        "rating",
        "organized",
        "isNsfw",
        "playCount",
        "createdAt",
        "updatedAt",
    ):
        assert field in movie, field
    vid = movie["id"]
    patched = client.patch(
        f"/api/videos/{vid}",
        json={"title": "  New Title ", "rating": 60, "organized": True, "date": "2020-05-01", "details": "About it"},
    )
    assert patched.status_code == 200
    d = patched.get_json()["data"]
    assert (d["title"], d["rating"], d["organized"], d["date"]) == ("New Title", 60, True, "2020-05-01")
    _err(client.patch(f"/api/videos/{vid}", json={"rating": 101}), 400)
    _err(client.patch(f"/api/videos/{vid}", json={"title": "   "}), 400)
    _err(client.patch(f"/api/videos/{vid}", json={"date": "05/01/2020"}), 400)
    _err(client.patch(f"/api/videos/{vid}", json={"episodeNumber": 3}), 400)  # a movie
    _err(client.patch(f"/api/videos/{vid}", json={"bogus": 1}), 400)

    m1 = client.post(f"/api/videos/{vid}/markers", json={"title": "Intro", "seconds": 2.5})
    assert m1.status_code == 201
    m2 = client.post(f"/api/videos/{vid}/markers", json={"title": "Start", "seconds": 0.5, "endSeconds": 1.5})
    markers = client.get(f"/api/videos/{vid}/markers").get_json()["data"]
    assert [m["title"] for m in markers] == ["Start", "Intro"]
    mid = m1.get_json()["data"]["id"]
    assert (
        client.patch(f"/api/videos/{vid}/markers/{mid}", json={"title": "Opening"}).get_json()["data"]["title"]
        == "Opening"
    )
    _err(client.post(f"/api/videos/{vid}/markers", json={"title": "x", "seconds": 9999}), 400)
    _err(client.post(f"/api/videos/{vid}/markers", json={"title": "x", "seconds": 2, "endSeconds": 1}), 400)
    other = scanned["videos"]["Show S01E02.webm"]["id"]
    _err(client.delete(f"/api/videos/{other}/markers/{mid}", json={}), 404)
    assert client.delete(f"/api/videos/{vid}/markers/{m2.get_json()['data']['id']}", json={}).status_code == 200
    assert [m["title"] for m in client.get(f"/api/videos/{vid}").get_json()["data"]["markers"]] == ["Opening"]

    played = client.post(f"/api/videos/{vid}/play", json={}).get_json()["data"]
    assert played["playCount"] == 1 and played["lastPlayedAt"]
    prog = client.post(f"/api/videos/{vid}/progress", json={"resumeTime": 1.25, "playedSeconds": 1}).get_json()
    assert prog["data"] == {"resumeTime": 1.25, "playDuration": 1.0}
    assert client.get("/api/videos?played=true").get_json()["data"]["total"] == 1


def test_direct_stream_ranges(client, scanned) -> None:
    movie = scanned["videos"]["Movie Title (2020).mp4"]
    data = Path(movie["filePath"]).read_bytes()
    resp = client.get(movie["directStreamUrl"], headers={"Range": "bytes=100-199"})
    assert resp.status_code == 206 and resp.data == data[100:200]
    assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}" and resp.headers["Accept-Ranges"] == "bytes"
    tail = client.get(movie["directStreamUrl"], headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == data[-50:]
    whole = client.get(movie["directStreamUrl"])
    assert whole.status_code == 200 and whole.data == data and whole.headers["ETag"]
    beyond = client.get(movie["directStreamUrl"], headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    for r in (resp, tail, whole, beyond):
        r.close()


def test_live_remux_of_a_container_browsers_cannot_play(client, scanned, tmp_path: Path) -> None:
    mkv = scanned["videos"]["Show.S01E01.Pilot.mkv"]  # HEVC in Matroska: transcoded to H.264 fMP4
    resp = client.get(mkv["directStreamUrl"])
    assert resp.status_code == 200 and resp.mimetype == "video/mp4"
    out = tmp_path / "remux.mp4"
    out.write_bytes(resp.get_data())
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(out)],
            capture_output=True,
            check=True,
        ).stdout
    )
    assert probe["streams"][0]["codec_name"] == "h264"
    resp.close()
    raw = client.get(mkv["directStreamUrl"] + "?raw=true", headers={"Range": "bytes=0-3"})
    assert raw.status_code == 206 and raw.data == b"\x1a\x45\xdf\xa3"  # the Matroska magic: the file itself
    raw.close()


def test_hls_master_variant_and_segments(client, scanned, tmp_path: Path) -> None:
    movie = scanned["videos"]["Movie Title (2020).mp4"]
    master = client.get(movie["hlsUrl"])
    assert master.status_code == 200 and master.mimetype == "application/vnd.apple.mpegurl"
    lines = master.get_data(as_text=True).splitlines()
    assert lines[0] == "#EXTM3U" and "180p.m3u8" in lines and not any("720p" in line for line in lines)
    base = movie["hlsUrl"].rsplit("/", 1)[0]
    variant = client.get(f"{base}/180p.m3u8").get_data(as_text=True)
    segs = [line for line in variant.splitlines() if line.endswith(".ts")]
    assert segs == ["180p/0.ts"] and "#EXT-X-ENDLIST" in variant
    seg = client.get(f"{base}/180p/0.ts")
    assert seg.status_code == 200 and seg.mimetype == "video/mp2t"
    path = tmp_path / "0.ts"
    path.write_bytes(seg.get_data())
    seg.close()
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
            capture_output=True,
            check=True,
        ).stdout
    )
    assert {s["codec_name"] for s in probe["streams"]} == {"h264", "aac"}
    _err(client.get(f"{base}/180p/99.ts"), 404)
    _err(client.get(f"{base}/1080p.m3u8"), 404)
    broken = scanned["videos"]["notes.mkv"]
    _err(client.get(f"/api/video-stream/{broken['id']}/hls/master.m3u8"), 409)


def test_assets_and_subtitles_after_the_pipeline(client, run_jobs, scanned) -> None:
    run_jobs()
    movie = client.get(f"/api/videos/{scanned['videos']['Movie Title (2020).mp4']['id']}").get_json()["data"]
    thumb = client.get(movie["thumbnailUrl"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert client.get(movie["previewUrl"]).mimetype == "video/mp4"
    vtt = client.get(movie["trickplayVttUrl"]).get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and f"{movie['spriteUrl']}#xywh=" in vtt
    assert client.get(movie["spriteUrl"]).mimetype == "image/jpeg"

    # the sidecar .en.srt came back as WebVTT and cues
    (sidecar,) = [s for s in movie["subtitles"] if s["source"] == "sidecar"]
    assert sidecar["language"] == "en"
    assert client.get(sidecar["url"]).get_data(as_text=True).startswith("WEBVTT")
    cues = client.get(sidecar["cuesUrl"]).get_json()["data"]
    assert cues[0] == {"start": 0.5, "end": 1.5, "text": "Hello from the sidecar."}
    # the embedded SRT stream of the mkv too
    mkv = client.get(f"/api/videos/{scanned['videos']['Show.S01E01.Pilot.mkv']['id']}").get_json()["data"]
    (embedded,) = [s for s in mkv["subtitles"] if s["source"] == "embedded"]
    assert embedded["language"] == "eng"
    assert client.get(embedded["cuesUrl"]).get_json()["data"][0]["text"] == "Embedded subtitle line."

    # upload a track, rename it, delete it
    up = client.post(
        f"/api/videos/{movie['id']}/subtitles",
        content_type="multipart/form-data",
        data={"file": (__import__("io").BytesIO(SRT_EN.encode()), "mine.srt"), "language": "fr"},
    )
    assert up.status_code == 201, up.get_json()
    track = up.get_json()["data"]
    assert track["source"] == "upload" and track["language"] == "fr"
    assert (
        client.patch(
            f"/api/videos/{movie['id']}/subtitles/{track['id']}", json={"label": "Mine", "isDefault": True}
        ).get_json()["data"]["isDefault"]
        is True
    )
    bad = client.post(
        f"/api/videos/{movie['id']}/subtitles",
        content_type="multipart/form-data",
        data={"file": (__import__("io").BytesIO(b"hello"), "x.txt")},
    )
    _err(bad, 400)
    assert client.delete(f"/api/videos/{movie['id']}/subtitles/{track['id']}", json={}).status_code == 200
    _err(client.get(f"/api/videos/{movie['id']}/subtitles/{track['id']}/cues"), 404)

    # custom thumbnail from a frame, then from a URL served on loopback, then back to generated
    frame = client.post(f"/api/videos/{movie['id']}/thumbnail/from-frame", json={"seconds": 1.0})
    assert frame.status_code == 200 and client.get(movie["thumbnailUrl"]).status_code == 200
    _err(client.post(f"/api/videos/{movie['id']}/thumbnail/from-frame", json={"seconds": 999}), 400)
    png = __import__("io").BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(png, "PNG")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = png.getvalue() if self.path == "/red.png" else b"not an image"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        ok = client.post(
            f"/api/videos/{movie['id']}/thumbnail/from-url", json={"url": f"http://127.0.0.1:{port}/red.png"}
        )
        assert ok.status_code == 200
        img = Image.open(__import__("io").BytesIO(client.get(movie["thumbnailUrl"]).data))
        assert img.size == (40, 30) and img.getpixel((5, 5))[0] > 150
        _err(
            client.post(f"/api/videos/{movie['id']}/thumbnail/from-url", json={"url": f"http://127.0.0.1:{port}/x"}),
            400,
        )
        _err(client.post(f"/api/videos/{movie['id']}/thumbnail/from-url", json={"url": "file:///etc/passwd"}), 400)
    finally:
        server.shutdown()
        server.server_close()
    assert client.delete(f"/api/videos/{movie['id']}/thumbnail", json={}).get_json()["data"]["thumbnailUrl"]


def test_upload_then_delete_with_the_file(client, run_jobs, scanned, media) -> None:
    root = scanned["root"]
    data = media.h264().read_bytes()

    def send(name: str):
        return client.post(
            "/api/videos/upload",
            content_type="multipart/form-data",
            data={"file": (__import__("io").BytesIO(data), name), "libraryRootId": root["id"]},
        )

    first = send("Movie Title (2020).mp4")  # collides with the scanned movie
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["data"]["fileName"] == "Movie Title (2020) (2).mp4"
    assert send("../../escape.mp4").get_json()["data"]["fileName"] == "escape.mp4"
    assert send("clip.txt").status_code == 415
    _err(
        client.post(
            "/api/videos/upload",
            content_type="multipart/form-data",
            data={"file": (__import__("io").BytesIO(data), "x.mp4"), "libraryRootId": "nope"},
        ),
        404,
    )
    run_jobs("media-probe")
    vid = first.get_json()["data"]["videoId"]
    detail = client.get(f"/api/videos/{vid}").get_json()["data"]
    assert detail["duration"] and detail["kind"] == "movie"
    path = Path(detail["filePath"])
    assert path.exists() and path.parent == Path(root["path"])
    gone = client.delete(f"/api/videos/{vid}?deleteFile=true", json={}).get_json()["data"]
    assert gone["fileDeleted"] is True and not path.exists()
    _err(client.get(f"/api/videos/{vid}"), 404)


def test_path_tricks_and_unknown_ids(client, scanned) -> None:
    for url in (
        "/api/videos/..%2F..%2Fetc%2Fpasswd",
        "/api/videos/nope/thumbnail",
        "/api/videos/nope/markers",
        "/api/video-stream/nope/source",
        "/api/video-stream/nope/hls/master.m3u8",
        "/api/series/nope",
        "/api/videos/" + "x" * 100,
    ):
        _err(client.get(url), 404)
    movie = scanned["videos"]["Movie Title (2020).mp4"]
    _err(client.get(f"/api/videos/{movie['id']}/subtitles/..%2F..%2Fx/source"), 404)
    resp = client.patch(f"/api/videos/{movie['id']}", json={"title": "x"}, headers={"Origin": "http://evil.example"})
    _err(resp, 403)
