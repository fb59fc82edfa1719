"""Media rows written straight into the database (the taxonomy tests need rows, not real files)."""

from __future__ import annotations

from typing import Any

from plugin_sdk.db import new_id
from plugin_sdk.models import LibraryRoot


def root(runtime: Any, path: str = "/media/taxonomy") -> str:
    with runtime.session() as db:
        row = LibraryRoot(path=path, label="taxonomy")
        db.add(row)
        db.commit()
        return row.id


def videos(runtime: Any, root_id: str, titles: list[str], series_id: str | None = None) -> list[str]:
    from plugins_builtin.videos.models import Video

    ids = [new_id() for _ in titles]
    with runtime.session() as db:
        kind = "episode" if series_id else "movie"
        for vid, title in zip(ids, titles, strict=True):
            db.add(Video(id=vid, kind=kind, library_root_id=root_id, series_id=series_id, title=title,
                         sort_title=title.lower(), file_path=f"/media/taxonomy/{vid}.mp4"))  # fmt: skip
        db.commit()
    return ids


def series(runtime: Any, root_id: str, title: str) -> str:
    from plugins_builtin.videos.models import VideoSeries

    sid = new_id()
    with runtime.session() as db:
        db.add(VideoSeries(id=sid, library_root_id=root_id, folder_path=f"/media/taxonomy/{title}",
                           relative_path=title, title=title))  # fmt: skip
        db.commit()
    return sid


def images(runtime: Any, root_id: str, titles: list[str], gallery_id: str | None = None) -> list[str]:
    from plugins_builtin.images.models import Image

    ids = [new_id() for _ in titles]
    with runtime.session() as db:
        for iid, title in zip(ids, titles, strict=True):
            db.add(Image(id=iid, library_root_id=root_id, gallery_id=gallery_id, title=title,
                         file_path=f"/media/taxonomy/{iid}.jpg"))  # fmt: skip
        db.commit()
    return ids


def gallery(runtime: Any, title: str) -> str:
    from plugins_builtin.images.models import Gallery

    gid = new_id()
    with runtime.session() as db:
        db.add(Gallery(id=gid, kind="virtual", title=title, sort_title=title.lower()))
        db.commit()
    return gid


def tracks(runtime: Any, root_id: str, titles: list[str], library_id: str | None = None) -> list[str]:
    from plugins_builtin.audio.models import AudioTrack

    ids = [new_id() for _ in titles]
    with runtime.session() as db:
        for tid, title in zip(ids, titles, strict=True):
            db.add(AudioTrack(id=tid, library_root_id=root_id, library_id=library_id, title=title,
                              sort_title=title.lower(), file_path=f"/media/taxonomy/{tid}.mp3"))  # fmt: skip
        db.commit()
    return ids


def audio_library(runtime: Any, root_id: str, title: str) -> str:
    from plugins_builtin.audio.models import AudioLibrary

    lid = new_id()
    with runtime.session() as db:
        db.add(AudioLibrary(id=lid, library_root_id=root_id, folder_path=f"/media/taxonomy/{title}", title=title,
                            sort_title=title.lower()))  # fmt: skip
        db.commit()
    return lid


def link_rows(runtime: Any) -> dict[str, int]:
    """How many rows each link table holds."""
    from sqlalchemy import text

    with runtime.engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("entity_performers", "entity_tags", "entity_studios")
        }
