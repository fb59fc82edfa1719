"""Typed results of a script plugin end to end: ``execute`` with ``saveResult`` (and the metadata
source's scrape route) store a series, a movie or an episode result; accepting it through
``metadata-import`` applies the field mask, the cast and genres, the chosen artwork and, for a
series, the season/episode cascade, which touches only what exists here."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

PLUGINS = Path(__file__).resolve().parents[2] / "fixtures" / "plugin_packages" / "plugins"
SIZES = {"series-poster.jpg": (100, 150), "series-poster-2.jpg": (120, 180), "series-backdrop.jpg": (160, 90),
         "season-1.jpg": (70, 100), "cast-ada.jpg": (40, 60), "movie-poster.jpg": (90, 135)}  # fmt: skip


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy", "metadata", "packages"), "load_entrypoints": False,
            "secret": "packages-typed-secret"}  # fmt: skip


@pytest.fixture
def images() -> Iterator[str]:
    """A loopback server answering a JPEG for any ``/<name>.jpg`` (its size from :data:`SIZES`)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            out = io.BytesIO()
            Image.new("RGB", SIZES.get(name, (32, 32)), "teal").save(out, "JPEG")
            body = out.getvalue()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ok(res: Any, status: int = 200) -> Any:
    assert res.status_code == status, res.get_json()
    return res.get_json()["data"]


@pytest.fixture
def plugin(client: Any) -> str:
    """The ``py-series`` test plugin, registered in place."""
    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / "py-series")}), 201)
    return "py-series"


@pytest.fixture
def show(runtime: Any) -> dict[str, Any]:
    """A series with season 1 (episodes 1 and 2) and season 2 (episode 1) on disk."""
    from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
    from tests.integration.taxonomy import rows

    root = rows.root(runtime, "/media/shows")
    with runtime.session() as db:
        series = VideoSeries(library_root_id=root, folder_path="/media/shows/My Show", relative_path="My Show",
                             title="My Show")  # fmt: skip
        db.add(series)
        db.flush()
        seasons = {n: VideoSeason(series_id=series.id, season_number=n, title=f"Season {n}") for n in (1, 2)}
        db.add_all(seasons.values())
        db.flush()
        episodes = {}
        for season, number in ((1, 1), (1, 2), (2, 1)):
            video = Video(kind="episode", library_root_id=root, series_id=series.id, season_id=seasons[season].id,
                          season_number=season, episode_number=number, title=f"Local {season}x{number}",
                          sort_title=f"local {season}x{number}",
                          file_path=f"/media/shows/My Show/Season {season}/S0{season}E0{number}.mkv")  # fmt: skip
            db.add(video)
            db.flush()
            episodes[(season, number)] = video.id
        db.commit()
        return {"id": series.id, "root": root, "episodes": episodes}


def _picture(client: Any, url: str) -> tuple[int, int]:
    res = client.get(url)
    assert res.status_code == 200, url
    with Image.open(io.BytesIO(res.data)) as img:
        return img.size


def test_a_series_cascade_updates_only_the_local_episodes_of_accepted_seasons(
    client: Any, runtime: Any, run_jobs: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    body = {"action": "folderCascade", "entityType": "video_series", "entityId": show["id"],
            "input": {"imageBase": images}, "saveResult": True}  # fmt: skip
    answer = ok(client.post(f"/api/plugins/{plugin}/execute", json=body))
    sent = answer["result"]["series"]
    assert [s["seasonNumber"] for s in sent["seasons"]] == [1, 2, 3], "the plugin saw our two seasons"
    [saved] = answer["savedResults"]
    assert (saved["kind"], saved["status"], saved["entityType"]) == ("series", "pending", "series")
    assert [len(s["episodes"]) for s in saved["proposed"]["seasons"]] == [3, 2, 2]

    accept = {"resultId": saved["id"], "fields": ["title", "overview", "genres", "cast", "externalIds"],
              "seasonOverrides": {"2": {"accepted": False}},
              "selectedImages": {"poster": f"{images}/series-poster-2.jpg"}}  # fmt: skip
    ok(client.post(f"/api/video/series/{show['id']}/accept-scrape", json=accept), 202)
    run_jobs("metadata-import")

    series = ok(client.get(f"/api/series/{show['id']}"))
    assert series["overview"] == "Remote overview of My Show."
    assert series["tagline"] is None, "tagline was not in the field mask"
    assert series["externalIds"] == {"tmdb": "123"}
    assert sorted(t["name"] for t in series["tags"]) == ["Drama", "Mystery"]
    assert sorted(p["name"] for p in series["performers"]) == ["Ada Remote", "Ben Remote"]
    assert _picture(client, series["artwork"]["poster"]) == (120, 180), "the chosen poster, not the first"
    assert _picture(client, series["artwork"]["backdrop"]) == (160, 90)
    titles = {(s["seasonNumber"], e["episodeNumber"]): e["title"] for s in series["seasons"] for e in s["episodes"]}
    assert titles == {(1, 1): "Remote S01E01 title", (1, 2): "Remote S01E02 title", (2, 1): "Local 2x1"}
    season1 = next(s for s in series["seasons"] if s["seasonNumber"] == 1)
    assert season1["overview"] == "Remote overview of season 1."
    assert _picture(client, season1["posterUrl"]) == (70, 100)
    assert next(s for s in series["seasons"] if s["seasonNumber"] == 2)["posterUrl"] is None

    from plugins_builtin.videos.models import Video, VideoSeason

    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(Video)) == 3, "no remote-only episode created"
        assert db.scalar(select(func.count()).select_from(VideoSeason)) == 2, "no remote-only season created"
    episode = ok(client.get(f"/api/videos/{show['episodes'][(1, 2)]}"))
    assert episode["details"] == "Remote overview of S01E02."
    assert episode["externalIds"] == {"tmdb": "123-1-2"}
    assert [p["name"] for p in episode["performers"]] == ["Guest S01E02"]
    result = ok(client.get(f"/api/scrape-results/{saved['id']}"))
    assert result["status"] == "accepted"
    assert any("not in this library" in w for w in result["applied"]["warnings"])

    from plugin_sdk.storage import cache_path

    artwork = cache_path("series", show["id"])
    assert sorted(p.name for p in artwork.iterdir()) == ["backdrop.jpg", "poster.jpg", "season-1.jpg"]
    ok(client.delete(f"/api/libraries/{show['root']}", json={}))
    assert not artwork.exists(), "a removed series takes its artwork with it"


