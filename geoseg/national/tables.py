"""The national tables: area types per area, the measures per municipality, their change.

The national level gathers the register columns every municipality's task sent back and
computes the measures of :mod:`geoseg.segregation.national` over the whole country.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from geoseg.io.national import NationalProject

__all__ = ["national_tables", "suppress_small", "table_csv"]

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
        ``segregation_index``, areas and population. Per municipality: first and last year's
        values of the measures and their change.
    """
    from geoseg.segregation.national import (
        AREA_TYPE_CUTS,
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
        c for c in ("inequality_index", "segregation_index", "area_type_1") if c in munis.columns
    ]
    rows = []
    for code, part in munis.sort_values("year").groupby("municipality", sort=True):
        first, last = part.iloc[0], part.iloc[-1]
        row: dict[str, Any] = {
            "municipality": code,
            "first_year": first["year"],
            "last_year": last["year"],
        }
        for m in measures:
            row[f"{m}_first"], row[f"{m}_last"] = first[m], last[m]
            row[f"{m}_change"] = last[m] - first[m]
        rows.append(row)
    return areas, munis, pd.DataFrame(rows)


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
