"""Video streaming engine for the videos plugin (plain Python, no database, no routes).

* :mod:`.compat` – which (container, video codec, audio codec) a browser plays directly, and the
  fallback mode (``direct`` / ``remux`` / ``transcode``) for the rest.
* :mod:`.direct` – ``send_source``: byte-range file responses (206/416/ETag/If-Range) that let the
  WSGI server ``sendfile()`` both whole files and single ranges.
* :mod:`.remux` – ``stream_fmp4``: a live fragmented-MP4 pipe from ffmpeg for files a browser cannot
  play, killed when the client goes away and capped per process.
* on-demand HLS: :mod:`.hls_playlists` (the rendition ladder, master/variant playlists),
  :mod:`.hls_encode` (the ffmpeg segment command, live-transcode speed), :mod:`.hls_cache` (the
  on-disk segment store and its bounded LRU eviction) and :mod:`.hls` (``HlsCache``, which encodes
  single 6 s MPEG-TS segments on request: single-flight, prefetch, encode slots).

Routes import these modules; the modules import only the standard library, Flask/Werkzeug and
``plugin_sdk``.
"""
