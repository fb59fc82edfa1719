"""audio-scan → audio-probe → audio-fingerprint → audio-waveform, the audio API and streaming."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from plugin_sdk.models import JobRunRow
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from tests.integration.audio.media import build_library, tone

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("audio",), "load_entrypoints": False}


@pytest.fixture
def scanned(client, run_jobs, tmp_path: Path) -> dict:
    root_dir = tmp_path / "Music"
    files = build_library(root_dir)
    root = client.post("/api/libraries", json={"path": str(root_dir), "isNsfw": True}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    tracks = client.get("/api/audio-tracks?perPage=100").get_json()["data"]["items"]
    by_file = {}
    for t in tracks:
        detail = client.get(f"/api/audio-tracks/{t['id']}").get_json()["data"]
        by_file[Path(detail["filePath"]).name] = detail
    return {"root": root, "dir": root_dir, "files": files, "tracks": by_file}


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:400]
    return resp.get_json()["error"]


def _ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_scan_reads_tags_covers_and_fingerprints(client, runtime, scanned) -> None:
    tracks = scanned["tracks"]
    with runtime.session() as db:
        libraries = {lib.title: lib for lib in db.execute(select(AudioLibrary)).scalars()}
        runs = db.execute(select(JobRunRow)).scalars().all()
    assert set(libraries) == {"First Light", "Live"}, "one library per folder that holds audio"
    assert libraries["First Light"].track_count == 5 and libraries["Live"].track_count == 2
    assert {r.queue_name for r in runs} == {"audio-scan", "audio-probe", "audio-fingerprint", "audio-waveform"}
    assert {r.status for r in runs} == {"completed"}, [(r.queue_name, r.error) for r in runs if r.error]

    mp3 = tracks["01 - opening.mp3"]
    assert (mp3["title"], mp3["artist"], mp3["album"], mp3["albumArtist"]) == ("Opening", "Nova", "First Light", "Nova")
    assert (mp3["trackNumber"], mp3["discNumber"], mp3["year"], mp3["genre"]) == (1, 1, 2021, "Ambient")
    assert mp3["codec"] == "mp3" and mp3["sampleRate"] == 44100 and mp3["channels"] == 2 and mp3["bitRate"]
    assert mp3["duration"] == pytest.approx(3.0, abs=0.1) and mp3["isNsfw"] is True
    assert mp3["md5"] == hashlib.md5(scanned["files"]["mp3"].read_bytes()).hexdigest()
    assert mp3["oshash"] and len(mp3["oshash"]) == 16
    cover = client.get(mp3["coverUrl"])
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(cover.data)) as img:
        assert img.size == (300, 300)
    album = client.get(f"/api/audio-libraries/{libraries['First Light'].id}").get_json()["data"]
    assert album["coverUrl"], "the first embedded picture becomes the library cover"
    assert client.get(album["coverUrl"]).status_code == 200
    assert [t["title"] for t in album["tracks"]] == ["Opening", "Second Wave", "Third", "Tenth", "11 untagged take"]
    assert tracks["11_untagged_take.wav"]["title"] == "11 untagged take", "untagged files get a clean title"
    assert {t["codec"] for t in tracks.values() if t["codec"]} == {"mp3", "flac", "vorbis", "aac", "pcm_s16le", "wmav2"}

    broken = tracks["broken.mp3"]
    assert broken["probeError"] and broken["duration"] is None and broken["waveformUrl"] is None
    probe_runs = [r for r in runs if r.queue_name == "audio-probe"]
    assert any(f["trackId"] == broken["id"] for r in probe_runs for f in r.result["failed"])


def test_waveform_matches_the_audio(client, scanned) -> None:
    wav = scanned["tracks"]["11_untagged_take.wav"]
    resp = client.get(wav["waveformUrl"])
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc["version"] == 2 and doc["bits"] == 8 and len(doc["data"]) == 2 * doc["length"]
    spans = [hi - lo for lo, hi in zip(doc["data"][0::2], doc["data"][1::2], strict=True)]
    half = len(spans) // 2
    assert max(spans[: half - 2]) <= 1 and min(spans[half + 2 :]) > 150, "silence flat, the tone tall"


def test_rescan_keeps_edits_moves_and_missing_roots(client, runtime, run_jobs, scanned) -> None:
    flac = scanned["tracks"]["02 - second.flac"]
    edited = client.patch(f"/api/audio-tracks/{flac['id']}", json={"title": "My Title", "rating": 60})
    assert edited.get_json()["data"]["editedFields"] == ["rating", "title"]
    os.rename(scanned["files"]["flac"], scanned["dir"] / "Nova" / "Live" / "moved.flac")
    os.utime(scanned["files"]["mp3"])  # touched: read again
    client.post(f"/api/libraries/{scanned['root']['id']}/scan", json={})
    run_jobs()
    result = client.get("/api/jobs?queue=audio-scan&perPage=1").get_json()["data"]["items"][0]["result"]
    assert result["moved"] == 1 and result["removed"] == 0
    detail = client.get(f"/api/audio-tracks/{flac['id']}").get_json()["data"]
    assert detail["title"] == "My Title" and detail["rating"] == 60 and detail["filePath"].endswith("Live/moved.flac")
    assert detail["libraryTitle"] == "Live"

    shutil.move(scanned["dir"], scanned["dir"].with_name("Unplugged"))
    client.post(f"/api/libraries/{scanned['root']['id']}/scan", json={})
    run_jobs()
    result = client.get("/api/jobs?queue=audio-scan&perPage=1").get_json()["data"]["items"][0]["result"]
    assert "missing" in result["rootProblem"]
    assert client.get("/api/audio-tracks").get_json()["data"]["total"] == 7, "a missing root prunes nothing"


def test_direct_stream_ranges(client, scanned) -> None:
    for name, mimetype in (("01 - opening.mp3", "audio/mpeg"), ("02 - second.flac", "audio/flac"),
                           ("10 - tenth.m4a", "audio/mp4"), ("03_third_song.ogg", "audio/ogg")):  # fmt: skip
        track = scanned["tracks"][name]
        data = Path(track["filePath"]).read_bytes()
        resp = client.get(track["streamUrl"], headers={"Range": "bytes=10-109"})
        assert resp.status_code == 206 and resp.data == data[10:110] and resp.mimetype == mimetype, name
        resp.close()


def test_unplayable_codec_is_transcoded_and_seekable(client, scanned, tmp_path: Path) -> None:
    wma = scanned["tracks"]["encore.wma"]
    resp = client.get(wma["streamUrl"])
    assert resp.status_code == 200 and resp.mimetype == "audio/mpeg"
    assert resp.headers["X-Transcoded-From"] == "wmav2"
    out = tmp_path / "whole.mp3"
    out.write_bytes(resp.get_data())
    resp.close()
    info = _ffprobe(out)
    assert info["streams"][0]["codec_name"] == "mp3"
    assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.2)
    later = client.get(wma["streamUrl"] + "?t=2")
    part = tmp_path / "later.mp3"
    part.write_bytes(later.get_data())
    later.close()
    assert float(_ffprobe(part)["format"]["duration"]) == pytest.approx(1.0, abs=0.2), "?t= starts later"
    _err(client.get(wma["streamUrl"] + "?t=-1"), 400)


def test_plays_markers_edits_and_bad_input(client, scanned) -> None:
    mp3 = scanned["tracks"]["01 - opening.mp3"]
    tid = mp3["id"]
    assert client.post(f"/api/audio-tracks/{tid}/play", json={}).get_json()["data"]["playCount"] == 1
    assert client.post(f"/api/audio-tracks/{tid}/play", json={}).get_json()["data"]["playCount"] == 2
    prog = client.post(f"/api/audio-tracks/{tid}/progress", json={"resumeTime": 1.0, "playedSeconds": 1.5})
    assert prog.get_json()["data"] == {"resumeTime": 1.0, "playDuration": 1.5}
    assert client.get("/api/audio-tracks?sort=plays").get_json()["data"]["items"][0]["id"] == tid

    made = client.post(f"/api/audio-tracks/{tid}/markers", json={"title": " Drop ", "seconds": 1.5})
    assert made.status_code == 201
    marker = made.get_json()["data"]
    assert marker["title"] == "Drop"
    moved = client.patch(f"/api/audio-tracks/{tid}/markers/{marker['id']}", json={"seconds": 2.0, "endSeconds": 2.5})
    assert moved.get_json()["data"]["seconds"] == 2.0
    assert [m["title"] for m in client.get(f"/api/audio-tracks/{tid}").get_json()["data"]["markers"]] == ["Drop"]
    assert "past the end" in _err(client.post(f"/api/audio-tracks/{tid}/markers",
                                              json={"title": "x", "seconds": 99}), 400)["message"]  # fmt: skip
    _err(client.patch(f"/api/audio-tracks/{tid}/markers/{marker['id']}", json={"endSeconds": 1.0}), 400)
    assert client.delete(f"/api/audio-tracks/{tid}/markers/{marker['id']}", json={}).status_code == 200
    _err(client.delete(f"/api/audio-tracks/{tid}/markers/{marker['id']}", json={}), 404)

    _err(client.patch(f"/api/audio-tracks/{tid}", json={"rating": 101}), 400)
    _err(client.patch(f"/api/audio-tracks/{tid}", json={"title": None}), 400)
    _err(client.get("/api/audio-tracks/nope"), 404)
    _err(client.get("/api/audio-stream/nope"), 404)
    _err(client.get("/api/audio-tracks?sort=loudness"), 400)
    _err(client.get(f"/api/audio-tracks/{scanned['tracks']['broken.mp3']['id']}/waveform"), 404)

    lib_id = mp3["libraryId"]
    patched = client.patch(f"/api/audio-libraries/{lib_id}", json={"title": "Renamed", "rating": 80})
    assert patched.get_json()["data"]["title"] == "Renamed"
    _err(client.patch(f"/api/audio-libraries/{lib_id}", json={"date": "May 2021"}), 400)
    top = client.get("/api/audio-libraries?parent=none").get_json()["data"]["items"]
    assert {lib["title"] for lib in top} == {"Renamed", "Live"}
    assert client.get("/api/audio-tracks?search=second").get_json()["data"]["total"] == 1


def test_covers_upload_and_delete(client, runtime, scanned, tmp_path: Path) -> None:
    live = next(t for t in scanned["tracks"].values() if t["libraryTitle"] == "Live")
    lib_id = live["libraryId"]
    assert client.get(f"/api/audio-libraries/{lib_id}").get_json()["data"]["coverUrl"] is None
    png = io.BytesIO()
    Image.new("RGB", (1600, 1000), (10, 200, 30)).save(png, "PNG")
    resp = client.post(f"/api/audio-libraries/{lib_id}/cover", data={"file": (io.BytesIO(png.getvalue()), "c.png")},
                       content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 200 and resp.get_json()["data"]["coverUrl"]
    with Image.open(io.BytesIO(client.get(f"/api/audio-libraries/{lib_id}/cover").data)) as img:
        assert img.format == "JPEG" and max(img.size) == 800
    _err(client.post(f"/api/audio-libraries/{lib_id}/cover", data={"file": (io.BytesIO(b"nope"), "c.png")},
                     content_type="multipart/form-data"), 400)  # fmt: skip

    new = tone(tmp_path / "upload.ogg", 1.0)
    resp = client.post(
        f"/api/audio-libraries/{lib_id}/tracks/upload",
        data={"file": [(io.BytesIO(new.read_bytes()), "Bonus Track.ogg")]},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    created = resp.get_json()["data"][0]
    assert created["title"] == "Bonus Track"
    assert (scanned["dir"] / "Nova" / "Live" / "Bonus Track.ogg").is_file()
    refused = client.post(
        f"/api/audio-libraries/{lib_id}/tracks/upload",
        data={"file": [(io.BytesIO(b"ok"), "fine.mp3"), (io.BytesIO(b"x"), "../../evil.sh")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 415
    assert not (scanned["dir"] / "Nova" / "Live" / "fine.mp3").exists(), "nothing is written when one file is refused"
    assert not any(p.name == "evil.sh" for p in tmp_path.rglob("evil.sh"))

    wma = scanned["tracks"]["encore.wma"]
    assert (
        client.delete(f"/api/audio-tracks/{wma['id']}?deleteFile=true", json={}).get_json()["data"]["fileDeleted"]
        is True
    )
    assert not Path(wma["filePath"]).exists()
    with runtime.session() as db:
        assert db.get(AudioTrack, wma["id"]) is None
        assert db.get(AudioLibrary, lib_id).track_count == 2  # broken.mp3 + the upload
    gone = client.delete(f"/api/audio-libraries/{lib_id}", json={}).get_json()["data"]
    assert gone["tracks"] == 2 and Path(scanned["files"]["broken"]).exists(), "forgetting a library keeps the files"
