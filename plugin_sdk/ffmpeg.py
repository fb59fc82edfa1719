"""ffmpeg command lines built with ffmpeg-python: inputs, filter graphs and outputs as nodes, turned into an argv.

A plugin describes what ffmpeg should do with ffmpeg-python's nodes (the ``ffmpeg`` package) — an
input from :func:`source`, filters with ``stream.filter(name, *args, **kwargs)``, an output from
:func:`output` — and gets the argument list from :func:`command` (binary, global options, then
ffmpeg-python's arguments: for ``subprocess``) or :func:`arguments` (without the binary: for
:func:`plugin_sdk.media.run`, which adds the binary and ``-hide_banner -nostdin`` itself). The binary
is the configured one (:func:`plugin_sdk.media.ffmpeg_bin`, ``OBSCURA_FFMPEG``) unless given.
:class:`Stream` is ffmpeg-python's ``FilterableStream`` (an input's stream or a filter's output) and
:class:`Output` its ``OutputStream``, for type hints. Nothing here runs ffmpeg::

    from plugin_sdk import ffmpeg as ff

    src = ff.source(path, ss="12.000")
    video = src["V:0"].filter("scale", 320, 180)
    out = ff.output(video, target=out_jpg, **{"frames:v": 1, "q:v": 2})
    argv = ff.command(out, "-v", "error", "-y")  # [ffmpeg, -v, error, -y, -ss, 12.000, -i, …]

What ffmpeg-python writes, and why it is the same command:

* every filter graph becomes ``-filter_complex "[0:V:0]scale=320:180[s0]"`` with ``-map [s0]``
  (never ``-vf``), and ffmpeg-python escapes filter arguments itself (give expressions unquoted:
  ``w="if(gte(iw,ih),-2,720)"``); for a chain on one input stream that is the same graph as
  ``-vf`` (same filters, same scaler flags, same output);
* an input's (before ``-i``) or an output's (before its file name) options come sorted by name:
  ffmpeg collects a file's options before applying them, so only repeated options would care —
  select streams by passing them to :func:`output` (one ``-map`` each, in that order; a whole
  input without a specifier gets no ``-map``, i.e. ffmpeg's default choice);
* an option with a stream specifier is spelled through a dict (``**{"c:v": "libx264"}``) and a
  valueless one (``-an``) takes :data:`FLAG`; global options (``-y``, ``-v``, ``-nostats``) go to
  :func:`command` and stand right after the binary.

Builders that keep a plain argument list, one line each:

* ``videophash.screenshot_args``: a verbatim port of Stash's argv, so the phash stays Stash's bit for bit.
* ``hls_encode.live_transcode_speed``'s test clip: lavfi sources, no filter graph: ffmpeg-python adds nothing.
"""

from __future__ import annotations

import os
from typing import Final

import ffmpeg as _ffmpeg
from ffmpeg.nodes import FilterableStream as Stream
from ffmpeg.nodes import OutputStream as Output

from plugin_sdk.media import ffmpeg_bin

__all__ = ["FLAG", "OptionValue", "Output", "Stream", "arguments", "command", "output", "source"]

#: The value of an option that takes none: ``output(..., an=FLAG)`` writes ``-an``.
FLAG: Final = None

#: An option's value; ffmpeg-python writes it with ``str()`` (``None``: no value).
OptionValue = str | int | float | None


def source(path: str | os.PathLike[str], **options: OptionValue) -> Stream:
    """An ffmpeg input: ``[-<option> <value>…] -i <path>`` (input options such as ``ss``, ``t``, ``f``).

    Index the result with a stream specifier to pick a stream (``src["V:0"]``, ``src["a:0?"]``).
    """
    return _ffmpeg.input(os.fspath(path), **options)


def output(*streams: Stream, target: str | os.PathLike[str], **options: OptionValue) -> Output:
    """An ffmpeg output writing ``streams`` (one ``-map`` each, in order) to ``target`` (``"-"``, ``"pipe:1"``: stdout).

    ``options`` are the output's (``format="mp4"`` writes ``-f mp4``; ``**{"c:v": "libx264"}``).
    """
    if not streams:
        raise ValueError("an ffmpeg output needs at least one stream")
    return _ffmpeg.output(*streams, os.fspath(target), **options)


def arguments(out: Output) -> list[str]:
    """ffmpeg-python's arguments for ``out``: inputs, ``-filter_complex``, the output; no binary, no global options.

    For :func:`plugin_sdk.media.run`, which adds the binary and ``-hide_banner -nostdin``.
    """
    return [str(arg) for arg in _ffmpeg.get_args(out)]


def command(out: Output, *global_options: str, binary: str | None = None) -> list[str]:
    """The argv for ``out``: ``binary``, ``global_options`` (``"-y"``, ``"-v", "error"``…), then :func:`arguments`.

    ``binary`` defaults to the configured ffmpeg (:func:`plugin_sdk.media.ffmpeg_bin`).
    """
    cmd = [ffmpeg_bin() if binary is None else binary, *global_options]
    return [str(arg) for arg in _ffmpeg.compile(out, cmd=cmd)]
