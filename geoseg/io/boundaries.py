"""Reading and validating area boundaries (polygons with a text code)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geoseg.errors import CRSError, InputError, ValidationError, format_codes
from geoseg.io._validate import (
    as_text_codes,
    check_file,
    crs_fix_problem,
    describe_crs,
    duplicated_values,
    missing_columns_problem,
    require_projected_crs,
)

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["read_boundaries", "read_layer", "read_vector"]

logger = logging.getLogger(__name__)

_POLYGONAL = {"Polygon", "MultiPolygon"}


def _pick_layer(path: Path, layer: str | int | None) -> str | int | None:
    """Return the layer to read; refuse to guess between several spatial layers."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL raises several types for unreadable data sources
        msg = (
            f"{path}: cannot be opened as a vector file ({type(exc).__name__}: {exc}); "
            "use a GeoPackage, GeoJSON, Shapefile or another format GDAL reads."
        )
        raise InputError(msg) from exc
    names = [str(row[0]) for row in layers]
    if layer is not None:
        if isinstance(layer, str) and layer not in names:
            msg = f"{path}: no layer {layer!r}; the file has layers {', '.join(names) or 'none'}."
            raise InputError(msg)
        return layer
    spatial = [str(row[0]) for row in layers if row[1] is not None]
    if len(spatial) > 1:
        msg = (
            f"{path}: has several layers with geometry ({', '.join(spatial)}); "
            "name the one to read (layer=... or 'layer' in the project file)."
        )
        raise InputError(msg)
    if not names:
        msg = f"{path}: holds no layers."
        raise InputError(msg)
    return spatial[0] if spatial else None


