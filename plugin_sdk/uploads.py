"""Files uploaded into a library folder: safe names, the multipart files of the request, the folder
(confined to its library root), and writing each file without ever overwriting one.

The upload route of a kind of media kept in folders (the built-in audio libraries and galleries)::

    @upload_route(bp, "/api/albums/<album_id>/clips/upload", ClipOut)   # multipart POST, 201
    def upload(album_id: str):
        album = get_album(get_db(), album_id)
        clip_name = lambda file: upload_name(file, is_clip_name, "a clip")   # 415 for another file
        root, saved = receive_uploads(get_db(), album.root_id, album.path, "No root.", what="clips", name_of=clip_name)
        # saved: the files written, each under its name or "name (2)"…; s.columns() for the new rows

A request's pictures (covers, thumbnails) are read whole with :func:`read_limited`.

The request's body was read under the library's upload cap before the view ran (multipart routes
of :func:`~plugin_sdk.http.api_route`, :mod:`plugin_sdk.bodylimit`); :func:`receive_uploads` then
checks the folder's disk can take the files and keep ``minFreeDiskMb`` free
(:mod:`plugin_sdk.diskspace`) before writing any.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from flask import request

from plugin_sdk.bodylimit import PayloadTooLargeError
from plugin_sdk.diskspace import ensure_free_space, raise_if_disk_full
from plugin_sdk.errors import NotFoundError, UnsupportedMediaTypeError, ValidationError
from plugin_sdk.http import api_route
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import confine

if TYPE_CHECKING:
    from flask import Blueprint
    from sqlalchemy.orm import Session
    from werkzeug.datastructures import FileStorage

F = Callable[..., Any]

__all__ = [
    "NAME_MAX",
    "UNSAFE_NAME",
    "SavedUpload",
    "claim_name",
    "clean_file_name",
    "read_limited",
    "receive_uploads",
    "safe_file_name",
    "save_upload",
    "upload_folder",
    "upload_name",
    "upload_route",
    "upload_size",
    "uploaded_files",
]

UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")
"""Runs of characters a file name may not keep (control and path characters, Windows' reserved
ones); :func:`clean_file_name` makes each a space."""
NAME_MAX = 200
"""How many characters of an uploaded file's name :func:`safe_file_name` keeps."""


