"""One year's values on the areas, ready for the local statistics, and the residents behind them.

``geoseg hotspots`` analyses one variable or rate of one year: :func:`year_values` joins that
year's register rows onto the areas (the areas without a value are left out, and said so),
:func:`residents` gives the residents per area that disclosure control needs, and
:func:`local_moran_for` runs local Moran's I of a variable, or of a rate after empirical Bayes
standardisation, with spatial weights built on the areas that have a value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from geoseg.errors import InputError, format_codes
from geoseg.hotspots.local import local_moran, local_moran_rate
from geoseg.hotspots.weights import SpatialWeights, build_weights
from geoseg.io.codes import join_register
from geoseg.years import select_year

__all__ = ["local_moran_for", "residents", "year_values"]

logger = logging.getLogger(__name__)


def year_values(
    areas: gpd.GeoDataFrame,
    register: pd.DataFrame,
    columns: Sequence[str],
    *,
    id_column: str,
    year: int | None = None,
    year_column: str | None = "year",
    source: object = "register",
) -> tuple[gpd.GeoDataFrame, int | None]:
    """The register's ``columns`` of one year joined onto the areas that have them all.

    Parameters
    ----------
    areas
        Areas indexed by code.
    register
        Register rows, one per code and year, the code in ``id_column``.
    columns
        The columns to analyse (a variable, or the numerator and denominator of a rate).
    year
        The year (default the latest; see :func:`geoseg.years.select_year`).
    year_column
        The register's year column (``None`` for a single-year register).
    source
        What the register is (its file), named in the messages.

    Returns
    -------
    values : GeoDataFrame
        The areas with a value of every column, with the register's columns (the areas without
        one are left out, with a logged warning naming them).
    year : int or None
        The year chosen.

    Raises
    ------
    InputError
        A column is not in the register, the year is not, or no area has a value.
    """
    missing = [c for c in columns if c not in register.columns]
    if missing:
        msg = (
            f"{source}: the register has no column {', '.join(map(repr, missing))}; "
            f"columns: {', '.join(map(repr, register.columns))}"
        )
        raise InputError(msg)
    rows, chosen = select_year(register, year, year_column=year_column, source=source)
    wanted = list(dict.fromkeys(columns))
    rows = rows.loc[:, [id_column, *wanted]]
    joined = join_register(areas, rows, id_column=id_column, how="left")
    absent = joined.index[joined[wanted].isna().any(axis=1)]
    if len(absent) == len(joined):
        msg = (
            f"{source}: no area has a value of {', '.join(wanted)}"
            f"{f' in {chosen}' if chosen is not None else ''}; check that the register's codes "
            f"are the areas' (codes such as {format_codes(areas.index[:3])})."
        )
        raise InputError(msg)
    if len(absent):
        logger.warning(
            "%d area(s) without a value of %s are left out: %s",
            len(absent),
            ", ".join(wanted),
            format_codes(absent),
        )
        joined = joined.drop(index=absent)
    return joined, chosen


def residents(
    register: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    year: int | None = None,
    year_column: str | None = "year",
) -> pd.Series | None:
    """Residents per area (codes as text) from the register's ``column`` in ``year``.

    Returns ``None`` when the register has no such column. With a year column, only the rows
    of ``year`` count (all rows when ``year`` is ``None``); the first row of a code wins.
    """
    if column not in register.columns:
        return None
    if year is not None and year_column is not None and year_column in register.columns:
        register = register[pd.to_numeric(register[year_column], errors="coerce") == year]
    pop = pd.Series(
        register[column].to_numpy(dtype=float), index=register[id_column].astype(str).to_numpy()
    )
    return pop[~pop.index.duplicated()]


def local_moran_for(
    values: pd.DataFrame,
    column: str,
    *,
    denominator: str | None = None,
    weights: str | SpatialWeights = "queen",
    **options: Any,
) -> Any:
    """Local Moran's I of ``column``, or of the rate ``column / denominator``.

    Parameters
    ----------
    values
        Areas indexed by code with the column(s) (see :func:`year_values`).
    column
        The variable, or the numerator of a rate.
    denominator
        The rate's denominator: areas where it is 0 have no rate and are left out (with a
        logged warning naming them), and the rate is analysed by
        :func:`geoseg.hotspots.local_moran_rate` (empirical Bayes standardisation);
        ``None`` analyses ``column`` itself with :func:`geoseg.hotspots.local_moran`.
    weights
        A weights specification (``"queen"``, ``"knn:6"``, ...; see
        :func:`geoseg.hotspots.build_weights`), built on the areas analysed, or weights
        already built for exactly those areas.
    **options
        ``permutations``, ``seed``, ``alpha``, ``correction``, ``lang``: as for
        :func:`geoseg.hotspots.local_moran`.

    Returns
    -------
    GeoDataFrame
        One row per area analysed (see :func:`geoseg.hotspots.local_moran`).
    """
    if denominator is not None:
        empty = values.index[values[denominator] <= 0]
        if len(empty):
            logger.warning(
                "%d area(s) with %s = 0 have no rate and are left out: %s",
                len(empty),
                denominator,
                format_codes(empty),
            )
            values = values.drop(index=empty)
    w = build_weights(values, weights) if isinstance(weights, str) else weights
    if denominator is None:
        return local_moran(values, column, weights=w, **options)
    return local_moran_rate(values, column, denominator, weights=w, **options)
