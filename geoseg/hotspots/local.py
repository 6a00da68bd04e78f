"""Local and global spatial autocorrelation: Moran's I (univariate, bivariate, rates) and Gi*."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoseg.errors import DataError, InputError, format_codes
from geoseg.hotspots import _inputs as _in
from geoseg.hotspots import _lisa
from geoseg.hotspots._lisa import GlobalMoran
from geoseg.i18n import cluster_label
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED, random_generator
from geoseg.stats import adjust_pvalues

__all__ = [
    "CORRECTIONS",
    "LANGUAGES",
    "GlobalMoran",
    "cluster_labels",
    "getis_ord",
    "global_moran",
    "local_moran",
    "local_moran_bivariate",
    "local_moran_rate",
    "neighbour_draws",
]

logger = logging.getLogger(__name__)

#: Multiple-testing corrections accepted by the ``correction`` option.
CORRECTIONS = _in.CORRECTIONS
#: Languages of the cluster labels.
LANGUAGES = _in.LANGUAGES

Data = Any  # a DataFrame, GeoDataFrame or Series indexed by area code
Weights = Any  # SpatialWeights, libpysal Graph, scipy sparse matrix, or None


def cluster_labels(cluster: ArrayLike, *, lang: str = "en", statistic: str = "moran") -> np.ndarray:
    """Turn cluster codes into labels.

    Parameters
    ----------
    cluster
        Codes: 0 not significant, 1-4 the quadrant of a significant area (1 High-High,
        2 Low-High, 3 Low-Low, 4 High-Low, as esda numbers them); for Gi* 1 hot and 3 cold.
    lang
        ``"en"`` or ``"sv"`` (Hög-Hög, Låg-Låg, Hög-Låg, Låg-Hög, Ej signifikant).
    statistic
        ``"moran"`` or ``"gi"``.

    Returns
    -------
    numpy.ndarray
        One label (str) per code.
    """
    _in.check_choice("lang", lang, LANGUAGES)
    _in.check_choice("statistic", statistic, ("moran", "gi"))
    known = (0, 1, 2, 3, 4) if statistic == "moran" else (0, 1, 3)
    codes = np.asarray(cluster, dtype=np.int64)
    unknown = sorted(set(codes.tolist()) - set(known))
    if unknown:
        msg = f"cluster codes {unknown} are not {statistic} cluster codes {list(known)}."
        raise InputError(msg)
    labels = {c: cluster_label(c, lang, statistic=statistic) for c in known}
    return np.array([labels[int(c)] for c in codes], dtype=object)


def global_moran(
    data: Data,
    column: str | None = None,
    *,
    weights: Weights = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> GlobalMoran:
    """Global Moran's I with normal, randomisation and permutation inference.

    Parameters
    ----------
    data, column
        The areas and the column to analyse (``column`` is omitted for a Series).
    weights
        :class:`geoseg.hotspots.SpatialWeights`, a libpysal ``Graph`` or a square sparse matrix
        in the order of ``data``; row-standardised here. ``None`` builds queen weights from a
        GeoDataFrame.
    permutations, seed
        Number of random permutations and the seed of NumPy's generator.

    Returns
    -------
    GlobalMoran
        ``I``, ``expected``, the variances, z-scores and two-sided p-values under normality and
        randomisation, and the permutation ``p_value``, ``mean_sim``, ``std_sim``, ``z_sim``.

    Notes
    -----
    Moran (1950); moments from Cliff & Ord (1981), *Spatial Processes*, eqs. 1.35-1.36.
    """
    _in.check_permutations(permutations)
    values, _ = _in.column_values(data, column)
    W, _, _ = _in.weights_matrix(data, weights, values.index)
    y = _in.finite(values, column)
    return _lisa.global_moran_arrays(y, W, random_generator(seed), permutations)


def local_moran(
    data: Data,
    column: str | None = None,
    *,
    weights: Weights = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = 0.05,
    correction: str = "fdr",
    lang: str = "en",
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Local Moran's I (LISA) with conditional permutation inference and cluster labels.

    Parameters
    ----------
    data, column
        The areas (GeoDataFrame, DataFrame or Series indexed by area code) and the column.
    weights
        As in :func:`global_moran`.
    permutations, seed
        Conditional permutations per area and the seed of NumPy's generator.
    alpha
        Significance level applied to the adjusted p-values (significant when <= alpha).
    correction
        ``"fdr"`` (Benjamini-Hochberg), ``"bonferroni"`` or ``"none"``.
    lang
        Language of ``label``: ``"en"`` or ``"sv"``.
    draws
        Neighbour draws to use instead of drawing them from ``seed``: an integer array of shape
        ``(permutations, k)``, ``k`` at least the largest number of neighbours, each row
        ``k`` distinct positions among the ``n - 1`` other areas (see :func:`neighbour_draws`).
        The same draws give several statistics the same permutations; esda's
        ``esda.crand.vec_permutations`` arrays reproduce esda's pseudo p-values.

    Returns
    -------
    DataFrame or GeoDataFrame
        Indexed like ``data`` (a GeoDataFrame keeps its geometry and CRS), with columns ``id``,
        ``value``, ``I``, ``quadrant`` (1 HH, 2 LH, 3 LL, 4 HL), ``p_value``, ``p_adjusted``,
        ``label``, ``significant``, ``cluster`` (quadrant if significant, else 0), ``z`` (the
        standardised value), ``lag`` (spatial lag of ``z``), ``mean_sim``, ``std_sim``,
        ``z_sim``, ``n_neighbors`` and ``island`` (joined by the island rule).

    Notes
    -----
    Anselin (1995), "Local indicators of spatial association: LISA", Geogr. Anal. 27(2):
    I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2, with z = (y - mean) / sd (population sd)
    and row-standardised w. The pseudo p-value is (min(#{I_r >= I_i}, #{I_r < I_i}) + 1) /
    (R + 1) over R conditional permutations that hold z_i fixed and draw the neighbours' values
    from the other areas. This folded value, esda's convention, tests in the direction of the
    observed statistic (one-sided); double it, capped at 1, for a two-sided test.
    """
    return _local_moran(
        data, column, column, weights, permutations, seed, alpha, correction, lang, "moran", draws
    )


