"""Zip safety, natural order, thumbnails (EXIF, animation, bombs) and duplicate grouping."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugin_sdk.library import natural_key
from plugins_builtin.images import archives
from plugins_builtin.images.duplicates import duplicate_groups
from plugins_builtin.images.naming import title_from_name
from plugins_builtin.images.thumbnails import ThumbnailError, render_grid, render_preview
from tests.integration.images.media import animated_gif, cbz, jpeg_bytes, malicious_zip, picture, write_jpeg


def test_natural_order_and_titles() -> None:
    names = ["10.jpg", "2.jpg", "1.jpg", "Page 11.png", "page 9.png"]
    assert sorted(names, key=natural_key) == ["1.jpg", "2.jpg", "10.jpg", "page 9.png", "Page 11.png"]
    assert title_from_name("/a/b/my_holiday-photo.JPG") == "my holiday photo"
    assert title_from_name("/a/Summer 2024") == "Summer 2024"


def test_archive_listing_refuses_unsafe_members(tmp_path: Path) -> None:
    listing = archives.list_images(malicious_zip(tmp_path / "evil.zip"))
    assert [m.name for m in listing.members] == ["honest.jpg"]
    reasons = dict(listing.skipped)
    assert "climbs out" in reasons["../../escape.jpg"]
    assert "absolute" in reasons["/etc/absolute.jpg"]
    assert "link" in reasons["link.jpg"]
    assert "ratio" in reasons["bomb.png"]
    with pytest.raises(ValueError, match="ratio"):
        archives.read_member(tmp_path / "evil.zip", "bomb.png")
    assert not (tmp_path.parent / "escape.jpg").exists()


def test_archive_members_in_natural_order_and_garbage_reported(tmp_path: Path) -> None:
    listing = archives.list_images(cbz(tmp_path / "c.cbz", ["10.jpg", "2.jpg", "1.jpg", "notes.txt"]))
    assert [m.name for m in listing.members] == ["1.jpg", "2.jpg", "10.jpg"]
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04garbage" * 5)
    bad = archives.list_images(tmp_path / "bad.zip")
    assert bad.error and "unreadable archive" in bad.error and bad.members == []


def test_thumbnail_applies_exif_orientation(tmp_path: Path) -> None:
    src = write_jpeg(tmp_path / "r.jpg", picture(400, 200), orientation=6)
    info = render_grid(src, tmp_path / "g.webp")
    assert (info.width, info.height, info.format, info.animated) == (200, 400, "jpeg", False)
    with Image.open(tmp_path / "g.webp") as grid:
        assert grid.width < grid.height, "stored the right way up (portrait)"
        assert max(grid.size) <= 480
    assert isinstance(info.phash, int)
    render_preview(src, tmp_path / "p.webp")
    with Image.open(tmp_path / "p.webp") as preview:
        assert preview.size == (200, 400), "the preview keeps the original size when it is smaller"


def test_24_megapixel_jpeg_grid_and_preview_sizes(tmp_path: Path) -> None:
    src = write_jpeg(tmp_path / "big.jpg", picture(6000, 4000))
    info = render_grid(src, tmp_path / "g.webp")
    assert (info.width, info.height) == (6000, 4000)
    with Image.open(tmp_path / "g.webp") as grid:
        assert grid.size == (480, 320)
    render_preview(src, tmp_path / "p.webp")
    with Image.open(tmp_path / "p.webp") as preview:
        assert preview.size == (1600, 1067)


def test_animated_gif_gets_a_still_and_is_reported(tmp_path: Path) -> None:
    info = render_grid(animated_gif(tmp_path / "a.gif"), tmp_path / "g.webp")
    assert info.animated and info.format == "gif"
    with Image.open(tmp_path / "g.webp") as grid:
        assert not getattr(grid, "is_animated", False)


def test_zip_member_bytes_and_damaged_or_unsupported_images(tmp_path: Path) -> None:
    info = render_grid(jpeg_bytes(picture(300, 300)), tmp_path / "g.webp")
    assert info.width == 300
    with pytest.raises(ThumbnailError, match="unsupported format"):
        render_grid(b"this is not an image at all", tmp_path / "x.webp")
    with pytest.raises(ThumbnailError):
        render_grid(b"\xff\xd8\xff\xe0 broken", tmp_path / "x.webp")
    assert not (tmp_path / "x.webp").exists()


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # a 200x200 image now counts as a bomb
    png = io.BytesIO()
    Image.new("RGB", (300, 300)).save(png, "PNG")
    with pytest.raises(ThumbnailError, match="decompression bomb"):
        render_grid(png.getvalue(), tmp_path / "g.webp")


def test_resized_and_recompressed_copies_are_duplicates(tmp_path: Path) -> None:
    original = picture(800, 600, seed=7)
    copy = original.resize((400, 300)).convert("RGB")
    hashes = []
    other = Image.fromarray(((np.indices((600, 800)).sum(axis=0) // 50) % 2 * 255).astype(np.uint8)).convert("RGB")
    for i, img in enumerate((original, copy, other)):
        data = jpeg_bytes(img, quality=95 if i == 0 else 60)
        hashes.append(render_grid(data, tmp_path / f"g{i}.webp").phash)
    assert duplicate_groups(["a", "b", "c"], hashes, 4) == [["a", "b"]]


def test_duplicate_groups_use_chunks_not_all_pairs() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(-(2**63), 2**63 - 1, 5000, dtype=np.int64)
    values[10] = values[3] ^ 0b1011  # 3 bits apart
    values[20] = values[3] ^ (1 << 60)  # 1 bit apart
    ids = [f"i{i}" for i in range(len(values))]
    assert duplicate_groups(ids, values, 3) == [["i10", "i20", "i3"]]
    assert duplicate_groups(ids, values, 1) == [["i20", "i3"]]
    assert duplicate_groups(ids, values, 0) == []
    with pytest.raises(ValueError):
        duplicate_groups(ids, values, 17)


def test_zip_listing_never_extracts(tmp_path: Path) -> None:
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.jpg", jpeg_bytes(picture(20, 20)))
    before = set(tmp_path.iterdir())
    archives.list_images(path)
    archives.read_member(path, "a.jpg")
    assert set(tmp_path.iterdir()) == before
