"""Two-sample test of a change in segregation between two years (or two cities)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from geoseg.errors import DataError, InputError, format_codes
from geoseg.segregation import _engine
from geoseg.segregation._inputs import Prepared, prepare_index
from geoseg.segregation._replicates import observed, p_value
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED, random_generator

__all__ = ["ChangeTest", "compare_years"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeTest:
    """Result of :func:`compare_years`: ``difference = statistic_b - statistic_a``."""

    index: str
    statistic_a: float
    statistic_b: float
    difference: float
    p_value: float
    method: str
    alternative: str
    simulated: np.ndarray


def _rows(prep: Prepared, sel: np.ndarray) -> tuple[np.ndarray, ...]:
    """Replicate arrays from row selections ``sel`` of shape ``(kc, m)``."""
    if prep.spec.kind == "single":
        x, t = prep.arrays
        return x[sel.T], t[sel.T]
    return (prep.arrays[0][sel],)


def _stack(a: Prepared, b: Prepared) -> Prepared:
    arrays = tuple(np.concatenate([u, v]) for u, v in zip(a.arrays, b.arrays, strict=True))
    return Prepared(a.spec, arrays, a.index.append(b.index), {}, a.options)


def _random_label(a: Prepared, b: Prepared, k: int, rng: np.random.Generator) -> np.ndarray:
    stacked = _stack(a, b)
    na, nb = a.n, b.n
    out = np.empty(k)
    cells = (na + nb) * (stacked.arrays[0].shape[-1] if a.spec.kind == "multi" else 2)
    for sl in _engine.chunks(k, cells):
        kc = sl.stop - sl.start
        perm = np.argsort(rng.random((kc, na + nb)), axis=1)
        va = _engine.evaluate(a.spec, _rows(stacked, perm[:, :na]), options=a.options, rng=rng)
        vb = _engine.evaluate(b.spec, _rows(stacked, perm[:, na:]), options=b.options, rng=rng)
        out[sl] = vb - va
    return out


def _paired(a: Prepared, b: Prepared, k: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(k)
    n = a.n
    cells = a.arrays[0].size * 2
    for sl in _engine.chunks(k, cells):
        kc = sl.stop - sl.start
        swap = rng.random((n, kc)) < 0.5
        if a.spec.kind == "single":
            (xa, ta), (xb, tb) = a.arrays, b.arrays
            arr_a: tuple[np.ndarray, ...] = (
                np.where(swap, xb[:, None], xa[:, None]),
                np.where(swap, tb[:, None], ta[:, None]),
            )
            arr_b: tuple[np.ndarray, ...] = (
                np.where(swap, xa[:, None], xb[:, None]),
                np.where(swap, ta[:, None], tb[:, None]),
            )
        else:
            m = swap.T[:, :, None]
            Xa, Xb = a.arrays[0][None], b.arrays[0][None]
            arr_a, arr_b = (np.where(m, Xb, Xa),), (np.where(m, Xa, Xb),)
        va = _engine.evaluate(a.spec, arr_a, ctx=a.ctx, options=a.options, rng=rng)
        vb = _engine.evaluate(b.spec, arr_b, ctx=b.ctx, options=b.options, rng=rng)
        out[sl] = vb - va
    return out


def compare_years(
    data_a: pd.DataFrame,
    data_b: pd.DataFrame,
    *,
    index: str,
    group: str | None = None,
    total: str | None = None,
    groups: Sequence[str] | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    alternative: Literal["greater", "less", "two-sided"] = "greater",
    method: Literal["random_label", "paired"] = "random_label",
    areas: Any = None,
    options: dict[str, Any] | None = None,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> ChangeTest:
    """Test whether segregation changed from table A (earlier year) to table B (later year).

    Parameters
    ----------
    data_a, data_b
        One row per area for each year (indexed by area code).
    index
        A registered index name.
    group, total, groups
        Columns as for the index functions.
    permutations
        Number of relabelled pairs of tables.
    alternative
        ``"greater"`` (default): is B more segregated than A; ``"less"``; ``"two-sided"``.
    method
        ``"random_label"``: the areas of both years are pooled and randomly split into two
        tables of the original sizes (the approach of pysal/segregation's ``TwoValueTest`` with
        ``null_approach="random_label"``); aspatial indices only. ``"paired"``: for areas
        present in both years, each area's two rows are swapped between the years with
        probability 1/2 (exchangeability of years within an area); the geometry stays in
        place, so it serves spatial indices (``areas`` needed) and panels of the same areas.
    areas
        GeoDataFrame of the areas (projected CRS) for spatial indices.
    options
        Index options.
    seed
        Seed or NumPy Generator.

    Returns
    -------
    ChangeTest
        Both statistics, their difference ``B - A``, the pseudo p-value and the simulated
        differences.

    Notes
    -----
    Randomization test of a difference (Good 2005, "Permutation, parametric and bootstrap tests
    of hypotheses", ch. 3); ``p_greater = (1 + #{sim >= obs}) / (k + 1)``.
    """
    rng = random_generator(seed)
    if method not in ("random_label", "paired"):
        msg = f"method must be 'random_label' or 'paired', got {method!r}"
        raise InputError(msg)
    kw = {"group": group, "total": total, "groups": groups, "options": options}
    if method == "paired":
        common = data_a.index.intersection(data_b.index)
        dropped = data_a.index.symmetric_difference(data_b.index)
        if len(dropped):
            logger.info(
                "paired change test: %d area(s) present in only one year left out (%s)",
                len(dropped),
                format_codes(dropped),
            )
        if len(common) < 2:
            msg = "paired change test: the two tables share fewer than two area codes"
            raise DataError(msg)
        data_a, data_b = data_a.loc[common], data_b.loc[common]
    a = prepare_index(index, data_a, areas=areas, source="table A", **kw)  # type: ignore[arg-type]
    b = prepare_index(index, data_b, areas=areas, source="table B", **kw)  # type: ignore[arg-type]
    if method == "random_label" and a.spec.spatial:
        msg = (
            f"index {index!r} is spatial: pooling areas of two years would scramble the "
            "geometry; use method='paired'"
        )
        raise InputError(msg)
    if method == "paired" and not a.index.equals(b.index):
        msg = (
            "paired change test: areas with zero population differ between the years "
            f"({format_codes(a.index.symmetric_difference(b.index))}); drop them from both"
        )
        raise InputError(msg)
    stat_a, stat_b = observed(a, rng), observed(b, rng)
    k = int(permutations)
    sims = _random_label(a, b, k, rng) if method == "random_label" else _paired(a, b, k, rng)
    diff = stat_b - stat_a
    return ChangeTest(
        index, stat_a, stat_b, diff, p_value(diff, sims, alternative), method, alternative, sims
    )
