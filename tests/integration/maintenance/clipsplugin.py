"""A third-party style plugin announcing generated files through ``obscura_generated_assets``.

Its "clips" live in a folder the test chooses; ``cancel_at`` makes the row listing cancel the
running maintenance job after that many rows, as a user pressing Cancel mid-run would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from plugin_sdk import AssetFile, AssetSource, GeneratedAssets, hookimpl
from plugin_sdk.assets import sidecar_path
from plugin_sdk.models import JobRunRow
from plugin_sdk.storage import cache_path

state: dict[str, Any] = {"media": [], "cancel_at": None}


def clip_id(i: int) -> str:
    return f"c{i:03d}" + "0" * 28


def files(i: int, media: Path) -> tuple[AssetFile, ...]:
    return (AssetFile("thumb", cache_path("clips", clip_id(i), "thumb.jpg"), sidecar_path(media, "thumb", ".jpg")),)


def rows(db: Session) -> Iterator[GeneratedAssets]:
    for i, media in enumerate(state["media"]):
        if state["cancel_at"] is not None and i == state["cancel_at"]:
            with Session(db.get_bind()) as other:  # the user's click, from another connection
                other.execute(
                    update(JobRunRow)
                    .where(JobRunRow.queue_name == "library-maintenance", JobRunRow.status == "active")
                    .values(status="cancelled")
                )
                other.commit()
        yield GeneratedAssets("clip", clip_id(i), media.name, media, media.parent, files(i, media))


@hookimpl
def obscura_generated_assets() -> list[AssetSource]:
    return [AssetSource("clip", ("clips",), count=lambda db: len(state["media"]), rows=rows)]
