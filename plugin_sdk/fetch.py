"""Downloading what a user or a scraper points at by URL (a thumbnail, a performer's picture, a
scraped image): ``http(s)`` only, with timeouts, a byte cap and a content-type check.

::

    got = fetch_url(body.url, max_bytes=20 * MIB, timeout=read_limits(db).fetch_timeout_seconds)
    picture = decode(got.body)          # got.content_type: what the server said ("image/png")

Every refusal is a :class:`UrlFetchError`, a 4xx the API answers with its message:

=====================================  ======  ====================
what                                   status  ``code``
=====================================  ======  ====================
not ``http(s)`` (``file:``, ``ftp:``,  400     ``url_not_allowed``
``gopher:``…), no host, or a redirect
to such a URL
no answer in time (connect, a read,    400     ``fetch_timeout``
or the whole download)
unreachable, an HTTP error status      400     ``fetch_failed``
larger than ``max_bytes`` (declared    400     ``fetch_too_large``
or counted: reading stops at
``max_bytes + 1``)
another content type than ``accept``   415     ``unsupported_media_type``
=====================================  ======  ====================

``timeout`` bounds the connection and every read; the whole download may take
:data:`TOTAL_TIMEOUT_FACTOR` times as long. Up to :data:`MAX_REDIRECTS` redirects are followed,
each to ``http(s)`` only. A server that names no content type, or a generic one
(``application/octet-stream``), is let through: decode the bytes to be sure of them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from plugin_sdk.errors import ObscuraError
from plugin_sdk.limits import binary_size

__all__ = [
    "ANY",
    "GENERIC_TYPES",
    "IMAGE",
    "MAX_REDIRECTS",
    "TOTAL_TIMEOUT_FACTOR",
    "Download",
    "UrlFetchError",
    "check_url",
    "fetch_url",
]

IMAGE: tuple[str, ...] = ("image/",)
"""``accept`` for pictures: any ``image/*`` type."""
ANY: tuple[str, ...] = ()
"""``accept`` taking every content type."""
GENERIC_TYPES: tuple[str, ...] = ("", "application/octet-stream", "binary/octet-stream")
"""Content types that say nothing about the bytes; let through whatever ``accept`` is."""
MAX_REDIRECTS = 5
TOTAL_TIMEOUT_FACTOR = 5
"""The whole download may take this many times ``timeout`` (a server trickling bytes)."""
USER_AGENT = "Obscura"
_CHUNK = 64 * 1024
_SHOWN_URL = 120


class UrlFetchError(ObscuraError):
    """A URL could not be downloaded, or what it answered is refused; ``status`` (400 or 415)
    and ``code`` say which (see the module's table)."""

    status = 400
    code = "fetch_failed"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code)
        if status is not None:
            self.status = status


@dataclass(frozen=True, slots=True)
class Download:
    """What :func:`fetch_url` read: the final URL (after redirects), the declared content type
    (lower case, without parameters; ``""`` when none) and the bytes."""

    url: str
    content_type: str
    body: bytes


def _shown(url: str) -> str:
    return url if len(url) <= _SHOWN_URL else url[:_SHOWN_URL] + "…"


def check_url(url: str) -> str:
    """``url`` stripped, when it is an ``http(s)`` URL with a host.

    :raises UrlFetchError: (400, ``url_not_allowed``) any other scheme, or no host.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise UrlFetchError(f"{_shown(text)} is not a valid URL.", code="url_not_allowed") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"{scheme}:// URLs" if scheme else "URLs without http:// or https://"
        raise UrlFetchError(f"Only http:// and https:// URLs can be downloaded, not {what}.", code="url_not_allowed")
    if not host:
        raise UrlFetchError(f"{_shown(text)} has no host.", code="url_not_allowed")
    return text


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    accept: Sequence[str] = IMAGE,
    timeout: float = 20.0,
    what: str = "image",
    headers: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> Download:
    """Download ``url`` (``http(s)`` only), reading at most ``max_bytes + 1`` bytes.

    :param accept: content-type prefixes taken (:data:`IMAGE`, :data:`ANY`, ``("text/vtt",)``…).
    :param timeout: seconds to connect and for each read (the library's ``fetchTimeoutSeconds``).
    :param what: what is downloaded, for messages ("The image at … is larger than 20 MiB.").
    :param headers: request headers added to the ``User-Agent`` (a scraper's ``Referer``…).
    :param session: a ``requests`` session to use (a scraper's, with its cookies); a new one by default.
    :raises UrlFetchError: see the module's table.
    """
    target = check_url(url)
    own = session is None
    http = session if session is not None else requests.Session()
    if own:
        http.max_redirects = MAX_REDIRECTS
    deadline = time.monotonic() + timeout * TOTAL_TIMEOUT_FACTOR
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    shown = _shown(target)
    try:
        with http.get(target, headers=sent, timeout=(timeout, timeout), stream=True, allow_redirects=True) as resp:
            if resp.status_code >= 400:
                raise UrlFetchError(f"{shown} answered HTTP {resp.status_code}.")
            content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if accept and content_type not in GENERIC_TYPES and not content_type.startswith(tuple(accept)):
                raise UrlFetchError(
                    f"{shown} is {content_type}, not {'an' if what[:1] in 'aeiou' else 'a'} {what}.",
                    code="unsupported_media_type",
                    status=415,
                )
            declared = resp.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(what, shown, max_bytes, int(declared))
            body = bytearray()
            for chunk in resp.iter_content(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise _too_large(what, shown, max_bytes)
                if time.monotonic() > deadline:
                    raise _timeout(shown, timeout * TOTAL_TIMEOUT_FACTOR, "to download")
            return Download(resp.url or target, content_type, bytes(body))
    except requests.Timeout:
        raise _timeout(shown, timeout, "to answer") from None
    except requests.TooManyRedirects:
        raise UrlFetchError(f"{shown} redirects more than {MAX_REDIRECTS} times.") from None
    except (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema):
        raise UrlFetchError(
            f"{shown} redirects to a URL that is not http:// or https://.", code="url_not_allowed"
        ) from None
    except requests.exceptions.InvalidURL:
        raise UrlFetchError(f"{shown} is not a valid URL.", code="url_not_allowed") from None
    except requests.ConnectionError as exc:
        if any(isinstance(arg, ReadTimeoutError) for arg in exc.args):  # a read timeout while streaming
            raise _timeout(shown, timeout, "to send more") from None
        raise UrlFetchError(f"{shown} could not be reached (connection failed).") from None
    except requests.RequestException as exc:
        raise UrlFetchError(f"{shown} could not be downloaded ({type(exc).__name__}).") from None
    finally:
        if own:
            http.close()


def _too_large(what: str, shown: str, max_bytes: int, declared: int | None = None) -> UrlFetchError:
    size = f"{binary_size(declared)}; " if declared is not None else ""
    return UrlFetchError(
        f"The {what} at {shown} is larger than allowed ({size}the limit is {binary_size(max_bytes)}).",
        code="fetch_too_large",
    )


def _timeout(shown: str, seconds: float, doing: str) -> UrlFetchError:
    return UrlFetchError(f"{shown} took longer than {seconds:g} s {doing}.", code="fetch_timeout")
