"""Fetching pages and images for a scraper, as Stash's ``url.go``/``cookies.go``/``image.go``.

One :class:`Fetcher` per scrape: a ``requests`` session with the scraper's ``driver.cookies`` in
its jar (each cookie must belong to its ``CookieURL``'s host, like Go's cookie jar requires;
``ValueRandom: n`` makes a random ``[a-zA-Z0-9]{n}`` value), the User-Agent, then
``driver.headers`` (which may override it), at most 20 redirects, a timeout (60 s by default) and
a size cap. A status ≥ 400 is ``http error <code>: <reason>``. ``driver.useCDP`` needs a browser,
which Obscura does not run: such scrapers fail with a :class:`ScrapeError` saying so. Images are
downloaded into ``data:`` URIs (Referer = the image's site) with their own size cap.
"""

from __future__ import annotations

import base64
import http
import ipaddress
import random
import string
import time
from dataclasses import dataclass
from http.cookiejar import Cookie
from urllib.parse import urlsplit

import requests

from plugins_builtin.scrapers.engine.charset import decode_body, decode_json_body
from plugins_builtin.scrapers.engine.config import DriverOptions, ScraperDef
from plugins_builtin.scrapers.engine.errors import ScrapeError, ScrapeTimeout
from plugins_builtin.scrapers.engine.log import ScrapeLog

__all__ = ["DEFAULT_USER_AGENT", "Fetcher", "Page"]

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 20
PRINT_HTML_LIMIT = 64 * 1024

_RANDOM_CHARS = string.ascii_lowercase + string.ascii_uppercase + "1234567890"
_BINARY_TYPES = ("image/", "video/", "audio/", "font/", "model/")
_BINARY_APPS = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-bittorrent",
        "application/x-shockwave-flash",
        "application/wasm",
    }
)


@dataclass
class Page:
    """A fetched response: where it ended up, its Content-Type and body."""

    url: str
    status: int
    content_type: str
    body: bytes


def _reason(code: int, fallback: str) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return fallback or "Unknown"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def sniff_content_type(data: bytes) -> str:
    """A small ``http.DetectContentType`` for images."""
    head = data[:512]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    stripped = head.lstrip()
    if stripped[:5].lower() in (b"<?xml", b"<svg ") or stripped[:4].lower() == b"<svg":
        return "text/xml; charset=utf-8"
    if stripped[:14].lower().startswith((b"<!doctype html", b"<html")):
        return "text/html; charset=utf-8"
    if b"\x00" in head:
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


