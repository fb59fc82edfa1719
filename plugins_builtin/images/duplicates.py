"""Near-duplicate images by perceptual hash, without comparing every pair.

Multi-index hashing: split the 64 bits into ``distance + 1`` chunks. Two hashes within Hamming
distance ``d`` agree exactly on at least one chunk (pigeonhole), so only hashes sharing a chunk
value are compared. Sorting each chunk's values and comparing neighbours at growing offsets keeps
everything vectorised; accepted pairs are merged into groups with union-find.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_DISTANCE = 16


def _candidate_pairs(values: np.ndarray, shift: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    keys = (values >> np.uint64(shift)) & np.uint64((1 << width) - 1)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    lefts, rights = [], []
    offset = 1
    while offset < len(order):
        same = sorted_keys[offset:] == sorted_keys[:-offset]
        if not same.any():
            break
        idx = np.nonzero(same)[0]
        lefts.append(order[idx])
        rights.append(order[idx + offset])
        offset += 1
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(lefts), np.concatenate(rights)


def _find(parent: np.ndarray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


def duplicate_groups(ids: Sequence[str], hashes: Sequence[int], distance: int) -> list[list[str]]:
    """Groups (each ≥ 2 ids) of images whose hashes are within ``distance`` of another member."""
    if not 0 <= distance <= MAX_DISTANCE:
        raise ValueError(f"distance must be between 0 and {MAX_DISTANCE}")
    if len(ids) < 2:
        return []
    values = np.asarray(hashes, dtype=np.int64).view(np.uint64)
    chunks = distance + 1
    base, extra = divmod(64, chunks)
    a_all, b_all = [], []
    shift = 0
    for c in range(chunks):
        width = base + (1 if c < extra else 0)
        a, b = _candidate_pairs(values, shift, width)
        shift += width
        if len(a):
            a_all.append(a)
            b_all.append(b)
    if not a_all:
        return []
    a = np.concatenate(a_all)
    b = np.concatenate(b_all)
    close = np.bitwise_count(values[a] ^ values[b]) <= distance
    a, b = a[close], b[close]
    parent = np.arange(len(values))
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        ri, rj = _find(parent, i), _find(parent, j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[str]] = {}
    for i in np.unique(np.concatenate([a, b])).tolist():
        groups.setdefault(_find(parent, i), []).append(ids[i])
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
