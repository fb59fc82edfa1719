"""The audio pages and the persistent mini player in headless Chromium, on a generated library
(tests/integration/audio/media.py: tagged mp3 with a cover, flac, ogg, m4a, an untagged wav with 2 s
of silence, a wma Chromium cannot play, a corrupt mp3) plus a one-minute mp3 whose loudness swells,
scanned through the API: tags and covers on the pages, playback surviving soft navigation, seeking
on the waveform (file ranges and ?t= transcodes), the queue, shuffle/repeat, restore after reload,
the corrupt track's error, and the waveform's silence drawn flat."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot, wait_for_jobs
from tests.integration.audio.media import build_library, tag, tone

pytestmark = pytest.mark.e2e

LONG = "12 - long drive.mp3"
AUDIO = '[data-ap="audio"]'


def _long_track(path: Path) -> Path:
    """60 s of a tone whose loudness swells and fades (a waveform with shape), tagged."""
    expr = "0.8*sin(2*PI*220*t)*(0.15+0.85*abs(sin(2*PI*0.11*t))*abs(sin(2*PI*0.7*t)))"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"aevalsrc={expr}:s=44100:d=60",
         "-ac", "2", "-c:a", "libmp3lame", "-b:a", "96k", str(path)],
        check=True,
    )  # fmt: skip
    return tag(path, title="Long Drive", artist="Nova", album="First Light", tracknumber="12")


@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("audio-e2e") / "Music"
    build_library(root)
    _long_track(root / "Nova" / "First Light" / LONG)
    tone(root / "Nova" / "Live" / "encore.wma", 30.0, 500)  # long enough to seek in the transcode
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Music"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan", {})
    wait_for_jobs(served.url, timeout=90)
    libs = {lib["title"]: lib for lib in api(served.url, "GET", "/api/audio-libraries")["data"]["items"]}
    tracks = {t["title"]: t for t in api(served.url, "GET", "/api/audio-tracks?perPage=100")["data"]["items"]}
    assert tracks["Long Drive"]["waveformUrl"] and tracks["11 untagged take"]["waveformUrl"]
    return {"libraries": libs, "tracks": tracks}


# ------------------------------------------------------------------------------------------ helpers


def media(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """async () => {
            const a = document.querySelector('[data-ap="audio"]');
            const player = await import('/static/audio/player.js');
            return {t: a.currentTime, paused: a.paused, src: a.src, position: player.position(),
                    title: document.querySelector('[data-ap="title"]').textContent};
        }"""
    )


def wait_playing_past(page: Any, seconds: float, timeout: float = 15_000) -> None:
    """Wait until the <audio> plays and the player's position is past ``seconds``."""
    page.wait_for_function(
        """async (s) => {
            const a = document.querySelector('[data-ap="audio"]');
            const player = await import('/static/audio/player.js');
            return !a.paused && a.readyState >= 2 && player.position() > s;
        }""",
        arg=seconds,
        timeout=timeout,
    )


def assert_advances(page: Any, ms: int = 1200) -> None:
    before = media(page)["t"]
    page.wait_for_timeout(ms)
    after = media(page)
    assert not after["paused"] and after["t"] > before + 0.3, f"playback advanced: {before} → {after}"


def row(page: Any, title: str) -> Any:
    return page.locator(".at-row", has=page.locator(".at-title", has_text=title))


def queue_titles(page: Any) -> list[str]:
    return page.locator('[data-ap="queue-list"] .ap-q-title').all_inner_texts()


# ------------------------------------------------------------------------------------------ desktop