class Fetcher:
    """HTTP for one scrape of one scraper."""

    def __init__(
        self,
        defn: ScraperDef,
        log: ScrapeLog,
        *,
        timeout: float = 60.0,
        user_agent: str = DEFAULT_USER_AGENT,
        max_page_bytes: int = MAX_PAGE_BYTES,
        max_image_bytes: int = MAX_IMAGE_BYTES,
        session: requests.Session | None = None,
    ) -> None:
        self.defn = defn
        self.log = log
        self.timeout = timeout
        self.user_agent = user_agent
        self.max_page_bytes = max_page_bytes
        self.max_image_bytes = max_image_bytes
        self.driver: DriverOptions = defn.driver or DriverOptions()
        self.session = session or requests.Session()
        self.session.max_redirects = MAX_REDIRECTS
        if not self.driver.use_cdp:
            self._fill_jar()

    # --- cookies and headers -------------------------------------------------------------
    def _fill_jar(self) -> None:
        for i, (cookie_url, cookies) in enumerate(self.driver.cookies):
            try:
                parts = urlsplit(cookie_url)
                host = (parts.hostname or "").lower()
            except ValueError:
                host = ""
            if not host:
                self.log.warning(f"skipping cookie [{i}] for cookieURL {cookie_url}: not a valid URL")
                continue
            default_path = parts.path.rsplit("/", 1)[0] if parts.path.count("/") > 1 else "/"
            set_any = False
            for ck in cookies:
                domain = ck.domain.strip().lower().lstrip(".")
                host_only = not domain
                if domain and domain != host and (_is_ip(host) or not host.endswith("." + domain)):
                    self.log.warning(f"cookie {ck.name} for {cookie_url}: domain {ck.domain} does not match")
                    continue
                path = ck.path if ck.path.startswith("/") else default_path
                value = "".join(random.choices(_RANDOM_CHARS, k=ck.value_random)) if ck.value_random > 0 else ck.value
                cookie_domain = host if host_only else "." + domain
                self.session.cookies.set_cookie(
                    Cookie(
                        version=0,
                        name=ck.name,
                        value=value,
                        port=None,
                        port_specified=False,
                        domain=cookie_domain,
                        domain_specified=not host_only,
                        domain_initial_dot=not host_only,
                        path=path,
                        path_specified=True,
                        secure=False,
                        expires=None,
                        discard=True,
                        comment=None,
                        comment_url=None,
                        rest={},
                    )
                )
                set_any = True
            if cookies and not set_any:
                self.log.warning(f"setting jar cookies for {cookie_url} failed")

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent} if self.user_agent else {}
        for key, value in self.driver.headers:
            if key:
                headers[key] = value
                self.log.debug(f"[scraper] adding header <{key}:{value}>")
        return headers

    # --- requests -------------------------------------------------------------------------
    def get(
        self, url: str, *, max_bytes: int | None = None, headers: dict[str, str] | None = None, what: str = "page"
    ) -> Page:
        """GET ``url``; raises :class:`ScrapeError` (:class:`ScrapeTimeout`) on any failure."""
        if self.driver.use_cdp:
            raise ScrapeError(f"scraper '{self.defn.id}' needs a browser (driver.useCDP), which Obscura does not run")
        limit = max_bytes or self.max_page_bytes
        deadline = time.monotonic() + self.timeout
        try:
            resp = self.session.get(
                url,
                headers=headers if headers is not None else self._headers(),
                timeout=(self.timeout, self.timeout),
                stream=True,
                allow_redirects=True,
            )
        except requests.exceptions.Timeout:
            raise ScrapeTimeout(f"timed out after {self.timeout:g} s fetching {url}") from None
        except requests.exceptions.TooManyRedirects:
            raise ScrapeError(f"stopped after {MAX_REDIRECTS} redirects fetching {url}") from None
        except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL):
            raise ScrapeError(f"not a valid URL: {url!r}") from None
        except requests.exceptions.RequestException as exc:
            raise ScrapeError(f"could not fetch {url}: {_short(exc)}") from None
        with resp:
            if resp.status_code >= 400:
                raise ScrapeError(f"http error {resp.status_code}: {_reason(resp.status_code, resp.reason)}")
            declared = resp.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ScrapeError(f"the {what} at {url} is larger than {limit // (1024 * 1024)} MB")
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in resp.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise ScrapeError(f"the {what} at {url} is larger than {limit // (1024 * 1024)} MB")
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise ScrapeTimeout(f"timed out after {self.timeout:g} s fetching {url}")
            except requests.exceptions.RequestException as exc:
                if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError) and (
                    time.monotonic() > deadline or "timed out" in str(exc).lower()
                ):
                    raise ScrapeTimeout(f"timed out after {self.timeout:g} s fetching {url}") from None
                raise ScrapeError(f"could not read {url}: {_short(exc)}") from None
            return Page(resp.url, resp.status_code, resp.headers.get("Content-Type", ""), b"".join(chunks))

    def load_html(self, url: str) -> str:
        """A page for an XPath scraper, decoded by charset; not HTML (binary) is an error."""
        page = self.get(url)
        ctype = page.content_type.split(";", 1)[0].strip().lower()
        if ctype.startswith(_BINARY_TYPES) or ctype in _BINARY_APPS:
            raise ScrapeError(f"{url} is not an HTML page (content type {ctype})")
        if b"\x00" in page.body[:1024] and not page.body.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ScrapeError(f"{url} is not an HTML page (binary content)")
        text = decode_body(page.body, page.content_type)
        self._print(url, text)
        return text

    def load_json(self, url: str) -> str:
        """A page for a JSON scraper (UTF-8 unless a BOM or the Content-Type says otherwise)."""
        page = self.get(url)
        text = decode_json_body(page.body, page.content_type)
        self.log.info(f"loadURL ({url})")
        self._print(url, text)
        return text

    def _print(self, url: str, text: str) -> None:
        if self.defn.print_html:
            shown = text if len(text) <= PRINT_HTML_LIMIT else text[:PRINT_HTML_LIMIT] + "\n… (truncated)"
            self.log.info(f"loadURL ({url}) response: \n{shown}")

    def image_data_uri(self, url: str, extra_headers: dict[str, str] | None = None) -> str:
        """Download an image into a ``data:<type>;base64,…`` URI (Stash's ``getImage``)."""
        headers = self._headers()
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            headers["Referer"] = f"{parts.scheme}://{parts.netloc}/"
        if extra_headers:
            headers.update(extra_headers)
        page = self.get(url, max_bytes=self.max_image_bytes, headers=headers, what="image")
        ctype = page.content_type or sniff_content_type(page.body)
        return f"data:{ctype};base64,{base64.b64encode(page.body).decode('ascii')}"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