def clean_file_name(filename: str) -> str:
    """The base name of an uploaded ``filename`` (a browser may send a path) with each run of
    :data:`UNSAFE_NAME` characters made a space, trimmed and without leading dots (not hidden);
    ``""`` when nothing is left."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return UNSAFE_NAME.sub(" ", base).strip().lstrip(".").strip()


def safe_file_name(filename: str) -> str:
    """:func:`clean_file_name`, cut to :data:`NAME_MAX` characters.

    :raises ValidationError: nothing usable is left ("That file name cannot be used.").
    """
    base = clean_file_name(filename)
    if not base:
        raise ValidationError("That file name cannot be used.")
    return base[:NAME_MAX]


def uploaded_files(what: str) -> list[FileStorage]:
    """The request's multipart fields named ``file`` (one or more).

    :param what: what the files are, for the message (``"tracks"``: "Send the tracks as multipart
        fields named 'file'.").
    :raises ValidationError: the request has none.
    """
    files = request.files.getlist("file")
    if not files:
        raise ValidationError(f"Send the {what} as multipart fields named 'file'.")
    return files


def upload_folder(db: Session, root_id: str | None, folder: str, missing: str) -> tuple[LibraryRoot, Path]:
    """The library root ``root_id`` and ``folder`` (a folder of a row under it, where uploads go),
    checked to be inside that root (:func:`~plugin_sdk.storage.confine`).

    :raises NotFoundError: the root no longer exists (``missing``).
    """
    root = db.get(LibraryRoot, root_id) if root_id else None
    if root is None:
        raise NotFoundError(missing)
    return root, confine(folder, [root.path])


def claim_name(folder: Path, name: str, tmp: Path) -> Path:
    """Link the file ``tmp`` into ``folder`` as ``name``, or ``name (2)``, ``name (3)``… — the first
    that does not exist, never overwriting a file (the link fails if it exists); answers the path."""
    stem, ext = os.path.splitext(name)
    n = 1
    while True:
        candidate = folder / (name if n == 1 else f"{stem} ({n}){ext}")
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            n += 1


def upload_size(file: FileStorage) -> int:
    """The size in bytes of an uploaded ``file`` (its part was read whole into a temporary file)."""
    stream = file.stream
    here = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(here)
    return size


def save_upload(file: FileStorage, folder: Path, name: str, suffix: str = "") -> Path:
    """Write an uploaded ``file`` into ``folder`` under ``name`` (a :func:`safe_file_name`) or the
    first free ``name (n)`` (:func:`claim_name`), through a hidden temporary file (named with
    ``suffix``) that is always removed; answers the file's path. Check the disk first
    (:func:`~plugin_sdk.diskspace.ensure_free_space` with :func:`upload_size`).

    :raises InsufficientStorageError: the disk filled up while writing (nothing is left).
    """
    tmp = folder / f".obscura-upload-{secrets.token_hex(8)}{suffix}"
    try:
        file.save(tmp)
        return claim_name(folder, name, tmp)
    except OSError as exc:
        raise_if_disk_full(exc, folder)
        raise
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class SavedUpload:
    """A file :func:`receive_uploads` wrote: where, how large, when."""

    path: Path
    size: int
    mtime: float

    def columns(self) -> dict[str, Any]:
        """``file_path``, ``file_size`` and ``file_mtime``, the source-file columns of a new row
        (:class:`~plugin_sdk.columns.SourceFileMixin`)."""
        return {"file_path": str(self.path), "file_size": self.size, "file_mtime": self.mtime}


def upload_name(file: FileStorage, accept: Callable[[str], bool], kind: str) -> str:
    """The name an uploaded ``file`` is saved under: its :func:`clean_file_name`.

    :param accept: whether a name is of a kind of file the plugin indexes (by its extension).
    :param kind: that kind, for the message (``"an audio file"``).
    :raises UnsupportedMediaTypeError: no name is left, or ``accept`` refuses it ("'x.txt' is not
        an audio file Obscura indexes.").
    """
    name = clean_file_name(file.filename or "")
    if not name or not accept(name):
        raise UnsupportedMediaTypeError(f"'{name or file.filename}' is not {kind} Obscura indexes.")
    return name


def receive_uploads(
    db: Session,
    root_id: str | None,
    folder: str,
    missing: str,
    *,
    what: str,
    name_of: Callable[[FileStorage], str],
    suffix: Callable[[str], str] | None = None,
) -> tuple[LibraryRoot, list[SavedUpload]]:
    """Save the request's files (:func:`uploaded_files` of ``what``) into ``folder`` of the library
    root ``root_id`` (:func:`upload_folder`, ``missing`` its message), each under the name
    ``name_of(file)`` answers (e.g. :func:`upload_name`), or the first free ``name (n)``
    (:func:`save_upload`, its temporary file named with ``suffix(name)``). Every file's name is
    checked before anything is written: ``name_of`` raises for a file that may not be uploaded,
    and so is the disk (:func:`~plugin_sdk.diskspace.ensure_free_space` for them all).

    :return: the root and the files written, in the order sent.
    :raises InsufficientStorageError: the folder's disk cannot take them and keep its free space.
    """
    root, target = upload_folder(db, root_id, folder, missing)
    files = uploaded_files(what)
    names = [name_of(file) for file in files]
    ensure_free_space(db, target, sum(upload_size(file) for file in files))
    saved = []
    for file, name in zip(files, names, strict=True):
        path = save_upload(file, target, name, suffix(name) if suffix else "")
        st = path.stat()
        saved.append(SavedUpload(path, st.st_size, st.st_mtime))
    return root, saved


def upload_route(bp: Blueprint, rule: str, response: Any) -> Callable[[F], F]:
    """:func:`~plugin_sdk.http.api_route` for an upload of files into a folder: a multipart
    ``POST`` (``file``, repeatable, the whole body under the library's upload cap) answering the
    rows it created (``list[response]``, ``201``)."""
    return api_route(bp, rule, methods=["POST"], multipart=True, response=list[response], status=201)


def read_limited(stream: IO[bytes], max_bytes: int, too_big: str) -> bytes:
    """All of ``stream`` (an upload), reading at most one byte more than ``max_bytes``.

    :raises PayloadTooLargeError: it holds more than ``max_bytes`` (``too_big``; ``413``).
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(too_big)
    return data
