"""Read a package index or a package zip from ``http(s)://``, ``file://`` or a plain path, size-capped.

Index locations and zip paths relative to them are resolved here: a zip named ``IAFD.zip`` in an
index at ``https://host/stable/index.yml`` is ``https://host/stable/IAFD.zip``; in a local index
``/srv/CommunityScrapers/_site/index.yml`` it is ``/srv/CommunityScrapers/_site/IAFD.zip``.
Failures are ``FetchError`` (the caller words them for the user).

A package index (a YAML list of packages) is read with :func:`read_index` and :func:`yaml_list`,
whose failures are :class:`IndexUnavailableError` (502), and kept a few minutes in an
:class:`IndexCache`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import requests
import yaml

from plugin_sdk.errors import ObscuraError

T = TypeVar("T")
E = TypeVar("E")

TIMEOUT_S = 30.0
_CHUNK = 64 * 1024
USER_AGENT = "Obscura (package manager)"
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
            for chunk in resp.iter_content(_CHUNK):
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


@dataclass(frozen=True)
class PackageEntry:
    """One package of an index (the fields CommunityScrapers and Obscura's plugin index share);
    ``path`` is its zip, relative to the index; ``sha256`` lower-case hex, ``None`` when not given."""

    id: str
    name: str
    version: str | None
    date: str | None
    path: str
    sha256: str | None
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageIndex(Generic[E]):
    """A read package index: its configured source, the index file's location, its entries by
    package id, and when it was read."""

    source: str
    location: Location
    entries: dict[str, E]
    fetched_at: datetime

    def get(self, package_id: str) -> E | None:
        return self.entries.get(package_id)


class IndexUnavailableError(ObscuraError):
    """502: a package index could not be read (``index_unavailable``), or is not an index
    (``index_invalid``)."""

    status = 502
    code = "index_unavailable"


def read_index(location: Location, limit: int, what: str) -> bytes:
    """The bytes of the index at ``location`` (``what`` names it in messages: ``scraper index``).

    :raises IndexUnavailableError: unreachable, missing or larger than ``limit``.
    """
    try:
        return read(location, limit)
    except FetchError as exc:
        raise IndexUnavailableError(f"The {what} could not be read: {exc}") from None


def yaml_list(raw: bytes, where: str, what: str, loader: type[Any] = yaml.SafeLoader) -> list[Any]:
    """The YAML list document ``raw`` (read with ``loader``), from the index ``where``.

    :raises IndexUnavailableError: (``index_invalid``) not YAML, or not a list.
    """
    try:
        doc = yaml.load(raw, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise IndexUnavailableError(f"The {what} {where} is not valid YAML{at}.", code="index_invalid") from None
    if not isinstance(doc, list):
        raise IndexUnavailableError(f"The {what} {where} is not a list of packages.", code="index_invalid")
    return doc


def fetch_index(
    source: str,
    location: Location,
    *,
    limit: int,
    what: str,
    parse: Callable[[bytes, str], dict[str, Any]],
    index_class: type[T],
) -> T:
    """Read and parse the index at ``location`` (configured as ``source``): ``index_class(source,
    location, parse(raw, where), now)`` (a :class:`PackageIndex` or a subclass).

    :raises IndexUnavailableError: unreadable, or what ``parse`` raises.
    """
    entries = parse(read_index(location, limit, what), str(location))
    return index_class(source, location, entries, datetime.now(UTC))  # type: ignore[call-arg]


class IndexCache(Generic[T]):
    """Read indexes by their configured source, each kept ``ttl_s`` seconds in this process."""

    def __init__(self, ttl_s: float = 300.0) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, T]] = {}

    def get(self, source: str, load: Callable[[], T], *, refresh: bool = False) -> T:
        """The index of ``source``: the cached one when younger than ``ttl_s`` (and not
        ``refresh``), else ``load()``'s, which is then cached (a failing ``load`` caches nothing)."""
        with self._lock:
            hit = self._items.get(source)
        if hit is not None and not refresh and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        value = load()
        with self._lock:
            self._items[source] = (time.monotonic(), value)
        return value

    def last(self, source: str) -> T | None:
        """The last index read from ``source`` (however old), without reading it."""
        with self._lock:
            hit = self._items.get(source)
        return hit[1] if hit is not None else None

    def clear(self) -> None:
        """Forget every index (tests, and a changed location)."""
        with self._lock:
            self._items.clear()
