"""The shared wrapper of geoseg's spatial single-group index functions."""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np

from geoseg.errors import DataError
from geoseg.segregation import _spatial_cores
from geoseg.segregation._spatial_input import count_columns
from geoseg.segregation.registry import get_index

__all__ = ["compute"]

logger = logging.getLogger(__name__)
_ = _spatial_cores  # importing it registers the cores


def compute(
    name: str, gdf: gpd.GeoDataFrame, group_column: str, total_column: str, /, **options: Any
) -> float:
    group, total = group_column, total_column
    """Check the counts, prepare the geometry context once and evaluate one index."""
    spec = get_index(name)
    assert spec.prepare is not None
    x, t = count_columns(gdf, [group], total=total)
    if t.sum() <= 0 or x.sum() <= 0:
        what = f"total column {total!r}" if t.sum() <= 0 else f"group column {group!r}"
        msg = (
            f"areas: {what} sums to zero over all {len(t)} areas, so {name} is undefined; "
            "check the column names and the year selected."
        )
        raise DataError(msg)
    ctx = spec.prepare(gdf, **options)
    value = float(spec.core(x[:, None], t, **ctx)[0])
    if not np.isfinite(value):
        logger.warning(
            "%s is undefined for group %r and total %r (got %s)", name, group, total, value
        )
    return value
