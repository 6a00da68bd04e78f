"""Inference for segregation indices: randomization tests, bootstrap intervals, change tests
and per-area significance of local indices.

Every procedure simulates all its replicate tables as one NumPy array (in chunks that bound
memory) and evaluates the registered index core once per chunk, so 999 permutations cost a few
vectorised calls instead of 999 loops over a DataFrame. All take a ``seed`` (int or NumPy
Generator): the same inputs and seed give the same results.

Pseudo p-values follow the usual randomization convention (Davison & Hinkley 1997, "Bootstrap
methods and their application", ch. 4): ``p_greater = (1 + #{sim >= obs}) / (k + 1)``,
``p_less`` likewise, and the two-sided ``p = min(1, 2 min(p_greater, p_less))``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.segregation._change import ChangeTest, compare_years
from geoseg.segregation._inputs import prepare_index
from geoseg.segregation._local_test import local_test
from geoseg.segregation._replicates import (
    observed,
    p_value,
    percentile_interval,
    simulate_bootstrap,
    simulate_null,
)
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED, random_generator

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "ChangeTest",
    "SegregationTest",
    "bootstrap_ci",
    "compare_years",
    "local_test",
    "p_value",
    "segregation_test",
    "simulate_bootstrap",
    "simulate_null",
]

logger = logging.getLogger(__name__)

Seed = int | np.random.Generator | None
Null = Literal["evenness", "systematic"]
Alternative = Literal["two-sided", "greater", "less"]


@dataclass(frozen=True)
class SegregationTest:
    """Result of :func:`segregation_test`."""

    index: str
    statistic: float
    p_value: float
    null: str
    alternative: str
    simulated: np.ndarray

    @property
    def expected(self) -> float:
        """Mean of the index under the null model."""
        return float(np.nanmean(self.simulated))


def segregation_test(
    data: pd.DataFrame,
    *,
    index: str,
    group: str | None = None,
    total: str | None = None,
    groups: Sequence[str] | None = None,
    null: Null = "evenness",
    permutations: int = DEFAULT_PERMUTATIONS,
    alternative: Alternative = "greater",
    areas: gpd.GeoDataFrame | None = None,
    options: dict[str, Any] | None = None,
    seed: Seed = DEFAULT_SEED,
) -> SegregationTest:
    """Randomization test of an index against a null model of no segregation.

    Parameters
    ----------
    data
        One row per area (indexed by area code).
    index
        A registered index name, such as ``"dissimilarity"`` or ``"multigroup_gini"``.
    group, total
        Columns for single-group indices.
    groups
        Exhaustive group columns for multigroup indices.
    null
        ``"evenness"``: each area keeps its population and its residents are drawn from the
        city's composition (``Binomial(t_i, P)``, or multinomial for several groups).
        ``"systematic"``: every person is placed in an area with probability proportional to
        the area's population, group by group (a multinomial draw of each group's members).
    permutations
        Number of simulated tables.
    alternative
        ``"greater"`` (more segregated than chance, the default), ``"less"`` or
        ``"two-sided"``.
    areas
        GeoDataFrame of the areas for spatial indices (projected CRS).
    options
        Index options (for example ``{"b": 0.3}`` for ``atkinson``).
    seed
        Seed or NumPy Generator.

    Returns
    -------
    SegregationTest
        Observed statistic, pseudo p-value and the simulated values.

    Notes
    -----
    The null models are those of pysal/segregation's ``SingleValueTest`` (Cortes, Rey, Knaap &
    Oliveira 2020, "An open-source framework for non-spatial and spatial segregation
    measures: the PySAL segregation module", Journal of Computational Social Science 3);
    simulated tables use whole persons (float counts rounded).
    """
    rng = random_generator(seed)
    prep = prepare_index(
        index, data, group=group, total=total, groups=groups, areas=areas, options=options
    )
    stat = observed(prep, rng)
    sims = simulate_null(prep, int(permutations), null, rng)
    return SegregationTest(index, stat, p_value(stat, sims, alternative), null, alternative, sims)


def bootstrap_ci(
    data: pd.DataFrame,
    *,
    index: str,
    group: str | None = None,
    total: str | None = None,
    groups: Sequence[str] | None = None,
    replicates: int = DEFAULT_PERMUTATIONS,
    level: float = 0.95,
    method: Literal["residents", "areas"] = "residents",
    areas: gpd.GeoDataFrame | None = None,
    options: dict[str, Any] | None = None,
    seed: Seed = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of an index.

    Parameters
    ----------
    data, index, group, total, groups, areas, options
        As in :func:`segregation_test`.
    replicates
        Number of bootstrap tables.
    level
        Confidence level, such as 0.95.
    method
        ``"residents"`` (default): every area keeps its population and its residents are
        redrawn from the area's own observed composition (``Binomial(t_i, p_i)``, multinomial
        for several groups), which measures how much the index owes to the randomness of who
        happens to live where; valid for spatial indices. ``"areas"``: areas are resampled with
        replacement (pysal/segregation's bootstrap; aspatial indices only).
    seed
        Seed or NumPy Generator.

    Returns
    -------
    tuple of float
        ``(low, high)``: the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the
        bootstrap distribution.

    Notes
    -----
    Percentile interval of Efron & Tibshirani (1993), "An introduction to the bootstrap",
    ch. 13.
    """
    if not 0 < level < 1:
        msg = f"level must be between 0 and 1, got {level}"
        raise InputError(msg)
    rng = random_generator(seed)
    prep = prepare_index(
        index, data, group=group, total=total, groups=groups, areas=areas, options=options
    )
    sims = simulate_bootstrap(prep, int(replicates), method, rng)
    return percentile_interval(sims, level)
