"""The errors of the on-demand HLS engine: :class:`HlsError` (a segment could not be produced:
ffmpeg failed, busy, timeout, source missing, no duration) and :class:`HlsNotFoundError` (an unknown
rendition, a segment index out of range or an unusable video id). The playlists, the segment cache
and the encoder all raise them; both are :class:`~plugin_sdk.errors.ObscuraError` subclasses with
an HTTP ``status``.
"""

from __future__ import annotations

from plugin_sdk.errors import NotFoundError, ObscuraError

__all__ = ["HlsError", "HlsNotFoundError"]


class HlsError(ObscuraError):
    """An HLS segment could not be produced; ``status`` is 500 (ffmpeg failed), 503 (busy, shutting
    down), 504 (encode timeout) or 404/422 (source missing / no duration)."""

    status = 500
    code = "hls_failed"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code)
        if status is not None:
            self.status = status


class HlsNotFoundError(NotFoundError, ValueError):
    """404: unknown rendition, segment index out of range, or an unusable video id."""

    code = "hls_not_found"
