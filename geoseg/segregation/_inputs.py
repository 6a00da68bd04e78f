"""Resolve a registered index and a count table into the arrays and context its core needs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import CRSError, InputError, format_codes
from geoseg.segregation._engine import split_options
from geoseg.segregation._tables import multi_counts, single_counts
from geoseg.segregation.registry import IndexSpec, get_index

__all__ = ["Prepared", "check_projected", "prepare_index", "spatial_context"]

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    """An index ready to evaluate: its spec, observed arrays, geometry context and options."""

    spec: IndexSpec
    arrays: tuple[np.ndarray, ...]
    index: pd.Index
    ctx: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.index)


def check_projected(areas: Any, *, what: str = "areas") -> None:
    """Refuse areas without a CRS or with a geographic one (spatial indices need metres)."""
    crs = getattr(areas, "crs", None)
    if crs is None:
        msg = (
            f"{what}: the layer has no CRS; set it and reproject to a metric CRS such as "
            "EPSG:3006 before computing spatial indices"
        )
        raise CRSError(msg)
    if crs.is_geographic:
        msg = (
            f"{what}: CRS {crs.to_string()} is geographic (degrees); spatial segregation indices "
            "need a projected CRS in metres; reproject with to_crs('EPSG:3006') or "
            "to_crs(gdf.estimate_utm_crs())"
        )
        raise CRSError(msg)


def spatial_context(
    spec: IndexSpec, areas: Any, index: pd.Index, prep_options: dict[str, Any]
) -> dict[str, Any]:
    """Run ``spec.prepare`` on the areas of ``index`` (in that order)."""
    if areas is None:
        msg = (
            f"index {spec.name!r} is spatial and needs the areas' geometry; pass areas= "
            "(a GeoDataFrame indexed by area code)"
        )
        raise InputError(msg)
    check_projected(areas)
    missing = index.difference(areas.index)
    if len(missing):
        msg = (
            f"index {spec.name!r}: areas {format_codes(missing)} have counts but no geometry; "
            "add them to the boundaries or drop them from the register"
        )
        raise InputError(msg)
    gdf = areas.loc[index]
    assert spec.prepare is not None
    return dict(spec.prepare(gdf, **prep_options))


def prepare_index(
    name: str,
    data: pd.DataFrame,
    *,
    group: str | None = None,
    total: str | None = None,
    groups: Sequence[str] | None = None,
    areas: Any = None,
    options: dict[str, Any] | None = None,
    source: str = "count table",
) -> Prepared:
    """Validate the table for index ``name`` and build what its core needs.

    Zero-population areas are dropped for aspatial indices; spatial indices keep them (they
    still shape contiguity, areas and distances). For a spatial index the areas are ``areas``
    or, when ``data`` is itself a GeoDataFrame, ``data``.
    """
    spec = get_index(name)
    drop = not spec.spatial
    prep_opts, core_opts = split_options(spec, options)
    if spec.kind == "single":
        if group is None or total is None:
            msg = f"index {name!r} is a single-group index: give group= and total= columns"
            raise InputError(msg)
        x, t, idx = single_counts(data, group, total, source=source, drop_empty=drop)
        arrays: tuple[np.ndarray, ...] = (x, t)
    elif spec.kind == "multi":
        if not groups:
            msg = f"index {name!r} is a multigroup index: give groups= (two or more columns)"
            raise InputError(msg)
        X, idx = multi_counts(data, groups, source=source, drop_empty=drop)
        arrays = (X,)
    else:
        msg = f"index {name!r} is local (one value per area); use its own function"
        raise InputError(msg)
    ctx: dict[str, Any] = {}
    if spec.spatial:
        if areas is None and hasattr(data, "geometry"):
            areas = data
        ctx = spatial_context(spec, areas, idx, prep_opts)
    return Prepared(spec, arrays, idx, ctx, core_opts)
