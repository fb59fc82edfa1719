"""Audio results of a script plugin (the original's ``audioByFragment`` and
``audioLibraryByName``, as MusicBrainz answers them) applied to a track and an audio library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.packages.test_typed_accept import images, ok  # noqa: F401  (the image server fixture)

PLUGIN = Path(__file__).resolve().parents[2] / "fixtures" / "plugin_packages" / "plugins" / "py-audio"


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("audio", "taxonomy", "metadata", "packages"), "load_entrypoints": False,
            "secret": "packages-audio-secret"}  # fmt: skip


@pytest.fixture
def album(runtime: Any) -> dict[str, str]:
    from plugins_builtin.audio.models import AudioLibrary, AudioTrack

    with runtime.session() as db:
        library = AudioLibrary(folder_path="/m/Nova/Dawn", title="Dawn", sort_title="dawn")
        db.add(library)
        db.flush()
        track = AudioTrack(library_id=library.id, file_path="/m/Nova/Dawn/01.mp3", title="Sunrise",
                           sort_title="sunrise", duration=61, oshash="0123456789abcdef")  # fmt: skip
        db.add(track)
        db.commit()
        return {"library": library.id, "track": track.id}


def test_a_track_and_its_album_take_the_plugins_results(
    client: Any,
    run_jobs: Any,
    album: dict[str, str],
    images: str,  # noqa: F811
) -> None:
    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGIN)}), 201)
    body = {"action": "audioByFragment", "entityType": "audio-track", "entityId": album["track"],
            "input": {"imageBase": images}, "saveResult": True}  # fmt: skip
    answer = ok(client.post("/api/plugins/py-audio/execute", json=body))
    [saved] = answer["savedResults"]
    assert saved["kind"] == "audio"
    assert saved["proposed"]["title"] == "Sunrise (remastered)", "the plugin got the track's own title"
    assert saved["proposed"]["tags"] == ["Rock", "Live"]
    ok(client.post(f"/api/audio-tracks/{album['track']}/accept-scrape", json={"resultId": saved["id"]}), 202)
    run_jobs("metadata-import")
    track = ok(client.get(f"/api/audio-tracks/{album['track']}"))
    assert (track["title"], track["artist"], track["album"], track["trackNumber"], track["year"]) == (
        "Sunrise (remastered)",
        "Remote Artist",
        "Remote Album",
        7,
        1999,
    )
    assert sorted(t["name"] for t in track["tags"]) == ["Live", "Rock"]
    library = ok(client.get(f"/api/audio-libraries/{album['library']}"))
    assert client.get(f"/api/audio-libraries/{album['library']}/cover").status_code == 200, library

    scraped = ok(client.post("/api/plugins/py-audio/scrape",
                             json={"audioLibraryId": album["library"], "input": {"imageBase": images}}))  # fmt: skip
    [result] = scraped["results"]
    assert (result["kind"], result["action"], result["proposed"]["title"]) == (
        "audio-library",
        "audioLibraryByName",
        "Dawn (Deluxe)",
    )
    ok(client.post(f"/api/audio-libraries/{album['library']}/accept-scrape",
                   json={"resultId": result["id"], "fields": ["title", "details"]}), 202)  # fmt: skip
    run_jobs("metadata-import")
    library = ok(client.get(f"/api/audio-libraries/{album['library']}"))
    assert (library["title"], library["details"]) == ("Dawn (Deluxe)", "An album.")


def test_track_and_album_pages_offer_identify_with_the_plugin(client: Any, album: dict[str, str]) -> None:
    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGIN)}), 201)
    for entity, entity_id, action in (("audio-track", album["track"], "audioByFragment"),
                                      ("audio-library", album["library"], "audioLibraryByName")):  # fmt: skip
        res = client.get(f"/metadata/fragments/scrape?entity={entity}&id={entity_id}")
        assert res.status_code == 200
        html = res.get_data(as_text=True)
        assert "Identify with…" in html and "Py Audio" in html and f'value="{action}"' in html, entity
