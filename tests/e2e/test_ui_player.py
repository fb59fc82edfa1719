"""The video page in headless Chromium: direct play of an H.264 MP4, HLS (hls.js) for an HEVC MKV with
the quality menu, trickplay on the seek bar, one-click markers, subtitles with the transcript, editing,
keyboard shortcuts, deleting, and the phone and desktop layouts.

Time to first frame (click on play → first frame presented, ``requestVideoFrameCallback``) is printed
for direct play and for HLS; the HLS figure includes encoding the first segment on the server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ui import VIEWPORTS, api, make_video_library, new_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

HLS_FIRST_FRAME_TARGET_S = 3.0
HLS_FIRST_FRAME_LIMIT_S = 15.0

FIRST_FRAME_JS = """async () => {
  const video = document.querySelector('#vp video');
  const t0 = performance.now();
  document.querySelector('[data-vp="bigplay"]').click();
  const outcome = await Promise.race([
    new Promise((resolve) => video.requestVideoFrameCallback(() => resolve("frame"))),
    new Promise((resolve) => setTimeout(() => resolve("timeout"), 60000)),
  ]);
  const p = window.obscuraPlayer;
  return { outcome, afterPlay: performance.now() - t0, sinceNavigation: performance.now(),
           state: p.root.dataset.state, error: p.root.querySelector(".vp-error-text").textContent,
           readyState: video.readyState, mode: p.engine.mode, levels: p.engine.levels.length };
}"""


@pytest.fixture(scope="module")
def videos(served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The generated library added and scanned (every job finished); video details by key."""
    root_dir = tmp_path_factory.mktemp("player-library")
    files = make_video_library(root_dir)
    root = api(served.url, "POST", "/api/libraries", {"path": str(root_dir)})["data"]
    api(served.url, "POST", f"/api/libraries/{root['id']}/scan", {})
    wait_for_jobs(served.url, timeout=240)
    items = api(served.url, "GET", "/api/videos?perPage=100")["data"]["items"]
    by_path = {}
    for item in items:
        detail = api(served.url, "GET", f"/api/videos/{item['id']}")["data"]
        by_path[Path(detail["filePath"]).name] = detail
    return {key: by_path[path.name] for key, path in files.items() if path.name in by_path}


@pytest.fixture
def desktop(browser) -> Iterator[tuple[Any, Any]]:
    page, watch = new_page(browser, VIEWPORTS["desktop"])
    try:
        yield page, watch
    finally:
        page.context.close()


def open_video(page: Any, base_url: str, video: dict[str, Any], query: str = "") -> None:
    page.goto(f"{base_url}/videos/{video['id']}{query}")
    page.wait_for_selector('#vp[data-ready="true"]')


def reveal_controls(page: Any) -> None:
    """Move the mouse over the picture (away from the big play button) so the controls show."""
    box = page.locator("#vp").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.move(box["x"] + 48, box["y"] + 64)
    page.wait_for_selector('#vp[data-controls="shown"]')


def current_time(page: Any) -> float:
    return page.evaluate("() => document.querySelector('#vp video').currentTime")


def wait_playing_past(page: Any, seconds: float, timeout_ms: int = 30000) -> None:
    page.wait_for_function(
        "(t) => { const v = document.querySelector('#vp video'); return !v.paused && v.currentTime > t; }",
        arg=seconds,
        timeout=timeout_ms,
    )


def report(capsys: Any, text: str) -> None:
    with capsys.disabled():
        print(f"\n[player] {text}")