def test_play_across_pages_seek_queue_and_restore(served: Any, browser: Any, library: dict[str, Any]) -> None:
    first, live = library["libraries"]["First Light"], library["libraries"]["Live"]
    long_id = library["tracks"]["Long Drive"]["id"]
    api(served.url, "POST", f"/api/audio-tracks/{long_id}/markers", {"title": "The drop", "seconds": 30})
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(served.url + "/audio")
        card = page.locator(".al-card", has_text="First Light")
        assert "Nova" in card.inner_text() and "6 tracks" in card.inner_text()
        cover = card.locator("img")
        cover.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth === 300", arg=cover.element_handle())
        assert page.locator(".al-card", has_text="Live").locator(".placeholder").count() == 1
        assert page.locator("[data-audio-player]").is_hidden(), "nothing queued: no player"
        screenshot(page, "audio-grid")

        card.click()
        page.wait_for_url(f"**/audio/libraries/{first['id']}")
        titles = page.locator(".at-title").all_inner_texts()
        assert titles == ["Opening", "Second Wave", "Third", "Tenth", "11 untagged take", "Long Drive"]
        assert "Nova" in row(page, "Opening").inner_text() and "MP3" in row(page, "Opening").inner_text()
        assert [row(page, t).locator(".at-codec").inner_text() for t in ("Second Wave", "Third", "Tenth")] == [
            "FLAC", "Vorbis", "AAC",
        ]  # fmt: skip
        assert page.locator(".al-hero-cover img").evaluate("img => img.complete && img.naturalWidth > 0")
        screenshot(page, "audio-library")

        # play: the mini player appears, counts one play, and keeps the page clear of it
        row(page, "Long Drive").hover()
        row(page, "Long Drive").get_by_role("button", name="Play Long Drive", exact=True).click()
        wait_playing_past(page, 0.5)
        assert media(page)["title"] == "Long Drive"
        assert page.locator('.ap-bar [data-ap="play"]').get_attribute("aria-label") == "Pause"
        dock = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--dock')")
        assert dock.strip() == "72px", dock
        assert row(page, "Long Drive").get_attribute("aria-current") == "true"
        session = page.evaluate(  # what the OS media controls show
            "() => { const m = navigator.mediaSession.metadata; return [m.title, m.artist, m.album, m.artwork[0].src] }"
        )
        assert session[:3] == ["Long Drive", "Nova", "First Light"] and "/cover" in session[3], session

        # navigate while playing: same document, same <audio>, still advancing
        page.evaluate("window.__stayed = 42; window.__audio = document.querySelector('[data-ap=audio]')")
        for label, url in (("Home", served.url + "/"), ("Greetings", "**/hello"), ("Audio", "**/audio")):
            page.locator(".sidebar a", has_text=label).click()
            page.wait_for_url(url)
            assert page.evaluate("window.__stayed === 42"), f"{label}: the document was not reloaded"
            assert page.evaluate("document.querySelector('[data-ap=audio]') === window.__audio")
            assert_advances(page)
        page.get_by_role("heading", name="Audio").wait_for()

        # seek on the waveform: a click at 75 % of the bar
        wave = page.locator('.ap-bar [data-ap="wave"]')
        box = wave.bounding_box()
        wave.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').currentTime > 40")
        state = media(page)
        assert 43 <= state["t"] <= 49, state
        assert 43 <= int(wave.get_attribute("aria-valuenow")) <= 49
        wave.press("ArrowLeft")
        assert media(page)["t"] == pytest.approx(state["t"] - 5, abs=1.5), "← goes back 5 s"
        assert_advances(page)

        # another media element starting pauses the audio
        page.evaluate(
            """() => { const v = document.createElement('video'); v.muted = true; v.id = 'other';
                       v.src = document.querySelector('[data-ap="audio"]').src; document.body.append(v);
                       v.play().catch(() => {}); }"""
        )
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').paused")
        page.evaluate("document.getElementById('other').remove()")
        page.locator('.ap-bar [data-ap="play"]').click()
        assert_advances(page)

        # queue: add to queue, play next, the order in the queue view
        page.locator(".al-card", has_text="First Light").click()
        page.wait_for_url(f"**/audio/libraries/{first['id']}")
        row(page, "Third").get_by_role("button", name="Add Third to the queue").click()
        row(page, "Second Wave").get_by_role("button", name="Play Second Wave next").click()
        page.locator(".toast", has_text="“Second Wave” plays next.").wait_for()
        page.locator('.ap-bar [data-ap="queue"]').click()
        dialog = page.get_by_role("dialog", name="Long Drive")
        dialog.wait_for()
        assert queue_titles(page) == ["Long Drive", "Second Wave", "Third"]
        screenshot(page, "audio-player-expanded", full_page=False)
        dialog.get_by_role("tab", name="Markers").click()
        dialog.get_by_role("button", name="Go to 0:30: The drop").click()
        page.wait_for_function("() => Math.abs(document.querySelector('[data-ap=audio]').currentTime - 30) < 2")
        page.keyboard.press("Escape")
        assert dialog.is_hidden()

        # shuffle and repeat toggles; shuffle off puts the queue back in order
        shuffle = page.locator('.ap-bar [data-ap="shuffle"]')
        shuffle.click()
        assert shuffle.get_attribute("aria-pressed") == "true"
        repeat = page.locator('.ap-bar [data-ap="repeat"]')
        labels = []
        for _ in range(3):
            repeat.click()
            labels.append(repeat.get_attribute("aria-label"))
        assert labels == ["Repeat: all", "Repeat: this track", "Repeat: off"]
        repeat.click()
        shuffle.click()
        assert shuffle.get_attribute("aria-pressed") == "false"
        page.locator('.ap-bar [data-ap="queue"]').click()
        assert queue_titles(page) == ["Long Drive", "Second Wave", "Third"]
        page.keyboard.press("Escape")

        # Next: the queued track plays (3 s long: paused at once to look at it)
        page.locator('.ap-bar [data-ap="next"]').click()
        page.wait_for_function("() => document.querySelector('[data-ap=title]').textContent === 'Second Wave'")
        wait_playing_past(page, 0.2)
        page.locator('.ap-bar [data-ap="play"]').click()
        assert media(page)["paused"]
        assert row(page, "Second Wave").get_attribute("aria-current") == "true"
        at = media(page)["position"]
        second = f"/api/audio-tracks/{library['tracks']['Second Wave']['id']}"
        page.wait_for_function(  # a play counted when it started, the position sent when it paused
            "async (url) => { const t = (await (await fetch(url)).json()).data; return t.playCount && t.resumeTime; }",
            arg=second,
        )
        saved = api(served.url, "GET", second)["data"]
        assert saved["playCount"] == 1 and saved["resumeTime"] == pytest.approx(at, abs=0.3)
        assert api(served.url, "GET", f"/api/audio-tracks/{long_id}")["data"]["playCount"] == 1, "one play counted"

        # reload: the queue, the track and its position come back, paused
        watch.assert_clean()
        page.reload()
        page.locator("[data-audio-player]").wait_for()
        restored = media(page)
        assert restored["title"] == "Second Wave" and restored["paused"]
        assert restored["position"] == pytest.approx(at, abs=0.3)
        assert page.locator('.ap-bar [data-ap="repeat"]').get_attribute("aria-label") == "Repeat: all"
        page.locator('.ap-bar [data-ap="queue"]').click()
        assert queue_titles(page) == ["Second Wave", "Third"]
        page.keyboard.press("Escape")
        page.locator('.ap-bar [data-ap="play"]').click()
        wait_playing_past(page, at + 0.2)
        page.wait_for_timeout(300)
        assert api(served.url, "GET", second)["data"]["playCount"] == 1, "resuming is not a new play"

        # the corrupt track is reported and cannot be played; the WMA plays through a transcode
        page.locator(".sidebar a", has_text="Audio").click()
        wave = page.locator('.ap-bar [data-ap="wave"]')
        page.locator(".al-card", has_text="Live").click()
        page.wait_for_url(f"**/audio/libraries/{live['id']}")
        broken = row(page, "broken")
        assert "Cannot be played: ffprobe cannot read broken.mp3" in broken.inner_text()
        assert broken.get_by_role("button", name="Play broken", exact=True).count() == 0
        assert broken.locator('[data-audio-action="queue"]').is_disabled()
        row(page, "encore").hover()
        row(page, "encore").get_by_role("button", name="Play encore", exact=True).click()
        page.wait_for_function("() => document.querySelector('[data-ap=title]').textContent === 'encore'")
        wait_playing_past(page, 0.5, timeout=20_000)
        assert "?t=" not in media(page)["src"]
        wave.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').src.includes('?t=')")
        state = media(page)
        offset = float(state["src"].split("?t=")[1])
        assert 13 <= offset <= 17, state["src"]
        wait_playing_past(page, offset + 0.5, timeout=20_000)
        assert media(page)["t"] < 10, "the transcode restarted at the offset, not from 0"
        assert page.locator('.ap-bar [data-ap="now"]').inner_text() in {f"0:{s:02d}" for s in range(13, 20)}
        watch.assert_clean()


