"""Imported covers become videos' custom thumbnails (the slot a thumbnail upload fills).

A JPEG is kept as it is: checking its header is enough, and re-encoding a hundred thousand covers
would cost more than the rest of an import. Any other picture Pillow reads is converted to JPEG;
bytes that are no picture are a warning, and the video comes in without a cover.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from plugins_builtin.videos import assets

log = logging.getLogger("obscura.videos.import")

NOT_AN_IMAGE = "cover: not an image Obscura can read (no thumbnail)"


def cover_jpeg(data: bytes) -> bytes | None:
    """``data`` as JPEG bytes for the custom thumbnail slot; ``None`` when it is no readable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format == "JPEG" and image.width > 0 and image.height > 0:
                return data
            image.load()
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return None


class CoverWriter:
    """Writes the covers of one batch, remembering the files it wrote so a batch that fails
    can take them back (:meth:`undo`); a dry run writes nothing."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.written: list[Path] = []

    def write(self, video_id: str, jpeg: bytes) -> None:
        if self.dry_run:
            return
        self.written.append(assets.write_custom_thumbnail(video_id, jpeg))

    def undo(self) -> None:
        for path in self.written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not remove the cover %s of a failed import batch", path, exc_info=True)
        self.written.clear()
