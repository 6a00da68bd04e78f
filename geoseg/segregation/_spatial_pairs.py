"""Sums of contiguity path lengths over the pairs of areas in nested sets, for the spatial
proximity profile (Hong & Sadahiro 2014): the sets are the areas whose group share reaches
each threshold, one nested sequence per replicate table.
"""

from __future__ import annotations

import numpy as np

__all__ = ["group_pair_sums", "prefix_pair_sums"]


def prefix_pair_sums(steps: np.ndarray, component: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``F[c, r]``: steps summed over ordered pairs of the first ``r`` areas of ``order[:, c]``.

    ``steps`` holds the finite path lengths as small integers (0 between unconnected areas);
    prefixes that span more than one connected ``component`` are infinite.
    """
    n, k = order.shape
    out = np.zeros((k, n + 1))
    rank = np.empty_like(order)
    rank[order, np.arange(k)[None, :]] = np.arange(n)[:, None]
    position = np.arange(n)[None, :, None]
    step = max(1, int(3e7 // max(n * n, 1)))
    for start in range(0, k, step):  # chunks bound memory; each chunk is vectorised
        cols = slice(start, min(start + step, k))
        rows = steps[order[:, cols].T]  # (c, n, n): row a is the a-th area's path lengths
        earlier = rank[:, cols].T[:, None, :] < position  # columns ranked before row a
        np.multiply(rows, earlier, out=rows)  # in place: no second (c, n, n) array
        lower = rows.sum(axis=2, dtype=np.int64)
        out[cols, 1:] = 2.0 * np.cumsum(lower, axis=1)
    comp = component[order]  # (n, k)
    spans = np.maximum.accumulate(comp != comp[:1], axis=0)  # prefix reaches a 2nd component
    out[:, 1:][spans.T] = np.inf
    return out


def group_pair_sums(
    steps: np.ndarray, component: np.ndarray, order: np.ndarray, passes: np.ndarray
) -> np.ndarray:
    """:func:`prefix_pair_sums` at the prefixes that end where ``passes`` changes (the only
    ones the profile reads), by matrix products; other entries are NaN.

    The areas of column ``c`` fall into groups of equal ``passes`` (contiguous in
    ``order[:, c]``). With ``C`` the areas-by-groups indicator matrix, ``Cᵀ steps C`` holds the
    steps summed between every two groups, and a prefix of whole groups sums a corner of it.
    One product ``steps @ [C_1 ... C_k]`` serves every column; its entries are integers, exact
    in single precision while below ``2^24`` (double precision otherwise), and the sums after
    it are taken in double precision.
    """
    n, k = order.shape
    out = np.full((k, n + 1), np.nan)
    out[:, 0] = 0.0
    ranked = np.take_along_axis(passes, order, axis=0)  # each column's passes, in its order
    new = np.ones((n, k), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    group = np.cumsum(new, axis=0) - 1  # group of the r-th area of each column's order
    sizes = new.sum(axis=0)
    exact32 = n * int(steps.max(initial=0)) < 2**24  # every entry of the product below 2^24
    square = steps.astype(np.float32 if exact32 else float)
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    budget = max(int(sizes.max()), 4_000_000 // max(n, 1))  # columns of C per product
    c0 = 0
    while c0 < k:
        c1 = c0 + 1
        while c1 < k and offsets[c1 + 1] - offsets[c0] <= budget:
            c1 += 1
        width = int(offsets[c1] - offsets[c0])
        C = np.zeros((n, width), dtype=square.dtype)
        for c in range(c0, c1):
            C[order[:, c], offsets[c] - offsets[c0] + group[:, c]] = 1.0
        R = square @ C  # steps from every area to every group
        for c in range(c0, c1):
            lo = int(offsets[c] - offsets[c0])
            rows = R[order[:, c], lo : lo + sizes[c]].astype(float)
            starts = np.flatnonzero(new[:, c])
            between = np.add.reduceat(rows, starts, axis=0)  # (groups, groups)
            corner = np.diagonal(between.cumsum(axis=0).cumsum(axis=1))
            ends = np.append(starts[1:], n)
            out[c, ends] = corner
        c0 = c1
    comp = component[order]  # (n, k)
    spans = np.maximum.accumulate(comp != comp[:1], axis=0)  # prefix reaches a 2nd component
    out[:, 1:][spans.T] = np.inf
    return out