def test_a_movie_result_fills_fields_cast_roles_and_artwork(
    client: Any, runtime: Any, run_jobs: Any, plugin: str, images: str
) -> None:
    from tests.integration.taxonomy import rows

    [movie] = rows.videos(runtime, rows.root(runtime, "/media/movies"), ["The Matrix (1999)"])
    body = {"action": "movieByName", "entityType": "video_movie", "entityId": movie, "saveResult": True,
            "input": {"imageBase": images}}  # fmt: skip
    [saved] = ok(client.post(f"/api/plugins/{plugin}/execute", json=body))["savedResults"]
    assert saved["kind"] == "movie"
    accept = {"resultId": saved["id"], "selectedImages": {"backdrop": None}}  # null: no backdrop
    ok(client.post(f"/api/video/movies/{movie}/accept-scrape", json=accept), 202)
    run_jobs("metadata-import")
    video = ok(client.get(f"/api/videos/{movie}"))
    proposed = saved["proposed"]
    assert video["title"] == proposed["title"]
    assert video["details"] == proposed["overview"]
    assert video["tagline"] == proposed["tagline"]
    assert video["date"] == proposed["releaseDate"]
    assert video["rating"] == round(proposed["rating"] * 10)
    assert video["externalIds"] == proposed["externalIds"]
    assert video["contentRating"] == proposed["contentRating"]
    assert [(c["name"], c["character"]) for c in video["cast"]] == [
        (c["name"], c.get("character")) for c in proposed["cast"]
    ]
    assert sorted(p["name"] for p in video["performers"]) == sorted(c["name"] for c in proposed["cast"])
    assert sorted(t["name"] for t in video["tags"]) == sorted(proposed["genres"])
    assert sorted(video["artwork"]) == ["poster"], "the first poster, and no backdrop"
    assert _picture(client, video["artwork"]["poster"]) == (90, 135)
    assert video["organized"] is True


def test_the_metadata_scrape_route_runs_the_plugin_as_a_typed_source(
    client: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    sources = ok(client.get("/api/metadata-sources"))
    plugins = next(s for s in sources if s["kind"] == "plugins")
    assert [e["id"] for e in plugins["entries"]] == [plugin]
    answer = ok(
        client.post(f"/api/plugins/{plugin}/scrape", json={"seriesId": show["id"], "input": {"imageBase": images}})
    )
    [result] = answer["results"]
    assert result["kind"] == "series" and result["action"] == "seriesByName"
    assert result["proposed"]["seasons"][0]["episodes"][0]["title"] == "Remote S01E01 title"


def test_bad_accept_options_and_masks_are_refused_before_any_job(
    client: Any, plugin: str, show: dict[str, Any], images: str
) -> None:
    body = {"action": "folderCascade", "entityType": "video_series", "entityId": show["id"],
            "input": {"imageBase": images}, "saveResult": True}  # fmt: skip
    [saved] = ok(client.post(f"/api/plugins/{plugin}/execute", json=body))["savedResults"]
    url = f"/api/video/series/{show['id']}/accept-scrape"
    bad_image = client.post(
        url, json={"resultId": saved["id"], "selectedImages": {"poster": "http://evil.example/x.jpg"}}
    )
    assert bad_image.status_code == 400 and "poster" in bad_image.get_json()["error"]["message"]
    bad_mask = client.post(url, json={"resultId": saved["id"], "fields": ["title", "performers"]})
    assert bad_mask.status_code == 400 and "performers" in bad_mask.get_json()["error"]["message"]
    assert ok(client.get(f"/api/scrape-results/{saved['id']}"))["status"] == "pending"
    no_entity = client.post(f"/api/plugins/{plugin}/execute", json={"action": "folderCascade", "saveResult": True})
    assert no_entity.status_code == 400
    undeclared = client.post(f"/api/plugins/{plugin}/execute", json={"action": "audioByURL"})
    assert undeclared.status_code == 400 and "audioByURL" in undeclared.get_json()["error"]["message"]