def test_mp4_plays_directly_with_trickplay(served, videos, desktop, capsys) -> None:
    page, watch = desktop
    movie = videos["movie"]
    open_video(page, served.url, movie, "?t=0")
    assert page.locator("#vp-title").inner_text() == "Big Buck Test"
    assert page.locator("#vp").get_attribute("data-mode") == "direct"

    timing = page.evaluate(FIRST_FRAME_JS)
    assert timing["outcome"] == "frame", timing
    report(
        capsys,
        f"direct play (H.264 MP4): first frame {timing['afterPlay']:.0f} ms after play, "
        f"{timing['sinceNavigation']:.0f} ms after navigation",
    )
    start = current_time(page)
    wait_playing_past(page, start + 1.0)
    src = page.evaluate("() => document.querySelector('#vp video').currentSrc")
    assert src.endswith(movie["directStreamUrl"]), src
    assert page.evaluate("() => window.obscuraPlayer.engine.hls") is None

    # trickplay: hovering the seek bar shows the sprite tile for that time
    assert movie["trickplayVttUrl"]
    page.wait_for_function("() => window.obscuraPlayer.trickplay !== null")
    reveal_controls(page)
    seek = page.locator('[data-vp="seek"]').bounding_box()
    page.mouse.move(seek["x"] + seek["width"] * 0.6, seek["y"] + seek["height"] / 2)
    preview = page.locator('[data-vp="preview-img"]')
    preview.wait_for(state="visible")
    background = preview.evaluate("el => getComputedStyle(el).backgroundImage")
    assert movie["spriteUrl"] in background, background
    assert page.locator('[data-vp="preview-time"]').inner_text() == "0:18"
    slider = page.locator('[data-vp="seek"]')
    assert slider.get_attribute("role") == "slider"
    assert slider.get_attribute("aria-valuetext").endswith("of 0:30")
    screenshot(page, "player-direct")
    watch.assert_clean()


def test_hevc_mkv_plays_through_hls_and_quality_can_be_picked(served, videos, desktop, capsys) -> None:
    page, watch = desktop
    video = videos["unplayable"]
    assert video["videoCodec"] == "hevc"
    open_video(page, served.url, video, "?t=0")

    timing = page.evaluate(FIRST_FRAME_JS)
    assert timing["outcome"] == "frame", timing
    report(
        capsys,
        f"HLS (HEVC MKV → live H.264): first frame {timing['afterPlay']:.0f} ms after play, "
        f"{timing['sinceNavigation']:.0f} ms after navigation (target ≤ {HLS_FIRST_FRAME_TARGET_S:.0f} s)",
    )
    # the target is for an idle server; a loaded box (parallel test suites) only has to stay usable
    assert timing["afterPlay"] / 1000 <= HLS_FIRST_FRAME_LIMIT_S, "first frame far too slow"
    wait_playing_past(page, 1.0)
    state = page.evaluate("""() => {
      const p = window.obscuraPlayer;
      return { mode: p.engine.mode, hls: Boolean(p.engine.hls), src: p.video.currentSrc, levels: p.engine.levels.length,
               attached: p.engine.hls && p.engine.hls.media === p.video };
    }""")
    assert state["mode"] == "hls" and state["hls"] and state["attached"], state
    assert state["src"].startswith("blob:"), state
    assert state["levels"] >= 2

    # quality menu: settings → Quality → the lowest rendition
    reveal_controls(page)
    page.click('[data-vp="settings"]')
    page.click('#vp-settings-menu [data-key="quality"]')
    items = page.locator('#vp-settings-menu [data-key^="level:"]')
    assert items.first.get_attribute("data-key") == "level:-1" and items.first.get_attribute("aria-checked") == "true"
    lowest = items.last
    key = lowest.get_attribute("data-key")
    label = lowest.locator(".vp-mi-label").inner_text()
    lowest.click()
    index = int(key.split(":")[1])
    page.wait_for_function("(i) => window.obscuraPlayer.engine.hls.currentLevel === i", arg=index, timeout=20000)
    wait_playing_past(page, current_time(page) + 0.5, timeout_ms=20000)
    assert page.locator('[data-vp="mode-badge"]').inner_text() == f"HLS · {label}"
    reveal_controls(page)
    page.click('[data-vp="settings"]')
    page.click('#vp-settings-menu [data-key="quality"]')
    assert page.locator(f'#vp-settings-menu [data-key="{key}"]').get_attribute("aria-checked") == "true"
    page.keyboard.press("Escape")
    screenshot(page, "player-hls")

    # a file the browser refuses to play directly falls back to HLS by itself, with a toast
    page.evaluate("""() => {
      const p = window.obscuraPlayer;
      p.data.directStreamUrl = "/static/icons.svg";  // not a video: MEDIA_ERR_SRC_NOT_SUPPORTED
      p.engine.switchMode("direct");
    }""")
    page.locator(".toast", has_text="streamed through HLS").wait_for()
    page.wait_for_function("() => window.obscuraPlayer.engine.mode === 'hls' && window.obscuraPlayer.engine.hls")
    wait_playing_past(page, current_time(page) + 0.5, timeout_ms=30000)
    watch.assert_clean()