# ------------------------------------------------------------------------------------------ codecs


@pytest.mark.parametrize(
    ("title", "codec"),
    [("Opening", "mp3"), ("Second Wave", "flac"), ("Third", "vorbis"), ("Tenth", "aac"), ("11 untagged take", "pcm")],
)
def test_each_browser_codec_plays_and_seeks(
    served: Any, browser: Any, library: dict[str, Any], title: str, codec: str
) -> None:
    """Every browser-playable codec plays straight from the file (range requests) and seeks."""
    track = library["tracks"][title]
    assert track["codec"].startswith(codec), track["codec"]
    first = library["libraries"]["First Light"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/audio/libraries/{first['id']}")
        row(page, title).hover()
        row(page, title).get_by_role("button", name=f"Play {title}", exact=True).click()
        wait_playing_past(page, 0.2)
        state = media(page)
        assert state["title"] == title and "?t=" not in state["src"], "played from the file itself"
        page.locator('.ap-bar [data-ap="play"]').click()
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').paused")

        # seek to 60 % on the waveform, then play on from there
        wave = page.locator('.ap-bar [data-ap="wave"]')
        box = wave.bounding_box()
        wave.click(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
        target = 0.6 * track["duration"]
        page.wait_for_function(
            "(t) => Math.abs(document.querySelector('[data-ap=audio]').currentTime - t) < 0.4", arg=target
        )
        page.locator('.ap-bar [data-ap="play"]').click()
        wait_playing_past(page, target + 0.2)
        assert page.evaluate("document.querySelector('[data-ap=audio]').error") is None
        watch.assert_clean()


# ------------------------------------------------------------------------------------------ waveform


def test_waveform_draws_silence_flat(served: Any, browser: Any, library: dict[str, Any]) -> None:
    wav = library["tracks"]["11 untagged take"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/audio/tracks/{wav['id']}")
        canvas = page.locator("[data-track-wave] canvas")
        page.wait_for_function("c => c.dataset.waveform === 'peaks'", arg=canvas.element_handle())
        page.wait_for_timeout(100)  # the next animation frame paints it
        heights = canvas.evaluate(
            """c => {
                const {width, height} = c;
                const px = c.getContext('2d').getImageData(0, 0, width, height).data;
                const cols = [];
                for (let x = 0; x < width; x++) {
                    let n = 0;
                    for (let y = 0; y < height; y++) if (px[(y * width + x) * 4 + 3] > 0) n++;
                    cols.push(n);
                }
                // one value per bar (3 px: a 2 px bar and a gap)
                const bars = [];
                for (let x = 0; x + 3 <= width; x += 3) bars.push(Math.max(cols[x], cols[x + 1], cols[x + 2]));
                return {bars, height};
            }"""
        )
        bars, height = heights["bars"], heights["height"]
        half = len(bars) // 2
        assert max(bars[: int(half * 0.9)]) <= 2, "the first two seconds are silence: a flat line"
        assert min(bars[int(half * 1.1) :]) >= 0.8 * height, "the tone fills the height"

        # a marker added on the page, tags edited in the form
        form = page.locator("[data-marker-form]")
        form.get_by_label("At").fill("0:03")
        form.get_by_label("Title").fill("Tone starts")
        form.get_by_role("button", name="Add marker").click()
        page.get_by_role("button", name="Play from 0:03: Tone starts").wait_for()
        assert page.locator("[data-marker-count]").inner_text() == "1"
        page.get_by_text("Edit tags").click()
        tags = page.get_by_role("form", name="Edit tags")
        tags.get_by_label("Genre").fill("Test tones")
        tags.get_by_label("Title").fill("Untagged take")
        tags.get_by_role("button", name="Save tags").click()
        page.locator(".toast", has_text="Tags saved.").wait_for()
        assert page.locator("h1").inner_text() == "Untagged take"
        saved = api(served.url, "GET", f"/api/audio-tracks/{wav['id']}")["data"]
        assert (saved["title"], saved["genre"], [m["title"] for m in saved["markers"]]) == (
            "Untagged take", "Test tones", ["Tone starts"],
        )  # fmt: skip
        api(served.url, "PATCH", f"/api/audio-tracks/{wav['id']}", {"title": "11 untagged take"})
        watch.assert_clean()


def test_drop_files_to_upload(served: Any, browser: Any, library: dict[str, Any]) -> None:
    live = library["libraries"]["Live"]
    wav = library["tracks"]["11 untagged take"]  # untagged: its title comes from the file name
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/audio/libraries/{live['id']}")
        zone = page.locator("[data-drop-zone]")
        page.evaluate(
            """async (url) => {
                const blob = await (await fetch(url)).blob();
                const dt = new DataTransfer();
                dt.items.add(new File([blob], "dropped take.wav", {type: "audio/wav"}));
                window.__drop = dt;
                const enter = new DragEvent("dragenter", {bubbles: true, dataTransfer: dt});
                document.querySelector("main").dispatchEvent(enter);
            }""",
            wav["streamUrl"],
        )
        assert (
            "is-dragging" in zone.get_attribute("class")
            and page.get_by_text("Drop audio files to add them").is_visible()
        )
        page.evaluate(
            """() => document.querySelector("main").dispatchEvent(
                new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: window.__drop}))"""
        )
        page.locator(".toast", has_text="1 track added").wait_for()
        row(page, "dropped take").wait_for()
        assert "is-dragging" not in zone.get_attribute("class")
        wait_for_jobs(served.url, timeout=60)
        page.reload()
        assert "WAV" in row(page, "dropped take").inner_text() and "0:04" in row(page, "dropped take").inner_text()
        watch.assert_clean()


# ------------------------------------------------------------------------------------------ phone


def test_phone_player_and_now_playing(served: Any, browser: Any, library: dict[str, Any]) -> None:
    first = library["libraries"]["First Light"]
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(served.url + "/audio")
        page.locator(".al-card img").first.wait_for()
        screenshot(page, "audio-grid")
        page.locator(".al-card", has_text="First Light").tap()
        page.wait_for_url(f"**/audio/libraries/{first['id']}")
        screenshot(page, "audio-library")
        play = row(page, "Long Drive").get_by_role("button", name="Play Long Drive", exact=True)
        assert play.evaluate("b => getComputedStyle(b).opacity") == "1", "touch screens show the play buttons"
        play.tap()
        wait_playing_past(page, 0.3)
        bar = page.locator(".ap-bar")
        nav = page.locator(".bottomnav").bounding_box()
        box = bar.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(nav["y"], abs=1), "the player sits on the bottom nav"
        assert (
            page.locator('.ap-bar [data-ap="wave"]').is_hidden()
            and page.locator('.ap-bar [data-ap="next"]').is_visible()
        )
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        last = row(page, "Long Drive").bounding_box()
        assert last["y"] + last["height"] <= box["y"], "the last row is not hidden under the player"
        screenshot(page, "audio-playing", full_page=False)

        page.locator(".ap-info").tap()
        dialog = page.get_by_role("dialog", name="Long Drive")
        dialog.wait_for()
        full = dialog.bounding_box()
        assert (full["width"], full["height"]) == (390, 844), "now playing fills the phone's screen"
        big = page.locator('[data-ap="big-wave"]')
        page.wait_for_function("c => c.dataset.waveform === 'peaks'", arg=big.element_handle())
        big_box = big.bounding_box()
        big.tap(position={"x": big_box["width"] * 0.5, "y": big_box["height"] / 2})
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').currentTime > 25")
        page.wait_for_timeout(300)
        screenshot(page, "audio-player-expanded", full_page=False)
        dialog.get_by_role("button", name="Close the player view").tap()
        assert dialog.is_hidden()
        dialog_close = page.locator('.ap-bar [data-ap="play"]')
        dialog_close.tap()
        page.wait_for_function("() => document.querySelector('[data-ap=audio]').paused")
        watch.assert_clean()
