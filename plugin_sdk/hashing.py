"""Pure hashing helpers compatible with Stash.

* :func:`md5_file` - streaming MD5 (lowercase hex), as ``pkg/hash/md5``.
* :func:`oshash_file` / :func:`oshash_bytes` - the OpenSubtitles-style hash used by
  Stash for video files (``pkg/hash/oshash``).
* :func:`perception_hash` - a bit-exact port of ``goimagehash.PerceptionHash``
  (v1.1.0) as Stash calls it on its NRGBA sprite montage, including the 8-bit
  fixed point ``nfnt/resize`` Bilinear resize it performs first.

Only the standard library, NumPy and Pillow are used.  See
``tests/vectors/phash_ref`` for the Go reference program the port is checked
against.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image

__all__ = [
    "hamming",
    "hex_to_phash",
    "md5_file",
    "oshash_bytes",
    "oshash_file",
    "perception_hash",
    "phash_to_hex",
]

_MASK64 = (1 << 64) - 1
_MD5_CHUNK = 1 << 20
_OSHASH_CHUNK = 64 * 1024

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------------------
# MD5
# ---------------------------------------------------------------------------


def md5_file(path: PathLike) -> str:
    """Return the MD5 of the whole file at *path* as 32 lowercase hex digits.

    The file is streamed in 1 MiB chunks, so memory use is constant.
    """
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(_MD5_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# oshash
# ---------------------------------------------------------------------------


def _sum_le_u64(buf: bytes) -> int:
    """Sum of consecutive little-endian uint64 words of *buf* (len % 8 == 0), mod 2**64.

    NumPy's uint64 addition wraps around exactly like Go's, without a Python loop.
    """
    return int(np.frombuffer(buf, dtype="<u8").sum(dtype=np.uint64)) & _MASK64


def _oshash_chunk_size(size: int) -> int:
    if size <= 8:
        raise ValueError(f"cannot calculate oshash of {size} bytes: the input must be larger than 8 bytes")
    if size < _OSHASH_CHUNK:
        return (size // 8) * 8
    return _OSHASH_CHUNK


def _oshash_format(size: int, head: bytes, tail: bytes) -> str:
    value = (_sum_le_u64(head) + _sum_le_u64(tail) + size) & _MASK64
    return f"{value:016x}"


def oshash_bytes(data: bytes) -> str:
    """Return the Stash oshash of an in-memory byte string.

    Same definition as :func:`oshash_file`; raises :class:`ValueError` when
    ``len(data) <= 8``.
    """
    size = len(data)
    chunk = _oshash_chunk_size(size)
    return _oshash_format(size, data[:chunk], data[size - chunk :])


def oshash_file(path: PathLike) -> str:
    """Return the Stash oshash of the file at *path* as 16 lowercase hex digits.

    ``hash = (sum64(head) + sum64(tail) + size) mod 2**64`` where ``head``/``tail``
    are the first/last ``chunk`` bytes, ``chunk = 64 KiB`` (or, for files smaller
    than that, the size rounded down to a multiple of 8; the two windows may
    overlap) and ``sum64`` adds little-endian uint64 words with wrap-around.

    Raises :class:`ValueError` for files of 8 bytes or less (including empty files).
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        chunk = _oshash_chunk_size(size)
        head = fh.read(chunk)
        fh.seek(size - chunk)
        tail = fh.read(chunk)
    if len(head) != chunk or len(tail) != chunk:
        raise OSError(f"short read while computing oshash of {os.fspath(path)!r}")
    return _oshash_format(size, head, tail)


# ---------------------------------------------------------------------------
# Perceptual hash helpers
# ---------------------------------------------------------------------------


def phash_to_hex(h: int) -> str:
    """Format a 64-bit phash as 16 lowercase, zero-padded hex digits (stash-box style).

    Negative values (a phash stored as a signed int64) are taken modulo 2**64.
    """
    return f"{h & _MASK64:016x}"


def hex_to_phash(s: str) -> int:
    """Parse a phash written as hex, zero padded (stash-box) or not (Stash).

    Returns an unsigned int in ``[0, 2**64)``; raises :class:`ValueError` otherwise.
    """
    text = s.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    if not text or len(text) > 16 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"not a 64-bit hex phash: {s!r}")
    return int(text, 16)


