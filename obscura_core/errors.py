"""Error handling: every ``/api`` error is the JSON envelope, never an HTML page or a traceback.

The error classes live in ``plugin_sdk.errors`` (plugins raise them); they are re-exported here.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from plugin_sdk.errors import (
    ConflictError,
    ForbiddenError,
    InternalError,
    NotFoundError,
    ObscuraError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from plugin_sdk.http import format_validation_error

log = logging.getLogger("obscura.web")

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "InternalError",
    "NotFoundError",
    "ObscuraError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "register_error_handlers",
]

HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
}


def envelope(message: str, code: str, status: int):
    return jsonify({"ok": False, "error": {"message": message, "code": code}}), status


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ObscuraError)
    def _obscura_error(exc: ObscuraError):
        if isinstance(exc, InternalError) or exc.status == 500:
            log.error("internal error on %s %s: %s", request.method, request.path, exc.message)
            return envelope("Something went wrong on the server; the details are in its log.", exc.code, 500)
        response, status = envelope(exc.message, exc.code, exc.status)
        if status == 503:  # busy (too many live transcodes): the message says so, the client retries
            response.headers["Retry-After"] = "2"
        return response, status

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL text cannot hold NUL: refuse it up front instead of failing in the database
        if _is_api() and ("\x00" in request.path or any("\x00" in v for v in request.args.values())):
            raise ValidationError("The request's path or query string contains a NUL character.")

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        log.info("value refused by the database on %s %s: %s", request.method, request.path, exc.orig)
        message = "A value in the request cannot be stored (too long, out of range or holding a NUL character)."
        if _is_api():
            return envelope(message, "validation_error", 400)
        return message, 400

    @app.errorhandler(PydanticValidationError)
    def _pydantic_error(exc: PydanticValidationError):
        return envelope(format_validation_error(exc, "input"), "validation_error", 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if not _is_api():
            return exc
        if status == 404:
            message = f"No API route matches {request.method} {request.path}."
        elif status == 405:
            message = f"{request.method} is not allowed on {request.path}."
        else:
            message = exc.description or exc.name
        return envelope(message, HTTP_CODES.get(status, "http_error"), status)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return envelope("Something went wrong on the server; the details are in its log.", "internal_error", 500)
        return "Internal Server Error", 500
