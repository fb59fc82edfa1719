"""Streaming a subprocess's stdout as an HTTP body (live remux, live transcode).

:class:`ProcessStream` is a response body that iterates the process's stdout in 64 KiB chunks and
owns its cleanup: ``close()`` (the WSGI server calls it when the response ends or the client goes
away) kills and reaps the process, even when the body was never iterated, and a finalizer does the
same should the body be dropped. It waits for the first bytes before the response is returned, so
a file the process cannot read becomes a clean error instead of an empty 200. :class:`Limiter`
caps how many such processes a server process runs at once.
"""

from __future__ import annotations

import logging
import select
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Final

import flask

from plugin_sdk.errors import ObscuraError

log = logging.getLogger(__name__)

#: Bytes per chunk handed to the WSGI server.
CHUNK_SIZE: Final[int] = 64 * 1024
#: How long to wait for the process's first bytes before giving up.
FIRST_BYTE_TIMEOUT: Final[float] = 20.0
_STDERR_TAIL: Final[int] = 1500


class LiveStreamBusyError(ObscuraError):
    """503: every live stream slot of this process is taken; the client may retry."""

    status = 503
    code = "stream_busy"


class LiveStreamError(ObscuraError):
    """500: the process could not produce the stream (unreadable file, unsupported codec)."""

    status = 500
    code = "stream_failed"


class Limiter:
    """A counting limit that answers "no" instead of waiting."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.active >= self.limit:
                return False
            self.active += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.active = max(0, self.active - 1)


def _reap(proc: subprocess.Popen[bytes], stderr: IO[bytes], on_close: Callable[[], None] | None = None) -> None:
    """Kill (if still running) and wait for ``proc``, close its pipes, then call ``on_close``."""
    try:
        _kill_and_wait(proc, stderr)
    finally:
        if on_close is not None:
            on_close()


def _kill_and_wait(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not take 10 s
        log.warning("ffmpeg %s did not exit after SIGKILL", proc.pid)
    if proc.stdout is not None:
        proc.stdout.close()
    stderr.close()


class ProcessStream:
    """The response body of a live stream: iterates ffmpeg's stdout; ``close()`` kills ffmpeg.

    Works like a generator over 64 KiB chunks, but owns its cleanup: ``close()`` runs even when the
    body was never iterated (a ``HEAD``, an error before the first write), and a finalizer reaps the
    child should the body be dropped without ``close()``. ``on_close`` runs exactly once, after the
    child is reaped (also when it could not be started).
    """

    def __init__(
        self,
        cmd: list[str],
        *,
        first_byte_timeout: float = FIRST_BYTE_TIMEOUT,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the finalizer
        try:
            self.process: subprocess.Popen[bytes] = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr
            )
        except OSError as exc:
            self._stderr.close()
            if on_close is not None:
                on_close()
            raise LiveStreamError(f"could not start {Path(cmd[0]).name}: {exc.strerror or exc}") from None
        self._closed = False
        self._finalizer = weakref.finalize(self, _reap, self.process, self._stderr, on_close)
        self._pending = self._first_chunk(first_byte_timeout)

    @property
    def pid(self) -> int:
        """The ffmpeg process id."""
        return self.process.pid

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-_STDERR_TAIL:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""

    def _first_chunk(self, timeout: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise LiveStreamError(f"ffmpeg produced nothing within {timeout:.0f}s")
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                break
        chunk = self.process.stdout.read1(CHUNK_SIZE)
        if not chunk:
            self.process.wait(timeout=10)
            reason = self._stderr_tail() or f"exit {self.process.returncode}"
            self.close()
            raise LiveStreamError(f"ffmpeg could not stream this file: {reason}")
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._pending:
            chunk, self._pending = self._pending, b""
            return chunk
        if self._closed or self.process.stdout is None:
            raise StopIteration
        chunk = self.process.stdout.read1(CHUNK_SIZE)
        if not chunk:
            if self.process.wait() != 0:
                log.warning("live stream ended with exit %s: %s", self.process.returncode, self._stderr_tail())
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Kill and reap ffmpeg (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._finalizer()




def stream_process(
    cmd: list[str],
    mimetype: str,
    limiter: Limiter,
    *,
    busy_message: str,
    headers: Mapping[str, str] | None = None,
    busy_error: type[LiveStreamBusyError] = LiveStreamBusyError,
) -> flask.Response:
    """A ``200`` streaming ``cmd``'s stdout (chunked, no ranges), within ``limiter``'s slots.

    A ``HEAD`` request gets the headers without starting the process.
    """
    all_headers = {
        "Accept-Ranges": "none",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        "X-Content-Type-Options": "nosniff",
        **dict(headers or {}),
    }
    if flask.has_request_context() and flask.request.method == "HEAD":
        return flask.Response(b"", status=200, mimetype=mimetype, headers=all_headers)
    if not limiter.try_acquire():
        raise busy_error(busy_message)
    body = ProcessStream(cmd, on_close=limiter.release)  # releases the slot on every exit path
    response = flask.Response(body, status=200, mimetype=mimetype, headers=all_headers, direct_passthrough=True)
    response.headers.pop("Content-Length", None)
    return response
