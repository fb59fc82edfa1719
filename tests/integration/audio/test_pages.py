"""The server-rendered audio pages: /audio (grid, search, sort, empty states), a library, a track, the
HTML 404s, the mini player shell part on every page, the dashboard panel and the palette hits."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from plugin_sdk.models import LibraryRoot
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from tests.integration.audio.media import build_library

pytestmark = pytest.mark.integration

PLAYER_MODULE = 'data-module="/static/audio/player.js"'


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("audio",), "load_entrypoints": False}


@pytest.fixture
def scanned(client, run_jobs, tmp_path: Path) -> dict:
    """The generated library (``tests/integration/audio/media.py``) scanned, probed and with waveforms."""
    root_dir = tmp_path / "Music"
    files = build_library(root_dir)
    root = client.post("/api/libraries", json={"path": str(root_dir)}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    libs = {lib["title"]: lib for lib in client.get("/api/audio-libraries").get_json()["data"]["items"]}
    tracks = {}
    for t in client.get("/api/audio-tracks?perPage=100").get_json()["data"]["items"]:
        detail = client.get(f"/api/audio-tracks/{t['id']}").get_json()["data"]
        tracks[Path(detail["filePath"]).name] = detail
    return {"root": root, "dir": root_dir, "files": files, "libraries": libs, "tracks": tracks}


def page(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, f"{url}: {resp.status_code}\n{resp.get_data(as_text=True)[:1500]}"
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def tracks_json(text: str) -> list[dict[str, Any]]:
    match = re.search(r'<script type="application/json" id="audio-tracks">(.*?)</script>', text, re.S)
    assert match, "the page carries its playable tracks for the player"
    return json.loads(match.group(1))


def rows(text: str) -> list[str]:
    """The text of each track row, tags stripped, whitespace collapsed."""
    out = []
    for row in re.findall(r'<li class="at-row[^"]*".*?</li>\n(?=<li class="at-row|</ol>)', text + "\n", re.S):
        out.append(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()))
    return out


def assert_shell(text: str) -> None:
    """The layout with the mini player rendered exactly once in the dock."""
    assert text.count("data-audio-player") == 1 and text.count(PLAYER_MODULE) == 1
    assert '<div id="shell-parts" class="shell-parts">' in text
    assert '<audio preload="none" data-ap="audio">' in text


@contextmanager
def count_queries(runtime: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


# ----------------------------------------------------------------------------------------- empty


def test_empty_states_and_the_player_part(client, runtime, tmp_path: Path) -> None:
    text = page(client, "/audio")
    assert_shell(text)
    assert "Add a library folder to get started" in text and 'href="/settings"' in text
    assert 'aria-current="page"' in text.split('href="/audio"', 1)[1][:60], "the Audio nav entry is active"
    assert (
        'data-page-module="/static/audio/libraries.js"' in text and 'data-module="/static/audio/libraries' not in text
    )

    empty = tmp_path / "Empty"
    empty.mkdir()
    with runtime.session() as db:
        db.add(LibraryRoot(path=str(empty), label="Empty"))
        db.commit()
    text = page(client, "/audio")
    assert "No audio yet" in text and "Add a library folder to get started" not in text
    text = page(client, "/audio?search=anything")
    assert "Nothing matches “anything”" in text and 'href="/audio"' in text

    panel = page(client, "/audio/fragments/panel-recent")
    assert "No audio yet" in panel
    dash = page(client, "/")
    assert_shell(dash)
    assert 'hx-get="/audio/fragments/panel-recent"' in dash and "Recently added audio" in dash

    # the player's files are served, its CSS is in the single stylesheet
    for name, kind in (("player.js", "javascript"), ("waveform.js", "javascript"), ("icons.svg", "svg")):
        resp = client.get(f"/static/audio/{name}")
        assert resp.status_code == 200 and kind in resp.mimetype, name
    css_url = re.search(r'href="(/assets/app\.[0-9a-f]+\.css)"', text).group(1)
    css = client.get(css_url).get_data(as_text=True)
    assert ".ap-bar" in css and ".at-row" in css


# ----------------------------------------------------------------------------------------- grid


def test_grid_search_and_sort(client, scanned) -> None:
    first, live = scanned["libraries"]["First Light"], scanned["libraries"]["Live"]
    text = page(client, "/audio")
    assert_shell(text)
    assert "2 libraries · 7 tracks" in text
    cards = re.findall(r'<a class="media-card al-card" href="/audio/libraries/([^"]+)">(.*?)</a>', text, re.S)
    assert [cid for cid, _ in cards] == [first["id"], live["id"]], "title order"
    first_card = dict(cards)[first["id"]]
    assert f'src="/api/audio-libraries/{first["id"]}/cover?v=' in first_card, "the album cover"
    assert "Nova" in first_card and "5 tracks" in first_card and ">16 s<" in first_card
    assert "placeholder" in dict(cards)[live["id"]], "no cover: a placeholder"
    cover = client.get(re.search(r'src="(/api/audio-libraries/[^"]+)"', first_card).group(1))
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"

    ids = re.findall(r'href="/audio/libraries/([^"]+)"', page(client, "/audio?sort=tracks"))
    assert ids[:2] == [first["id"], live["id"]], "most tracks first"
    assert page(client, "/audio?sort=nonsense&page=abc").count('class="media-card al-card"') == 2, "bad values ignored"
    assert "Show more libraries" not in text

    # a search finds libraries at any depth, and tracks by title, artist or album
    text = page(client, "/audio?search=light")
    assert "1 library and 2 tracks match “light”" in text, "First Light by title; two tracks by their album tag"
    text = page(client, "/audio?search=opening")
    assert 'class="media-card al-card"' not in text and "1 track matches “opening”" in text
    assert rows(text)[0].startswith("1 Opening Nova First Light MP3"), rows(text)
    assert [t["title"] for t in tracks_json(text)] == ["Opening"]
    text = page(client, "/audio?search=broken")
    assert "Cannot be played" in text and tracks_json(text) == [], "unplayable tracks are not queued"
    text = page(client, "/audio?search=%25_")
    assert "Nothing matches “%_”" in text, "LIKE wildcards are searched as text"

    # the dashboard panel and the palette
    panel = page(client, "/audio/fragments/panel-recent")
    assert f'href="/audio/libraries/{first["id"]}"' in panel and "Browse all audio" in panel
    assert "7 tracks" in panel

    groups = client.get("/api/palette?q=first").get_json()["data"]["groups"]
    albums = next(g for g in groups if g["label"] == "Albums")["items"]
    assert albums[0]["title"] == "First Light" and albums[0]["url"] == f"/audio/libraries/{first['id']}"
    assert albums[0]["thumbnailUrl"].startswith(f"/api/audio-libraries/{first['id']}/cover")
    groups = client.get("/api/palette?q=second").get_json()["data"]["groups"]
    tracks = next(g for g in groups if g["label"] == "Tracks")["items"]
    assert tracks[0]["title"] == "Second Wave" and tracks[0]["subtitle"] == "Nova · First Light · 0:03"
    assert tracks[0]["url"].startswith("/audio/tracks/")
    assert page(client, tracks[0]["url"])


def test_grid_pages_and_bounded_queries(client, runtime) -> None:
    with runtime.session() as db:
        for i in range(70):
            lib = AudioLibrary(folder_path=f"/m/{i:03d}", title=f"Album {i:03d}", sort_title=f"album {i:03d}")
            db.add(lib)
            db.flush()
            db.add(AudioTrack(library_id=lib.id, file_path=f"/m/{i:03d}/a.mp3", title="a", sort_title="a", duration=60))
        db.commit()
    with count_queries(runtime) as small:
        first = page(client, "/audio?search=album%20000")
    with count_queries(runtime) as big:
        text = page(client, "/audio")
    assert len(big) <= len(small) + 1, "the number of queries does not grow with the libraries shown"
    assert "Album 000" in first
    assert text.count('class="media-card al-card"') == 60 and 'href="/audio?page=2"' in text
    more = page(client, "/audio?page=2")
    assert more.count('class="media-card al-card"') == 10 and "Album 069" in more and "Show more" not in more


# ----------------------------------------------------------------------------------------- library


def test_library_page(client, scanned) -> None:
    first, live = scanned["libraries"]["First Light"], scanned["libraries"]["Live"]
    text = page(client, f"/audio/libraries/{first['id']}")
    assert_shell(text)
    assert 'data-page-module="/static/audio/library.js"' in text
    assert '<h1 class="al-hero-title">First Light</h1>' in text and "Nova" in text
    assert "5 tracks · 16 s · 2021 · Ambient" in text
    assert f'src="/api/audio-libraries/{first["id"]}/cover?v=' in text
    listed = rows(text)
    assert [r.split(" ")[0] for r in listed] == ["1", "2", "3", "10", "–"], "tag numbers; untagged: a dash"
    assert "Opening Nova" in listed[0] and "MP3 0:03" in listed[0]
    assert "Second Wave Nova" in listed[1] and "FLAC" in listed[1]
    assert "Vorbis" in listed[2] and "AAC" in listed[3]
    assert "11 untagged take" in listed[4] and "WAV 0:04" in listed[4], "a clean title for an untagged file"
    items = tracks_json(text)
    assert [t["title"] for t in items] == ["Opening", "Second Wave", "Third", "Tenth", "11 untagged take"]
    assert all(not t["transcoded"] and t["streamUrl"] == f"/api/audio-stream/{t['id']}" for t in items)
    assert items[0]["coverUrl"].startswith(f"/api/audio-tracks/{items[0]['id']}/cover")
    assert items[1]["coverUrl"].startswith(f"/api/audio-libraries/{first['id']}/cover"), "the album cover as fallback"
    assert all(t["waveformUrl"] and t["duration"] for t in items)
    assert "data-upload-open" in text and "data-drop-zone" in text

    text = page(client, f"/audio/libraries/{live['id']}")
    listed = rows(text)
    broken = next(r for r in listed if r.startswith("broken"))
    assert "Cannot be played: ffprobe cannot read broken.mp3" in broken
    assert "1 unreadable" in text
    row = re.search(r'<li class="at-row is-broken".*?</li>', text, re.S).group(0)
    assert 'data-audio-action="play"' not in row and row.count("disabled") == 2, "no way to play it"
    items = tracks_json(text)
    assert [t["title"] for t in items] == ["encore"] and items[0]["transcoded"] is True
    assert "WMA" in next(r for r in listed if "encore" in r)


def test_track_page_and_markers(client, scanned) -> None:
    mp3 = scanned["tracks"]["01 - opening.mp3"]
    added = client.post(f"/api/audio-tracks/{mp3['id']}/markers", json={"title": "Bridge", "seconds": 1.5})
    assert added.status_code == 201
    text = page(client, f"/audio/tracks/{mp3['id']}")
    assert_shell(text)
    assert 'data-page-module="/static/audio/track.js"' in text
    assert '<h1 class="al-hero-title" data-field-view="title">Opening</h1>' in text
    assert "Nova · First Light · 2021" in text and "Ambient" in text
    assert f'href="/audio/libraries/{mp3["libraryId"]}">First Light</a>' in text, "breadcrumbs"
    assert 'data-src="/api/audio-tracks/' in text and 'role="slider"' in text
    assert ">0:01</button>" in text and "Bridge" in text, "the marker is listed"
    assert (
        'name="albumArtist" type="text" value="Nova"' in text and 'name="trackNumber" type="number" value="1"' in text
    )
    assert [t["id"] for t in tracks_json(text)] == [mp3["id"]]
    assert "1 of" not in text
    library = page(client, f"/audio/libraries/{mp3['libraryId']}")
    assert "1 marker" in rows(library)[0], "the library lists the markers count"

    broken = scanned["tracks"]["broken.mp3"]
    text = page(client, f"/audio/tracks/{broken['id']}")
    assert "This file cannot be played." in text and "ffprobe cannot read broken.mp3" in text
    assert 'data-audio-action="play"' not in text and "data-track-wave" not in text
    assert tracks_json(text) == []

    wma = scanned["tracks"]["encore.wma"]
    text = page(client, f"/audio/tracks/{wma['id']}")
    assert "converted for the browser while it plays" in text and tracks_json(text)[0]["transcoded"] is True


def test_bad_ids_get_the_404_page(client) -> None:
    for url in ("/audio/libraries/nope", "/audio/tracks/nope", "/audio/libraries/" + "x" * 200, "/audio/tracks/%00"):
        text = page(client, url, 404)
        assert_shell(text)
        assert "does not exist" in text and 'href="/audio"' in text


def test_nested_libraries(client, runtime) -> None:
    """A folder holding albums: the grid shows it (with a sub-library's cover), its page lists them."""
    with runtime.session() as db:
        artist = AudioLibrary(folder_path="/m/Nova", title="Nova", sort_title="nova")
        db.add(artist)
        db.flush()
        album = AudioLibrary(
            folder_path="/m/Nova/Dawn", title="Dawn", sort_title="dawn", parent_id=artist.id, cover="embedded"
        )
        db.add(album)
        db.flush()
        db.add(AudioTrack(library_id=album.id, file_path="/m/Nova/Dawn/a.mp3", title="A", sort_title="a", duration=61))
        db.commit()
        artist_id, album_id = artist.id, album.id
    text = page(client, "/audio")
    cards = re.findall(r'href="/audio/libraries/([^"]+)"', text)
    assert cards == [artist_id], "only top-level libraries in the grid"
    assert "1 folder" in text and f"/api/audio-libraries/{album_id}/cover?v=" in text, "a sub-library's cover"

    text = page(client, f"/audio/libraries/{artist_id}")
    assert "In this folder" in text and f'href="/audio/libraries/{album_id}"' in text
    assert "No tracks here" in text and "The audio of this folder is in the folders above." in text
    assert 'data-audio-action="play-all" disabled' in text and tracks_json(text) == []
    assert "can_upload" not in text and "data-upload-open" not in text, "no root: nowhere to upload to"
    text = page(client, f"/audio/libraries/{album_id}")
    assert f'<a href="/audio/libraries/{artist_id}">Nova</a>' in text, "breadcrumbs up to the parent"
    assert "1 track · 1 min" in text
