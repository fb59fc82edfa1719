"""A Stash library as a user brings it: Stash's database (built with ``tests.fixtures.stash_db``)
whose paths are Stash's Docker paths (``/data/…``), and the files on this machine under a
library folder the import maps ``/data`` to."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fixtures.stash_db import StashDB

STASH_ROOT = "/data"
BUILTINS = ("videos", "taxonomy", "images", "collections", "metadata", "stash_import")
ENDPOINT = "https://stashdb.org/graphql"


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (60, 90)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=85)
    return buf.getvalue()


@dataclass
class StashLibrary:
    """The built database, the library folder here, and Stash's ids of what it holds."""

    db_path: Path
    here: Path
    ids: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def path_map(self) -> dict[str, str]:
        return {STASH_ROOT: str(self.here)}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build_library(tmp: Path, version: int = 75, *, wal: bool = False) -> StashLibrary:
    """A small but complete Stash library (every table the import reads) with its files here."""
    here = tmp / "media"
    lib = StashLibrary(tmp / "stash" / "stash-go.sqlite", here)
    lib.db_path.parent.mkdir(parents=True)
    db = StashDB.create(lib.db_path, version=version, wal=wal)
    ids = lib.ids
    for folder in ("", "/videos", "/videos/Studio A", "/videos/Loose", "/videos/Old", "/photos", "/photos/Set One"):
        db.folder(f"{STASH_ROOT}{folder}")  # Stash keeps every folder from its library path down

    # the files on disk (content is irrelevant to the import: Stash's fingerprints are kept)
    for rel, data in {
        "videos/Studio A/First Scene.mp4": b"first scene " * 100,
        "videos/Studio A/Second Scene.mp4": b"second scene " * 100,
        "videos/Loose/Third.mkv": b"third " * 100,
        "photos/Set One/001.jpg": jpeg((200, 10, 10), (80, 60)),
        "photos/Set One/002.jpg": jpeg((10, 200, 10), (80, 60)),
    }.items():
        lib.files[rel] = _write(here / rel, data)

    def size(rel: str) -> int:
        return lib.files[rel].stat().st_size

    # taxonomy
    ids["tag_parent"] = db.tag("Outdoors", description="Shot outside", favorite=True, image=jpeg((0, 128, 0)))
    ids["tag_child"] = db.tag("Beach", aliases=["Seaside", "Shore"], parents=[ids["tag_parent"]], ignore_auto_tag=True)
    ids["tag_marker"] = db.tag("Highlight")
    if version >= 74:
        db.conn.execute(
            "INSERT INTO tag_stash_ids (tag_id, endpoint, stash_id, updated_at) VALUES (?, ?, ?, ?)",
            (ids["tag_child"], ENDPOINT, "tag-beach-0001", "2024-01-01T00:00:00Z"),
        )
    ids["studio_parent"] = db.studio("Network", urls=["https://network.example"])
    ids["studio"] = db.studio(
        "Studio A",
        parent_id=ids["studio_parent"],
        aliases=["SA"],
        image=jpeg((0, 0, 200)),
        stash_ids=[(ENDPOINT, "studio-a-0001")],
    )
    ids["jane"] = db.performer(
        "Jane Doe",
        disambiguation="actress",
        aliases=["Janey", "J. Doe"],
        gender="FEMALE",
        birthdate="1990-04-01",
        country="NL",
        eye_color="Blue",
        hair_color="Brown",
        height=170,
        weight=58,
        measurements="34C-25-35",
        fake_tits="Natural",
        career_length="2012 - 2020",
        tattoos="Rose on left ankle",
        piercings="Ears",
        details="A performer.",
        favorite=True,
        rating=80,
        urls=["https://jane.example", "https://twitter.com/jane"],
        tags=[ids["tag_parent"]],
        stash_ids=[(ENDPOINT, "jane-0001")],
        custom_fields={"agency": "Acme", "shoe_size": "38"} if version >= 71 else None,
        image=jpeg((220, 180, 160)),
    )
    ids["john"] = db.performer("John Roe", gender="MALE", image=b"this is not an image")

    # scenes: two in one folder, one loose, one whose file is gone
    first = db.video_file(
        f"{STASH_ROOT}/videos/Studio A/First Scene.mp4",
        size=size("videos/Studio A/First Scene.mp4"),
        duration=120.5,
        md5="0123456789abcdef0123456789abcdef",
        oshash="a1b2c3d4e5f60718",
        phash=0xF0E1D2C3B4A59687,
    )
    second = db.video_file(
        f"{STASH_ROOT}/videos/Studio A/Second Scene.mp4",
        size=size("videos/Studio A/Second Scene.mp4"),
        duration=95.0,
        md5="fedcba9876543210fedcba9876543210",
        oshash="1122334455667788",
        phash=0x0102030405060708,
    )
    third = db.video_file(
        f"{STASH_ROOT}/videos/Loose/Third.mkv",
        size=size("videos/Loose/Third.mkv"),
        duration=30.0,
        format="matroska",
        oshash="99aa99aa99aa99aa",
    )
    gone = db.video_file(f"{STASH_ROOT}/videos/Old/Gone.mp4", size=123456, duration=60.0, oshash="deadbeefdeadbeef")
    ids["scene_first"] = db.scene(
        "First Scene",
        files=[first],
        code="SA-001",
        details="The first one.",
        director="Dee Rector",
        date="2021-06-15",
        rating=80,
        organized=True,
        studio_id=ids["studio"],
        urls=["https://studio-a.example/scenes/1"],
        o_dates=["2024-01-02 03:04:05+00:00", "2024-02-03 04:05:06+00:00"],
        view_dates=["2024-01-01T10:00:00Z", "2024-01-05T10:00:00Z", "2024-03-01T10:00:00Z"],
        resume_time=42.5,
        play_duration=300.0,
        tags=[ids["tag_child"]],
        performers=[ids["jane"], ids["john"]],
        stash_ids=[(ENDPOINT, "scene-first-0001")],
        cover=jpeg((255, 200, 0), (160, 90)),
    )
    ids["scene_second"] = db.scene(
        "Second Scene",
        files=[second],
        date="2021-06" if version >= 75 else "2021-06-01",
        date_precision=1 if version >= 75 else None,
        rating=40,
        studio_id=ids["studio"],
        performers=[ids["jane"]],
    )
    ids["scene_third"] = db.scene(None, files=[third])
    ids["scene_gone"] = db.scene("Gone Scene", files=[gone], rating=20)
    ids["marker"] = db.marker(
        ids["scene_first"], 12.5, ids["tag_marker"], title="Best bit", end_seconds=20.0 if version >= 70 else None,
        tags=[ids["tag_child"]],
    )  # fmt: skip

    # images and galleries: a folder gallery of two images, a virtual gallery of one
    img1 = db.image_file(
        f"{STASH_ROOT}/photos/Set One/001.jpg", size=size("photos/Set One/001.jpg"), width=80, height=60,
        md5="aaaa0000aaaa0000aaaa0000aaaa0000", phash=0x1111222233334444,
    )  # fmt: skip
    img2 = db.image_file(
        f"{STASH_ROOT}/photos/Set One/002.jpg", size=size("photos/Set One/002.jpg"), width=80, height=60,
        md5="bbbb0000bbbb0000bbbb0000bbbb0000",
    )  # fmt: skip
    ids["image1"] = db.image([img1], title="Red", rating=60, tags=[ids["tag_parent"]], performers=[ids["jane"]])
    ids["image2"] = db.image([img2])
    folder_id = db.folder(f"{STASH_ROOT}/photos/Set One")
    ids["gallery_folder"] = db.gallery(
        "Set One",
        folder_id=folder_id,
        images=[ids["image1"], ids["image2"]],
        cover_image_id=ids["image2"] if version >= 66 else None,
        chapters=[("Start", 1), ("Middle", 2)],
        rating=100,
        studio_id=ids["studio"],
        performers=[ids["jane"]],
    )
    ids["gallery_virtual"] = db.gallery("Favourites", images=[ids["image1"]], tags=[ids["tag_child"]])

    # a group (movie) of two scenes, second first; a saved filter
    ids["group"] = db.group(
        "The Feature",
        scenes=[(ids["scene_second"], 1), (ids["scene_first"], 2)],
        director="Dee Rector",
        description="Both scenes.",
        front_image=jpeg((10, 10, 10)),
    )
    ids["filter"] = db.saved_filter(
        "Good beach scenes",
        "SCENES",
        find_filter={"q": "", "sort": "date", "direction": "DESC"},
        object_filter={
            "tags": {"modifier": "INCLUDES_ALL", "value": {"items": [{"id": str(ids["tag_child"]), "label": "Beach"}]}},
            "rating100": {"modifier": "GREATER_THAN", "value": {"value": 60}},
        },
    )
    db.close()
    return lib


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": BUILTINS, "load_entrypoints": False}


@pytest.fixture
def stash(tmp_path: Path) -> StashLibrary:
    return build_library(tmp_path)
