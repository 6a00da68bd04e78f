"""Reading and validating residential buildings (footprints or points), where residents live."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.errors import InputError, ValidationError, format_codes
from geoseg.io._csv import detect_decimal_comma
from geoseg.io._validate import (
    as_text_codes,
    check_file,
    duplicated_values,
    missing_columns_problem,
    parse_numbers,
    require_projected_crs,
)
from geoseg.io.boundaries import _to_target, read_vector

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["read_buildings"]

logger = logging.getLogger(__name__)

#: Geometry types a building may have: a footprint or a point (address, entrance).
_ALLOWED = ("Polygon", "MultiPolygon", "Point", "MultiPoint")


def _without_prefix(message: str, path: Path) -> str:
    """Drop the leading ``"<path>: "`` of a loader message (the error names the file itself)."""
    head = f"{path}: "
    text = message[len(head) :] if message.startswith(head) else message
    return text.rstrip(".")


def _open(path: str | Path, layer: str | int | None) -> tuple[Path, gpd.GeoDataFrame]:
    """Check and read the file; a missing or unreadable file is a :class:`ValidationError`."""
    p = Path(path)
    try:
        p = check_file(p, "buildings file")
        gdf = read_vector(p, layer=layer, what="buildings layer")
    except ValidationError:
        raise
    except InputError as exc:
        raise ValidationError(str(p), [_without_prefix(str(exc), p)]) from exc
    return p, gdf


def _labels(
    gdf: gpd.GeoDataFrame, id_column: str | None, problems: list[str]
) -> tuple[pd.Series, pd.Series | None]:
    """Name each building (its id, else ``feature N``); return labels and the ids (or None)."""
    labels = pd.Series([f"feature {i + 1}" for i in range(len(gdf))], index=gdf.index, dtype=object)
    if id_column is None or id_column not in gdf.columns:
        return labels, None
    ids, _ = as_text_codes(gdf[id_column])
    if ids.isna().any():
        problems.append(
            f"column {id_column!r} is empty for {format_codes(labels[ids.isna()])}; give every "
            "building an id or leave the id column out"
        )
    dups = duplicated_values(ids)
    if dups:
        problems.append(
            f"column {id_column!r} has duplicate building ids {format_codes(dups)}; make each "
            "id unique (dissolve multi-part buildings into one feature)"
        )
    return ids.where(ids.notna(), labels), ids


def _check_geometries(gdf: gpd.GeoDataFrame, labels: pd.Series, problems: list[str]) -> np.ndarray:
    """Report missing, empty and non-(multi)polygon/point geometries; repair invalid polygons."""
    geoms = gdf.geometry.to_numpy().copy()
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    types = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
    wrong = ~missing & ~empty & ~np.isin(types, _ALLOWED)
    if (missing | empty).any():
        problems.append(
            f"buildings {format_codes(labels[missing | empty])} have an empty or missing "
            "geometry; fix or remove them"
        )
    if wrong.any():
        named = [f"{labels.iloc[i]} ({types[i]})" for i in np.flatnonzero(wrong)]
        problems.append(
            f"buildings {format_codes(named)} are neither polygons nor points; give each "
            "building its footprint (polygon) or one point"
        )
    invalid = ~missing & ~empty & ~wrong & ~shapely.is_valid(geoms)
    if invalid.any():
        logger.warning(
            "buildings %s: repairing invalid footprints with make_valid",
            format_codes(labels[invalid]),
        )
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def _check_weights(
    gdf: gpd.GeoDataFrame, weight: str, labels: pd.Series, problems: list[str]
) -> pd.Series:
    """Parse the weight column, reporting missing, non-numeric and negative values."""
    comma = detect_decimal_comma(gdf[[weight]].astype(str), set())
    values, bad = parse_numbers(gdf[weight], decimal_comma=comma)
    if bad.any():
        problems.append(
            f"column {weight!r} is not a number for buildings {format_codes(labels[bad])}; "
            "weights must be numbers such as dwellings or floor area"
        )
    empty = values.isna() & ~bad
    if empty.any():
        problems.append(
            f"column {weight!r} is empty for buildings {format_codes(labels[empty])}; give "
            "every building a weight (0 for a building nobody lives in)"
        )
    negative = values < 0
    if negative.any():
        problems.append(
            f"column {weight!r} is negative for buildings {format_codes(labels[negative])}; "
            "weights must be >= 0"
        )
    return values.astype("float64")


def read_buildings(
    path: str | Path,
    *,
    layer: str | int | None = None,
    weight: str | None = None,
    crs: str | int | CRS = "EPSG:3006",
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read residential buildings, validate them and reproject them to the analysis CRS.

    Parameters
    ----------
    path
        Any vector file GDAL reads (GeoPackage, GeoJSON, Shapefile, ...) holding building
        footprints (polygons) or building points.
    layer
        Layer name or number; needed only when the file has several layers with geometry.
    weight
        Column with each building's weight, such as dwellings or floor area. ``None`` leaves
        the weighting to the caller (by default the footprint area, 1 for points).
    crs
        Projected analysis CRS in metres (SWEREF 99 TM by default). Geographic CRSs are refused.
    id_column
        Optional column with building ids, used to name buildings in messages (otherwise
        ``feature N``, counted from 1 in file order).

    Returns
    -------
    geopandas.GeoDataFrame
        The buildings' geometries in ``crs``; with ``id_column``, that column as text and the
        index made of the ids (named after it); with ``weight``, a float64 column ``weight``.
        Invalid footprints are repaired with shapely's ``make_valid``.

    Raises
    ------
    CRSError
        ``crs`` is geographic or unknown, or reprojecting gives invalid coordinates.
    ValidationError
        Every problem of the file at once: the file is missing or unreadable, the layer has no
        features or no CRS, geometries are empty, missing or neither polygons nor points, the
        id or weight column is missing (with a "did you mean"), ids are empty or repeated,
        weights are missing, not numbers or negative.
    """
    target = require_projected_crs(crs, what=f"{path}: buildings")
    p, gdf = _open(path, layer)
    source = str(p)
    problems: list[str] = []
    if len(gdf) == 0:
        problems.append("the buildings layer holds no features; it needs one per building")
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    required = [c for c in (id_column, weight) if c is not None]
    missing = missing_columns_problem(columns, required)
    if missing:
        problems.append(missing)
    labels, ids = _labels(gdf, id_column, problems)
    geoms = _check_geometries(gdf, labels, problems)
    weights = None
    if weight is not None and weight in columns:
        weights = _check_weights(gdf, weight, labels, problems)
    if gdf.crs is None:
        problems.append(
            "the layer has no CRS; set it in the file (e.g. QGIS 'Assign projection', or "
            "gdf.set_crs('EPSG:3006') and save) before using it"
        )
    if problems:
        raise ValidationError(source, problems)
    data: dict[str, Any] = {}
    if ids is not None and id_column is not None:
        data[id_column] = ids.astype(object).to_numpy()
    if weights is not None:
        data["weight"] = weights.to_numpy(dtype="float64")
    out = gpd.GeoDataFrame(data, geometry=geoms, crs=gdf.crs)
    if ids is not None:
        out.index = pd.Index(ids.astype(str).tolist(), name=id_column, dtype=object)
    out = _to_target(out, target, p)
    logger.info("%s: %d buildings read (weight: %s)", p, len(out), weight or "footprint area")
    return out
