"""Emerging hotspots: space-time Gi*, the trend of each area's z-scores and its category.

:func:`emerging_hotspots` answers, for one variable observed in every area over several years,
which areas are becoming hot (or cold) spots, which have been so all along, and which are
fading. It follows the scheme of Esri's Emerging Hot Spot Analysis:

1. Getis-Ord Gi* for every area and year (a *bin*) with a space-time neighbourhood
   (:func:`space_time_weights`), significance by conditional permutation and a
   multiple-testing correction over all bins (the options of :func:`geoseg.hotspots.getis_ord`);
2. the Mann-Kendall trend test of each area's Gi* z-scores over the years
   (:func:`geoseg.stats.mann_kendall`);
3. a category per area from the pattern of significant hot and cold years and the trend
   (:func:`classify_emerging`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

from geoseg.errors import DataError, InputError, format_codes
from geoseg.hotspots import _inputs as _in
from geoseg.hotspots import _lisa
from geoseg.hotspots.local import cluster_labels
from geoseg.i18n import tr
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED, random_generator
from geoseg.stats import MannKendall, adjust_pvalues, mann_kendall

if TYPE_CHECKING:
    from libpysal.graph import Graph

    from geoseg.hotspots.weights import SpatialWeights

__all__ = [
    "CATEGORIES",
    "EmergingHotspots",
    "category_labels",
    "check_years",
    "classify_emerging",
    "emerging_hotspots",
    "space_time_weights",
]

logger = logging.getLogger(__name__)

#: The categories of :func:`classify_emerging`, hot spots first, then cold spots, then none.
CATEGORIES = (
    "new_hot",
    "consecutive_hot",
    "intensifying_hot",
    "persistent_hot",
    "diminishing_hot",
    "sporadic_hot",
    "oscillating_hot",
    "historical_hot",
    "new_cold",
    "consecutive_cold",
    "intensifying_cold",
    "persistent_cold",
    "diminishing_cold",
    "sporadic_cold",
    "oscillating_cold",
    "historical_cold",
    "no_pattern",
)

#: Share of the years an area must be significant to count as (almost) always hot or cold.
MOSTLY = 0.9


@dataclass(frozen=True)
class EmergingHotspots:
    """Result of :func:`emerging_hotspots`.

    Attributes
    ----------
    areas
        One row per area (indexed by area code): ``id``, ``category`` (one of
        :data:`CATEGORIES`), ``label`` (the category in words), ``years`` (number of years),
        ``first_year``, ``last_year``, ``years_hot``, ``years_cold``, ``z_last`` and
        ``p_adjusted_last`` (the Gi* of the last year), and the Mann-Kendall trend of the
        z-scores: ``trend_tau``, ``trend_z``, ``trend_p``.
    bins
        One row per area and year: ``id``, ``year``, ``value``, ``G``, ``z``, ``p_value``,
        ``p_adjusted``, ``significant``, ``cluster`` (1 hot, 3 cold, 0 not significant),
        ``label`` and ``n_neighbors`` (in the space-time neighbourhood).
    """

    areas: pd.DataFrame
    bins: pd.DataFrame


def category_labels(categories: ArrayLike, *, lang: str = "en") -> np.ndarray:
    """The words for category codes (:data:`CATEGORIES`) in ``"en"`` or ``"sv"``.

    Parameters
    ----------
    categories
        Category codes, one per area.
    lang
        ``"en"`` or ``"sv"``.

    Returns
    -------
    numpy.ndarray
        One label per code.

    Raises
    ------
    InputError
        An unknown language or category code.
    """
    _in.check_choice("lang", lang, _in.LANGUAGES)
    codes = [str(c) for c in np.asarray(categories, dtype=object)]
    unknown = sorted(set(codes) - set(CATEGORIES))
    if unknown:
        msg = f"unknown emerging hotspot categories {unknown}; known: {', '.join(CATEGORIES)}."
        raise InputError(msg)
    return np.array([tr(f"ehsa_{c}", lang) for c in codes], dtype=object)


def check_years(years: Iterable[int | str | float], *, what: str = "series") -> list[int]:
    """Sorted distinct years, or an InputError for fewer than three or a year missing inside.

    Parameters
    ----------
    years
        The years found (any order, repeats allowed).
    what
        What the years belong to, for the message (e.g. a file name and column).
    """
    found = sorted({int(y) for y in years})
    if len(found) < 3:
        msg = (
            f"{what}: {len(found)} year(s) ({', '.join(map(str, found)) or 'none'}); a trend "
            "needs at least three years. Add earlier years to the register."
        )
        raise InputError(msg)
    missing = sorted(set(range(found[0], found[-1] + 1)) - set(found))
    if missing:
        msg = (
            f"{what}: year(s) {', '.join(map(str, missing))} are missing between {found[0]} "
            f"and {found[-1]}; the years must follow one another. Add the missing year(s) or "
            "analyse only the years after the gap."
        )
        raise InputError(msg)
    return found


def space_time_weights(
    weights: sp.sparray | sp.spmatrix, n_years: int, *, time_window: int = 1
) -> sp.csr_array:
    """Space-time weights for ``n_years`` years of the same areas, as one sparse block matrix.

    Parameters
    ----------
    weights
        Square sparse spatial weights of the ``n`` areas (any scale; row-standardised by
        :func:`geoseg.hotspots.build_weights`). The diagonal is ignored.
    n_years
        Number of consecutive years.
    time_window
        How many preceding years belong to the neighbourhood (0: the same year only).

    Returns
    -------
    scipy.sparse.csr_array
        A ``(n * n_years)`` square matrix; bin ``t * n + i`` is area ``i`` in year ``t``
        (years in order, areas in the order of ``weights``). Row ``t * n + i`` holds w_ij for
        every spatial neighbour j of i in year t and in each year t - 1 ... t - time_window
        (those that exist), and the area's largest spatial weight (1 for an area without
        neighbours) for area i itself in those earlier years. Gi* adds the same largest weight
        as its self-weight, so for contiguity or k-nearest-neighbour weights every member of
        the neighbourhood weighs the same.
    """
    if not isinstance(time_window, int | np.integer) or time_window < 0:
        msg = f"time_window={time_window!r}: give a whole number of years >= 0 (default 1)."
        raise InputError(msg)
    W, _ = _lisa.offdiagonal(sp.csr_array(weights, dtype=float))
    n = W.shape[0]
    if W.shape != (n, n):
        msg = f"weights: a {W.shape[0]}x{W.shape[1]} matrix is not square."
        raise InputError(msg)
    card = np.diff(W.indptr)
    row_max = np.ones(n)
    nonempty = card > 0
    row_max[nonempty] = np.maximum.reduceat(W.data, W.indptr[:-1][nonempty])
    earlier = sp.csr_array(W + sp.diags_array(row_max))
    blocks: list[list[Any]] = [[None] * n_years for _ in range(n_years)]
    for t in range(n_years):
        blocks[t][t] = W
        for lag in range(1, time_window + 1):
            if t - lag >= 0:
                blocks[t][t - lag] = earlier
    if n_years == 1:
        return sp.csr_array(W)
    return sp.csr_array(sp.block_array(blocks, format="csr"))


def classify_emerging(
    z: ArrayLike, significant: ArrayLike, *, alpha: float = 0.05
) -> tuple[np.ndarray, MannKendall]:
    """Category of each area from its yearly Gi* z-scores and their significance.

    Parameters
    ----------
    z
        Gi* z-scores, one row per area and one column per year (in time order).
    significant
        Booleans of the same shape: the bin is significant after the multiple-testing
        correction. A significant bin with z > 0 is a hot spot, with z < 0 a cold spot.
    alpha
        Level of the Mann-Kendall test of the z-scores' trend (two-sided, not adjusted).

    Returns
    -------
    (categories, trend)
        The category code of each area (:data:`CATEGORIES`) and the
        :class:`geoseg.stats.MannKendall` test of each row of ``z``.

    Notes
    -----
    The categories are those of Esri's Emerging Hot Spot Analysis (ArcGIS Pro documentation,
    "How Emerging Hot Spot Analysis works",
    https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm),
    restated here. With n years, call an area *mostly hot* when it is a significant hot spot in
    at least 90 % of them. An area that is a hot spot in the last year is

    - *intensifying* when mostly hot and its z-scores rise significantly (Mann-Kendall,
      p <= alpha, S > 0); *diminishing* when mostly hot and they fall significantly;
      *persistent* when mostly hot without a significant trend;
    - otherwise *new* when the last year is its only hot year;
    - otherwise *consecutive* when its hot years form one unbroken run of two or more years at
      the end of the series;
    - otherwise *oscillating* when it was a significant cold spot in some year;
    - otherwise *sporadic* (hot on and off, never cold).

    An area that is not a hot spot in the last year but mostly hot is *historical*. Cold spots
    are classified the same way with hot and cold exchanged; "intensifying" then means z-scores
    falling significantly (colder) and "diminishing" rising. The first rule that applies wins,
    in Esri's order (so a first hot year after cold years is *new*); an area matching no rule
    has *no pattern*. Because 90 % of fewer than ten years is all of them, a short series is
    mostly hot only when hot every year, and cannot be historical.
    """
    Z = np.atleast_2d(np.asarray(z, dtype=float))
    sig = np.atleast_2d(np.asarray(significant, dtype=bool))
    if Z.shape != sig.shape:
        msg = f"z {Z.shape} and significant {sig.shape} must have the same shape."
        raise InputError(msg)
    trend = mann_kendall(np.nan_to_num(Z, nan=0.0))
    hot = sig & (Z > 0)
    cold = sig & (Z < 0)
    rising = np.atleast_1d((trend.p_value <= alpha) & (trend.s > 0))
    falling = np.atleast_1d((trend.p_value <= alpha) & (trend.s < 0))
    out = np.array(
        [_classify(hot[r], cold[r], rising[r], falling[r]) for r in range(Z.shape[0])],
        dtype=object,
    )
    return out, trend


def _classify(hot: np.ndarray, cold: np.ndarray, rising: bool, falling: bool) -> str:
    n = len(hot)
    for kind, mine, other, up, down in (
        ("hot", hot, cold, rising, falling),
        ("cold", cold, hot, falling, rising),
    ):
        mostly = mine.sum() >= MOSTLY * n
        if not mine[-1]:
            if mostly:
                return f"historical_{kind}"
            continue
        if mostly:
            return (
                f"intensifying_{kind}"
                if up
                else f"diminishing_{kind}"
                if down
                else f"persistent_{kind}"
            )
        if mine.sum() == 1:
            return f"new_{kind}"
        run = n - int(np.flatnonzero(~mine)[-1]) - 1
        if run >= 2 and not mine[: n - run].any():
            return f"consecutive_{kind}"
        if other[:-1].any():
            return f"oscillating_{kind}"
        return f"sporadic_{kind}"
    return "no_pattern"


def emerging_hotspots(
    data: pd.DataFrame,
    column: str,
    *,
    weights: SpatialWeights | Graph | sp.sparray | sp.spmatrix,
    id_column: str = "code",
    year_column: str = "year",
    time_window: int = 1,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = 0.05,
    correction: str = "fdr",
    lang: str = "en",
) -> EmergingHotspots:
    """Emerging hot and cold spots of one variable over consecutive years.

    Parameters
    ----------
    data
        A long table with one row per area and year: ``id_column``, ``year_column`` and
        ``column`` (non-negative values such as counts, amounts or shares).
    column
        The variable to analyse.
    weights
        Spatial weights of the areas: :class:`geoseg.hotspots.SpatialWeights`, a libpysal
        ``Graph`` (its ids are area codes) or a square sparse matrix in the order in which the
        codes first appear in ``data``. Areas of the weights absent from ``data`` are left out.
    id_column, year_column
        Columns with the area code and the year.
    time_window
        Preceding years in each bin's neighbourhood (default 1; see :func:`space_time_weights`).
    permutations, seed, alpha, correction, lang
        As in :func:`geoseg.hotspots.getis_ord`; the correction runs over all bins (areas x
        years) at once.

    Returns
    -------
    EmergingHotspots
        ``areas`` (one row per area, with ``category``) and ``bins`` (one row per area-year).

    Raises
    ------
    InputError
        Missing columns, fewer than three years, a year missing between the first and the last,
        repeated (area, year) rows, bad options.
    DataError
        Fewer than four areas with a value in every year, or weights that lack an area.

    Notes
    -----
    The space-time Gi* of bin (i, t) is that of :func:`geoseg.hotspots.getis_ord` on the
    stacked values of all bins with the block weights of :func:`space_time_weights`: its
    neighbourhood is area i and its spatial neighbours in year t and in each of the
    ``time_window`` preceding years, and the mean and standard deviation in the Ord & Getis
    z-score are those of all bins (the space-time cube), as in Esri's space-time Gi*. The
    permutation p-value draws the neighbours' values from all other bins. Because the mean and
    standard deviation are those of the whole cube, a rise across the whole city makes the later
    years hotter everywhere: an area that is hot only in the later years is then new or
    consecutive. To follow areas relative to each year's city, analyse values standardised per
    year (for instance each value divided by that year's city mean). An area present in
    only some years has no series and is left out with a warning. The trend is the
    Mann-Kendall test of the area's z-scores (Mann, 1945; Kendall, 1975) and the category
    follows :func:`classify_emerging` (Esri, "How Emerging Hot Spot Analysis works").
    """
    _in.check_options(permutations, alpha, correction, lang)
    missing = [c for c in (id_column, year_column, column) if c not in data.columns]
    if missing:
        msg = (
            f"emerging hotspots: column(s) {', '.join(map(repr, missing))} not found; "
            f"available columns: {', '.join(map(str, data.columns))}."
        )
        raise InputError(msg)
    table = pd.DataFrame(
        {
            "id": data[id_column].astype(str).to_numpy(),
            "year": pd.to_numeric(data[year_column], errors="coerce").to_numpy(),
            "value": pd.to_numeric(data[column], errors="coerce").to_numpy(),
        }
    )
    table = table[table["year"].notna()]
    years = check_years(table["year"], what=f"column '{year_column}'")
    table["year"] = table["year"].astype(int)
    dupes = table[table.duplicated(["id", "year"], keep=False)]
    if len(dupes):
        msg = (
            f"emerging hotspots: areas {format_codes(dupes['id'].unique())} have more than one "
            f"row in a year; give one row per area and year."
        )
        raise InputError(msg)
    wide = table.pivot(index="id", columns="year", values="value").reindex(columns=years)
    all_codes = pd.Index(pd.unique(table["id"]), name="id")
    wide = wide.reindex(all_codes)
    gaps = wide.index[~np.isfinite(wide.to_numpy()).all(axis=1)]
    if len(gaps):
        logger.warning(
            "emerging hotspots of %s: %d area(s) lack a value in some of the years %d-%d "
            "(areas that appear, disappear or have a gap) and are left out: %s",
            column,
            len(gaps),
            years[0],
            years[-1],
            format_codes(gaps),
        )
        wide = wide.drop(index=gaps)
    if len(wide) < 4:
        msg = (
            f"emerging hotspots of '{column}': {len(wide)} area(s) have a value in every year "
            f"{years[0]}-{years[-1]}; at least 4 are needed."
        )
        raise DataError(
            msg, cause="few_areas", n=len(wide), first=years[0], last=years[-1], needed=4
        )
    W = _spatial_matrix(weights, all_codes, pd.Index(wide.index))
    n, T = wide.shape
    y = wide.to_numpy().T.ravel()  # bin t * n + i
    if not y.std() > 0:
        msg = f"column '{column}' has the same value in every area and year; nothing to map."
        raise DataError(msg, cause="constant")
    W_st = space_time_weights(W, T, time_window=time_window)
    rng = random_generator(seed)
    gi = _lisa.getis_ord_arrays(y, W_st, star=True, rng=rng, permutations=permutations)
    p = np.where(gi.n_neighbors == 0, np.nan, gi.permutation.p_value)
    p_adj = adjust_pvalues(p, correction=correction)
    significant = np.nan_to_num(p_adj, nan=1.0) <= alpha
    cluster = np.where(significant, np.where(gi.z > 0, 1, 3), 0)

    Z = gi.z.reshape(T, n).T
    S = significant.reshape(T, n).T
    categories, trend = classify_emerging(Z, S, alpha=alpha)
    codes = wide.index.astype(str)
    areas = pd.DataFrame(
        {
            "id": codes,
            "category": categories,
            "label": category_labels(categories, lang=lang),
            "years": T,
            "first_year": years[0],
            "last_year": years[-1],
            "years_hot": (S & (Z > 0)).sum(axis=1),
            "years_cold": (S & (Z < 0)).sum(axis=1),
            "z_last": Z[:, -1],
            "p_adjusted_last": p_adj.reshape(T, n).T[:, -1],
            "trend_tau": np.atleast_1d(trend.tau),
            "trend_z": np.atleast_1d(trend.z),
            "trend_p": np.atleast_1d(trend.p_value),
        },
        index=pd.Index(codes, name="id"),
    )
    bins = pd.DataFrame(
        {
            "id": np.tile(codes, T),
            "year": np.repeat(years, n),
            "value": y,
            "G": gi.G,
            "z": gi.z,
            "p_value": p,
            "p_adjusted": p_adj,
            "significant": significant,
            "cluster": cluster,
            "label": cluster_labels(cluster, lang=lang, statistic="gi"),
            "n_neighbors": gi.n_neighbors,
        }
    )
    meta = {
        "statistic": "emerging_hotspots",
        "column": column,
        "time_window": time_window,
        "permutations": permutations,
        "seed": seed if isinstance(seed, int | None) else "generator",
        "alpha": alpha,
        "correction": correction,
        "weights": getattr(weights, "spec", type(weights).__name__),
        "left_out": list(gaps.astype(str)),
    }
    areas.attrs["hotspots"] = meta
    bins.attrs["hotspots"] = meta
    return EmergingHotspots(areas=areas, bins=bins)


def _spatial_matrix(weights: Any, all_codes: pd.Index, codes: pd.Index) -> sp.csr_array:
    """Spatial weights of ``codes`` (a subset of the weights' areas), in that order."""
    if sp.issparse(weights):
        W = sp.csr_array(weights, dtype=float)
        if W.shape != (len(all_codes), len(all_codes)):
            msg = (
                f"weights: a {W.shape[0]}x{W.shape[1]} matrix does not fit the "
                f"{len(all_codes)} areas of the table; give one row and column per area in "
                "the order in which the codes first appear, or pass SpatialWeights."
            )
            raise InputError(msg)
        ids = all_codes
    else:
        graph: Any = getattr(weights, "graph", weights)
        if not hasattr(graph, "unique_ids"):
            msg = "weights: expected SpatialWeights, a libpysal Graph or a sparse matrix."
            raise InputError(msg)
        ids = pd.Index(pd.Index(graph.unique_ids).astype(str))
        W, _, _ = _in.weights_matrix(None, weights, ids)
    absent = codes.difference(ids)
    if len(absent):
        msg = (
            f"weights: areas {format_codes(absent)} have values but are not in the weights; "
            "build the weights from the same areas."
        )
        raise DataError(msg, cause="not_in_weights", codes=format_codes(absent))
    pos = ids.get_indexer(codes)
    return sp.csr_array(W[pos][:, pos])
