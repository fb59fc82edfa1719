"""Storage layouts of generated files: sidecar names, what scanners skip, and moves that lose nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin_sdk.assets import (
    AssetConflict,
    existing_path,
    is_generated_sidecar,
    move_asset,
    sidecar_path,
    write_path,
)
from plugin_sdk.types import AssetFile
from plugins_builtin.images.scan import walk_images
from plugins_builtin.videos.scanning.filetypes import is_subtitle_file, is_video_file
from plugins_builtin.videos.scanning.subtitle_files import discover_subtitle_sidecars
from plugins_builtin.videos.walk import WalkResult, iter_walk


@pytest.fixture(autouse=True)
def plugins() -> Iterator[None]:
    """The videos and images plugins loaded (no database needed): sidecar rules come from them."""
    from obscura_core.runtime import build_runtime, set_runtime
    from obscura_core.settings import Settings

    set_runtime(build_runtime("cli", Settings(database_url=None, redis_url=None), builtins=("videos", "images"),
                              load_entrypoints=False))  # fmt: skip
    yield
    set_runtime(None)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sidecar_names_use_our_derivative_suffixes() -> None:
    assert sidecar_path("/m/Show/Show S01E01.mkv", "thumb", ".jpg") == Path("/m/Show/Show S01E01-thumb.jpg")
    assert sidecar_path("/m/a.b.c.mp4", "trickplay", ".vtt") == Path("/m/a.b.c-trickplay.vtt")


def test_generated_sidecars_are_recognised_only_beside_their_video() -> None:
    names = {"Movie.mp4", "Movie-thumb.jpg", "Movie-sprite.jpg", "Holiday-thumb.jpg", "Clip.MKV", "Clip-card.jpg"}
    assert is_generated_sidecar("Movie-thumb.jpg", names)
    assert is_generated_sidecar("Movie-sprite.jpg", names)
    assert is_generated_sidecar("Clip-card.jpg", names)
    assert not is_generated_sidecar("Holiday-thumb.jpg", names)  # no Holiday video: a user's photo
    assert not is_generated_sidecar("Movie.mp4", names)
    assert not is_generated_sidecar("Photo-thumb.jpg", {"Photo.jpg", "Photo-thumb.jpg"})


def test_scanners_skip_what_obscura_writes_next_to_media(tmp_path: Path) -> None:
    for name in ("Movie.mp4", "Movie-preview.mp4", "Movie-thumb.jpg", "Movie-sprite.jpg", "Movie-trickplay.vtt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "Movie.en.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    (tmp_path / "Holiday-thumb.jpg").write_bytes(b"x")
    (tmp_path / "Movie.Part2.mp4").write_bytes(b"x")
    (tmp_path / "Movie.Part2-trickplay.vtt").write_text("WEBVTT\n")

    videos = WalkResult()
    for _ in iter_walk(str(tmp_path), videos):
        pass
    assert sorted(Path(f.path).name for f in videos.files) == ["Movie.Part2.mp4", "Movie.mp4"]
    assert videos.sidecars[str(tmp_path)] == {"Movie.en.srt"}
    assert not is_video_file("Movie-preview.mp4") and not is_subtitle_file("Movie-trickplay.vtt")
    subs = discover_subtitle_sidecars(tmp_path / "Movie.mp4")
    assert [s.path.name for s in subs] == ["Movie.en.srt"]  # not Movie.Part2-trickplay.vtt

    images = walk_images(str(tmp_path))
    assert sorted(Path(f.file_path).name for f in images.images) == ["Holiday-thumb.jpg"]


def test_existing_and_write_paths_follow_the_layout(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "thumb.jpg"
    side = tmp_path / "lib" / "Movie-thumb.jpg"
    side.parent.mkdir()
    asset = AssetFile("thumb", cache, side)
    assert existing_path(asset, True) is None
    assert write_path(asset, True, sidecar_is_ours=False) == cache
    assert write_path(asset, False, sidecar_is_ours=False) == side
    side.write_bytes(b"the user's own thumbnail")
    assert write_path(asset, False, sidecar_is_ours=False) == cache  # never over a user's file
    assert write_path(asset, False, sidecar_is_ours=True) == side  # ours: a rebuild replaces it
    assert existing_path(asset, True) == side  # served from the other layout while it is there
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"generated")
    assert existing_path(asset, True) == cache
    assert existing_path(asset, False) == side
    assert write_path(AssetFile("thumb", cache, None), False, sidecar_is_ours=True) == cache


def test_move_renames_deduplicates_and_refuses_conflicts(tmp_path: Path) -> None:
    src, dst = tmp_path / "a" / "thumb.jpg", tmp_path / "b" / "Movie-thumb.jpg"
    src.parent.mkdir()
    src.write_bytes(os.urandom(5000))
    digest = sha(src)
    assert move_asset(src, dst) == "moved"
    assert not src.exists() and sha(dst) == digest
    assert move_asset(src, dst) == "already-there"  # a rerun skips it
    assert move_asset(tmp_path / "nope", tmp_path / "nope2") == "missing"

    src.write_bytes(dst.read_bytes())  # a crash after the copy, before the delete
    assert move_asset(src, dst) == "deduplicated"
    assert not src.exists() and sha(dst) == digest

    src.write_bytes(b"different")
    with pytest.raises(AssetConflict):
        move_asset(src, dst)
    assert src.read_bytes() == b"different" and sha(dst) == digest  # both kept


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a second filesystem (tmpfs at /dev/shm)")
def test_move_across_filesystems_copies_verifies_then_deletes(tmp_path: Path) -> None:
    other = Path("/dev/shm") / f"obscura-move-test-{os.getpid()}"
    other.mkdir(exist_ok=True)
    try:
        assert os.stat(other).st_dev != os.stat(tmp_path).st_dev
        src = tmp_path / "preview.mp4"
        src.write_bytes(os.urandom(3 << 20))
        digest = sha(src)
        dst = other / "Movie-preview.mp4"
        stale = other / ".Movie-preview.mp4.obscura-move"
        stale.write_bytes(b"half a copy from a crashed attempt")
        assert move_asset(src, dst) == "moved"
        assert not src.exists() and sha(dst) == digest and not stale.exists()
        assert move_asset(dst, src) == "moved"  # and back
        assert sha(src) == digest and not dst.exists()
    finally:
        for p in other.iterdir():
            p.unlink()
        other.rmdir()
