"""Generated image libraries for the images plugin's tests (Pillow only, no binary fixtures)."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw


def picture(width: int = 400, height: int = 300, seed: int = 0) -> Image.Image:
    """A picture with structure (so perceptual hashes differ between seeds)."""
    img = Image.new("RGB", (width, height), (20 + seed * 37 % 200, 40, 90))
    draw = ImageDraw.Draw(img)
    for k in range(0, width, max(width // 12, 4)):
        draw.line(
            [(k, 0), (width - k * (seed % 3 + 1) % width, height)], fill=(250, 180 - seed * 20 % 150, 60), width=4
        )
    draw.rectangle(
        [width // 4, height // 4, width // 2 + seed * 7 % max(width // 4, 1), height // 2], fill=(255, 255, 255)
    )
    draw.ellipse(
        [width // 2, height // 3, max(width - 10, width // 2), max(height - 10, height // 3)],
        outline=(0, 200, 120),
        width=max(min(6, width // 10), 1),
    )
    return img


def jpeg_bytes(img: Image.Image, quality: int = 90, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(out, "JPEG", quality=quality, exif=exif.tobytes() if orientation else b"")
    return out.getvalue()


def write_jpeg(path: Path, img: Image.Image, **kw: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(img, **kw))  # type: ignore[arg-type]
    return path


def animated_gif(path: Path) -> Path:
    frames = [picture(120, 90, seed) for seed in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def cbz(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for i, name in enumerate(names):
            zf.writestr(name, jpeg_bytes(picture(200, 300, i + 10)))
    return path


def malicious_zip(path: Path) -> Path:
    """Traversal names, an absolute name, a symlink, a bomb, and one honest image."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../escape.jpg", jpeg_bytes(picture(50, 50, 1)))
        zf.writestr("/etc/absolute.jpg", jpeg_bytes(picture(50, 50, 2)))
        link = zipfile.ZipInfo("link.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("bomb.png", b"\x00" * (30 * 1024 * 1024))  # ~1000:1 compression
        zf.writestr("honest.jpg", jpeg_bytes(picture(64, 64, 3)))
    return path


def build_library(root: Path) -> dict[str, Path]:
    """Folders of JPEG/PNG/WebP/GIF (some rotated by EXIF), a nested tree, a cbz, a malicious zip,
    a garbage zip, a damaged image and a video file that must not be indexed as an image."""
    files: dict[str, Path] = {}
    trips = root / "Trips"
    files["rotated"] = write_jpeg(trips / "rotated.jpg", picture(400, 200, 1), orientation=6)
    files["plain"] = write_jpeg(trips / "plain.jpg", picture(300, 200, 2))
    png = trips / "Beach" / "wave.png"
    png.parent.mkdir(parents=True)
    picture(320, 240, 4).save(png)
    files["png"] = png
    webp = trips / "Beach" / "sand.webp"
    picture(320, 240, 5).save(webp, "WEBP")
    files["webp"] = webp
    files["gif"] = animated_gif(trips / "Beach" / "anim.gif")
    comics = root / "Comics"
    comics.mkdir()
    files["cbz"] = cbz(comics / "Issue 1.cbz", ["10.jpg", "2.jpg", "1.jpg"])
    files["evil"] = malicious_zip(comics / "evil.zip")
    (comics / "garbage.zip").write_bytes(b"PK\x03\x04 this is not really a zip file" * 10)
    (trips / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a real jpeg")
    (trips / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 video, not an image")
    (trips / ".hidden.jpg").write_bytes(jpeg_bytes(picture(10, 10)))
    return files
