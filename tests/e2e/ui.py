"""Helpers for the browser UI tests: a watched page, screenshots, a generated video library, job and API helpers.

Typical use::

    from tests.e2e.ui import VIEWPORTS, api, make_video_library, new_page, screenshot, wait_for_jobs

    def test_something(served, browser, tmp_path):
        page, watch = new_page(browser, VIEWPORTS["phone"], mobile=True)
        try:
            page.goto(served.url + "/")
            screenshot(page, "home")
            watch.assert_clean()
        finally:
            page.context.close()

:class:`PageWatch` turns every console error, uncaught exception, failed request and HTTP error
response into a test failure. The only thing it ignores by itself is ``net::ERR_ABORTED`` on media
requests (``<video>`` range requests, hls.js playlist/segment loads), which the browser and player
cancel on purpose; error responses a test expects are accepted with ``watch.allow(url_part, status)``
(see :class:`PageWatch` and :attr:`PageWatch.IGNORED`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LIBRARY_FILES",
    "SCREENSHOTS",
    "VIEWPORTS",
    "ApiError",
    "PageWatch",
    "api",
    "make_video_library",
    "new_page",
    "opened_page",
    "screenshot",
    "wait_for_jobs",
]

VIEWPORTS: dict[str, tuple[int, int]] = {"phone": (390, 844), "desktop": (1440, 900)}

#: Where :func:`screenshot` writes (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# --------------------------------------------------------------------------------------------------
# PageWatch
# --------------------------------------------------------------------------------------------------

#: Paths hls.js fetches with XHR/fetch: playlists and segments of ``/api/video-stream/<id>/hls/...``.
_HLS_PATH = re.compile(r"/hls/.+\.(?:m3u8|ts|m4s|aac|vtt)$|/api/videos/[^/]+/trickplay\.vtt$")

#: Chromium's console line for a failed load; the message's location URL is the resource's URL.
_LOAD_FAILED = re.compile(r"^Failed to load resource: (?:the server responded with a status of (\d+))?")


@dataclass
class _Event:
    kind: str  # "pageerror" | "console" | "requestfailed" | "response"
    text: str
    url: str = ""
    status: int = 0
    media_abort: bool = False


class PageWatch:
    """Records what goes wrong on a page while a test drives it; :meth:`assert_clean` fails on any of it.

    Problems:

    * console messages of type ``error`` (``console.error(...)``, CSP violations, failed module
      imports, Chromium's ``Failed to load resource`` lines…);
    * ``pageerror``: uncaught exceptions and unhandled promise rejections (and a renderer ``crash``);
    * ``requestfailed``: requests that got no HTTP response (connection refused, DNS, CORS, blocked,
      aborted…), except the media aborts below;
    * responses with status >= 400, unless allowed: ``watch.allow("/no-such-page", 404)`` accepts
      404s whose URL contains ``/no-such-page``. Allowances apply to everything recorded, before or
      after the call, and also cover Chromium's console line for that URL and status.

    Ignored on purpose (listed in :attr:`ignored`, see :attr:`IGNORED`):

    * ``requestfailed`` whose error text is exactly ``net::ERR_ABORTED`` on a **media** request:
      Playwright's ``resource_type == "media"`` (the ``<video>`` element's own range requests:
      Chromium cancels an open-ended ``Range: bytes=N-`` request whenever it seeks, has buffered
      enough, changes source or the element goes away), or an ``xhr``/``fetch`` of an HLS playlist or
      segment (a path matching ``/hls/….m3u8|.ts|.m4s|.aac|.vtt``): hls.js aborts in-flight loads
      when the user seeks, the level switches or the player is destroyed. That is the player working
      as designed. Any other failure of those requests (``ERR_CONNECTION_RESET``,
      ``ERR_EMPTY_RESPONSE``, …) and any HTTP error status on them is still a problem.
    * Chromium's console line ``Failed to load resource: …`` for a URL that Playwright also reported
      as a failed request or an error response: the network event is judged instead (so a 404 is
      reported once, and an allowed or ignored one does not come back as a console error). A line
      with no matching network event (e.g. the browser's own ``/favicon.ico`` request, which pages
      never see) is still a problem unless ``allow()`` covers its URL and status.

    Events reach Python only while a Playwright call runs, so :meth:`assert_clean` first waits
    ``settle_ms`` on the page (if it is still open). Call it before closing the page or navigating
    away: requests cut off by a close or navigation also fail with ``net::ERR_ABORTED``, and are
    reported unless they were media requests.
    """

    IGNORED = (
        "requestfailed net::ERR_ABORTED of resource_type 'media' (<video> cancels range requests on seek/reload)",
        "requestfailed net::ERR_ABORTED of xhr/fetch to /hls/*.m3u8|.ts|.m4s|.aac|.vtt (hls.js aborts on seek/switch)"
        " or to a video's trickplay.vtt (the player's timeline load, cut off when the user leaves)",
        "console 'Failed to load resource' for a URL judged as a network event, or covered by allow()",
    )

    def __init__(self, page: Any) -> None:
        self.page = page
        self.allowed: list[tuple[str, int]] = []
        self.events: list[_Event] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)
        page.on("crash", self._on_crash)
        page.on("requestfailed", self._on_requestfailed)
        page.on("response", self._on_response)

    def allow(self, url_substring: str, status: int) -> None:
        """Accept responses with this ``status`` whose URL contains ``url_substring``."""
        self.allowed.append((url_substring, status))

    # -- listeners -----------------------------------------------------------------------------

    def _on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        location = msg.location or {}
        url = location.get("url", "")
        where = f" ({url}:{location.get('lineNumber', 0)})" if url else ""
        match = _LOAD_FAILED.match(msg.text)
        status = int(match.group(1)) if match and match.group(1) else 0
        kind = "loadfailed" if match else "console"
        self.events.append(_Event(kind, f"console error: {msg.text}{where}", url, status))

    def _on_pageerror(self, error: Any) -> None:
        stack = (getattr(error, "stack", "") or "").splitlines()
        frame = next((line.strip() for line in stack if line.strip().startswith("at ")), "")
        text = f"uncaught {getattr(error, 'name', '') or 'Error'}: {getattr(error, 'message', error)}"
        self.events.append(_Event("pageerror", text + (f" [{frame}]" if frame else "")))

    def _on_crash(self, _page: Any) -> None:
        self.events.append(_Event("pageerror", "the page crashed"))

    def _on_requestfailed(self, request: Any) -> None:
        failure = request.failure or "unknown failure"
        text = f"request failed: {request.method} {request.url} [{request.resource_type}] {failure}"
        media_abort = failure == "net::ERR_ABORTED" and self._is_media(request)
        self.events.append(_Event("requestfailed", text, request.url, media_abort=media_abort))

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            request = response.request
            text = f"HTTP {response.status} {request.method} {response.url} [{request.resource_type}]"
            self.events.append(_Event("response", text, response.url, response.status))

    @staticmethod
    def _is_media(request: Any) -> bool:
        if request.resource_type == "media":
            return True
        path = urllib.parse.urlsplit(request.url).path
        return request.resource_type in ("xhr", "fetch") and bool(_HLS_PATH.search(path))

    # -- verdict -------------------------------------------------------------------------------

    def _is_allowed(self, url: str, status: int) -> bool:
        return bool(status) and any(sub in url and status == st for sub, st in self.allowed)

    def _judge(self) -> tuple[list[str], list[str]]:
        network_urls = {e.url for e in self.events if e.kind in ("requestfailed", "response")}
        problems: dict[str, list[str]] = {"pageerror": [], "console": [], "requestfailed": [], "response": []}
        ignored: list[str] = []
        for event in self.events:
            if event.kind == "requestfailed" and event.media_abort:
                ignored.append(event.text)
            elif event.kind == "response" and self._is_allowed(event.url, event.status):
                ignored.append(f"allowed {event.text}")
            elif event.kind == "loadfailed" and (
                event.url in network_urls or self._is_allowed(event.url, event.status)
            ):
                continue  # the network event says the same thing and is judged on its own
            else:
                problems["console" if event.kind == "loadfailed" else event.kind].append(event.text)
        return [p for bucket in problems.values() for p in bucket], ignored

    @property
    def ignored(self) -> list[str]:
        """The media aborts and allowed responses seen so far (for debugging a test)."""
        return self._judge()[1]

    def settle(self, ms: float = 100) -> None:
        """Let pending events reach the listeners (they are delivered only during Playwright calls)."""
        if not self.page.is_closed():
            self.page.wait_for_timeout(ms)

    def problems(self) -> list[str]:
        """Every problem so far: page errors, then console errors, failed requests, error responses."""
        return self._judge()[0]

    def assert_clean(self, settle_ms: float = 100) -> None:
        """Fail listing every problem seen on the page so far."""
        self.settle(settle_ms)
        problems = self.problems()
        if problems:
            url = "(closed page)" if self.page.is_closed() else self.page.url
            listing = "\n".join(f"  - {p}" for p in problems)
            raise AssertionError(f"{len(problems)} problem(s) on {url}:\n{listing}")

    def clear(self) -> None:
        """Forget what was recorded so far (allowances stay)."""
        self.events.clear()


def new_page(
    browser: Any, viewport: tuple[int, int] = VIEWPORTS["desktop"], *, mobile: bool = False
) -> tuple[Any, PageWatch]:
    """A page in a fresh browser context (dark colour scheme), with a :class:`PageWatch` attached.

    ``mobile=True`` turns on ``is_mobile`` and ``has_touch`` (use it with ``VIEWPORTS["phone"]``).
    The device scale factor stays 1, so screenshots are in CSS pixels. Close it with
    ``page.context.close()`` (or use :func:`opened_page`).

    ``page.goto`` and ``page.reload`` of an Obscura page also wait until the page's module is
    mounted (``<body data-page-ready>``, set by ``js/navigate.js``), so a test never acts on a
    server-rendered page before its script listens.
    """
    width, height = viewport
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=mobile,
        has_touch=mobile,
        color_scheme="dark",
    )
    page = context.new_page()
    _wait_for_mount(page)
    return page, PageWatch(page)


def _wait_for_mount(page: Any) -> None:
    goto, reload = page.goto, page.reload

    def ready(response: Any) -> Any:
        if response is not None and response.headers.get("content-type", "").startswith("text/html"):
            page.wait_for_selector("body[data-page-ready]", state="attached", timeout=30_000)
        return response

    page.goto = lambda url, **kwargs: ready(goto(url, **kwargs))
    page.reload = lambda **kwargs: ready(reload(**kwargs))


@contextlib.contextmanager
def opened_page(
    browser: Any, viewport: tuple[int, int] = VIEWPORTS["desktop"], *, mobile: bool = False
) -> Iterator[tuple[Any, PageWatch]]:
    """:func:`new_page` as a context manager that closes the browser context afterwards."""
    page, watch = new_page(browser, viewport, mobile=mobile)
    try:
        yield page, watch
    finally:
        page.context.close()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG as ``tests/e2e/screenshots/<name>-<width>x<height>.png`` (the viewport size) and return its path.

    Full page by default: ``position: fixed`` bars are drawn once, where they sit in the first
    viewport, so they may cover content further down; pass ``full_page=False`` for just the viewport.
    """
    size = page.viewport_size or {"width": 0, "height": 0}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --------------------------------------------------------------------------------------------------
