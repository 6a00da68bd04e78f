"""Indices over the years of a register: the rule for codes without a polygon, and the change.

:func:`indices_with_unplaced` computes every index with the rule for register codes that have no
polygon (aspatial indices count them, spatial ones cannot); :func:`segregation_trend` gives each
index's change from the first to the last comparable year, with a permutation test of change
for the key indices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

if TYPE_CHECKING:
    from geoseg.trends import SeriesBreak

__all__ = ["TREND_TESTED", "indices_with_unplaced", "segregation_trend"]


def indices_with_unplaced(
    register: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    index: Sequence[str] | None,
    id_column: str,
    **options: Any,
) -> pd.DataFrame:
    """:func:`geoseg.segregation.compute_indices` with the rule for codes without a polygon.

    Aspatial indices use every register row (the city's whole population, the unallocated
    included); spatial indices use the rows whose code has a polygon (see
    :data:`geoseg.io.UNPLACED_RULE`). Rows keep the order of ``index``.
    """
    from geoseg.segregation import available_indices, compute_indices

    names = list(index or available_indices())
    spatial = set(available_indices(spatial=True))
    placed = register[register[id_column].astype(str).isin(areas.index.astype(str))]
    parts = []
    aspatial_names = [n for n in names if n not in spatial]
    spatial_names = [n for n in names if n in spatial]
    common = {"areas": areas, "id_column": id_column, **options}
    if aspatial_names:
        parts.append(compute_indices(register, index=aspatial_names, **common))
    if spatial_names:
        parts.append(compute_indices(placed, index=spatial_names, **common))
    if len(parts) == 1:
        return parts[0]
    idx = pd.concat(parts, ignore_index=True)
    order = {n: i for i, n in enumerate(names)}
    return (
        idx.assign(_order=idx["index"].map(order))
        .sort_values(["year", "level", "group", "_order"], kind="stable", na_position="first")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


#: Indices whose change between the first and the last year is tested in a run.
TREND_TESTED = ("dissimilarity", "isolation", "multigroup_dissimilarity")


def segregation_trend(
    indices: pd.DataFrame,
    register: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame | None,
    total: str | None,
    id_column: str,
    year_column: str | None,
    permutations: int,
    seed: int,
    tested: Sequence[str] = TREND_TESTED,
    breaks: Sequence[SeriesBreak] = (),
) -> pd.DataFrame:
    """Change of every index from the first to the last year, with a test for key indices.

    Parameters
    ----------
    indices
        The tidy table of :func:`geoseg.segregation.compute_indices`.
    register
        The register it was computed from (for the test of change).
    tested
        Indices whose change gets a p-value from
        :func:`geoseg.segregation.compare_years` (paired relabelling of years within areas,
        alternative "greater": has segregation grown?).
    breaks
        Series breaks (:class:`geoseg.trends.SeriesBreak`): an index built from a column a
        break concerns (its group(s) or the total) is compared from the break on
        (:func:`geoseg.trends.comparable_from`).

    Returns
    -------
    DataFrame
        One row per (level, group, index): ``year_first``, ``year_last``, ``value_first``,
        ``value_last``, ``change``, ``p_value_increase`` (NaN where not tested) and
        ``series_note`` (the breaks that cut or were bridged; "" when none).
    """
    from geoseg.segregation import compare_years
    from geoseg.trends import comparable_from

    columns = ["level", "group", "index", "year_first", "year_last", "value_first", "value_last"]
    if indices.empty or "year" not in indices or indices["year"].nunique() < 2:
        return pd.DataFrame(columns=[*columns, "change", "p_value_increase", "series_note"])
    keys = [k for k in ("level", "group", "index") if k in indices]
    rows = []
    for key, grp in indices.dropna(subset=["value"]).groupby(keys, dropna=False, sort=False):
        grp = grp.sort_values("year")
        named = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        names = [*str(named.get("group", "")).split("+"), *([total] if total else [])]
        cut, note = comparable_from(breaks, names, grp["year"].astype(int))
        if cut is not None:
            grp = grp[grp["year"] >= cut]
        first, last = grp.iloc[0], grp.iloc[-1]
        rows.append(
            named
            | {
                "year_first": int(first["year"]),
                "year_last": int(last["year"]),
                "value_first": first["value"],
                "value_last": last["value"],
                "series_note": note,
            }
        )
    trend = pd.DataFrame(rows)
    trend["change"] = trend["value_last"] - trend["value_first"]
    trend["p_value_increase"] = float("nan")
    trend = trend[[c for c in trend.columns if c != "series_note"] + ["series_note"]]
    if not permutations or year_column is None:
        return trend
    by_year = {int(str(y)): t.set_index(id_column) for y, t in register.groupby(year_column)}
    for i, row in trend.iterrows():
        if row["index"] not in tested or row["year_first"] == row["year_last"]:
            continue
        a, b = by_year[row["year_first"]], by_year[row["year_last"]]
        common = a.index.intersection(b.index)
        a, b = a.loc[common], b.loc[common]
        a, b = a[a[total] > 0], b[b[total] > 0]
        common = a.index.intersection(b.index)
        kwargs: dict[str, Any] = (
            {"groups": [g for g in str(row["group"]).split("+")]}
            if str(row["index"]).startswith("multigroup")
            else {"group": row["group"], "total": total}
        )
        test = compare_years(
            a.loc[common],
            b.loc[common],
            index=row["index"],
            permutations=permutations,
            method="paired",
            seed=seed,
            **kwargs,
        )
        trend.loc[i, "p_value_increase"] = test.p_value
    return trend
