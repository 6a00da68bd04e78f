"""Decompose a difference in segregation into a spatial and a compositional part.

Between two years (or two cities) an index can change because the group's share of the
population changed (composition, "attribute") or because where people live relative to each
other changed (spatial structure). :func:`decompose_change` splits ``I(B) - I(A)`` into both
parts with counterfactual tables and a Shapley average.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from geoseg.errors import InputError
from geoseg.segregation import _engine
from geoseg.segregation._inputs import check_projected, spatial_context
from geoseg.segregation._tables import single_counts
from geoseg.segregation.registry import get_index
from geoseg.settings import DEFAULT_SEED, random_generator

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Decomposition", "counterfactual", "decompose_change"]

logger = logging.getLogger(__name__)

Approach = Literal["composition", "share", "dual_composition"]


@dataclass(frozen=True)
class Decomposition:
    """Result of :func:`decompose_change`.

    ``difference = statistic_b - statistic_a = spatial + attribute``.
    """

    index: str
    approach: str
    statistic_a: float
    statistic_b: float
    difference: float
    spatial: float
    attribute: float
    #: index of A's geography with B's attribute distribution, and B's with A's
    counterfactual_a: float
    counterfactual_b: float


def _map_quantiles(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Give each value the reference's quantile at the value's percentile rank."""
    q = rankdata(values, method="average") / len(values)
    return np.quantile(np.asarray(reference, dtype=float), q)


def _safe_div(a: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(np.asarray(a, dtype=float) / b, nan=0.0, posinf=0.0, neginf=0.0)


def counterfactual(
    x: np.ndarray,
    t: np.ndarray,
    x_ref: np.ndarray,
    t_ref: np.ndarray,
    approach: Approach = "composition",
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of a table's areas given the other table's attribute distribution.

    Returns ``(group, total)`` counterfactual counts for the areas of ``(x, t)``:

    - ``"composition"``: each area's group share is replaced by the reference's share at the
      same percentile rank; totals kept;
    - ``"share"``: each area's share of the group (and of the rest of the population) is
      replaced by the reference's at the same rank, rescaled to the table's group (and rest)
      size;
    - ``"dual_composition"``: both the group's and the rest's area compositions are mapped;
      the total is their sum.
    """
    y, y_ref = t - x, t_ref - x_ref
    if approach == "composition":
        comp = _map_quantiles(_safe_div(x, t), _safe_div(x_ref, t_ref))
        return comp * t, t.astype(float)
    if approach == "share":
        g = _map_quantiles(_safe_div(x, x.sum()), _safe_div(x_ref, x_ref.sum()))
        r = _map_quantiles(_safe_div(y, y.sum()), _safe_div(y_ref, y_ref.sum()))
        g = _safe_div(g, g.sum()) * x.sum()
        r = _safe_div(r, r.sum()) * y.sum()
        return g, g + r
    if approach == "dual_composition":
        g = _map_quantiles(_safe_div(x, t), _safe_div(x_ref, t_ref)) * t
        r = _map_quantiles(_safe_div(y, t), _safe_div(y_ref, t_ref)) * t
        return g, g + r
    msg = f"approach must be 'composition', 'share' or 'dual_composition', got {approach!r}"
    raise InputError(msg)


def decompose_change(
    data_a: pd.DataFrame,
    data_b: pd.DataFrame,
    *,
    group: str,
    total: str,
    index: str = "dissimilarity",
    approach: Approach = "composition",
    areas_a: gpd.GeoDataFrame | None = None,
    areas_b: gpd.GeoDataFrame | None = None,
    options: dict[str, Any] | None = None,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> Decomposition:
    """Split ``I(B) - I(A)`` of a single-group index into spatial and attribute parts.

    Parameters
    ----------
    data_a, data_b
        One row per area for the first (earlier) and the second table; they may have
        different areas (two cities, or boundaries that changed).
    group, total
        Count columns (the same names in both tables).
    index
        A registered single-group index (aspatial, or spatial with ``areas_a``/``areas_b``).
    approach
        How the counterfactual tables are built: ``"composition"`` (default),
        ``"share"`` or ``"dual_composition"`` (see :func:`counterfactual`).
    areas_a, areas_b
        GeoDataFrames of each table's areas (projected CRS) for spatial indices.
    options
        Index options.
    seed
        Seed for simulation-based indices.

    Returns
    -------
    Decomposition
        ``spatial + attribute == statistic_b - statistic_a``.

    Notes
    -----
    Rey, Cortes & Knaap 2021, "Comparative spatial segregation analytics", Spatial Demography
    9: with ``G(S, A)`` the index of geography/structure ``S`` with attribute distribution
    ``A``, the Shapley decomposition is ``spatial = ((G(SB,AB) - G(SA,AB)) + (G(SB,AA) -
    G(SA,AA))) / 2`` and ``attribute = ((G(SB,AB) - G(SB,AA)) + (G(SA,AB) - G(SA,AA))) / 2``.
    Counterfactual attribute distributions map percentile ranks between the two tables. Areas
    of zero population are kept (with share 0) so both tables keep their full rank
    distributions.
    """
    spec = get_index(index)
    if spec.kind != "single":
        msg = f"decompose_change needs a single-group index; {index!r} is {spec.kind}"
        raise InputError(msg)
    prep_opts, core_opts = _engine.split_options(spec, options)
    rng = random_generator(seed)
    xa, ta, ia = single_counts(data_a, group, total, source="table A", drop_empty=False)
    xb, tb, ib = single_counts(data_b, group, total, source="table B", drop_empty=False)
    ctx_a: dict[str, Any] = {}
    ctx_b: dict[str, Any] = {}
    if spec.spatial:
        for areas in (areas_a, areas_b):
            if areas is not None:
                check_projected(areas)
        ctx_a = spatial_context(spec, areas_a, ia, prep_opts)
        ctx_b = spatial_context(spec, areas_b, ib, prep_opts)

    def value(x: np.ndarray, t: np.ndarray, ctx: dict[str, Any]) -> float:
        return float(
            _engine.evaluate(spec, (x[:, None], t), ctx=ctx, options=core_opts, rng=rng)[0]
        )

    g_aa = value(xa, ta, ctx_a)
    g_bb = value(xb, tb, ctx_b)
    cf_a = counterfactual(xa, ta, xb, tb, approach)  # A's areas with B's attributes
    cf_b = counterfactual(xb, tb, xa, ta, approach)  # B's areas with A's attributes
    g_ab = value(*cf_a, ctx_a)
    g_ba = value(*cf_b, ctx_b)
    spatial = 0.5 * ((g_bb - g_ab) + (g_ba - g_aa))
    attribute = 0.5 * ((g_bb - g_ba) + (g_ab - g_aa))
    return Decomposition(index, approach, g_aa, g_bb, g_bb - g_aa, spatial, attribute, g_ab, g_ba)