def hamming(a: int, b: int) -> int:
    """Hamming distance (popcount of XOR) between two 64-bit hashes."""
    return ((a ^ b) & _MASK64).bit_count()


# ---------------------------------------------------------------------------
# nfnt/resize (github.com/nfnt/resize @ 83c6a99), Bilinear, 8-bit path
# ---------------------------------------------------------------------------

_PHASH_SIZE = 64


def _go_int(x: float) -> int:
    """Go's ``int(float64)``: truncation toward zero."""
    return int(x)  # Python's int() truncates toward zero as well


def _linear(x: float) -> float:
    x = abs(x)
    if x <= 1:
        return 1 - x
    return 0.0


def _create_weights8(dy: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Port of nfnt ``createWeights8`` for the Bilinear kernel (taps=2, blur=1).

    Returns ``(coeffs, start)``: an int64 ``(dy, filterLength)`` matrix of the
    int16 coefficients and the int64 start source index of each output sample.
    """
    blur = 1.0
    filter_length = 2 * _go_int(max(math.ceil(blur * scale), 1.0))
    filter_factor = min(1.0 / (blur * scale), 1.0)
    coeffs = np.zeros((dy, filter_length), dtype=np.int64)
    start = np.zeros(dy, dtype=np.int64)
    for y in range(dy):
        interp = scale * (float(y) + 0.5) - 0.5
        s = _go_int(interp) - filter_length // 2 + 1
        start[y] = s
        interp -= float(s)
        for i in range(filter_length):
            v = (interp - float(i)) * filter_factor
            # int16(kernel(in) * 256): truncation; linear() is in [0, 1] so no wrap.
            coeffs[y, i] = _go_int(_linear(v) * 256)
    return coeffs, start


@functools.lru_cache(maxsize=64)
def _weight_matrix(src_len: int, dst_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense ``(dst_len, src_len)`` float64 matrix of integer weights plus per-row sums (float64).

    Source indices are clamped to ``[0, src_len-1]`` exactly like nfnt's
    ``resizeRGBA``/``resizeNRGBA`` (taps pointing outside hit the edge pixel).
    """
    scale = float(src_len) / float(dst_len)
    coeffs, start = _create_weights8(dst_len, scale)
    filter_length = coeffs.shape[1]
    idx = start[:, None] + np.arange(filter_length)[None, :]
    np.clip(idx, 0, src_len - 1, out=idx)
    mat = np.zeros((dst_len, src_len), dtype=np.float64)
    rows = np.repeat(np.arange(dst_len), filter_length)
    np.add.at(mat, (rows, idx.ravel()), coeffs.ravel().astype(np.float64))
    sums = coeffs.sum(axis=1).astype(np.float64)
    if np.any(sums == 0):  # Go would panic with an integer division by zero
        raise ValueError("degenerate resize weights (zero coefficient sum)")
    mat.setflags(write=False)  # cached: keep shared arrays immutable
    sums.setflags(write=False)
    return mat, sums


def _div_clamp(acc: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """``clampUint8(acc / sum)`` with Go int32 truncating division, on exact float64 integers.

    ``acc`` and ``sums`` hold exact non-negative integers (< 2**53), so the
    quotient is either exact or at least ``1/sum`` away from the next integer,
    far more than the float64 rounding error: ``floor`` gives Go's result.
    """
    out = np.floor(acc / sums)
    np.clip(out, 0, 255, out=out)
    return out


def _resize_nrgba_bilinear(pix: np.ndarray, width: int, height: int) -> np.ndarray:
    """``resize.Resize(width, height, nrgba, resize.Bilinear)`` for a straight-alpha image.

    *pix* is ``(H, W, 4)`` uint8 NRGBA; returns ``(height, width, 4)`` uint8 RGBA
    (alpha premultiplied), as nfnt returns an ``*image.RGBA``.

    Each pass computes ``clamp_uint8(sum(coeff * pixel) / sum(coeff))`` (int32
    arithmetic in Go).  The products and sums are integers far below 2**53, so
    float64 BLAS arithmetic reproduces them exactly.
    """
    src_h, src_w = pix.shape[:2]
    mat_x, sums_x = _weight_matrix(src_w, width)
    mat_y, sums_y = _weight_matrix(src_h, height)
    opaque = bool((pix[..., 3] == 0xFF).all())
    # Every product and sum below is an integer; when the largest possible accumulator
    # (255 x the largest weight sum) stays under 2**24, float32 holds them exactly and the
    # matrix products run twice as fast as in float64.
    exact32 = 255 * max(float(sums_x.max()), float(sums_y.max())) < 2**24
    dtype = np.float32 if exact32 else np.float64
    # An opaque image's alpha stays 255 through both passes and the grey formula never reads
    # it: resize only the colour channels then.
    f = pix[..., :3].astype(dtype) if opaque else pix.astype(np.float64)
    if not opaque:
        # Forward alpha premultiplication of resizeNRGBA: int32(c) * a / 0xff.
        # c*a <= 65025 is exact and a non-multiple of 255 is >= 1/255 away from
        # an integer, so floor() of the float quotient is the integer quotient.
        f[..., :3] = np.floor(f[..., :3] * f[..., 3:4] / 255.0)
        f = f.astype(dtype)

    # Horizontal pass NRGBA -> RGBA (nfnt stores it transposed; same values).
    temp = _div_clamp(np.tensordot(f, mat_x.astype(dtype), axes=([1], [1])), sums_x.astype(dtype))

    # Vertical pass on the 8-bit premultiplied temp image, RGBA -> RGBA.
    acc = np.tensordot(mat_y.astype(dtype), temp, axes=([1], [0]))  # (height, channels, width)
    out = _div_clamp(acc, sums_y[:, None, None].astype(dtype)).transpose(0, 2, 1).astype(np.uint8)
    if opaque:
        out = np.concatenate([out, np.full((*out.shape[:2], 1), 255, dtype=np.uint8)], axis=2)
    return out


# ---------------------------------------------------------------------------
# goimagehash v1.1.0 pieces
# ---------------------------------------------------------------------------


def _gray_from_16bit(r16: np.ndarray, g16: np.ndarray, b16: np.ndarray) -> np.ndarray:
    """goimagehash ``pixel2Gray``: ``0.299*(r/257) + 0.587*(g/257) + 0.114*(b/256)``.

    The divisions are Go uint32 integer divisions; the float expression is
    evaluated left to right in float64 (no FMA, as Go does on amd64).
    """
    r = (r16 // 257).astype(np.float64)
    g = (g16 // 257).astype(np.float64)
    b = (b16 // 256).astype(np.float64)
    return 0.299 * r + 0.587 * g + 0.114 * b


def _gray_rgba8(rgba: np.ndarray) -> np.ndarray:
    """Grey values of an 8-bit (premultiplied) ``*image.RGBA``: ``RGBA()`` = ``v*0x101``."""
    c = rgba.astype(np.int64) * 0x101
    return _gray_from_16bit(c[..., 0], c[..., 1], c[..., 2])


def _gray_nrgba8(nrgba: np.ndarray) -> np.ndarray:
    """Grey values of an ``*image.NRGBA`` via ``color.NRGBA.RGBA()`` (16-bit premultiply)."""
    c = nrgba.astype(np.int64)
    a = c[..., 3]
    r16 = (c[..., 0] * 0x101 * a) // 0xFF
    g16 = (c[..., 1] * 0x101 * a) // 0xFF
    b16 = (c[..., 2] * 0x101 * a) // 0xFF
    return _gray_from_16bit(r16, g16, b16)


# Static DCT divisor tables of goimagehash (transforms/static.go):
# table_N[i] = 2*cos((i + 0.5) * pi / N), spelled out so that no platform libm
# is involved.
# fmt: off
_DCT_TABLES: dict[int, np.ndarray] = {
    64: np.array(
        [
            1.9993976373924083, 1.9945809133573804, 1.9849590691974202, 1.9705552847778824,
            1.9514042600770571, 1.9275521315908797, 1.8990563611860733, 1.8659855976694777,
            1.8284195114070614, 1.7864486023910306, 1.7401739822174227, 1.6897071304994142,
            1.6351696263031674, 1.5766928552532127, 1.5144176930129691, 1.448494165902934,
            1.3790810894741339, 1.3063456859075537, 1.2304631811612539, 1.151616382835691,
            1.0699952397741948, 0.9857963844595683, 0.8992226593092132, 0.8104826280099796,
            0.7197900730699766, 0.627363480797783, 0.5334255149497968, 0.43820248031373954,
            0.3419237775206027, 0.24482135039843256, 0.1471291271993349, 0.049082457045824535,
        ]
    ),
    32: np.array(
        [
            1.9975909124103448, 1.978353019929562, 1.9400625063890882, 1.8830881303660416,
            1.8079785862468867, 1.7154572200005442, 1.6064150629612899, 1.4819022507099182,
            1.3431179096940369, 1.191398608984867, 1.0282054883864435, 0.8551101868605644,
            0.6737797067844401, 0.48596035980652796, 0.2934609489107235, 0.09813534865483627,
        ]
    ),
    16: np.array(
        [
            1.9903694533443936, 1.9138806714644176, 1.76384252869671, 1.546020906725474,
            1.2687865683272912, 0.9427934736519956, 0.5805693545089246, 0.19603428065912154,
        ]
    ),
    8: np.array([1.9615705608064609, 1.6629392246050907, 1.1111404660392046, 0.3901806440322566]),
    4: np.array([1.8477590650225735, 0.7653668647301797]),
    2: np.array([1.4142135623730951]),
}
# fmt: on


def _dct_lastaxis(x: np.ndarray) -> np.ndarray:
    """Unscaled DCT-II along the last axis (Byeong Gi Lee's recursion).

    Operation-for-operation the same float64 arithmetic as goimagehash's
    ``forwardDCT64``/``32``/``16``/``8``/``4`` (vectorised over leading axes),
    so results are bit-identical, not merely close.
    """
    n = x.shape[-1]
    if n == 1:
        return x.copy()
    half = n // 2
    lo = x[..., :half]
    hi = x[..., n - 1 : half - 1 : -1]  # hi[i] = x[n-1-i]
    a = _dct_lastaxis(lo + hi)
    b = _dct_lastaxis((lo - hi) / _DCT_TABLES[n])
    out = np.empty_like(x)
    out[..., 0::2] = a
    out[..., 1 : n - 1 : 2] = b[..., :-1] + b[..., 1:]
    out[..., n - 1] = b[..., -1]
    return out


def _dct1d(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Unscaled 1-D DCT-II, ``X_k = sum_n x_n cos(pi/N (n + 1/2) k)``; N a power of 2 <= 64."""
    arr = np.asarray(values, dtype=np.float64)
    n = arr.shape[-1]
    if n < 1 or n > 64 or n & (n - 1):
        raise ValueError("DCT length must be a power of two <= 64")
    return _dct_lastaxis(arr)


def _dct2d(matrix: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Unscaled 2-D DCT-II (rows first, then columns), as goimagehash ``DCT2DFast64``.

    ``result[i][j]``: *i* is the vertical (row) frequency, *j* the horizontal one.
    """
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError("expected a 2-D matrix")
    rows_done = _dct1d(arr)
    return _dct1d(rows_done.T).T


def _quickselect_median(values: Sequence[float]) -> float:
    """goimagehash ``MedianOfPixelsFast64`` / ``quickSelectMedian`` (k = len/2).

    For even lengths returns ``seq[k-1]/2 + seq[k]/2`` after the quick-select,
    which equals the mean of the two middle order statistics.
    """
    seq = [float(v) for v in values]
    k = len(seq) // 2
    low, hi = 0, len(seq) - 1
    if low == hi:
        return seq[k]
    while low < hi:
        pivot = low // 2 + hi // 2
        pivot_value = seq[pivot]
        store = low
        seq[pivot], seq[hi] = seq[hi], seq[pivot]
        for i in range(low, hi):
            if seq[i] < pivot_value:
                seq[store], seq[i] = seq[i], seq[store]
                store += 1
        seq[hi], seq[store] = seq[store], seq[hi]
        if k <= store:
            hi = store
        else:
            low = store + 1
    if len(seq) % 2 == 0:
        return seq[k - 1] / 2 + seq[k] / 2
    return seq[k]


def _to_nrgba_array(img: Image.Image) -> np.ndarray:
    if img.mode != "RGBA":
        img = img.convert("RGBA")
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim != 3 or arr.shape[2] != 4 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError("perception_hash needs a non-empty image")
    return arr


def _is_opaque(img: Image.Image) -> bool:
    if img.mode in ("RGB", "L") or (img.mode == "P" and "transparency" not in img.info):
        return True
    if img.mode == "RGBA":
        return img.getchannel("A").getextrema() == (255, 255)
    return False


def _resize_rgb_fast(rgb: np.ndarray, width: int, height: int) -> np.ndarray | None:
    """:func:`_resize_nrgba_bilinear` for an opaque ``(H, W, 3)`` uint8 image, channel by channel
    as two float32 matrix products each (~1 ms for Stash's 800x450 montage).

    An opaque image's alpha stays 255 and never reaches the grey formula, so it is not resized.
    float32 is exact here because every product and sum is an integer below 2**24 (checked);
    returns ``None`` when that does not hold (huge sources), for the float64 path to take over.
    """
    src_h, src_w = rgb.shape[:2]
    mat_x, sums_x = _weight_matrix(src_w, width)
    mat_y, sums_y = _weight_matrix(src_h, height)
    if 255 * max(float(sums_x.max()), float(sums_y.max())) >= 2**24:
        return None
    mx = mat_x.T.astype(np.float32)
    my = mat_y.astype(np.float32)
    sx = sums_x.astype(np.float32)
    sy = sums_y.astype(np.float32)[:, None]
    out = np.empty((height, width, 3), dtype=np.uint8)
    for c in range(3):
        temp = _div_clamp(rgb[..., c].astype(np.float32) @ mx, sx)  # (H, width)
        out[..., c] = _div_clamp(my @ temp, sy)  # (height, width)
    return out


def perception_hash_rgb(rgb: np.ndarray) -> int:
    """:func:`perception_hash` of an opaque ``(H, W, 3)`` uint8 array (same bits, faster)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or rgb.shape[0] == 0 or rgb.shape[1] == 0:
        raise ValueError("perception_hash_rgb needs a non-empty (H, W, 3) uint8 array")
    h, w = rgb.shape[:2]
    resized = None if (w, h) == (_PHASH_SIZE, _PHASH_SIZE) else _resize_rgb_fast(rgb, _PHASH_SIZE, _PHASH_SIZE)
    if resized is None:
        alpha = np.full((h, w, 1), 255, dtype=np.uint8)
        return perception_hash(Image.fromarray(np.concatenate([rgb, alpha], axis=2), "RGBA"))
    return _phash_from_gray(_gray_rgba8(resized))


def _phash_gray64(img: Image.Image) -> np.ndarray:
    """The 64x64 float64 grey matrix goimagehash hashes (after resize + Rgb2GrayFast)."""
    if img.size != (_PHASH_SIZE, _PHASH_SIZE) and img.size[0] > 0 and img.size[1] > 0 and _is_opaque(img):
        resized = _resize_rgb_fast(np.asarray(img.convert("RGB"), dtype=np.uint8), _PHASH_SIZE, _PHASH_SIZE)
        if resized is not None:
            return _gray_rgba8(resized)
    pix = _to_nrgba_array(img)
    h, w = pix.shape[:2]
    if w == _PHASH_SIZE and h == _PHASH_SIZE:
        # nfnt returns the input unchanged; goimagehash then reads the NRGBA image
        # through color.NRGBA.RGBA() (generic path).
        return _gray_nrgba8(pix)
    return _gray_rgba8(_resize_nrgba_bilinear(pix, _PHASH_SIZE, _PHASH_SIZE))


def _phash_from_gray(gray: np.ndarray) -> int:
    dct = _dct2d(gray)
    flat = dct[:8, :8].ravel()  # flat[8*i + j] = dct[i][j]; includes the DC term
    median = _quickselect_median(flat.tolist())
    value = 0
    for idx, p in enumerate(flat.tolist()):
        if p > median:
            value |= 1 << (63 - idx)
    return value


def perception_hash(img: Image.Image) -> int:
    """Bit-exact port of ``goimagehash.PerceptionHash`` (v1.1.0) on an NRGBA image.

    The image is converted to straight-alpha RGBA (like Go's ``*image.NRGBA``, the
    type of Stash's sprite montage), resized to 64x64 with nfnt/resize Bilinear
    (8-bit fixed point), converted to grey, transformed with an unscaled 2-D
    DCT-II; the top-left 8x8 coefficients (DC included) are compared with their
    median, bit 63 being DCT[0][0].  Returns an unsigned 64-bit int.

    Note: Go decodes JPEGs to ``*image.YCbCr`` and greyscale PNGs to
    ``*image.Gray``, which nfnt resizes through different code paths; this port
    reproduces the NRGBA path only (what Stash's video phash uses).
    """
    return _phash_from_gray(_phash_gray64(img))