def local_moran_bivariate(
    data: Data,
    x: str,
    y: str,
    *,
    weights: Weights = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = 0.05,
    correction: str = "fdr",
    lang: str = "en",
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Bivariate local Moran's I: an area's ``x`` against its neighbours' ``y``.

    Parameters and result are those of :func:`local_moran`; ``value`` holds ``x``,
    ``neighbor_value`` holds ``y`` and ``lag`` is the spatial lag of standardised ``y``.

    Notes
    -----
    Anselin, Syabri & Smirnov (2002), "Visualizing multivariate spatial correlation with
    dynamically linked windows": I_i = (n - 1) zx_i sum_j w_ij zy_j / sum_k zx_k^2, the
    quadrant from the signs of zx_i and the lag of zy; permutations shuffle ``y`` among the
    neighbours while ``x`` of the area is held fixed.
    """
    return _local_moran(
        data, x, y, weights, permutations, seed, alpha, correction, lang, "bv", draws
    )


def local_moran_rate(
    data: Data,
    events: str,
    base: str,
    *,
    weights: Weights = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = 0.05,
    correction: str = "fdr",
    lang: str = "en",
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Local Moran's I of a rate ``events / base`` after empirical Bayes standardisation.

    Small populations give unstable rates that would otherwise show up as spurious High-High or
    Low-Low clusters; the Assunção-Reis standardisation divides each rate's deviation from the
    city rate by its expected standard error, which shrinks the influence of small areas.

    Parameters and result are those of :func:`local_moran`; ``value`` is the raw rate,
    ``eb_rate`` the empirical Bayes standardised rate that is analysed, ``events`` and ``base``
    the inputs. ``base`` must be positive in every area.

    Notes
    -----
    Assunção & Reis (1999), "A new proposal to adjust Moran's I for population density",
    Statistics in Medicine 18(16): with raw rates p_i = e_i / n_i, global rate
    b = sum e / sum n, s^2 = sum n_i (p_i - b)^2 / sum n and a = s^2 - b / (sum n / N), the
    standardised rate is z_i = (p_i - b) / sqrt(v_i) with v_i = a + b / n_i, or v_i = b / n_i
    when that is negative. The local statistic is then that of :func:`local_moran`.
    """
    return _local_moran(
        data, events, base, weights, permutations, seed, alpha, correction, lang, "rate", draws
    )


def getis_ord(
    data: Data,
    column: str | None = None,
    *,
    weights: Weights = None,
    star: bool = True,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    alpha: float = 0.05,
    correction: str = "fdr",
    lang: str = "en",
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Getis-Ord local statistic Gi* (or Gi) with permutation inference: hot and cold spots.

    Parameters
    ----------
    data, column, weights, permutations, seed, alpha, correction, lang, draws
        As in :func:`local_moran`. Values should be non-negative (counts, amounts).
    star
        ``True`` for Gi* (the area itself is part of its neighbourhood), ``False`` for Gi.

    Returns
    -------
    DataFrame or GeoDataFrame
        Indexed like ``data``, with columns ``id``, ``value``, ``G``, ``expected_G``, ``z``
        (analytical z-score), ``p_value`` (permutation), ``p_adjusted``, ``label``
        ("Hot spot"/"Cold spot", Swedish "Het punkt"/"Kall punkt"), ``significant``,
        ``cluster`` (1 hot, 3 cold, 0 not significant), ``mean_sim``, ``std_sim``, ``z_sim``,
        ``n_neighbors`` and ``island``.

    Notes
    -----
    Getis & Ord (1992), Geogr. Anal. 24(3); Ord & Getis (1995), Geogr. Anal. 27(4). For Gi*
    the area gets a self-weight equal to the largest weight of its row before row
    standardisation (1 for binary weights), so G*_i = sum_j w*_ij y_j / sum_j y_j. The z-score
    is (sum_j w*_ij y_j - W*_i ybar) / (s sqrt((n S*_1i - W*_i^2) / (n - 1))) with
    W*_i = sum_j w*_ij, S*_1i = sum_j w*_ij^2 and s the population sd; for Gi the sums and
    moments exclude area i and n becomes n - 1. The z-score does not depend on the scale of a
    row, so it is the same for binary and row-standardised weights. An area is a hot spot when
    it is significant and z > 0, a cold spot when significant and z < 0.
    """
    _in.check_options(permutations, alpha, correction, lang)
    values, col = _in.column_values(data, column)
    W, islands, _ = _in.weights_matrix(data, weights, values.index)
    y = _in.finite(values, col)
    if draws is not None:
        k = max(int(np.diff(_lisa.offdiagonal(W)[0].indptr).max()), 1)
        draws = _in.check_draws(draws, n=len(y), k=k, permutations=permutations)
    gi = _lisa.getis_ord_arrays(
        y, W, star=star, rng=random_generator(seed), permutations=permutations, draws=draws
    )
    G, z, card, perm = gi.G, gi.z, gi.n_neighbors, gi.permutation
    isolated = card == 0
    p = np.where(isolated, np.nan, perm.p_value)
    p_adj = adjust_pvalues(p, correction=correction)
    significant = np.nan_to_num(p_adj, nan=1.0) <= alpha
    cluster = np.where(significant, np.where(z > 0, 1, 3), 0)
    _warn_isolates(values.index, isolated)
    columns = {
        "id": values.index.astype(str),
        "value": y,
        "G": G,
        "expected_G": gi.expected,
        "z": z,
        "p_value": p,
        "p_adjusted": p_adj,
        "label": cluster_labels(cluster, lang=lang, statistic="gi"),
        "significant": significant,
        "cluster": cluster,
        "mean_sim": perm.mean,
        "std_sim": perm.std,
        "z_sim": _in.safe_divide(G - perm.mean, perm.std),
        "n_neighbors": card,
        "island": islands,
    }
    meta = {"statistic": "gi_star" if star else "gi", "column": col}
    return _in.result_frame(data, columns, meta, permutations, seed, alpha, correction, weights)


def neighbour_draws(
    n: int,
    k: int,
    permutations: int = DEFAULT_PERMUTATIONS,
    *,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> np.ndarray:
    """The neighbour draws of conditional permutation, as the local statistics make them.

    Parameters
    ----------
    n
        Number of areas.
    k
        Draws per permutation: at least the largest number of neighbours of an area.
    permutations
        Number of permutations.
    seed
        Seed or NumPy generator.

    Returns
    -------
    numpy.ndarray
        Integers of shape ``(permutations, min(k, n - 1))``: each row ``k`` distinct positions
        among the ``n - 1`` areas other than the one tested, in random order. Position ``p``
        means the ``p``-th area once the tested area is removed, so one array serves every
        area. Pass it as ``draws`` to :func:`local_moran` or :func:`getis_ord`.

    Notes
    -----
    Each row is an ordered sample without replacement (the areas holding the ``k`` smallest
    of ``n - 1`` uniform keys), the scheme of conditional randomisation in Anselin (1995),
    "Local indicators of spatial association: LISA", Geogr. Anal. 27(2), and in esda.
    """
    _in.check_permutations(permutations)
    if n < 2 or k < 1:
        msg = f"neighbour draws need at least 2 areas and k >= 1 (got n={n}, k={k})."
        raise InputError(msg)
    return _lisa.draw_neighbour_ids(random_generator(seed), n, k, permutations)


# ---------------------------------------------------------------------------- internals


def _local_moran(
    data: Data,
    first: str | None,
    second: str | None,
    weights: Weights,
    permutations: int,
    seed: Any,
    alpha: float,
    correction: str,
    lang: str,
    kind: str,
    draws: np.ndarray | None,
) -> pd.DataFrame:
    """Shared body of the univariate, bivariate and rate local Moran's I."""
    _in.check_options(permutations, alpha, correction, lang)
    values, col = _in.column_values(data, first)
    W, islands, _ = _in.weights_matrix(data, weights, values.index)
    extra: dict[str, Any] = {}
    x = _in.finite(values, col)
    if kind == "rate":
        base_values, _ = _in.column_values(data, second)
        b = _in.finite(base_values, second)
        bad = values.index[(b <= 0) | (x < 0)]
        if len(bad):
            msg = (
                f"rate {first}/{second}: areas {format_codes(bad)} have a non-positive "
                f"'{second}' or a negative '{first}'; drop those areas or fix the counts."
            )
            raise DataError(msg)
        eb = _lisa.empirical_bayes_rates(x, b)
        extra = {"eb_rate": eb, "events": x, "base": b}
        shown, x = x / b, eb
        y = x
    elif kind == "bv":
        other, _ = _in.column_values(data, second)
        y = _in.finite(other, second)
        shown = x
        extra = {"neighbor_value": y}
    else:
        y = x
        shown = x
    n = len(x)
    zx = _in.standardise(x, values.index, col)
    zy = zx if kind != "bv" else _in.standardise(y, values.index, second)
    W_off, self_w = _lisa.offdiagonal(W)
    card = np.diff(W_off.indptr)
    lag = W @ zy
    scaling = (n - 1) / (zx * zx).sum()
    I = scaling * zx * lag

    k = max(int(card.max()), 1)
    if draws is None:
        ids = _lisa.draw_neighbour_ids(random_generator(seed), n, k, permutations)
    else:
        ids = _in.check_draws(draws, n=n, k=k, permutations=permutations)
    perm = _lisa.conditional_permutation(
        I,
        zy,
        W_off,
        ids,
        lambda lags, sl: (scaling * zx[sl])[:, None] * (lags + (self_w[sl] * zy[sl])[:, None]),
    )
    isolated = card == 0
    p = np.where(isolated, np.nan, perm.p_value)
    quadrant = _lisa.quadrants(zx, lag)
    p_adj = adjust_pvalues(p, correction=correction)
    significant = np.nan_to_num(p_adj, nan=1.0) <= alpha
    cluster = np.where(significant, quadrant, 0)
    _warn_isolates(values.index, isolated)
    columns = {
        "id": values.index.astype(str),
        "value": shown,
        **extra,
        "I": I,
        "quadrant": quadrant,
        "p_value": p,
        "p_adjusted": p_adj,
        "label": cluster_labels(cluster, lang=lang),
        "significant": significant,
        "cluster": cluster,
        "z": zx,
        "lag": lag,
        "mean_sim": perm.mean,
        "std_sim": perm.std,
        "z_sim": _in.safe_divide(I - perm.mean, perm.std),
        "n_neighbors": card,
        "island": islands,
    }
    statistic = {"moran": "local_moran", "bv": "local_moran_bivariate", "rate": "local_moran_rate"}
    meta = {"statistic": statistic[kind], "column": col, "second_column": second}
    return _in.result_frame(data, columns, meta, permutations, seed, alpha, correction, weights)


def _warn_isolates(index: pd.Index, isolated: np.ndarray) -> None:
    if isolated.any():
        logger.warning(
            "areas %s have no neighbour in the given weights; they get no p-value and are "
            "never significant (build weights with geoseg.hotspots.build_weights to join them)",
            format_codes(index[isolated]),
        )