def test_markers_are_added_in_one_click(served, videos, desktop) -> None:
    page, watch = desktop
    movie = videos["movie"]
    open_video(page, served.url, movie, "?t=3")
    page.wait_for_function("() => document.querySelector('#vp video').readyState >= 1")
    reveal_controls(page)
    page.click('[data-vp="marker"]')
    row = page.locator(".vp-marker", has_text="Marker at 0:03")
    row.wait_for()
    assert page.locator("#vp-tab-markers").get_attribute("aria-selected") == "true"
    marker_id = row.get_attribute("data-marker-id")
    assert page.locator(f'.vp-tick[data-marker-id="{marker_id}"]').count() == 1
    assert page.locator('[data-vp="marker-count"]').inner_text() == "1"
    saved = api(served.url, "GET", f"/api/videos/{movie['id']}/markers")["data"]
    assert [(m["id"], m["title"], round(m["seconds"])) for m in saved] == [(marker_id, "Marker at 0:03", 3)]

    # rename inline
    row.locator("[data-marker-rename]").click()
    field = row.locator("input[name=title]")
    field.fill("Opening shot")
    field.press("Enter")
    page.locator(".vp-marker-title", has_text="Opening shot").wait_for()
    assert api(served.url, "GET", f"/api/videos/{movie['id']}/markers")["data"][0]["title"] == "Opening shot"

    # the list and the tick jump to the marker
    page.evaluate("() => { document.querySelector('#vp video').currentTime = 20; }")
    page.locator(".vp-marker-jump", has_text="Opening shot").click()
    page.wait_for_function("() => Math.abs(document.querySelector('#vp video').currentTime - 3) < 0.3")
    page.evaluate("() => { document.querySelector('#vp video').currentTime = 20; }")
    reveal_controls(page)
    page.locator(f'.vp-tick[data-marker-id="{marker_id}"]').click()
    page.wait_for_function("() => Math.abs(document.querySelector('#vp video').currentTime - 3) < 0.3")

    # Shift+M adds another at the current time; delete it again
    page.locator("#vp").focus()
    page.keyboard.press("Shift+M")
    second = page.locator(".vp-marker", has_text="Marker at 0:03")
    second.wait_for()
    second.locator("[data-marker-delete]").click()
    second.wait_for(state="detached")
    left = api(served.url, "GET", f"/api/videos/{movie['id']}/markers")["data"]
    assert [m["title"] for m in left] == ["Opening shot"]
    watch.assert_clean()


def test_subtitles_render_and_the_transcript_follows(served, videos, desktop) -> None:
    page, watch = desktop
    movie = videos["movie"]
    assert movie["subtitles"], "the sidecar .en.srt was imported"
    open_video(page, served.url, movie, "?t=0")
    reveal_controls(page)
    page.click('[data-vp="captions"]')
    options = page.locator('#vp-captions-menu [role="menuitemradio"]')
    assert options.first.inner_text().strip() == "Off"
    english = page.locator('#vp-captions-menu [role="menuitemradio"]', has_text="English")
    assert "sidecar" in english.inner_text()
    english.click()
    assert page.locator('[data-vp="captions"]').get_attribute("aria-pressed") == "true"

    page.evaluate("() => { document.querySelector('#vp video').currentTime = 2; }")
    page.wait_for_function("""() => [...document.querySelector('#vp video').textTracks]
        .some((t) => t.mode === 'showing' && t.activeCues && t.activeCues.length > 0)""")
    cue = page.evaluate("""() => [...document.querySelector('#vp video').textTracks]
        .find((t) => t.mode === 'showing').activeCues[0].text""")
    assert cue == "Hello from the test library."

    page.click("#vp-tab-transcript")
    active = page.locator('.vp-cue[aria-current="true"]')
    active.wait_for()
    assert "Hello from the test library." in active.inner_text()
    page.locator(".vp-cue", has_text="The second cue").click()
    page.wait_for_function("() => Math.abs(document.querySelector('#vp video').currentTime - 4) < 0.3")
    page.locator('.vp-cue[aria-current="true"]', has_text="The second cue").wait_for()

    # C turns them off again
    page.locator("#vp").focus()
    page.keyboard.press("c")
    page.wait_for_function(
        "() => [...document.querySelector('#vp video').textTracks].every((t) => t.mode !== 'showing')"
    )
    watch.assert_clean()


