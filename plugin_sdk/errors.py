"""Error classes a handler or processor raises; the core turns them into the API envelope.

``{"ok": false, "error": {"message": ..., "code": ...}}`` with the class's HTTP status.
"""

from __future__ import annotations


class ObscuraError(Exception):
    """Base class: ``message`` is shown to the user, ``code`` is a stable machine-readable id."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationError(ObscuraError):
    """400: the request body, query string or a path parameter is invalid."""

    status = 400
    code = "validation_error"


class ForbiddenError(ObscuraError):
    """403: the request is refused (cross-site mutation, path outside the library)."""

    status = 403
    code = "forbidden"


class NotFoundError(ObscuraError):
    """404: no row with that id (or the route does not exist)."""

    status = 404
    code = "not_found"


class ConflictError(ObscuraError):
    """409: a unique constraint or a state collision (e.g. cancelling a finished job)."""

    status = 409
    code = "conflict"


class UnsupportedMediaTypeError(ObscuraError):
    """415: the request's content type is not accepted."""

    status = 415
    code = "unsupported_media_type"


class InternalError(ObscuraError):
    """500: unexpected; the message shown is generic, details go to the log."""

    status = 500
    code = "internal_error"


class PermanentJobError(Exception):
    """Raised by a processor when retrying cannot help (bad payload, unsupported file).

    The run ends ``failed`` at once with this message instead of being retried.
    """
