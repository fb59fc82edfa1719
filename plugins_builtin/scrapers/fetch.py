"""Read an index or a package zip from ``http(s)://``, ``file://`` or a plain path, size-capped.

Index locations and zip paths relative to them are resolved here: a zip named ``IAFD.zip`` in an
index at ``https://host/stable/index.yml`` is ``https://host/stable/IAFD.zip``; in a local index
``/srv/CommunityScrapers/_site/index.yml`` it is ``/srv/CommunityScrapers/_site/IAFD.zip``.
Failures are ``FetchError`` (the caller words them for the user).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

TIMEOUT_S = 30.0
CHUNK = 64 * 1024
USER_AGENT = "Obscura (CommunityScrapers package manager)"
INDEX_FILE = "index.yml"


class FetchError(Exception):
    """A location could not be read (unreachable, missing, too large, not allowed)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is: an ``http(s)`` URL (``url``) or a local file (``path``)."""

    url: str | None = None
    path: Path | None = None

    @property
    def is_remote(self) -> bool:
        return self.url is not None

    def __str__(self) -> str:
        return self.url if self.url is not None else str(self.path)

    def join(self, relative: str) -> Location:
        """``relative`` (a file name, a relative path or an absolute URL/path) seen from this
        location's folder."""
        target = relative.strip()
        scheme = urlsplit(target).scheme.lower()
        if scheme in ("http", "https", "file") or Path(target).is_absolute():
            return parse_location(target)
        if self.url is not None:
            return Location(url=urljoin(self.url, target))
        assert self.path is not None
        return Location(path=self.path.parent / target)


def parse_location(raw: str, *, index: bool = False) -> Location:
    """A :class:`Location` from a URL or path. With ``index``, a folder (a local directory, or a
    URL ending in ``/``) means the ``index.yml`` inside it.

    :raises FetchError: an unsupported scheme (``ftp://``…) or an empty location.
    """
    text = (raw or "").strip()
    if not text:
        raise FetchError("No location given.")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise FetchError(f"{text} has no host.")
        if index and text.endswith("/"):
            text += INDEX_FILE
        return Location(url=text)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"{text}: only local file:// URLs are supported.")
        path = Path(unquote(parts.path))
    elif scheme and len(scheme) > 1:  # a one-letter "scheme" is a Windows drive
        raise FetchError(f"{text}: use http(s)://, file:// or a path.")
    else:
        path = Path(text).expanduser()
    if index and path.is_dir():
        path = path / INDEX_FILE
    return Location(path=path)


def read(location: Location, limit: int) -> bytes:
    """The bytes at ``location``, at most ``limit`` of them.

    :raises FetchError: unreachable, an HTTP error status, missing file, or larger than ``limit``.
    """
    if location.path is not None:
        return _read_file(location.path, limit)
    assert location.url is not None
    return _read_url(location.url, limit)


def _too_large(what: str, limit: int) -> FetchError:
    return FetchError(f"{what} is larger than {limit // (1024 * 1024)} MiB.")


def _read_file(path: Path, limit: int) -> bytes:
    try:
        if not path.is_file():
            raise FetchError(f"{path} is not a file." if path.exists() else f"{path} does not exist.")
        if path.stat().st_size > limit:
            raise _too_large(str(path), limit)
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FetchError(f"{path} could not be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise _too_large(str(path), limit)
    return data


def _read_url(url: str, limit: int) -> bytes:
    try:
        with requests.get(url, stream=True, timeout=TIMEOUT_S, headers={"User-Agent": USER_AGENT}) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"{url} answered HTTP {resp.status_code}.")
            length = resp.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise _too_large(url, limit)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_content(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(url, limit)
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"{url} could not be reached: {_reason(exc)}") from None
    return b"".join(chunks)


def _reason(exc: requests.RequestException) -> str:
    """A short reason (requests' messages nest the whole urllib3 chain)."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {TIMEOUT_S:.0f} s"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return exc.__class__.__name__