def test_title_edit_is_saved_and_validated(served, videos, desktop) -> None:
    page, watch = desktop
    episode = videos["episode1"]
    open_video(page, served.url, episode)
    page.click("#vp-tab-edit")
    title = page.locator("#vp-edit-title")

    # the server's validation message appears under the field (maxlength is bypassed on purpose)
    title.evaluate("(el) => { el.value = 'x'.repeat(501); el.dispatchEvent(new Event('input', { bubbles: true })); }")
    watch.allow(f"/api/videos/{episode['id']}", 400)
    page.click("#vp-edit [type=submit]")
    error = page.locator('[data-error-for="title"]')
    error.wait_for()
    assert "500 characters" in error.inner_text()
    assert title.get_attribute("aria-invalid") == "true"

    title.fill("The Pilot, Revisited")
    page.locator("#vp-edit-rating").evaluate(
        "(el) => { el.value = '70'; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.click("#vp-edit [type=submit]")
    page.wait_for_function("() => document.getElementById('vp-title').textContent === 'The Pilot, Revisited'")
    assert error.is_hidden()
    page.reload()
    page.wait_for_selector('#vp[data-ready="true"]')
    assert page.locator("#vp-title").inner_text() == "The Pilot, Revisited"
    assert page.title() == "The Pilot, Revisited · Obscura"
    saved = api(served.url, "GET", f"/api/videos/{episode['id']}")["data"]
    assert saved["title"] == "The Pilot, Revisited" and saved["rating"] == 70
    # episode navigation is server-rendered; following it swaps the page in place (soft navigation):
    # the old player is torn down (one keyboard handler, one <video>) and the new one mounted
    next_link = page.locator('.vp-episodes a[rel="next"]')
    assert next_link.get_attribute("href") == f"/videos/{videos['episode2']['id']}"
    page.evaluate("() => { window.stayedOnPage = true; }")
    next_link.click()
    page.wait_for_url(f"**/videos/{videos['episode2']['id']}")
    page.wait_for_selector('#vp[data-ready="true"]')
    assert page.evaluate("() => window.stayedOnPage") is True
    assert page.locator("video").count() == 1
    page.keyboard.press("k")
    wait_playing_past(page, 0.3)
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('#vp video').paused")
    watch.assert_clean()


def test_resume_position_and_play_count(served, videos, desktop) -> None:
    page, watch = desktop
    episode = videos["episode2"]
    api(served.url, "POST", f"/api/videos/{episode['id']}/progress", {"resumeTime": 2.5})
    open_video(page, served.url, episode)
    chip = page.locator('[data-vp="resume-chip"]')
    assert chip.is_visible() and "Resumed at 0:02" in chip.inner_text()
    page.wait_for_function("() => Math.abs(document.querySelector('#vp video').currentTime - 2.5) < 0.1")

    # start over, watch past 30 % of the 6 s episode: one play is counted; pausing saves the position
    page.click('[data-vp="start-over"]')
    assert chip.is_hidden()
    page.wait_for_function(
        "() => { const v = document.querySelector('#vp video'); return !v.paused && v.currentTime < 1; }"
    )
    wait_playing_past(page, 3.4)
    page.wait_for_function("() => document.querySelector('[data-fact=\"playCount\"]').textContent === '1'")
    page.locator("#vp").focus()
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('#vp video').paused")
    paused_at = current_time(page)
    deadline = time.monotonic() + 5
    saved = api(served.url, "GET", f"/api/videos/{episode['id']}")["data"]
    while (
        abs((saved["resumeTime"] or 0) - paused_at) > 0.3 or saved["playDuration"] < 2.5
    ) and time.monotonic() < deadline:
        time.sleep(0.1)
        saved = api(served.url, "GET", f"/api/videos/{episode['id']}")["data"]
    assert saved["playCount"] == 1
    assert abs(saved["resumeTime"] - paused_at) <= 0.3, (saved["resumeTime"], paused_at)
    assert saved["playDuration"] >= 2.5
    watch.assert_clean()


def test_thumbnail_from_frame_and_rebuild_previews(served, videos, desktop) -> None:
    page, watch = desktop
    episode = videos["episode1"]
    open_video(page, served.url, episode, "?t=3")
    page.wait_for_function("() => document.querySelector('#vp video').readyState >= 2")
    before = page.locator("#vp video").get_attribute("poster")
    page.click('.vp-actions [data-action="thumbnail"]')
    page.locator(".toast", has_text="The frame at 0:03 is now the thumbnail.").wait_for()
    page.wait_for_function("(old) => document.querySelector('#vp video').getAttribute('poster') !== old", arg=before)
    assert api(served.url, "GET", f"/api/videos/{episode['id']}")["data"]["thumbnailUrl"] is not None

    page.click('.vp-actions [data-action="rebuild"]')
    toast = page.locator(".toast", has_text="Rebuilding the previews (job ")
    toast.wait_for()
    wait_for_jobs(served.url, timeout=120)
    assert api(served.url, "GET", f"/api/videos/{episode['id']}")["data"]["trickplayVttUrl"]
    watch.assert_clean()


def test_keyboard_space_pauses_and_arrow_seeks(served, videos, desktop) -> None:
    page, watch = desktop
    open_video(page, served.url, videos["movie"], "?t=0")
    page.locator("#vp").focus()
    page.keyboard.press("Space")
    wait_playing_past(page, 0.5)
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('#vp video').paused")
    page.wait_for_selector('[data-vp="play"][aria-label="Play"]')
    page.wait_for_function("() => document.querySelector('[data-vp=\"announce\"]').textContent === 'Paused'")
    before = current_time(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(t) => { const v = document.querySelector('#vp video');"
        " return !v.seeking && Math.abs(v.currentTime - t) < 0.2; }",
        arg=before + 5,
    )
    page.keyboard.press("m")
    assert page.evaluate("() => document.querySelector('#vp video').muted") is True
    page.wait_for_function("() => document.querySelector('[data-vp=\"announce\"]').textContent === 'Muted'")
    page.keyboard.press("m")
    watch.assert_clean()


def test_phone_layout(served, videos, browser) -> None:
    page, watch = new_page(browser, VIEWPORTS["phone"], mobile=True)
    try:
        open_video(page, served.url, videos["movie"], "?t=2")
        page.evaluate("() => window.obscuraPlayer.subtitles.select(window.obscuraPlayer.data.tracks[0].id)")
        page.wait_for_function("() => document.querySelector('#vp video').readyState >= 2")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"][0], f"the page scrolls sideways ({width}px)"
        player = page.locator("#vp").bounding_box()
        side = page.locator(".vp-side").bounding_box()
        assert side["y"] >= player["y"] + player["height"], "the side panels stack below the player"
        bar = page.locator(".vp-bar").bounding_box()
        assert bar["x"] >= 0 and bar["x"] + bar["width"] <= VIEWPORTS["phone"][0]
        screenshot(page, "player")
        watch.assert_clean()
    finally:
        page.context.close()


def test_desktop_layout_and_delete(served, videos, desktop) -> None:
    page, watch = desktop
    open_video(page, served.url, videos["movie"], "?t=5")
    page.wait_for_function("() => document.querySelector('#vp video').readyState >= 2")
    player = page.locator("#vp").bounding_box()
    side = page.locator(".vp-side").bounding_box()
    assert side["x"] >= player["x"] + player["width"], "the side column sits beside the player"
    screenshot(page, "player")
    watch.assert_clean()

    episode = videos["episode2"]
    open_video(page, served.url, episode)
    assert page.locator('.vp-episodes a[rel="prev"]').count() == 1
    page.click('.vp-actions [data-action="delete"]')
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert dialog.locator("input[name=deleteFile]").is_checked() is False
    watch.assert_clean()  # what follows happens on /videos, another page with its own checks
    with page.expect_navigation():
        dialog.locator("button[value=ok]").click()
    assert page.url.endswith("/videos")
    deadline = time.monotonic() + 5
    gone = False
    while not gone and time.monotonic() < deadline:
        try:
            api(served.url, "GET", f"/api/videos/{episode['id']}")
            time.sleep(0.1)
        except AssertionError as err:
            gone = getattr(err, "status", None) == 404
    assert gone
    assert Path(episode["filePath"]).is_file(), "the file stays on disk unless asked"