def read_vector(path: Path, *, layer: str | int | None, what: str) -> gpd.GeoDataFrame:
    """Read a vector layer with pyogrio, turning every failure into an :class:`InputError`."""
    chosen = _pick_layer(path, layer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = pyogrio.read_dataframe(path, layer=chosen)
    except Exception as exc:  # GDAL raises several types for damaged files
        msg = f"{path}: cannot read the {what} ({type(exc).__name__}: {exc})."
        raise InputError(msg) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{path}: the {what} has no geometry column; it must hold geometries."
        raise InputError(msg)
    return gdf


def _repair(
    geoms: np.ndarray, codes: pd.Series
) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    """Repair invalid polygons; return geometries and the codes repaired / empty / not polygons.

    Geometries with an infinite or NaN coordinate cannot be repaired (GEOS refuses them); they
    are reported with the empty ones.
    """
    out = geoms.copy()
    missing = shapely.is_missing(out)
    empty = ~missing & shapely.is_empty(out)
    types = np.array([g.geom_type if g is not None else "" for g in out], dtype=object)
    wrong = ~missing & ~empty & ~np.isin(types, list(_POLYGONAL))
    nonfinite = ~missing & ~empty & ~_finite(out)
    invalid = ~missing & ~empty & ~wrong & ~nonfinite & ~shapely.is_valid(out)
    repaired: list[str] = []
    broken: list[str] = []
    for pos in np.flatnonzero(invalid):
        fixed = shapely.make_valid(out[pos])
        parts = [g for g in shapely.get_parts(fixed) if g.geom_type in _POLYGONAL]
        polygon = shapely.union_all(parts) if parts else None
        if polygon is None or polygon.is_empty or polygon.area <= 0:
            broken.append(str(codes.iloc[pos]))
        else:
            out[pos] = polygon
            repaired.append(str(codes.iloc[pos]))
    no_geom = [str(c) for c in codes[missing | empty]]
    infinite = [f"{codes.iloc[i]} (infinite or NaN coordinate)" for i in np.flatnonzero(nonfinite)]
    not_poly = [f"{codes.iloc[i]} ({types[i]})" for i in np.flatnonzero(wrong & ~nonfinite)]
    return out, repaired, no_geom + infinite + broken, not_poly


def _finite(geoms: np.ndarray) -> np.ndarray:
    """Whether every coordinate of each geometry is finite (missing geometries count as finite)."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    ok = np.ones(len(geoms), dtype=bool)
    ok[np.unique(index[bad])] = False
    return ok


def read_boundaries(
    path: str | Path,
    *,
    id_column: str,
    layer: str | int | None = None,
    name_column: str | None = None,
    crs: str | int | CRS = "EPSG:3006",
    source_crs: str | int | CRS | None = None,
) -> gpd.GeoDataFrame:
    """Read area polygons, validate them and reproject them to the analysis CRS.

    Parameters
    ----------
    path
        Any vector file GDAL reads (GeoPackage, GeoJSON, Shapefile, ...).
    id_column
        Column with the area code. Read as text; codes stored as numbers are converted (with a
        warning, since leading zeros may already be lost).
    layer
        Layer name or number; needed only when the file has several layers with geometry.
    name_column
        Optional column with the area name (checked to exist).
    crs
        Projected analysis CRS in metres (SWEREF 99 TM by default). Geographic CRSs are refused
        as analysis CRS.
    source_crs
        The CRS of the file's coordinates when the file declares none (``[areas] crs`` in the
        project file). A file's own CRS always wins (a differing ``source_crs`` is logged).

    Returns
    -------
    geopandas.GeoDataFrame
        Index: the codes as text, named after ``id_column``; the id column kept as text; all
        other attributes; polygons in ``crs``.

    Raises
    ------
    CRSError
        The layer has no CRS and no ``source_crs`` is given; its coordinates do not fit its CRS
        (a mislabelled file); it cannot be reprojected; or ``crs`` is geographic or unknown.
        The message names the CRS found and the command that fixes the file.
    ValidationError
        Every other problem at once: missing columns, missing or duplicate codes, empty or
        unrepairable geometries, geometries that are not polygons.

    Notes
    -----
    Invalid polygons (self-intersections, bow-ties) are repaired with shapely's ``make_valid``
    (GEOS ``MakeValid``); the polygonal parts of the result are kept and the repaired codes
    are logged.

    A file in any other CRS, geographic (longitude/latitude) or projected (metres, feet), is
    reprojected to ``crs`` with PROJ (an INFO log line says so). A CRS is never guessed: a file
    without one is refused unless ``source_crs`` declares it, and a file whose coordinates lie
    outside the area of use of its own CRS (widened by 5 degrees) is refused as mislabelled.
    """
    target = require_projected_crs(crs, what=f"{path}: boundaries")
    p = check_file(path, "boundary file")
    gdf = _declare_crs(read_vector(p, layer=layer, what="boundary layer"), source_crs, p)
    source = str(p)
    problems: list[str] = []
    if len(gdf) == 0:
        msg = f"{p}: the boundary layer holds no features; it needs one polygon per area."
        raise InputError(msg)
    required = [id_column, *([name_column] if name_column else [])]
    missing = missing_columns_problem([c for c in gdf.columns if c != "geometry"], required)
    if missing:
        problems.append(missing)
    codes = pd.Series([f"feature {i + 1}" for i in range(len(gdf))], index=gdf.index, dtype=object)
    if id_column in gdf.columns:
        text, numeric = as_text_codes(gdf[id_column])
        if numeric:
            logger.warning(
                "%s: column %r stores area codes as numbers; leading zeros may already be lost. "
                "Store codes as text in the source file.",
                p,
                id_column,
            )
        nocode = text.isna()
        if nocode.any():
            problems.append(
                f"column {id_column!r} is empty for features "
                f"{format_codes((np.flatnonzero(nocode) + 1).tolist())}; give every area a code"
            )
        dups = duplicated_values(text)
        if dups:
            problems.append(
                f"column {id_column!r} has duplicate codes {format_codes(dups)}; make each area "
                "code unique (dissolve multi-part areas into one feature)"
            )
        codes = text.where(text.notna(), codes)
    geoms, repaired, bad, not_poly = _repair(gdf.geometry.to_numpy(), codes)
    if repaired:
        logger.warning(
            "%s: repaired invalid polygons of areas %s with make_valid", p, format_codes(repaired)
        )
    if bad:
        problems.append(
            f"areas {format_codes(bad)} have an empty, missing or unrepairable geometry; "
            "fix or remove them"
        )
    if not_poly:
        problems.append(
            f"areas {format_codes(not_poly)} are not polygons; boundaries must be polygons"
        )
    crs_problem = crs_fix_problem(gdf.crs, _finite_bounds(geoms), target=target, path=p)
    if problems:
        raise ValidationError(source, [*problems, *([crs_problem] if crs_problem else [])])
    if crs_problem:
        msg = f"{p}: {crs_problem}."
        raise CRSError(msg)
    out = gdf.copy()
    out[id_column] = codes.astype(object)
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    out = _to_target(out, target, p)
    out.index = pd.Index(codes.astype(str).tolist(), name=id_column, dtype=object)
    logger.info("%s: %d areas read (CRS %s)", p, len(out), target.to_string())
    return out


def _declare_crs(gdf: gpd.GeoDataFrame, source_crs: Any, path: Path) -> gpd.GeoDataFrame:
    """Give a layer without a CRS the declared ``source_crs``; a file's own CRS wins."""
    if source_crs is None:
        return gdf
    try:
        declared = CRS.from_user_input(source_crs)
    except (PyprojCRSError, TypeError, ValueError) as exc:
        msg = (
            f"{path}: cannot understand the declared CRS {source_crs!r} ({exc}); "
            "use e.g. 'EPSG:3006'."
        )
        raise CRSError(msg) from exc
    if gdf.crs is None:
        logger.info("%s: the file has no CRS; using the declared %s", path, describe_crs(declared))
        return gdf.set_crs(declared)
    if gdf.crs != declared:
        logger.warning(
            "%s: the file's own CRS %s is used, not the declared %s (a declared CRS is only for "
            "files without one)",
            path,
            describe_crs(gdf.crs),
            describe_crs(declared),
        )
    return gdf


