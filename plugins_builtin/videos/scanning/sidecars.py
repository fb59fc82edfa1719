"""What the metadata and subtitle sidecars share: the size cap on a sidecar file
(:data:`MAX_SIDECAR_BYTES`). Metadata sidecars (``.nfo``, ``.info.json``, ``.json``) are read in
:mod:`.nfo` into the record of :mod:`.sidecar_metadata`; subtitle sidecars (discovery, SRT/ASS/SSA →
WebVTT, WebVTT cues) are in :mod:`.subtitle_files`. Both read the cap from here at call time, so
tests can lower it on this module.
"""

from __future__ import annotations

__all__ = ["MAX_SIDECAR_BYTES"]

#: Sidecar files larger than this are ignored (metadata) or refused (subtitles).
MAX_SIDECAR_BYTES: int = 32 * 1024 * 1024  # module-level so tests can lower it
