"""The UI test harness itself (``tests/e2e/ui.py``), against a real ``obscura serve`` and Chromium."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port
from tests.e2e.ui import (
    SCREENSHOTS,
    VIEWPORTS,
    ApiError,
    api,
    make_video_library,
    new_page,
    opened_page,
    screenshot,
    wait_for_jobs,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_home_page_loads_cleanly(served, browser, viewport: str) -> None:
    with opened_page(browser, VIEWPORTS[viewport], mobile=viewport == "phone") as (page, watch):
        response = page.goto(served.url + "/", wait_until="load")
        assert response is not None and response.ok and "Obscura" in page.title()
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert page.evaluate("'ontouchstart' in window") == (viewport == "phone")
        watch.assert_clean()
        assert watch.ignored == []


def test_a_broken_request_is_a_problem_unless_allowed(served, browser) -> None:
    with opened_page(browser) as (page, watch):
        page.goto(served.url + "/api/health")  # a quiet same-origin document (no scripts)
        watch.allow("/favicon.ico", 404)  # the browser asks for it on a JSON document
        watch.allow("/api/nope", 500)  # another status does not cover the 404
        assert page.evaluate("fetch('/api/nope').then(r => r.status)") == 404
        with pytest.raises(AssertionError) as caught:
            watch.assert_clean()
        # Reported once: Chromium's "Failed to load resource" console line is folded into the response.
        assert watch.problems() == [f"HTTP 404 GET {served.url}/api/nope [fetch]"], watch.problems()
        assert "1 problem(s)" in str(caught.value) and "/api/nope" in str(caught.value)

        watch.allow("/api/nope", 404)  # allowances also cover what was already recorded
        assert page.evaluate("fetch('/api/nope?again=1').then(r => r.status)") == 404
        watch.assert_clean()
        assert watch.ignored == [
            f"allowed HTTP 404 GET {served.url}/api/nope [fetch]",
            f"allowed HTTP 404 GET {served.url}/api/nope?again=1 [fetch]",
        ]


def test_script_errors_console_errors_and_network_failures_are_problems(served, browser) -> None:
    with opened_page(browser) as (page, watch):
        page.goto(served.url + "/api/health")
        watch.allow("/favicon.ico", 404)
        page.evaluate("setTimeout(() => { throw new TypeError('boom') }, 0)")
        page.evaluate("() => { Promise.reject(new Error('nobody caught me')); }")
        page.evaluate("console.error('something went wrong', 42)")
        page.evaluate(f"fetch('http://127.0.0.1:{free_port()}/refused').catch(() => null)")
        watch.settle(200)
        problems = watch.problems()
        assert len(problems) == 4, problems
        assert problems[0].startswith("uncaught TypeError: boom")
        assert problems[1].startswith("uncaught Error: nobody caught me")
        assert problems[2] == "console error: something went wrong 42"
        assert (
            problems[3].startswith("request failed: GET http://127.0.0.1:") and "ERR_CONNECTION_REFUSED" in problems[3]
        )
        with pytest.raises(AssertionError, match=r"4 problem\(s\)"):
            watch.assert_clean()


def test_media_aborts_are_ignored_but_other_aborts_are_not(served, browser) -> None:
    with opened_page(browser) as (page, watch):
        page.goto(served.url + "/api/health")
        watch.allow("/favicon.ico", 404)
        held = []  # routes never answered: the requests stay pending until the page aborts them
        page.route("**/held/**", lambda route: held.append(route))
        page.evaluate(
            """() => {
                const abortLater = (url) => {
                    const c = new AbortController();
                    fetch(url, {signal: c.signal}).catch(() => null);
                    setTimeout(() => c.abort(), 300);
                };
                abortLater('/held/api/video-stream/1/hls/720p/3.ts');  // an hls.js segment abort
                abortLater('/held/api/video-stream/1/hls/720p.m3u8');
                abortLater('/held/api/system/status');                 // not media: a problem
                const v = document.createElement('video');              // <video> cancelling its load
                v.preload = 'auto';
                v.src = '/held/api/video-stream/1/direct';
                document.body.append(v);
                setTimeout(() => { v.removeAttribute('src'); v.load(); }, 300);
            }"""
        )
        page.wait_for_timeout(600)
        assert len(held) == 4
        assert watch.problems() == [f"request failed: GET {served.url}/held/api/system/status [fetch] net::ERR_ABORTED"]
        assert sorted(watch.ignored) == sorted(
            [
                f"request failed: GET {served.url}/held/api/video-stream/1/hls/720p/3.ts [fetch] net::ERR_ABORTED",
                f"request failed: GET {served.url}/held/api/video-stream/1/hls/720p.m3u8 [fetch] net::ERR_ABORTED",
                f"request failed: GET {served.url}/held/api/video-stream/1/direct [media] net::ERR_ABORTED",
            ]
        )


def _probe(path: Path) -> dict:
    entries = "format=duration,format_name:stream=codec_type,codec_name,width,height"
    cmd = ["ffprobe", "-v", "error", "-show_entries", entries, "-of", "json", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    info = json.loads(out)
    streams = {s["codec_type"]: s for s in info["streams"]}
    return {
        "format": info["format"]["format_name"],
        "duration": float(info["format"]["duration"]),
        "video": (streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
        "audio": streams["audio"]["codec_name"],
    }


def test_make_video_library_writes_the_expected_media(tmp_path: Path) -> None:
    files = make_video_library(tmp_path / "library")
    rel = {key: path.relative_to(tmp_path / "library").as_posix() for key, path in files.items()}
    assert rel == {
        "movie": "Big Buck Test (2021).mp4",
        "movie_subtitle": "Big Buck Test (2021).en.srt",
        "episode1": "Clip Show/Season 01/Clip Show S01E01.mp4",
        "episode2": "Clip Show/Season 01/Clip Show S01E02.mp4",
        "unplayable": "Unplayable (2020).mkv",
    }
    expected = {
        "movie": ("mp4", 30, ("h264", 1280, 720)),
        "episode1": ("mp4", 6, ("h264", 640, 360)),
        "episode2": ("mp4", 6, ("h264", 640, 360)),
        "unplayable": ("matroska", 30, ("hevc", 1920, 1080)),
    }
    for key, (fmt, seconds, video) in expected.items():
        info = _probe(files[key])
        assert fmt in info["format"], (key, info)
        assert info["duration"] == pytest.approx(seconds, abs=0.1), (key, info)
        assert info["video"] == video and info["audio"] == "aac", (key, info)
        assert files[key].stat().st_size < 4_000_000, key
    cues = files["movie_subtitle"].read_text(encoding="utf-8").strip().split("\n\n")
    assert len(cues) == 3 and all("-->" in cue for cue in cues)
    assert cues[-1].splitlines()[1].split(" --> ")[1] < "00:00:10,000"
    # A second library comes from the session cache, as independent copies.
    again = make_video_library(tmp_path / "second")
    assert again["movie"].read_bytes() == files["movie"].read_bytes()
    assert not again["movie"].samefile(files["movie"])


def test_chromium_decodes_the_h264_files_but_not_the_hevc_mkv(browser, tmp_path: Path) -> None:
    """The premise of ``Unplayable (2020).mkv``: Chromium shows no picture for it, so the app must use HLS.

    Chromium does not fail on it: it demuxes the Matroska file, fires ``loadeddata`` and plays the AAC
    track, but has no HEVC decoder, so ``videoWidth`` stays 0 and no frame is ever decoded.
    """
    files = make_video_library(tmp_path)
    with opened_page(browser) as (page, watch):
        page.route("http://media.test/**", lambda route: route.fulfill(path=files[route.request.url.rsplit("/", 1)[1]]))
        assert (
            page.evaluate("document.createElement('video').canPlayType('video/mp4; codecs=\"hvc1.1.6.L93.B0\"')") == ""
        )
        decoded = """key => new Promise(done => {
            const v = document.createElement('video');
            v.muted = true;
            v.addEventListener('error', () => done({error: v.error.code}));
            v.addEventListener('loadeddata', () => {
                v.play();
                const frames = () => v.getVideoPlaybackQuality().totalVideoFrames;
                setTimeout(() => done({width: v.videoWidth, frames: frames()}), 700);
            });
            v.src = 'http://media.test/' + key;
            document.body.append(v);
        })"""
        movie, episode, unplayable = (page.evaluate(decoded, key) for key in ("movie", "episode1", "unplayable"))
        assert movie["width"] == 1280 and movie["frames"] > 0, movie
        assert episode["width"] == 640 and episode["frames"] > 0, episode
        assert unplayable.get("width", 0) == 0 and unplayable.get("frames", 0) == 0, unplayable
        watch.assert_clean()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_screenshot_writes_a_full_page_png_named_after_the_viewport(served, browser, viewport: str) -> None:
    width, height = VIEWPORTS[viewport]
    page, _watch = new_page(browser, (width, height), mobile=viewport == "phone")
    try:
        page.goto(served.url + "/", wait_until="load")
        path = screenshot(page, "harness-home")
    finally:
        page.context.close()
    assert path == SCREENSHOTS / f"harness-home-{width}x{height}.png"
    png_width, png_height = _png_size(path)
    assert png_width == width and png_height >= height


def test_api_client_and_wait_for_jobs(served) -> None:
    assert api(served.url, "GET", "/api/health")["ok"] is True
    with pytest.raises(ApiError) as caught:
        api(served.url, "GET", "/api/nope")
    assert caught.value.status == 404 and caught.value.envelope["ok"] is False and caught.value.message

    run_id = api(served.url, "POST", "/api/plugins/hello/greetings", {"name": "Harness"})["data"]["jobRunId"]
    wait_for_jobs(served.url, timeout=60)
    assert api(served.url, "GET", f"/api/jobs/{run_id}")["data"]["status"] == "completed"

    api(served.url, "POST", "/api/plugins/hello/greetings", {"name": "   "})  # the processor rejects it
    with pytest.raises(AssertionError, match="a greeting needs a name"):
        wait_for_jobs(served.url, timeout=60)
    acknowledged = api(served.url, "POST", "/api/jobs/acknowledge-failed", {"queueName": "hello-greet"})
    assert acknowledged["data"]["count"] == 1
    wait_for_jobs(served.url, timeout=10)
