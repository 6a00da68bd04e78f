"""Geometry for web maps: topology-preserving simplification, EPSG:4326, rounded coordinates.

Areas are simplified together as a polygonal coverage (``shapely.coverage_simplify``, GEOS ≥
3.12), so shared edges stay shared and no gaps or overlaps appear between neighbours; then they
are reprojected to EPSG:4326 and their coordinates quantised to 6 decimals (about 0.1 m) and
delta-encoded, a TopoJSON-like compression that keeps a 1,000-area map well under 2 MB.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.errors import CRSError, InputError, format_codes
from geoseg.settings import MAP_CRS

__all__ = ["area_codes", "chained_lines", "feature_collection", "prepare_layer"]

logger = logging.getLogger(__name__)

DIGITS = 6


SCALE = 10**DIGITS


def _encode_ring(ring: Any, scale: int = SCALE) -> list[int]:
    """Quantise a ring to integer micro-degrees and delta-encode it as a flat list.

    ``[x0, y0, x1 - x0, y1 - y0, ...]``: the same 6-decimal precision as rounded GeoJSON in
    about a third of the characters; ``geoseg.decode`` in the page restores the coordinates.
    """
    q = np.rint(np.asarray(ring, dtype=float)[:, :2] * scale).astype(np.int64)
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    keep = np.ones(len(d), bool)
    keep[1:] = (d[1:] != 0).any(axis=1)  # drop repeated points created by quantisation
    return d[keep].ravel().tolist()


def _encode(geom_type: str, coords: Any, scale: int = SCALE) -> Any:
    if geom_type in ("Point",):
        return [round(float(c), DIGITS) for c in coords[:2]]
    if geom_type in ("LineString", "MultiPoint"):
        return _encode_ring(coords, scale)
    if geom_type in ("Polygon", "MultiLineString"):
        return [_encode_ring(r, scale) for r in coords]
    if geom_type == "MultiPolygon":
        return [[_encode_ring(r, scale) for r in p] for p in coords]
    msg = f"cannot draw geometry type {geom_type}"
    raise InputError(msg)


def area_codes(areas: gpd.GeoDataFrame) -> list[str]:
    """Return the areas' codes as text (the index), refusing duplicates."""
    codes = [str(c) for c in areas.index]
    counts = pd.Series(codes).value_counts()
    dup = sorted(counts.index[counts > 1])
    if dup:
        msg = (
            f"areas: the index has duplicate area codes {format_codes(dup)}; each area must "
            "have one row (dissolve or drop the duplicates)."
        )
        raise InputError(msg)
    return codes


def prepare_layer(
    gdf: gpd.GeoDataFrame,
    *,
    what: str,
    tolerance: float | None,
    coverage: bool,
) -> gpd.GeoSeries:
    """Return ``gdf``'s geometry simplified in its projected CRS and reprojected to EPSG:4326.

    ``tolerance`` is in the layer's CRS units (metres); ``None`` or ``0`` keeps every vertex.
    ``coverage=True`` simplifies polygons jointly, keeping shared edges shared.
    """
    if gdf.crs is None:
        msg = f"{what}: the layer has no CRS; set it (e.g. gdf.set_crs('EPSG:3006')) first."
        raise CRSError(msg)
    geoms = gdf.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        logger.warning(
            "%s: %d feature(s) without geometry are not drawn (%s)",
            what,
            int(empty.sum()),
            format_codes(map(str, gdf.index[empty.to_numpy()])),
        )
    values = geoms.to_numpy().copy()
    if tolerance and gdf.crs.is_projected:
        ok = ~empty.to_numpy()
        polygonal = np.array(
            [g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in values]
        )
        if coverage and ok.all() and polygonal.all():
            values = shapely.coverage_simplify(values, tolerance, simplify_boundary=True)
            values = shapely.make_valid(values)
        else:
            values[ok] = shapely.simplify(values[ok], tolerance, preserve_topology=True)
    elif tolerance:
        logger.info("%s: geographic CRS, geometry drawn without simplification", what)
    out = gpd.GeoSeries(values, index=gdf.index, crs=gdf.crs)
    return out.to_crs(MAP_CRS)


def feature_collection(
    geoms: gpd.GeoSeries, keys: list[str], *, digits: int = DIGITS
) -> dict[str, Any]:
    """Return a compact FeatureCollection whose features carry only their key (``properties.k``).

    Coordinates other than points are quantised to ``digits`` decimals and delta-encoded (see
    ``_encode_ring``); the page decodes them with ``geoseg.decode`` before Leaflet sees them.
    """
    scale = 10**digits
    features = []
    for key, geom in zip(keys, geoms.to_numpy(), strict=True):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type == "GeometryCollection":
            parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            if not parts:
                continue
            geom = shapely.union_all(parts)
        mapping = shapely.geometry.mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"k": key},
                "geometry": {
                    "type": mapping["type"],
                    "coordinates": _encode(mapping["type"], mapping["coordinates"], scale),
                },
            }
        )
    return {"type": "FeatureCollection", "scale": scale, "features": features}


def chained_lines(geoms: gpd.GeoSeries, *, digits: int = 5) -> dict[str, Any]:
    """Return lines as one MultiLineString feature whose rings are delta-encoded in a chain.

    Each line starts from where the previous one ended (``"chain": 1`` tells
    ``geoseg.decode``), so thousands of short street pieces cost a few characters each instead
    of a full coordinate pair and a feature apiece.
    """
    scale = 10**digits
    parts = shapely.get_parts(np.asarray(geoms.to_numpy()))
    parts = parts[shapely.get_type_id(parts) == 1]
    coords, line = shapely.get_coordinates(parts, return_index=True)
    q = np.rint(coords * scale).astype(np.int64)
    # a line that quantisation shrinks to one point is not drawn
    first = np.r_[True, line[1:] != line[:-1]]
    line_start = np.maximum.accumulate(np.where(first, np.arange(len(q)), 0))
    moved = np.zeros(len(parts), bool)
    np.logical_or.at(moved, line, (q != q[line_start]).any(axis=1))
    ok = moved[line]
    q, line, first = q[ok], line[ok], first[ok]
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))  # chained across lines
    keep = first | (d != 0).any(axis=1)  # drop repeated points created by quantisation
    d, line = d[keep], line[keep]
    bounds = np.flatnonzero(np.r_[True, line[1:] != line[:-1]]) if len(d) else np.array([0])
    rings = [r.ravel().tolist() for r in np.split(d, bounds[1:])] if len(d) else []
    feature = {
        "type": "Feature",
        "properties": {"k": "streets"},
        "geometry": {"type": "MultiLineString", "coordinates": rings},
    }
    return {"type": "FeatureCollection", "scale": scale, "chain": 1, "features": [feature]}
