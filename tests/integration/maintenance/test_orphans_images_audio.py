"""Images and audio announce their cache folders too: the sweep covers every media plugin."""

from __future__ import annotations

import pytest
from PIL import Image

from plugin_sdk.storage import cache_path

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images", "audio", "maintenance"), "load_entrypoints": False}


def test_orphans_of_images_and_audio(client, runtime, run_jobs, tmp_path) -> None:
    photos = tmp_path / "Photos"
    photos.mkdir()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(photos / "red.png")
    Image.new("RGB", (64, 48), (40, 200, 40)).save(photos / "green.png")
    root = client.post("/api/libraries", json={"path": str(photos)}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    images = client.get("/api/images?perPage=10").get_json()["data"]["items"]
    assert len(images) == 2
    kept = {i["id"] for i in images}
    assert all(cache_path("images", i).is_dir() for i in kept)  # thumbnails made: not orphans

    strays = {
        "images": "aa" + "1" * 30,
        "audio": "bb" + "2" * 30,
        "audio-libraries": "cc" + "3" * 30,
    }
    for folder, stray in strays.items():
        path = cache_path(folder, stray)
        path.mkdir(parents=True)
        (path / "left.bin").write_bytes(b"x" * 321)
    gone = next(i for i in images if i["title"] == "green")
    (photos / "green.png").unlink()

    assert client.post("/api/maintenance/orphans/scan", json={}).status_code == 202
    run_jobs("library-maintenance")
    result = client.get("/api/maintenance/status").get_json()["data"]["orphans"]["result"]
    assert sorted(f["folder"] for f in result["folders"]) == sorted(
        f"{folder}/{stray[:2]}/{stray}" for folder, stray in strays.items()
    )
    assert {f["entityType"] for f in result["folders"]} == {"image", "audio-track", "audio-library"}
    assert all(f["bytes"] == 321 for f in result["folders"])
    assert [(v["entityType"], v["entityId"]) for v in result["vanished"]] == [("image", gone["id"])]