def _finite_bounds(geoms: np.ndarray) -> list[float]:
    """``(minx, miny, maxx, maxy)`` of the geometries with only finite coordinates."""
    keep = _finite(geoms)
    if not keep.any():
        return []
    return [float(v) for v in shapely.total_bounds(geoms[keep])]


def _to_target(gdf: gpd.GeoDataFrame, target: Any, path: Path) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to ``target``, refusing failures and non-finite coordinates."""
    if gdf.crs == target:
        return gdf
    found, wanted = describe_crs(gdf.crs), describe_crs(CRS.from_user_input(target))
    fix = (
        f"the file's CRS is {found}; check that it is right, or reproject the file to the "
        f"analysis CRS yourself: ogr2ogr -t_srs {CRS.from_user_input(target).to_string()} "
        f"reprojected{path.suffix or '.gpkg'} {path.name}"
    )
    try:
        out = gdf.to_crs(target)
    except Exception as exc:  # PROJ raises several types for impossible transforms
        msg = f"{path}: cannot reproject from {found} to {wanted} ({exc}); {fix}."
        raise CRSError(msg) from exc
    if len(out) and not np.all(np.isfinite(out.total_bounds)):
        msg = f"{path}: reprojecting from {found} to {wanted} gave invalid coordinates; {fix}."
        raise CRSError(msg)
    kind = "geographic" if gdf.crs.is_geographic else "projected"
    logger.info(
        "%s: the file's CRS %s is %s; reprojected to the analysis CRS %s", path, found, kind, wanted
    )
    return out


def read_layer(
    path: str | Path, *, layer: str | int | None = None, crs: str | int | CRS = "EPSG:3006"
) -> gpd.GeoDataFrame:
    """Read a context layer (water, districts, buildings) and reproject it to ``crs``.

    Unlike :func:`read_boundaries` no id column is required. Invalid geometries are repaired
    with shapely's ``make_valid``; empty and missing geometries are dropped with a warning.

    Parameters
    ----------
    path
        Any vector file GDAL reads.
    layer
        Layer name or number; needed only when the file has several layers with geometry.
    crs
        Projected target CRS in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer's features in ``crs``, index as in the file.

    Raises
    ------
    CRSError
        The layer has no CRS, its coordinates do not fit its CRS, or ``crs`` is geographic or
        unknown; the message names the CRS found and the command that fixes the file.
    InputError
        The file cannot be read.
    """
    target = require_projected_crs(crs, what=f"{path}: layer")
    p = check_file(path, "layer file")
    gdf = read_vector(p, layer=layer, what="layer")
    problem = crs_fix_problem(
        gdf.crs, _finite_bounds(gdf.geometry.to_numpy()), target=target, path=p, key=False
    )
    if problem:
        msg = f"{p}: {problem}."
        raise CRSError(msg)
    geoms = gdf.geometry
    gone = geoms.isna() | geoms.is_empty
    if gone.any():
        logger.warning("%s: dropping %d features without geometry", p, int(gone.sum()))
    out = gdf.loc[~gone].copy()
    nonfinite = ~_finite(out.geometry.to_numpy())
    if nonfinite.any():
        rows = format_codes([str(i) for i in out.index[nonfinite]])
        msg = (
            f"{p}: features {rows} have an infinite or NaN coordinate; fix or remove them "
            "(no geometry repair can place such a vertex)."
        )
        raise InputError(msg)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        logger.warning("%s: repairing %d invalid geometries with make_valid", p, int(invalid.sum()))
        out.loc[invalid, out.geometry.name] = out.geometry[invalid].make_valid()
    return _to_target(out, target, p)
