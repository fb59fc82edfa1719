"""Size caps on request bodies, enforced while the body is read — never by reading it whole first.

Every route declared with :func:`~plugin_sdk.http.api_route` gets them:

* a multipart route (an upload) reads at most the library's ``maxUploadMb``
  (:mod:`plugin_sdk.limits`), or less when the route says how large its file may be
  (``api_route(..., multipart=True, max_upload=20 * MIB)``: a picture). :func:`receive_multipart`
  sets Werkzeug's per-request ``max_content_length`` and parses the body at once: a declared
  ``Content-Length`` over the cap is refused before a byte is read, a chunked body stops at the
  first byte past it. Either way the answer is ``413`` with the envelope's message
  (:class:`PayloadTooLargeError`), and nothing is left on disk (Werkzeug spools file parts to
  anonymous temporary files). A body that cannot fit in the temporary folder is refused first
  with ``507`` (:mod:`plugin_sdk.diskspace`).
* a JSON body is read only up to :data:`JSON_MAX_BYTES` (:func:`limit_json_body`).
"""

from __future__ import annotations

import tempfile
from typing import IO, TYPE_CHECKING, Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, default_stream_factory

from plugin_sdk.diskspace import check_free_space, raise_if_disk_full
from plugin_sdk.errors import ValidationError
from plugin_sdk.limits import MIB, binary_size, read_limits

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "FRAMING_BYTES",
    "JSON_MAX_BYTES",
    "PayloadTooLargeError",
    "json_too_large",
    "limit_json_body",
    "receive_multipart",
    "too_large",
]

JSON_MAX_BYTES = 32 * MIB
"""The largest JSON request body a route reads."""
FRAMING_BYTES = 64 * 1024
"""Room for the multipart framing and the small form fields around a route's largest file."""
SPOOLED_IN_MEMORY = 500 * 1024
"""Werkzeug keeps a file part up to this size in memory, larger ones in a temporary file."""


class PayloadTooLargeError(ValidationError):
    """413: the request's body, or a file in it, is larger than the route or the library takes
    (``payload_too_large``). A :class:`~plugin_sdk.errors.ValidationError`: bad input."""

    status = 413
    code = "payload_too_large"


class _ClosingParser(FormDataParser):
    """Werkzeug's form parser, closing the temporary files of the parts it read when parsing fails
    (a body past the cap, a client gone): nothing is left open or on disk."""

    def __init__(self, stream_factory: Any = None, *args: Any, **kwargs: Any) -> None:
        make = stream_factory or default_stream_factory
        self.opened: list[IO[bytes]] = []

        def tracked(*a: Any, **k: Any) -> IO[bytes]:
            file = make(*a, **k)
            self.opened.append(file)
            return file

        super().__init__(tracked, *args, **kwargs)

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().parse(*args, **kwargs)
        except BaseException:
            for file in self.opened:
                file.close()
            raise


def too_large(limit: int, route_limit: bool) -> PayloadTooLargeError:
    """The 413 for a body over ``limit``: the route's own cap, or the library's upload cap."""
    if route_limit:
        return PayloadTooLargeError(f"The upload is too large: this takes at most {binary_size(limit)}.")
    return PayloadTooLargeError(
        f"The upload is too large: the library takes at most {binary_size(limit)} per upload (Settings → Limits)."
    )


def receive_multipart(db: Session, max_upload: int | None = None) -> None:
    """Read the request's multipart body under its cap: the library's ``maxUploadMb`` or, when
    smaller, ``max_upload`` (the route's largest file) plus :data:`FRAMING_BYTES`. Afterwards
    ``request.files`` and ``request.form`` hold the parts (file parts in temporary files).

    :raises PayloadTooLargeError: the declared ``Content-Length`` is over the cap (nothing is
        read), or a body without one goes past it (reading stops at the first byte over).
    :raises InsufficientStorageError: the temporary folder cannot hold the declared body.
    """
    cap = read_limits(db).max_upload_bytes
    route_limit = max_upload is not None and max_upload + FRAMING_BYTES < cap
    shown = cap
    if route_limit and max_upload is not None:
        cap, shown = max_upload + FRAMING_BYTES, max_upload
    request.max_content_length = cap
    request.form_data_parser_class = _ClosingParser
    length = request.content_length
    if length is not None and length > cap:
        raise too_large(shown, route_limit)
    spool = tempfile.gettempdir()
    if length is not None and length > SPOOLED_IN_MEMORY:
        check_free_space(spool, length, keep_free=0)
    try:
        request.files  # noqa: B018 - parse now, streaming file parts to temporary files, under the cap
    except RequestEntityTooLarge:
        raise too_large(shown, route_limit) from None
    except OSError as exc:
        raise_if_disk_full(exc, spool)
        raise


def limit_json_body() -> None:
    """Cap the JSON body about to be read at :data:`JSON_MAX_BYTES` (call before reading it).

    :raises PayloadTooLargeError: the declared ``Content-Length`` is over it.
    """
    request.max_content_length = JSON_MAX_BYTES
    if request.content_length is not None and request.content_length > JSON_MAX_BYTES:
        raise json_too_large()


def json_too_large() -> PayloadTooLargeError:
    """The 413 for a JSON body over :data:`JSON_MAX_BYTES`."""
    return PayloadTooLargeError(
        f"The request body is too large: JSON bodies may be at most {binary_size(JSON_MAX_BYTES)}."
    )
