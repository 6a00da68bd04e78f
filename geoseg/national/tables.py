"""The national tables: area types per area, the measures per municipality, their change.

The national level gathers the register columns every municipality's task sent back and
computes the measures of :mod:`geoseg.segregation.national` over the whole country.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from geoseg.io.national import NationalProject

__all__ = ["TREND_COLUMNS", "national_tables", "national_trend", "suppress_small", "table_csv"]

#: Columns of the national trend table (:func:`national_trend`).
TREND_COLUMNS = (
    "municipality",
    "measure",
    "first_year",
    "last_year",
    "years",
    "value_first",
    "value_last",
    "change",
    "slope",
    "slope_low",
    "slope_high",
    "mk_tau",
    "mk_p",
    "mk_p_adjusted",
    "direction",
)

logger = logging.getLogger(__name__)


def national_tables(
    registers: pd.DataFrame, nat: NationalProject
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The national tables from every municipality's register rows.

    Parameters
    ----------
    registers
        One row per area and year: ``municipality``, ``area_code``, ``year``, ``population``
        and the register columns of the index and the income groups.
    nat
        The national project (:class:`geoseg.io.national.NationalProject`): the index's
        indicators, the area type cuts and the income groups.

    Returns
    -------
    areas, municipalities, trend
        Per area and year: the index's indicators, their standard scores,
        ``socioeconomic_index`` and ``area_type`` (1-5). Per municipality and year: the
        population shares ``area_type_1`` ... ``area_type_5``, ``inequality_index``,
        ``segregation_index``, areas and population. Per municipality and measure (the two
        indices and the five area-type shares): their trend over the years
        (:func:`national_trend`).
    """
    from geoseg.segregation.national import (
        AREA_TYPE_CUTS,
        AREA_TYPES,
        area_type_shares,
        area_types,
        default_socioeconomic_indicators,
        inequality_index,
        segregation_index,
        socioeconomic_index,
    )

    inds = nat.indicators or default_socioeconomic_indicators(population="population")
    index = socioeconomic_index(registers, inds, id_column="area_code", year_column="year")
    areas = registers[["municipality", "area_code", "year", "population"]].copy()
    for col in index.columns:
        if col not in ("area_code", "year"):
            areas[col] = index[col]
    areas["area_type"] = area_types(
        areas["socioeconomic_index"], years=areas["year"], cuts=nat.cuts or AREA_TYPE_CUTS
    )
    keys = ["municipality", "year"]
    munis = area_type_shares(areas, population="population", by=keys)
    if nat.income_groups:
        munis["inequality_index"] = inequality_index(registers, groups=nat.income_groups, by=keys)
    if nat.income_low and nat.income_high:
        munis["segregation_index"] = segregation_index(
            registers, low=nat.income_low, high=nat.income_high, by=keys
        )
    munis["areas"] = areas.groupby(keys).size()
    munis["population"] = areas.groupby(keys)["population"].sum()
    munis = munis.reset_index()
    measures = [
        c
        for c in ("inequality_index", "segregation_index", *(f"area_type_{k}" for k in AREA_TYPES))
        if c in munis.columns
    ]
    return areas, munis, national_trend(munis, measures=measures)


def national_trend(municipalities: pd.DataFrame, *, measures: Sequence[str]) -> pd.DataFrame:
    """Each municipality's trend of each national measure over the years.

    Parameters
    ----------
    municipalities
        One row per municipality and year (``municipality``, ``year`` and the measures), the
        per-municipality table of :func:`national_tables`.
    measures
        The measure columns: ``inequality_index``, ``segregation_index`` and the area-type
        shares ``area_type_1`` ... ``area_type_5`` (the socio-economic index summed up per
        municipality).

    Returns
    -------
    pandas.DataFrame
        One row per municipality and measure (:data:`TREND_COLUMNS`), municipalities in code
        order and measures in the given order: first and last year with a value, their values
        and ``change`` (last - first); with three years or more, the Theil-Sen ``slope`` per
        year with its 95 % interval, the Mann-Kendall ``mk_tau`` and ``mk_p``, the p-value
        adjusted over the municipalities of a measure (false discovery rate) and the
        ``direction`` (``"increasing"``, ``"decreasing"`` or ``"no trend"``) of
        :func:`geoseg.trends.area_trends`, with the municipality as the area. Fewer years:
        those columns are empty.

    Notes
    -----
    Theil (1950), Sen (1968) and Mann (1945) / Kendall (1975), as in
    :func:`geoseg.trends.area_trends`.
    """
    from geoseg.trends import area_trends

    tidy = municipalities.melt(
        id_vars=["municipality", "year"],
        value_vars=list(measures),
        var_name="measure",
        value_name="value",
    ).dropna(subset=["value"])
    tidy = tidy.sort_values(["municipality", "year"], kind="stable")
    rows = []
    for code, part in tidy.groupby("municipality", sort=True):
        for measure in measures:
            series = part[part["measure"] == measure]
            if series.empty:
                continue
            first, last = series.iloc[0], series.iloc[-1]
            rows.append(
                {
                    "municipality": code,
                    "measure": measure,
                    "first_year": int(first["year"]),
                    "last_year": int(last["year"]),
                    "years": len(series),
                    "value_first": float(first["value"]),
                    "value_last": float(last["value"]),
                    "change": float(last["value"]) - float(first["value"]),
                }
            )
    out = pd.DataFrame(rows, columns=list(TREND_COLUMNS[:8]))
    if tidy["year"].nunique() >= 3:
        trends = area_trends(
            tidy.rename(columns={"municipality": "code", "measure": "indicator"})
        ).rename(columns={"code": "municipality", "indicator": "measure"})
        keep = ["municipality", "measure", *TREND_COLUMNS[8:]]
        out = out.merge(trends[keep], on=["municipality", "measure"], how="left")
    return out.reindex(columns=list(TREND_COLUMNS))


def suppress_small(areas: pd.DataFrame, *, threshold: int | None = None) -> pd.DataFrame:
    """Blank every value of areas with fewer residents than the disclosure threshold.

    Parameters
    ----------
    areas
        The per-area table of :func:`national_tables`.
    threshold
        Fewest residents an area's values are published for (default: geoseg's disclosure
        threshold).

    Returns
    -------
    pandas.DataFrame
        A copy in which the rows of small areas keep only ``municipality``, ``area_code`` and
        ``year``.
    """
    from geoseg.settings import SUPPRESSION_THRESHOLD

    limit = SUPPRESSION_THRESHOLD if threshold is None else threshold
    out = areas.copy()
    small = out["population"] < limit
    if small.any():
        logger.warning(
            "%d area-year row(s) with fewer than %d residents: their population, indicators, "
            "index and area type are not published",
            int(small.sum()),
            limit,
        )
        keep = {"municipality", "area_code", "year"}
        for col in out.columns:
            if col not in keep:
                out[col] = out[col].astype("Float64" if col != "area_type" else "Int64")
                out[col] = out[col].where(~small)
    return out


def table_csv(df: pd.DataFrame) -> str:
    """A national table as CSV text (comma-separated, six significant digits)."""
    return df.to_csv(index=False, lineterminator="\n", float_format="%.6g")
