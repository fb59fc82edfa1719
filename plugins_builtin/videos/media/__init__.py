"""Pure media generation for the videos plugin (ffmpeg + Pillow/numpy; no database, no Flask).

* :mod:`.previews` – thumbnail, silent preview clip, trickplay sprite sheet + WebVTT, and the
  size/plan rules behind them (:class:`~.previews.PreviewParams`, :func:`~.previews.plan_trickplay`,
  :func:`~.previews.vtt_time`).
* :mod:`.subtitles_extract` – embedded text subtitle streams → WebVTT (raw ``.ass`` kept), image
  subtitle streams skipped, sidecar subtitle files → WebVTT.

The job processors that call these live elsewhere; everything here takes paths and numbers and
writes its outputs atomically (temporary name beside the target, then rename).
"""
