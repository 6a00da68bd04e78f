"""Input checks and result assembly for :mod:`geoseg.hotspots` (private)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geoseg.errors import DataError, InputError, format_codes
from geoseg.i18n import LANGS, cluster_label
from geoseg.stats import CORRECTIONS

__all__ = [
    "CORRECTIONS",
    "LANGUAGES",
    "check_choice",
    "check_options",
    "check_permutations",
    "column_values",
    "finite",
    "label_order",
    "result_frame",
    "safe_divide",
    "standardise",
    "weights_matrix",
]

Data = Any  # a DataFrame, GeoDataFrame or Series indexed by area code
Weights = Any  # SpatialWeights, libpysal Graph, scipy sparse matrix, or None
#: Multiple-testing corrections and label languages (re-exported by geoseg.hotspots).
LANGUAGES = ("en", "sv")


def column_values(data: Data, column: str | None) -> tuple[pd.Series, str]:
    """The column of ``data`` as a float Series indexed by text area codes."""
    if isinstance(data, pd.Series):
        series = data
        name = str(column or data.name or "value")
    elif isinstance(data, pd.DataFrame):
        if column is None or column not in data.columns:
            msg = (
                f"areas table: column {column!r} not found; available columns: "
                f"{', '.join(map(str, data.columns))}."
            )
            raise InputError(msg)
        series = data[column]
        name = column
    else:
        msg = "areas: expected a DataFrame, GeoDataFrame or Series indexed by area code."
        raise InputError(msg)
    index = pd.Index(series.index.astype(str))
    dupes = index[index.duplicated()].unique()
    if len(dupes):
        msg = f"areas table: duplicate area codes {format_codes(dupes)}; make each code unique."
        raise InputError(msg)
    try:
        numbers = pd.to_numeric(series, errors="raise").astype(float)
    except (TypeError, ValueError):
        msg = f"areas table: column '{name}' is not numeric; give a column of numbers."
        raise InputError(msg) from None
    return pd.Series(numbers.to_numpy(), index=index, name=name), name


def finite(values: pd.Series, column: str | None) -> np.ndarray:
    """The values as an array, or a DataError naming the areas without a finite value."""
    array = values.to_numpy(dtype=float)
    bad = values.index[~np.isfinite(array)]
    if len(bad):
        msg = (
            f"column '{column}': areas {format_codes(bad)} have no value; fill them, or drop "
            "those areas and build the weights again (the island rule then reconnects the rest)."
        )
        raise DataError(msg)
    if len(array) < 4:
        msg = f"column '{column}': {len(array)} areas; hotspot statistics need at least 4."
        raise DataError(msg)
    return array


def standardise(x: np.ndarray, index: pd.Index, column: str | None) -> np.ndarray:
    """(x - mean) / population sd, or a DataError for a constant column."""
    sd = x.std()
    if not sd > 0:
        msg = f"column '{column}' has the same value in every area; there is nothing to map."
        raise DataError(msg)
    return (x - x.mean()) / sd


def weights_matrix(data: Data, weights: Weights, index: pd.Index) -> tuple[sp.csr_array, Any, Any]:
    """Row-standardised CSR weights in the order of ``index``, island flags, source ids."""
    islands = np.zeros(len(index), dtype=bool)
    if weights is None:
        if not hasattr(data, "geometry") or isinstance(data, pd.Series):
            msg = "weights: pass weights=build_weights(areas, ...) or a GeoDataFrame of areas."
            raise InputError(msg)
        from geoseg.hotspots.weights import build_weights

        weights = build_weights(data, "queen")
    if sp.issparse(weights):
        W = sp.csr_array(weights, dtype=float)
        if W.shape != (len(index), len(index)):
            msg = (
                f"weights: a {W.shape[0]}x{W.shape[1]} matrix does not fit {len(index)} areas; "
                "give one row and column per area, in the table's order."
            )
            raise InputError(msg)
        ids = index
    else:
        graph: Any = getattr(weights, "graph", weights)
        if not hasattr(graph, "unique_ids") or not hasattr(graph, "transform"):
            msg = "weights: expected SpatialWeights, a libpysal Graph or a sparse matrix."
            raise InputError(msg)
        ids = pd.Index(pd.Index(graph.unique_ids).astype(str))
        W = sp.csr_array(graph.transform("r").sparse, dtype=float)
        flagged = set(getattr(weights, "islands", ()))
        islands = index.isin(list(flagged))
    if not ids.equals(index):
        only_data = index.difference(ids)
        only_weights = ids.difference(index)
        problems = []
        if len(only_data):
            problems.append(f"areas {format_codes(only_data)} are in the table but not the weights")
        if len(only_weights):
            problems.append(
                f"areas {format_codes(only_weights)} are in the weights but not the table"
            )
        if problems:
            msg = "weights: " + "; ".join(problems) + "; build the weights from the same areas."
            raise DataError(msg)
        pos = ids.get_indexer(index)
        W = sp.csr_array(W[pos][:, pos])
    rows = np.asarray(W.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        W = sp.csr_array(sp.diags_array(np.where(rows > 0, 1.0 / rows, 0.0)) @ W)
    return W, islands, ids


def safe_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def result_frame(
    data: Data,
    columns: dict[str, Any],
    meta: dict[str, Any],
    permutations: int,
    seed: Any,
    alpha: float,
    correction: str,
    weights: Weights,
) -> pd.DataFrame:
    """Assemble the result table indexed like ``data``; keep geometry and CRS if any."""
    frame = pd.DataFrame(columns, index=data.index)
    if hasattr(data, "geometry") and not isinstance(data, pd.Series):
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame, geometry=data.geometry.to_numpy(), crs=data.crs)
    frame.attrs["hotspots"] = {
        **meta,
        "permutations": permutations,
        "seed": seed if isinstance(seed, int | None) else "generator",
        "alpha": alpha,
        "correction": correction,
        "weights": getattr(weights, "spec", type(weights).__name__),
        "islands": list(getattr(weights, "islands", ())),
    }
    return frame


def label_order(found: Any) -> list[str]:
    """Labels in the canonical order (clusters first, "not significant" last)."""
    canonical: list[str] = []
    for lang in LANGS:
        for statistic, codes in (("moran", (1, 2, 3, 4)), ("gi", (1, 3))):
            canonical += [cluster_label(k, lang, statistic=statistic) for k in (*codes, 0)]
    present = [str(f) for f in found if isinstance(f, str)]
    known = [c for c in dict.fromkeys(canonical) if c in present]
    return known + sorted(set(present) - set(known))


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        msg = f"{name}={value!r} is not one of {', '.join(choices)}."
        raise InputError(msg)


def check_permutations(permutations: int) -> None:
    if not isinstance(permutations, int | np.integer) or permutations < 1:
        msg = f"permutations={permutations!r}: give a positive whole number, e.g. 999."
        raise InputError(msg)


def check_draws(draws: Any, *, n: int, k: int, permutations: int) -> np.ndarray:
    """Check neighbour draws given by the caller; return them as an int64 array."""
    ids = np.asarray(draws)
    problems = []
    if ids.ndim != 2 or ids.shape[0] != permutations or ids.shape[1] < min(k, n - 1):
        problems.append(
            f"shape {ids.shape} where ({permutations}, >= {min(k, n - 1)}) is needed (one row "
            "per permutation, at least as many columns as the largest number of neighbours)"
        )
    elif not np.issubdtype(ids.dtype, np.integer):
        problems.append(f"values of type {ids.dtype} where whole numbers are needed")
    elif ids.size and (ids.min() < 0 or ids.max() > n - 2):
        problems.append(f"positions outside 0..{n - 2} (the {n - 1} other areas)")
    if problems:
        msg = f"draws: {'; '.join(problems)}; make them with geoseg.hotspots.neighbour_draws."
        raise InputError(msg)
    return ids.astype(np.int64, copy=False)


def check_options(permutations: int, alpha: float, correction: str, lang: str) -> None:
    check_permutations(permutations)
    if not 0 < alpha < 1:
        msg = f"alpha={alpha!r}: give a significance level between 0 and 1, e.g. 0.05."
        raise InputError(msg)
    check_choice("correction", correction, CORRECTIONS)
    check_choice("lang", lang, LANGUAGES)
