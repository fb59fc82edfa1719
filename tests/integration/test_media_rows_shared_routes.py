"""The routes the media plugins share through the SDK, checked the same way for each plugin on rows
written straight into the database: markers (``plugin_sdk.markers.add_marker_routes``, videos and
audio tracks) and deleting a row with its file (``plugin_sdk.deletion.delete_media``, videos,
images and audio tracks): URLs, status codes, messages and JSON shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def _err(resp: Any, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is False
    return body["error"]["message"]


def _data(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is True
    return body["data"]


def _set(runtime: Any, model: Any, row_id: str, **values: Any) -> None:
    with runtime.session() as db:
        db.execute(update(model).where(model.id == row_id).values(**values))
        db.commit()


def _video(runtime: Any, root: str, title: str) -> str:
    return rows.videos(runtime, root, [title])[0]


def _track(runtime: Any, root: str, title: str) -> str:
    return rows.tracks(runtime, root, [title])[0]


def _image(runtime: Any, root: str, title: str) -> str:
    return rows.images(runtime, root, [title])[0]


def _model(kind: str) -> Any:
    if kind == "video":
        from plugins_builtin.videos.models import Video

        return Video
    if kind == "track":
        from plugins_builtin.audio.models import AudioTrack

        return AudioTrack
    from plugins_builtin.images.models import Image

    return Image


# ------------------------------------------------------------------------------------------ markers

MARKER_KINDS = [  # (noun, URL of a row, maker, keys of a marker)
    ("video", "/api/videos/{}", _video,
     {"id", "title", "seconds", "endSeconds", "createdAt", "primaryTagId", "tagIds"}),
    ("track", "/api/audio-tracks/{}", _track, {"id", "title", "seconds", "endSeconds"}),
]


@pytest.mark.parametrize(("noun", "url", "make", "keys"), MARKER_KINDS, ids=[k[0] for k in MARKER_KINDS])
def test_marker_routes(runtime, client, noun: str, url: str, make: Callable[..., str], keys: set[str]) -> None:
    root = rows.root(runtime)
    parent, other = make(runtime, root, "Parent"), make(runtime, root, "Other")
    _set(runtime, _model(noun), parent, duration=60.0)
    base = url.format(parent) + "/markers"

    assert _data(client.get(base)) == []
    intro = _data(client.post(base, json={"title": " Intro ", "seconds": 2.5}), 201)
    assert set(intro) == keys and intro["title"] == "Intro" and intro["endSeconds"] is None
    start = _data(client.post(base, json={"title": "Start", "seconds": 0.5, "endSeconds": 1.5}), 201)
    late = _data(client.post(base, json={"title": "Late", "seconds": 61}), 201)  # a second of slack
    assert [m["title"] for m in _data(client.get(base))] == ["Start", "Intro", "Late"]
    assert [m["id"] for m in _data(client.get(url.format(parent)))["markers"]] == [start["id"], intro["id"], late["id"]]

    cases = [  # (method, URL, body, status, message)
        ("post", base, {"title": "x", "seconds": 61.5}, 400, f"seconds (61.5) is past the end of the {noun} (60 s)."),
        ("post", base, {"title": "x", "seconds": 2, "endSeconds": 1}, 400, "endSeconds must not be before seconds."),
        ("post", base, {"title": "", "seconds": 1}, 400, None),
        ("post", base, {"title": "x", "seconds": -1}, 400, None),
        ("patch", f"{base}/{intro['id']}", {"title": None}, 400, "body.title: cannot be null"),
        ("patch", f"{base}/{intro['id']}", {"seconds": None}, 400, "body.seconds: cannot be null"),
        ("patch", f"{base}/{intro['id']}", {"endSeconds": 1}, 400, "endSeconds must not be before seconds."),
        ("patch", f"{base}/{intro['id']}", {"seconds": 99}, 400, f"seconds (99) is past the end of the {noun} (60 s)."),
        ("patch", f"{base}/{intro['id']}", {"bogus": 1}, 400, None),
        ("delete", f"{url.format(other)}/markers/{intro['id']}", {}, 404, f"No marker '{intro['id']}' on this {noun}."),
        ("delete", f"{base}/{'x' * 65}", {}, 404, f"No marker '{'x' * 65}' on this {noun}."),
        ("patch", f"{base}/nope", {"title": "y"}, 404, f"No marker 'nope' on this {noun}."),
        ("get", url.format("nope") + "/markers", None, 404, f"No {noun} with id 'nope'."),
        ("post", url.format("nope") + "/markers", {"title": "x", "seconds": 1}, 404, f"No {noun} with id 'nope'."),
    ]
    for method, target, body, status, message in cases:
        got = _err(getattr(client, method)(target, json=body), status)
        assert message is None or got == message, (method, target, body, got)

    moved = _data(client.patch(f"{base}/{intro['id']}", json={"title": " Opening ", "seconds": 3, "endSeconds": 4}))
    assert (moved["id"], moved["title"], moved["seconds"], moved["endSeconds"]) == (intro["id"], "Opening", 3, 4)
    assert _data(client.patch(f"{base}/{intro['id']}", json={"endSeconds": None}))["endSeconds"] is None
    assert _data(client.delete(f"{base}/{start['id']}", json={})) == {"id": start["id"], "deleted": True}
    _err(client.delete(f"{base}/{start['id']}", json={}), 404)
    assert [m["title"] for m in _data(client.get(base))] == ["Opening", "Late"]
    assert _data(client.get(url.format(other) + "/markers")) == []


# ------------------------------------------------------------------------------------------ delete

DELETE_KINDS = [  # (noun, URL of a row, maker, cache folder of a row)
    ("video", "/api/videos/{}", _video, "videos"),
    ("track", "/api/audio-tracks/{}", _track, "audio"),
    ("image", "/api/images/{}", _image, "images"),
]


@pytest.mark.parametrize(("noun", "url", "make", "cache"), DELETE_KINDS, ids=[k[0] for k in DELETE_KINDS])
def test_delete_a_row_and_its_file(
    runtime, client, tmp_path: Path, noun: str, url: str, make: Callable[..., str], cache: str
) -> None:
    from plugin_sdk.storage import cache_path

    library = tmp_path / "library"
    library.mkdir()
    root = rows.root(runtime, str(library))
    model = _model(noun)
    rootless = noun != "video"  # a video's library_root_id is NOT NULL (its rows go with the root)
    made: dict[str, tuple[str, Path]] = {}
    for name in ("kept", "deleted", "missing", "plain", *(("rootless",) if rootless else ())):
        row_id = make(runtime, root, name)
        file = library / f"{name}.bin"
        file.write_bytes(b"media")
        _set(runtime, model, row_id, file_path=str(file))
        cache_path(cache, row_id, "thumb.bin").parent.mkdir(parents=True, exist_ok=True)
        cache_path(cache, row_id, "thumb.bin").write_bytes(b"cached")
        made[name] = (row_id, file)
    made["missing"][1].unlink()
    if rootless:
        _set(runtime, model, made["rootless"][0], library_root_id=None)

    cases = [  # (row, ?deleteFile=true, fileDeleted, the file is there afterwards)
        ("deleted", True, True, False),
        ("plain", False, False, True),
        ("missing", True, False, False),
        *((("rootless", True, False, True),) if rootless else ()),
    ]
    for name, delete_file, file_deleted, file_left in cases:
        row_id, file = made[name]
        target = url.format(row_id) + ("?deleteFile=true" if delete_file else "")
        assert _data(client.delete(target, json={})) == {"id": row_id, "deleted": True, "fileDeleted": file_deleted}
        assert file.exists() is file_left, name
        assert not cache_path(cache, row_id).exists(), f"{name}: its cache files are deleted too"
        assert _err(client.get(url.format(row_id)), 404) == f"No {noun} with id '{row_id}'."
        _err(client.delete(url.format(row_id), json={}), 404)

    kept_id, kept_file = made["kept"]
    assert _data(client.get(url.format(kept_id)))["id"] == kept_id and kept_file.exists()
    assert cache_path(cache, kept_id, "thumb.bin").exists()


def test_a_deleted_image_or_track_is_no_longer_counted_in_its_gallery_or_library(runtime, client) -> None:
    from plugins_builtin.audio.models import AudioLibrary
    from plugins_builtin.audio.scan import recount as recount_libraries
    from plugins_builtin.images.models import Gallery
    from plugins_builtin.images.scan import recount as recount_galleries

    root = rows.root(runtime)
    gallery = rows.gallery(runtime, "Folder")
    _set(runtime, Gallery, gallery, kind="folder")  # a folder gallery owns its images
    images = rows.images(runtime, root, ["One", "Two"], gallery_id=gallery)
    library = rows.audio_library(runtime, root, "Album")
    tracks = rows.tracks(runtime, root, ["One", "Two"], library_id=library)
    with runtime.session() as db:
        recount_galleries(db, gallery_ids=[gallery])
        recount_libraries(db, library_ids=[library])
        db.commit()
    assert _data(client.get(f"/api/galleries/{gallery}"))["imageCount"] == 2
    assert _data(client.get(f"/api/audio-libraries/{library}"))["trackCount"] == 2

    _data(client.delete(f"/api/images/{images[0]}", json={}))
    _data(client.delete(f"/api/audio-tracks/{tracks[0]}", json={}))
    assert _data(client.get(f"/api/galleries/{gallery}"))["imageCount"] == 1
    assert _data(client.get(f"/api/audio-libraries/{library}"))["trackCount"] == 1
    with runtime.session() as db:
        assert db.get(Gallery, gallery).image_count == 1
        assert db.get(AudioLibrary, library).track_count == 1


def test_an_archive_member_cannot_have_its_file_deleted(runtime, client, tmp_path: Path) -> None:
    from plugins_builtin.images.models import Image

    root = rows.root(runtime, str(tmp_path))
    archive = tmp_path / "photos.zip"
    archive.write_bytes(b"PK")
    image = _image(runtime, root, "Member")
    _set(runtime, Image, image, file_path=str(archive), member="photos/one.jpg")
    message = _err(client.delete(f"/api/images/{image}?deleteFile=true", json={}), 409)
    assert message == "This image lives inside an archive; delete the archive instead."
    assert archive.exists() and _data(client.get(f"/api/images/{image}"))["id"] == image
    assert _data(client.delete(f"/api/images/{image}", json={}))["fileDeleted"] is False
    assert archive.exists()
