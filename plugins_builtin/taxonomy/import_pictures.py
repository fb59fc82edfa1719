"""Pictures of imported tags, studios and performers.

A record's image becomes its row's picture when the row has none, or when the row's picture came
from this very record (``image_source`` = ``"<source>:<record key>:<sha256>"``) and the image has
changed since. Any other picture (uploaded here, scraped, or another record's) is kept. So a
re-import decodes nothing, and a picture chosen here is never replaced by an import.

A JPEG that needs no change is kept as it is, metadata dropped (``pictures.encode(fast=True)``);
other images are decoded and encoded on a few threads (Pillow releases the GIL while it works);
files are written from the calling thread. A dry run checks each picture it would write the same
way, to warn about the same bad images, and writes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from plugin_sdk.errors import ObscuraError
from plugins_builtin.taxonomy import pictures
from plugins_builtin.taxonomy.bulk_rows import update_by_id
from plugins_builtin.taxonomy.kinds import Kind

MAX_THREADS = 4
T = TypeVar("T")


@dataclass(frozen=True)
class PictureWish:
    """A record's image for the row it landed on.

    :param index: the record's place in its batch.
    :param origin: ``"<source>:<record key>"``.
    """

    index: int
    row_id: str
    data: bytes
    origin: str


def _wanted(row: dict[str, Any], wish: PictureWish, digest: str) -> bool:
    if row["image_format"] is None:
        return True
    source = row["image_source"]
    if not source:
        return False
    origin, _, previous = source.rpartition(":")
    return origin == wish.origin and previous != digest


def _encode_fast(data: bytes) -> tuple[str, bytes]:
    return pictures.encode(data, fast=True)


def _check_fast(data: bytes) -> None:
    pictures.check(data, fast=True)


def _run(job: Callable[[bytes], T], items: Sequence[bytes]) -> list[T | ObscuraError]:
    def one(data: bytes) -> T | ObscuraError:
        try:
            return job(data)
        except ObscuraError as exc:
            return exc

    if len(items) < 2:
        return [one(d) for d in items]
    threads = min(MAX_THREADS, os.cpu_count() or 1, len(items))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="import-pictures") as pool:
        return list(pool.map(one, items))


def place_pictures(
    db: Session,
    kind: Kind,
    rows: dict[str, dict[str, Any]],
    wishes: Sequence[PictureWish],
    dry_run: bool,
    created: set[str],
) -> tuple[set[int], dict[int, list[str]]]:
    """Give rows the pictures their records bring (one per row: the first record's).

    ``created``: the rows this batch made, whose ``updated_at`` (the source's) is kept.

    :return: the indexes of the records whose picture was (or, in a dry run, would be) written,
        and warnings per record index for images that are not pictures.
    """
    chosen: list[tuple[PictureWish, str]] = []
    seen: set[str] = set()
    for wish in wishes:
        if wish.row_id in seen:
            continue
        digest = hashlib.sha256(wish.data).hexdigest()
        if _wanted(rows[wish.row_id], wish, digest):
            seen.add(wish.row_id)
            chosen.append((wish, digest))
    data = [wish.data for wish, _ in chosen]
    results: list[Any] = _run(_check_fast if dry_run else _encode_fast, data)
    placed: set[int] = set()
    warnings: dict[int, list[str]] = {}
    params: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for (wish, digest), result in zip(chosen, results, strict=True):
        if isinstance(result, ObscuraError):
            warnings[wish.index] = [f"image: not kept ({result.message})"]
            continue
        placed.add(wish.index)
        if dry_run:
            continue
        fmt, payload = result
        pictures.write(kind.plural, wish.row_id, fmt, payload)
        source = f"{wish.origin}:{digest}"
        stamp = rows[wish.row_id]["updated_at"] if wish.row_id in created else now
        changes = {"image_format": fmt, "image_at": now, "image_source": source, "updated_at": stamp}
        params.append({"id": wish.row_id, **changes})
        rows[wish.row_id].update(changes)
    update_by_id(db, kind.model.__table__, params)
    return placed, warnings
