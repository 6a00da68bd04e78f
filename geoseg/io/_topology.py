"""Contracting a street graph's chains of two-way nodes into single edges, with NumPy only.

A street drawn with many shape nodes is a chain of short segments whose inner nodes each touch
exactly two other nodes. Routing needs only the chain's two ends and its total length; the inner
nodes survive as the edge's line. The chains are found for the whole graph at once by pointer
jumping over half-edges (list ranking), so the cost grows as ``S log L`` for ``S`` segments and
chains of at most ``L`` segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["Chains", "contract_chains"]

#: Rounds of splitting chains that would become loops or non-shortest parallel edges.
_MAX_ROUNDS = 8


@dataclass(frozen=True)
class Chains:
    """Edges after contraction.

    Attributes
    ----------
    u, v
        End nodes of each edge (indices into the input's nodes).
    length
        Sum of the segment lengths along each edge.
    nodes, offsets
        The input nodes each edge runs through, flattened: edge ``e`` is
        ``nodes[offsets[e]:offsets[e + 1]]``, from ``u[e]`` to ``v[e]``.
    """

    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    nodes: np.ndarray
    offsets: np.ndarray


@dataclass(frozen=True)
class _HalfEdges:
    """Both directions of every segment, and the two half-edges leaving each two-way node."""

    src: np.ndarray
    dst: np.ndarray
    rev: np.ndarray
    two: np.ndarray  # nodes with two segments to two different neighbours
    out1: np.ndarray  # their first and second outgoing half-edge
    out2: np.ndarray


def _half_edges(n: int, su: np.ndarray, sv: np.ndarray) -> _HalfEdges:
    s = len(su)
    idx = np.int32 if 2 * s < 2**31 and n < 2**31 else np.int64
    src = np.concatenate([su, sv]).astype(idx)
    dst = np.concatenate([sv, su]).astype(idx)
    rev = np.concatenate([np.arange(s, 2 * s, dtype=idx), np.arange(s, dtype=idx)])
    order = np.argsort(src, kind="stable").astype(idx)
    deg = np.bincount(src, minlength=n)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=start[1:])
    two = np.flatnonzero(deg == 2).astype(idx)
    out1, out2 = order[start[two]], order[start[two] + 1]
    del order, start, deg
    distinct = dst[out1] != dst[out2]
    return _HalfEdges(src, dst, rev, two[distinct], out1[distinct], out2[distinct])


def _rank(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointer jumping: for each half-edge, the last half-edge of its chain and the steps to it."""
    last = np.arange(len(nxt), dtype=nxt.dtype)
    going = nxt >= 0
    last[going] = nxt[going]
    steps = going.astype(nxt.dtype)
    del going
    for _ in range(64):
        onward = last[last]
        if np.array_equal(onward, last):
            break
        steps += steps[last]
        last = onward
    return last, steps


def _walk(he: _HalfEdges, length: np.ndarray, junction: np.ndarray) -> Chains:
    """Chains between junction nodes (every cycle must hold a junction)."""
    s = len(length)
    src, dst, rev = he.src, he.dst, he.rev
    through = ~junction[he.two]
    h1, h2 = he.out1[through], he.out2[through]
    # a half-edge arriving at a two-way node goes on along the node's other half-edge
    nxt = np.full(2 * s, -1, dtype=src.dtype)
    nxt[rev[h1]] = h2
    nxt[rev[h2]] = h1
    del h1, h2, through
    last, steps = _rank(nxt)
    del nxt
    head = rev[last[rev]]
    # each chain appears twice (once per direction): keep one direction
    keep = np.flatnonzero(head < rev[last])
    hk = head[keep].astype(np.int64)
    along = steps[hk] - steps[keep]
    keep = keep[np.argsort(hk * (int(steps.max()) + 1) + along)]
    del hk, along
    hk = head[keep]
    del head
    brk = np.ones(len(keep), dtype=bool)
    brk[1:] = hk[1:] != hk[:-1]
    first = np.flatnonzero(brk)
    del brk
    count = np.diff(np.append(first, len(keep)))
    heads = hk[first]
    del hk
    total = np.add.reduceat(length[keep % s], first) if len(keep) else np.zeros(0)
    offsets = np.zeros(len(heads) + 1, dtype=np.int64)
    np.cumsum(count + 1, out=offsets[1:])
    nodes = np.empty(int(offsets[-1]), dtype=np.int64)
    chain = np.repeat(np.arange(len(heads)), count)
    step = np.arange(len(keep)) - np.repeat(first, count)
    nodes[offsets[chain] + step] = src[keep]
    del chain, step
    nodes[offsets[1:] - 1] = dst[keep[first + count - 1]]
    u = src[heads].astype(np.int64)
    v = dst[last[heads]].astype(np.int64)
    return Chains(u=u, v=v, length=total, nodes=nodes, offsets=offsets)


def _troublesome(ch: Chains, n: int) -> np.ndarray:
    """Chains that would be lost: loops, and parallel chains longer than the shortest."""
    a, b = np.minimum(ch.u, ch.v), np.maximum(ch.u, ch.v)
    bad = a == b
    key = a * n + b
    order = np.argsort(key)
    ks = key[order]
    dup = np.flatnonzero(ks[1:] == ks[:-1])
    if len(dup):
        group = order[np.unique(np.concatenate([dup, dup + 1]))]
        sub = group[np.lexsort((ch.length[group], key[group]))]
        later = np.zeros(len(sub), dtype=bool)
        later[1:] = key[sub][1:] == key[sub][:-1]
        bad[sub[later]] = True
    return bad & (np.diff(ch.offsets) > 2)  # only chains with inner nodes can be split


def contract_chains(n: int, su: np.ndarray, sv: np.ndarray, length: np.ndarray) -> Chains:
    """Contract chains of two-way nodes of an undirected graph of ``n`` nodes into edges.

    Parameters
    ----------
    n
        Number of nodes.
    su, sv
        Segment ends (node indices, no self-loops).
    length
        Segment lengths.

    Returns
    -------
    Chains
        The contracted edges; nodes that are not an edge's end appear only inside lines.

    Notes
    -----
    A node is kept as a junction unless it has exactly two segments to two different
    neighbours. Shortest-path distances between kept nodes are unchanged: a path through an
    inner node must run along its whole chain. A chain that would become a loop (both ends at
    one junction) or a parallel edge longer than another between the same two junctions is
    split at its inner nodes instead, so that no street is lost to the simple graph's rule of
    one (the shortest) edge per node pair. A ring with no junction at all keeps every node.
    """
    length = np.asarray(length, dtype=float)
    he = _half_edges(n, np.asarray(su), np.asarray(sv))
    junction = np.ones(n, dtype=bool)
    junction[he.two] = False
    # rings made only of two-way nodes keep all their nodes
    s = len(length)
    graph = sp.coo_matrix((np.ones(s, dtype=np.int8), (he.src[:s], he.dst[:s])), shape=(n, n))
    ncomp, label = connected_components(graph, directed=False)
    anchored = np.bincount(label[junction], minlength=ncomp) > 0
    junction |= ~anchored[label]
    for _ in range(_MAX_ROUNDS):
        chains = _walk(he, length, junction)
        bad = np.flatnonzero(_troublesome(chains, n))
        if len(bad) == 0:
            return chains
        starts = chains.offsets[bad] + 1
        inside = chains.offsets[bad + 1] - 1 - starts
        idx = np.repeat(starts, inside) + (
            np.arange(int(inside.sum())) - np.repeat(np.cumsum(inside) - inside, inside)
        )
        junction[chains.nodes[idx]] = True
    return chains  # pragma: no cover - each round splits every troublesome chain
