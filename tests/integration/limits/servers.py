"""A misbehaving picture server on loopback (``http.server`` in a thread) for the download limits."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

HUGE = 50 * 1000 * 1000
"""The "50 MB body" the server announces or streams."""
HANG_S = 30.0
"""How long a hanging answer waits at most (it is released when the server stops)."""


def png(size: tuple[int, int] = (40, 30), color: tuple[int, int, int] = (200, 10, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@dataclass
class PictureServer:
    """The running server: ``url(path)``, and what it saw."""

    base: str
    release: threading.Event
    streamed: list[int] = field(default_factory=list)
    """Bytes ``/huge-streamed`` managed to write before the client hung up, one entry per request."""

    def url(self, path: str) -> str:
        return self.base + path


def _handler(state: PictureServer) -> type[BaseHTTPRequestHandler]:
    photo = png()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            path = self.path
            if path == "/photo.png":
                self._send(200, "image/png", photo)
            elif path == "/untyped.png":
                self._send(200, None, photo)
            elif path == "/page.html":
                self._send(200, "text/html; charset=utf-8", b"<html><body>not a picture</body></html>")
            elif path == "/missing.png":
                self._send(404, "text/plain", b"nope")
            elif path == "/huge-declared.jpg":
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(HUGE))
                self.end_headers()
                self._stream(HUGE, record=False)
            elif path == "/huge-streamed.jpg":  # no Content-Length: the client must count
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.end_headers()
                self._stream(HUGE, record=True)
            elif path == "/hang-headers.png":
                state.release.wait(HANG_S)
            elif path == "/hang-body.png":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(photo)))
                self.end_headers()
                self.wfile.write(photo[:10])
                self.wfile.flush()
                state.release.wait(HANG_S)
            elif path in ("/to-file", "/to-ftp", "/to-gopher"):
                target = {"/to-file": "file:///etc/passwd", "/to-ftp": "ftp://127.0.0.1/x.png",
                          "/to-gopher": "gopher://127.0.0.1:70/1"}[path]  # fmt: skip
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
            else:
                self._send(404, "text/plain", b"nope")

        def _send(self, status: int, ctype: str | None, body: bytes) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, total: int, *, record: bool) -> None:
            chunk = b"\xff" * 65536
            sent = 0
            try:
                while sent < total and not state.release.is_set():
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:  # the client hung up: what we want
                pass
            finally:
                if record:
                    state.streamed.append(sent)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def picture_server() -> Iterator[PictureServer]:
    """Serve the misbehaving paths on ``127.0.0.1``; hanging answers are released on exit."""
    release = threading.Event()
    state = PictureServer("", release)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def raw_request(address: tuple[str, int], head: str, body: bytes = b"") -> tuple[int, dict]:
    """Send a request's ``head`` and the start of its ``body`` (never the whole announced length)
    on a socket, and read the JSON answer by its Content-Length; the connection stays open."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        header, _, rest = data.partition(b"\r\n\r\n")
        lines = header.decode().split("\r\n")
        length = next(int(v) for k, _, v in (h.partition(": ") for h in lines[1:]) if k.lower() == "content-length")
        while len(rest) < length:
            rest += sock.recv(65536)
    return int(lines[0].split()[1]), json.loads(rest[:length])
