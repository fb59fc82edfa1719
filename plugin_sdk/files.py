"""Media source files: finding one inside its library root (:func:`source_path`,
:func:`existing_source`) and serving it with HTTP byte ranges, letting the WSGI server
``sendfile()`` it (videos, audio, originals).

:func:`send_source` is Werkzeug's ``send_file(..., conditional=True, etag=True, last_modified=…,
max_age=0)`` (so ``206``/``416``/``Accept-Ranges``/``ETag``/``If-Range``/``If-None-Match``/``HEAD``
behave as RFC 9110 says) with two changes that matter for large videos:

* ``X-Sendfile`` is always off (``USE_X_SENDFILE`` in the app config is ignored: nothing in front
  of gunicorn handles it);
* a ``206`` is *not* wrapped in Werkzeug's ``_RangeWrapper``. That wrapper hides the server's
  ``wsgi.file_wrapper`` (gunicorn then cannot ``sendfile()``) and, because gunicorn's wrapper is not
  seekable, it *reads the file from byte 0 up to the range start* for every request — a 1 MiB range
  at offset 900 MB read 900 MB. Instead the body stays the server's own file wrapper around a
  window of the file positioned at the range start and limited to its length: gunicorn's
  ``sendfile()`` sends exactly ``Content-Length`` bytes from there, and servers without sendfile
  (the Werkzeug dev server, the Flask test client, gunicorn ``--no-sendfile``) read only the window,
  256 KiB at a time.

``bench/streaming.py`` measures it on a 1 GiB file through gunicorn gthread on loopback: open-ended
ranges 1.4–2.7 GB/s, random 1 MiB ranges 57–88 % of the whole-file rate (stock ``send_file``:
~5–9 MB/s for the same random ranges).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import flask
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.utils import send_file
from werkzeug.wsgi import FileWrapper

from plugin_sdk.errors import NotFoundError
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import confine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["BUFFER_SIZE", "VIDEO_MIMETYPES", "existing_source", "mimetype_for", "send_source", "source_path"]

#: Read size when the server iterates the body instead of ``sendfile()`` (no sendfile, TLS, tests).
BUFFER_SIZE: Final[int] = 256 * 1024

#: Content types by extension. ``.mov`` is announced as ``video/mp4`` so Chromium tries to play it.
VIDEO_MIMETYPES: Final[dict[str, str]] = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/mp4",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".mk3d": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".wmv": "video/x-ms-wmv",
    ".asf": "video/x-ms-asf",
    ".flv": "video/x-flv",
    ".ts": "video/mp2t",
    ".m2ts": "video/mp2t",
    ".mts": "video/mp2t",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".ogv": "video/ogg",
    ".ogg": "video/ogg",
    ".3gp": "video/3gpp",
    ".3g2": "video/3gpp2",
}


def _root(db: Session, row: Any) -> LibraryRoot | None:
    return db.get(LibraryRoot, row.library_root_id) if row.library_root_id else None


def source_path(db: Session, row: Any, noun: str, file_noun: str | None = None) -> Path:
    """The source file of a media ``row`` (columns ``library_root_id`` and ``file_path``), confined
    to its library root.

    Raises :class:`~plugin_sdk.errors.NotFoundError` "The <noun>'s library root no longer exists."
    when the root is gone, or "The <file_noun> file is missing from disk." (code ``file_missing``;
    ``file_noun`` defaults to ``noun``) when the file is; :class:`~plugin_sdk.errors.ForbiddenError`
    when the path escapes the root.
    """
    root = _root(db, row)
    if root is None:
        raise NotFoundError(f"The {noun}'s library root no longer exists.")
    path = confine(row.file_path, [root.path])
    if not path.is_file():
        raise NotFoundError(f"The {file_noun or noun} file is missing from disk.", code="file_missing")
    return path


def existing_source(db: Session, row: Any) -> Path | None:
    """:func:`source_path` when the root and the file both exist, else ``None`` (deleting a row
    whose file is already gone, say). A path escaping its root still raises ``ForbiddenError``."""
    root = _root(db, row)
    if root is None:
        return None
    path = confine(row.file_path, [root.path])
    return path if path.is_file() else None


def mimetype_for(path: str | os.PathLike[str]) -> str:
    """Content type for a video file by extension (``application/octet-stream`` when unknown)."""
    return VIDEO_MIMETYPES.get(Path(path).suffix.lower(), "application/octet-stream")


class _FileWindow:
    """A binary file limited to ``[start, end)``: what the server's file wrapper sends.

    Exposes ``fileno()`` (gunicorn's ``sendfile`` takes the current offset with ``lseek`` and the
    length from ``Content-Length``) and a ``read()`` that stops at the window's end.
    """

    def __init__(self, file: IO[bytes], size: int) -> None:
        self._file = file
        self._end = size

    def restrict(self, start: int, length: int) -> None:
        """Limit the window to ``length`` bytes from ``start`` and position the file there."""
        self._file.seek(start)
        self._end = start + length

    def fileno(self) -> int:
        return self._file.fileno()

    def read(self, size: int | None = -1) -> bytes:
        remaining = self._end - self._file.tell()
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        return self._file.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


class _SourceResponse(flask.Response):
    """Response whose range handling is done by :func:`send_source` (see the module docstring)."""

    def _wrap_range_response(self, start: int, length: int) -> None:  # Werkzeug hook, kept a no-op
        return None


def send_source(
    path: str | os.PathLike[str],
    mimetype: str | None = None,
    *,
    environ: dict[str, Any] | None = None,
) -> flask.Response:
    """Serve ``path`` (already confined to the library by the caller) with byte-range support.

    ``mimetype`` defaults to :func:`mimetype_for`. ``environ`` defaults to the current Flask
    request's; pass it to use this from a bare WSGI app. Answers ``200`` (whole file), ``206``
    (one range; multi-range requests get the whole file), ``304`` (``If-None-Match`` /
    ``If-Modified-Since``), or ``416`` with ``Content-Range: bytes */<size>``; ``Cache-Control:
    no-cache, max-age=0`` with a strong ``ETag`` and ``Last-Modified``. Raises ``FileNotFoundError``
    / ``OSError`` when the file cannot be opened.
    """
    env = environ if environ is not None else flask.request.environ
    src = Path(path)
    stat = src.stat()
    server_wrapper = env.get("wsgi.file_wrapper") or FileWrapper
    made: list[tuple[_FileWindow, Any]] = []

    def wrap(file: IO[bytes], _buffer_size: int = BUFFER_SIZE) -> Any:
        window = _FileWindow(file, stat.st_size)
        body = server_wrapper(window, BUFFER_SIZE)
        made.append((window, body))
        return body

    send_env = dict(env)
    send_env["wsgi.file_wrapper"] = wrap
    if "," in send_env.get("HTTP_RANGE", ""):
        del send_env["HTTP_RANGE"]  # multi-range: Werkzeug would answer 416; RFC 9110 lets us send it all
    try:
        response = send_file(
            str(src),
            environ=send_env,
            mimetype=mimetype or mimetype_for(src),
            conditional=True,
            etag=True,
            last_modified=stat.st_mtime,
            max_age=0,
            use_x_sendfile=False,
            response_class=_SourceResponse,
        )
    except RequestedRangeNotSatisfiable as exc:
        size = exc.length if exc.length is not None else stat.st_size
        return flask.Response(
            b"",
            status=416,
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes", "Cache-Control": "no-cache"},
        )
    if response.status_code == 206 and made:
        window, body = made[0]
        content_range = response.content_range
        if content_range.start is not None and content_range.stop is not None:
            window.restrict(content_range.start, content_range.stop - content_range.start)
            # Should a future Werkzeug wrap the body despite the hook, hand the server its own wrapper.
            response.response = body
    return response