# Generated video library
# --------------------------------------------------------------------------------------------------

MOVIE = "Big Buck Test (2021).mp4"
MOVIE_SUBTITLE = "Big Buck Test (2021).en.srt"
EPISODE_1 = "Clip Show/Season 01/Clip Show S01E01.mp4"
EPISODE_2 = "Clip Show/Season 01/Clip Show S01E02.mp4"
UNPLAYABLE = "Unplayable (2020).mkv"

#: Keys of :func:`make_video_library`'s result → path relative to the library root.
LIBRARY_FILES: dict[str, str] = {
    "movie": MOVIE,
    "movie_subtitle": MOVIE_SUBTITLE,
    "episode1": EPISODE_1,
    "episode2": EPISODE_2,
    "unplayable": UNPLAYABLE,
}

SUBTITLE_SRT = """1
00:00:01,000 --> 00:00:03,000
Hello from the test library.

2
00:00:04,000 --> 00:00:06,500
The second cue, a little later.

3
00:00:07,500 --> 00:00:09,500
And the third one before ten seconds.
"""

_FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def _sources(size: str, seconds: int, frequency: int) -> list[str]:
    return [
        *("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}"),
        *("-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000:duration={seconds}"),
    ]


_AAC = ["-c:a", "aac", "-b:a", "64k", "-ac", "2"]


