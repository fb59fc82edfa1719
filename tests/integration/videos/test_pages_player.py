"""The video page ``/videos/<id>`` rendered by the server: facts, poster, tracks, markers, episode
navigation, the embedded player data, and the HTML 404 for unknown ids."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from plugins_builtin.videos.pages.player import (
    canonical_language,
    episode_code,
    format_bit_rate,
    format_bytes,
    format_duration,
    language_name,
    resolution_label,
)
from tests.integration.videos.media import build_library

pytestmark = pytest.mark.integration


@pytest.fixture
def scanned(client, run_jobs, media, library):
    """A library scanned, probed, fingerprinted and previewed; videos by file name."""
    build_library(media, library)
    root = client.post("/api/libraries", json={"path": str(library)}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs(timeout=300)  # every queue: probe, fingerprints, previews, subtitles
    items = client.get("/api/videos?perPage=100").get_json()["data"]["items"]
    by_name = {}
    for item in items:
        detail = client.get(f"/api/videos/{item['id']}").get_json()["data"]
        by_name[Path(detail["filePath"]).name] = detail
    return by_name


def _page(client, video_id: str) -> str:
    resp = client.get(f"/videos/{video_id}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def _payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="vp-data">(.*?)</script>', html, re.S)
    assert match, "the page embeds the player data"
    return json.loads(match.group(1))


def _facts(html: str) -> dict[str, str]:
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    return {unescape(k): unescape(re.sub(r"<[^>]+>", "", v)).strip() for k, v in pairs}


def test_movie_page_renders_title_facts_poster_and_tracks(client, scanned) -> None:
    movie = scanned["Movie Title (2020).mp4"]
    html = _page(client, movie["id"])

    assert "<title>Movie Title · Obscura</title>" in html
    assert re.search(r'<h1 id="vp-title">\s*Movie Title\s*</h1>', html)
    assert 'data-page-module="/static/videos/player.js"' in html
    # poster, the player's region and the accessible seek slider are in the HTML
    assert f'poster="{movie["thumbnailUrl"]}"' in html
    assert 'role="slider"' in html and 'aria-valuetext="0:00 of 0:03"' in html

    facts = _facts(html)
    assert facts["File"] == movie["filePath"]
    assert facts["Duration"] == "0:03"
    assert facts["Resolution"].startswith("320 × 180")
    assert facts["Container"] == "MP4"
    assert facts["Video codec"] == "H.264" and facts["Audio codec"] == "AAC"
    assert facts["MD5"] == movie["md5"] and facts["OSHash"] == movie["oshash"]
    assert facts["Frame rate"] == "25 fps"
    assert facts["Plays"] == "0"
    assert "Added" in facts and "Updated" in facts
    assert f"{movie['fileSize']:,} bytes" in facts["Size"]

    # the sidecar subtitle is a native <track>, with a canonical language for matching
    track = movie["subtitles"][0]
    assert f'<track kind="subtitles" src="{track["url"]}" srclang="en" label="English (sidecar)"' in html
    payload = _payload(html)
    assert payload["video"]["id"] == movie["id"]
    assert payload["video"]["hlsUrl"] == movie["hlsUrl"]
    assert payload["video"]["tracks"][0]["srclang"] == "en"
    assert payload["settings"]["defaultPlaybackMode"] == "direct"
    assert payload["settings"]["subtitlesPreferredLanguages"] == ["en"]  # "en,eng" is one language
    # no episode navigation on a movie
    assert 'aria-label="Episodes"' not in html


def test_markers_and_edits_are_rendered(client, scanned) -> None:
    movie = scanned["Movie Title (2020).mp4"]
    client.post(f"/api/videos/{movie['id']}/markers", json={"title": "Opening <b>credits</b>", "seconds": 1.5})
    client.patch(f"/api/videos/{movie['id']}", json={"title": "Renamed", "rating": 80, "details": "A line.\nAnother."})
    html = _page(client, movie["id"])
    assert re.search(r'<h1 id="vp-title">\s*Renamed\s*</h1>', html)
    assert "Opening &lt;b&gt;credits&lt;/b&gt;" in html  # escaped
    assert 'class="vp-marker-time">0:01<' in html
    assert 'class="vp-tick"' in html and "left: 50.0" in html  # 1.5 s of 3 s
    assert 'aria-label="Rated 80 out of 100"' in html
    assert "A line.\nAnother." in html


def test_episode_pages_link_previous_and_next(client, scanned) -> None:
    e1 = scanned["Show.S01E01.Pilot.mkv"]
    e2 = scanned["Show S01E02.webm"]
    s2e1 = scanned["Show 2x01 - Return.mp4"]
    assert e1["seriesId"] == e2["seriesId"] == s2e1["seriesId"]

    first = _page(client, e1["id"])
    assert f'href="/series/{e1["seriesId"]}">Show</a>' in first
    assert ">Season 1</a>" in first
    assert f'href="/videos/{e2["id"]}" rel="next"' in first
    assert 'rel="prev"' not in first
    assert "S01E01" in first

    middle = _page(client, e2["id"])
    assert f'href="/videos/{e1["id"]}" rel="prev"' in middle
    assert f'href="/videos/{s2e1["id"]}" rel="next"' in middle
    assert "Previous · S01E01" in middle and "Next · S02E01" in middle

    last = _page(client, s2e1["id"])
    assert f'href="/videos/{e2["id"]}" rel="prev"' in last
    assert 'rel="next"' not in last
    assert ">Season 2</a>" in last

    # the embedded HEVC track (language "eng") is matched as English
    tracks = _payload(first)["video"]["tracks"]
    assert [t["srclang"] for t in tracks] == ["en"] and tracks[0]["label"].startswith("English")


def test_probe_errors_show_as_notices(client, scanned) -> None:
    broken = scanned["Broken Movie.mp4"]
    html = _page(client, broken["id"])
    if broken["probeError"]:
        assert "This file could not be read." in html
    assert "Video not found" not in html


def test_unknown_video_is_an_html_404(client, scanned) -> None:
    for bad in ("no-such-id", "x" * 100):
        resp = client.get(f"/videos/{bad}")
        assert resp.status_code == 404
        assert resp.mimetype == "text/html"
        html = resp.get_data(as_text=True)
        assert "Video not found" in html
        assert 'class="skip-link"' in html  # the full layout, not a bare error
        assert 'href="/videos"' in html


def test_library_settings_reach_the_player(client, scanned) -> None:
    resp = client.put(
        "/api/settings/library",
        json={"defaultPlaybackMode": "hls", "subtitlesAutoEnable": True, "subtitlesPreferredLanguages": "ger, eng"},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    settings = _payload(_page(client, scanned["Movie Title (2020).mp4"]["id"]))["settings"]
    assert settings["defaultPlaybackMode"] == "hls"
    assert settings["subtitlesAutoEnable"] is True
    assert settings["subtitlesPreferredLanguages"] == ["de", "en"]


def test_formatting_helpers() -> None:
    assert format_duration(0) == "0:00" and format_duration(83.9) == "1:23" and format_duration(3723) == "1:02:03"
    assert format_duration(None) == ""
    assert format_bytes(999) == "999 B" and format_bytes(2_541_406) == "2.5 MB" and format_bytes(12_000_000) == "12 MB"
    assert format_bit_rate(678_000) == "678 kb/s" and format_bit_rate(3_360_000) == "3.4 Mb/s"
    assert resolution_label(1920, 1080) == "1080p" and resolution_label(1080, 1920) == "1080p"
    assert resolution_label(3840, 2160) == "4K" and resolution_label(None, 720) == ""
    assert episode_code(1, 2) == "S01E02" and episode_code(None, 3) == "E03" and episode_code(1, 2, 3) == "S01E02–E03"
    assert (
        canonical_language("eng") == "en"
        and canonical_language("GER") == "de"
        and canonical_language("pt-BR") == "pt-br"
    )
    assert canonical_language("xx") == "xx" and canonical_language(None) == "und"
    assert language_name("fre") == "French" and language_name("pt-br") == "Portuguese (BR)"
    assert language_name("und") == "Unknown language"
