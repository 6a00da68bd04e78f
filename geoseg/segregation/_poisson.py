"""Rows of Poisson counts by inversion of exact tables, one table per row.

The systematic null model draws each area's count from the same Poisson distribution in
every replicate (see ``_sampling``), so the distribution of row ``i`` is tabulated once and
every draw is a uniform variate looked up in the table (Devroye 1986, "Non-uniform random
variate generation", ch. III.2 on inversion by guide tables, and ch. X.3 on the Poisson
distribution). A lookup costs a few memory reads instead of the log-gamma evaluations of a
rejection sampler.

Each table spans the counts outside of which the Poisson tails hold less than ``1e-17``
(Bernstein's and Chernoff's inequalities: ``P(X - mu >= s) <= exp(-s^2 / (2 (mu + s/3)))``,
``P(X - mu <= -s) <= exp(-s^2 / (2 mu))``); probabilities are computed by the recurrence
``p(v + 1) = p(v) mu / (v + 1)`` from a log-gamma start and accumulated in double precision,
and each row's table is normalised to end exactly at 1, so the drawn distribution equals the
Poisson distribution up to rounding (below ``1e-12`` per count).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

__all__ = ["PoissonRows"]

#: ``-log`` of the tail probability left out of each table on either side.
_LOG_TAIL = float(np.log(1e17))
#: Steps forward from the guide before the remaining draws switch to bisection.
_LINEAR_STEPS = 3


class PoissonRows:
    """Tables of ``Poisson(mu[i])`` for the rows ``i``; :meth:`draw` fills ``(n, k)`` arrays."""

    def __init__(self, mu: np.ndarray) -> None:
        mu = np.asarray(mu, dtype=float)
        if mu.ndim != 1 or not np.all(np.isfinite(mu)) or np.any(mu < 0):
            msg = "Poisson means must be a 1-d array of finite non-negative numbers"
            raise ValueError(msg)
        n = mu.size
        a = 2.0 * _LOG_TAIL / 3.0
        lo = np.maximum(np.floor(mu - np.sqrt(2.0 * _LOG_TAIL * mu)), 0.0).astype(np.int64)
        hi = np.ceil(mu + (a + np.sqrt(a * a + 8.0 * _LOG_TAIL * mu)) / 2.0).astype(np.int64)
        hi = np.where(mu > 0, hi, 0)  # a zero mean has the single count 0
        count = hi - lo + 1
        start = np.cumsum(count) - count
        owner = np.repeat(np.arange(n), count)
        value = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(start - lo, count)
        # log p(lo) by log-gamma, then log p(v + 1) - log p(v) = log mu - log(v + 1)
        first = xlogy(lo, mu) - mu - gammaln(lo + 1.0)
        with np.errstate(divide="ignore"):
            step = np.log(mu)[owner] - np.log(value + 1.0)
        last = start + count - 1
        step[last] = 0.0  # the step out of a row is never used (and is -inf for mu = 0)
        acc = np.cumsum(step)
        acc -= step  # sum of the steps before each point
        pmf = np.exp(first[owner] + acc - acc[start][owner])
        cdf = np.cumsum(pmf)
        before = np.concatenate(([0.0], cdf[last[:-1]]))
        cdf -= before[owner]
        cdf /= cdf[last][owner]  # each row ends at exactly 1
        # guide table: for bucket j of row i (count[i] buckets and one spare), the first
        # position whose bucket floor(cdf * count) is at least j
        bucket = np.floor(cdf * count[owner]).astype(np.int64)
        slot = start + np.arange(n)
        hist = np.bincount(slot[owner] + bucket, minlength=int(count.sum()) + n)
        self.guide = np.concatenate(([0], np.cumsum(hist)[:-1]))
        self.n = n
        self.last = last
        self.buckets = count.astype(float)
        self.slot = slot
        self.cdf = cdf
        self.value = value
        for table in (self.guide, self.last, self.buckets, self.slot, self.cdf, self.value):
            table.setflags(write=False)  # read by the compiled kernel: never changed

    def draw(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, k)`` int64 array: row ``i`` holds ``k`` independent ``Poisson(mu[i])`` counts."""
        u = rng.random((self.n, k))
        pos = (u * self.buckets[:, None]).astype(np.int64)
        pos += self.slot[:, None]
        idx = self.guide[pos].ravel()
        flat = u.ravel()
        # the first position whose cumulative probability exceeds u (the guide never overshoots:
        # rounding is monotone, so a position's bucket is at least the bucket of u); a few steps
        # forward settle almost every draw, the rest (the table's first bucket spans the whole
        # lower tail) are settled by bisection up to the end of their row
        active = np.flatnonzero(self.cdf[idx] <= flat)
        for _ in range(_LINEAR_STEPS):
            if not active.size:
                break
            idx[active] += 1
            active = active[self.cdf[idx[active]] <= flat[active]]
        if active.size:
            low, high = idx[active], self.last[active // k]
            target = flat[active]
            while True:
                open_ = np.flatnonzero(low < high)
                if not open_.size:
                    break
                mid = (low[open_] + high[open_]) // 2
                right = self.cdf[mid] <= target[open_]
                low[open_[right]] = mid[right] + 1
                high[open_[~right]] = mid[~right]
            idx[active] = low
        return self.value[idx].reshape(self.n, k)