def _h264(size: str, seconds: int, frequency: int, bitrate: str) -> list[str]:
    return [
        *_sources(size, seconds, frequency),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p"),
        *("-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate),
        *_AAC,
        *("-movflags", "+faststart", "-shortest"),
    ]


def _hevc(size: str, seconds: int, frequency: int, bitrate: str) -> list[str]:
    return [
        *_sources(size, seconds, frequency),
        *("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=50"),
        *("-pix_fmt", "yuv420p", "-b:v", bitrate),
        *_AAC,
        "-shortest",
    ]


#: Relative path → ffmpeg output arguments (without the output file).
_ENCODES: dict[str, list[str]] = {
    MOVIE: _h264("1280x720", 30, 440, "600k"),
    EPISODE_1: _h264("640x360", 6, 523, "300k"),
    EPISODE_2: _h264("640x360", 6, 659, "300k"),
    UNPLAYABLE: _hevc("1920x1080", 30, 330, "600k"),
}

_media_cache: Path | None = None


def _encode(target: Path, args: list[str]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{target.name}")
    # "-f" because ffmpeg picks the muxer from the extension, which the temporary name hides.
    muxer = "matroska" if target.suffix == ".mkv" else "mp4"
    proc = subprocess.run([*_FFMPEG, *args, "-f", muxer, str(partial)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed for {target.name} ({proc.returncode}):\n{proc.stderr}")
    partial.rename(target)


def _generated_library() -> Path:
    """Encode the library once per test session (process) into a temporary folder; removed at exit."""
    global _media_cache
    if _media_cache is not None and all((_media_cache / rel).exists() for rel in LIBRARY_FILES.values()):
        return _media_cache
    cache = Path(tempfile.mkdtemp(prefix="obscura-e2e-media-"))
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    # The x265 encode dominates (~10 s on 2 cores); the small H.264 ones run alongside it.
    with ThreadPoolExecutor(max_workers=2) as pool:
        hevc = pool.submit(_encode, cache / UNPLAYABLE, _ENCODES[UNPLAYABLE])
        for rel in (MOVIE, EPISODE_1, EPISODE_2):
            _encode(cache / rel, _ENCODES[rel])
        hevc.result()
    (cache / MOVIE_SUBTITLE).write_text(SUBTITLE_SRT, encoding="utf-8")
    _media_cache = cache
    return cache


def make_video_library(root: Path) -> dict[str, Path]:
    """Put a small generated video library under ``root`` (real ffmpeg, encoded once per session).

    ================  ========================================================================
    key               file (relative to ``root``)
    ================  ========================================================================
    ``movie``         ``Big Buck Test (2021).mp4`` — H.264 + AAC, 1280x720, 30 s, 25 fps, GOP 50
    ``movie_subtitle`` ``Big Buck Test (2021).en.srt`` — 3 cues at 1–3 s, 4–6.5 s, 7.5–9.5 s
    ``episode1``      ``Clip Show/Season 01/Clip Show S01E01.mp4`` — H.264 + AAC, 640x360, 6 s
    ``episode2``      ``Clip Show/Season 01/Clip Show S01E02.mp4`` — same, another tone
    ``unplayable``    ``Unplayable (2020).mkv`` — HEVC + AAC, 1920x1080, 30 s, Matroska: Chromium
                      cannot play it directly, so the app has to stream it as HLS
    ================  ========================================================================

    Returns the key → absolute path mapping. Files are copies, so tests may modify or delete them.
    """
    cache = _generated_library()
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for key, rel in LIBRARY_FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache / rel, target)
        out[key] = target
    return out


# --------------------------------------------------------------------------------------------------
# API and jobs
# --------------------------------------------------------------------------------------------------


class ApiError(AssertionError):
    """A non-2xx answer from the API; ``status``, ``code`` and the parsed ``envelope`` (if JSON)."""

    def __init__(self, method: str, url: str, status: int, message: str, code: str | None, envelope: Any) -> None:
        super().__init__(f"{method} {url} → {status} {code or ''}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.envelope = envelope


def colour_clip(path: Path, colour: str, seconds: int = 2) -> None:
    """A small H.264 clip of one colour (distinct colours give distinct fingerprints)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"color=c={colour}:size=320x180:rate=25:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=60,
    )  # fmt: skip


def api(base_url: str, method: str, path: str, body: Any = None, *, timeout: float = 30) -> dict[str, Any]:
    """Call the JSON API and return the parsed envelope (``{"ok": true, "data": ...}``).

    Non-GET requests always send ``Content-Type: application/json`` (the server rejects others), with
    ``body`` as JSON or an empty body. A non-2xx answer raises :class:`ApiError` carrying the
    envelope's ``error.message``/``error.code``.
    """
    method = method.upper()
    url = base_url.rstrip("/") + path
    data = None
    headers = {"Accept": "application/json"}
    if method != "GET" or body is not None:
        headers["Content-Type"] = "application/json"
        data = b"" if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as err:
        with err:
            raw = err.read()
        try:
            envelope = json.loads(raw)
            error = envelope.get("error") or {}
            message, code = error.get("message", raw.decode(errors="replace")), error.get("code")
        except (ValueError, AttributeError):
            envelope, message, code = None, raw.decode(errors="replace")[:500], None
        raise ApiError(method, url, err.code, message, code, envelope) from None
    return json.loads(raw) if raw else {}


def wait_for_jobs(base_url: str, timeout: float = 120) -> None:
    """Wait until no job run is waiting or active, then fail if any run has status ``failed``.

    "Idle" must be seen on two polls in a row, so a job that enqueues a follow-up job while
    finishing is not mistaken for the end of the work.
    """
    deadline = time.monotonic() + timeout
    idle_polls = 0
    pending: dict[str, Any] = {}
    while idle_polls < 2:
        pending = api(base_url, "GET", "/api/jobs?status=waiting&status=active&perPage=20")["data"]
        idle_polls = idle_polls + 1 if pending["total"] == 0 else 0
        if idle_polls >= 2:
            break
        if time.monotonic() > deadline:
            runs = ", ".join(f"{r['queueName']}:{r['status']} {r.get('targetLabel') or ''}" for r in pending["items"])
            raise AssertionError(f"{pending['total']} job run(s) still pending after {timeout:.0f}s: {runs}")
        time.sleep(0.2)
    failed = api(base_url, "GET", "/api/jobs?status=failed&perPage=100")["data"]
    if failed["total"]:
        lines = "\n".join(
            f"  - {r['queueName']} {r.get('targetLabel') or r.get('targetId') or ''} "
            f"(run {r['id']}, {r['attempts']} attempt(s)): {r.get('error')}"
            for r in failed["items"]
        )
        raise AssertionError(f"{failed['total']} job run(s) failed:\n{lines}")
