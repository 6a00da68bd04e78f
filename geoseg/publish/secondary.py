"""Secondary (complementary) suppression: published counts that would give a hidden one back.

When the counts of several groups of one area add up to a published total (the foreign-born and
the born-in-Sweden residents of an area add up to its population), hiding a small count is not
enough: the total minus the other counts returns it. :func:`secondary_suppression` finds which
published counts of such a line must be hidden too; :mod:`geoseg.publish.disclosure` applies it
to every table of several groups per area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["secondary_suppression"]


def _sums(values: Sequence[int]) -> int:
    """Every sum of a subset of ``values`` (non-negative whole numbers) as bits of an integer."""
    reach = 1
    for v in values:
        reach |= reach << v
    return reach


def _subset_with_sum(values: Sequence[int], target: int) -> list[int] | None:
    """Positions of a subset of ``values`` summing to ``target`` (``None`` when there is none)."""
    prefix = [1]
    for v in values:
        prefix.append(prefix[-1] | (prefix[-1] << v))
    if target < 0 or not (prefix[-1] >> target) & 1:
        return None
    chosen: list[int] = []
    rest = target
    for i in range(len(values) - 1, -1, -1):
        if (prefix[i] >> rest) & 1:
            continue  # reachable without values[i]
        chosen.append(i)
        rest -= values[i]
    return chosen


def secondary_suppression(
    counts: Sequence[float] | np.ndarray,
    suppressed: Sequence[bool] | np.ndarray,
    *,
    totals: Sequence[float] | np.ndarray,
    threshold: float = SUPPRESSION_THRESHOLD,
) -> np.ndarray:
    """Which published counts of one line must be hidden too, so that no hidden count can be
    worked out from a published total.

    A line is the counts of several groups of one area (and year) with published totals (the
    base they share, e.g. the area's population). When groups add up to a total, a hidden count
    equals the total minus the published counts of the other groups: with ``foreign_born`` = 3
    hidden, ``born_sweden`` = 5115 and the base 5118 give the 3 back. A hidden set of counts is
    exposed when a published total minus a sum of published counts equals the sum of some of
    the hidden counts and that sum is below the threshold (a single primary cell always is).
    Such lines lose, one at a time, the smallest published count of the subtraction found,
    until no exposure is left.

    Parameters
    ----------
    counts
        The line's person counts (whole numbers; missing values are ignored).
    suppressed
        Which of them are already hidden (primary suppression).
    totals
        Published totals of the line (the base, the area's population); missing ones are
        ignored.
    threshold
        The disclosure threshold.

    Returns
    -------
    numpy.ndarray
        Boolean mask over ``counts``: true for the published counts to hide as well.

    Notes
    -----
    Secondary (complementary) cell suppression for tables with marginal totals, as in
    Hundepool et al., *Statistical Disclosure Control* (Wiley, 2012), sec. 4.2 and 5.3: every
    line with a published total must hide no cell or at least two whose sum is itself not
    small. The test is arithmetic (subset sums), so it also finds groups that add up to the
    total without being declared as a partition; a coincidental equality hides a count more
    than strictly needed, never less.

    Examples
    --------
    >>> secondary_suppression([3, 5115], [True, False], totals=[5118]).tolist()
    [False, True]
    """
    values = np.asarray(counts, dtype=float)
    hidden = np.asarray(suppressed, dtype=bool).copy()
    extra = np.zeros(len(values), dtype=bool)
    known = np.isfinite(values)
    tot = [round(t) for t in np.asarray(totals, dtype=float) if np.isfinite(t)]
    if not hidden.any() or not tot:
        return extra
    whole = np.where(known, np.rint(np.where(known, values, 0)), 0).astype(np.int64)
    secret = [int(whole[i]) for i in np.flatnonzero(hidden & known)]
    # sums of hidden counts that must not be derivable: every sum below the threshold
    small = [s for s in _bit_positions(_sums(secret)) if s < threshold and s > 0]
    if 0 in secret:
        small.append(0)
    while True:
        pub = np.flatnonzero(known & ~hidden & ~extra)
        pub_values = [int(whole[i]) for i in pub]
        found: list[int] | None = None
        for total in tot:
            for s in small:
                found = _subset_with_sum(pub_values, total - s)
                if found:
                    break
            if found:
                break
        if not found:
            return extra
        victim = min(found, key=lambda k: pub_values[k])
        extra[pub[victim]] = True


def _bit_positions(bits: int) -> list[int]:
    """The positions of the set bits of ``bits``, lowest first."""
    out = []
    pos = 0
    while bits:
        if bits & 1:
            out.append(pos)
        bits >>= 1
        pos += 1
    return out
