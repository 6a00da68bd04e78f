"""Reading a population grid (GeoTIFF or any raster GDAL reads) as cell-centre points."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.errors import RasterioError

from geoseg.errors import CRSError, InputError, ValidationError
from geoseg.io._validate import check_file, require_projected_crs

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["read_population_grid"]

logger = logging.getLogger(__name__)


def read_population_grid(
    path: str | Path, *, crs: str | int | CRS = "EPSG:3006", band: int = 1
) -> gpd.GeoDataFrame:
    """Read a population raster into points at the centres of inhabited cells.

    Parameters
    ----------
    path
        Single-band raster of persons per cell (GeoTIFF); nodata and cells <= 0 are empty.
    crs
        Projected analysis CRS in metres. A raster in another CRS has its cell centres
        reprojected to it (a geographic raster is logged, since its cells are not equal-area).
    band
        Band to read (1-based).

    Returns
    -------
    geopandas.GeoDataFrame
        One point per cell with population > 0: columns ``population`` (float64), ``row``,
        ``col`` (cell position in the raster) and ``geometry`` in ``crs``.

    Raises
    ------
    InputError
        The file is missing or not a raster, or has no such band.
    CRSError
        The raster has no CRS, or ``crs`` is geographic.
    ValidationError
        The raster holds negative or infinite populations.

    Notes
    -----
    Cell centres are the affine transform applied to ``(col + 0.5, row + 0.5)``.
    """
    target = require_projected_crs(crs, what=f"{path}: population grid")
    p = check_file(path, "population grid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with rasterio.open(p) as src:
                if not 1 <= band <= src.count:
                    msg = f"{p}: has {src.count} band(s); there is no band {band}."
                    raise InputError(msg)
                if src.count > 1:
                    logger.warning("%s: %d bands; reading band %d", p, src.count, band)
                data = src.read(band, masked=True)
                transform = src.transform
                raster_crs = src.crs
    except InputError:
        raise
    except (RasterioError, OSError, ValueError, MemoryError) as exc:
        msg = f"{p}: cannot be read as a raster ({type(exc).__name__}: {exc}); use a GeoTIFF."
        raise InputError(msg) from exc
    if raster_crs is None:
        msg = (
            f"{p}: the raster has no CRS; set it (e.g. gdal_edit.py -a_srs EPSG:3006) before "
            "using it."
        )
        raise CRSError(msg)
    values = np.ma.filled(data.astype("float64"), np.nan)
    problems: list[str] = []
    if np.isinf(values).any():
        problems.append(f"{int(np.isinf(values).sum())} cells hold infinite values")
    if (values < 0).any():
        problems.append(
            f"{int((values < 0).sum())} cells hold negative populations (minimum "
            f"{np.nanmin(values):g}); set nodata for them or fix the raster"
        )
    if problems:
        raise ValidationError(str(p), problems)
    rows, cols = np.nonzero(np.nan_to_num(values, nan=0.0) > 0)
    cc, rr = cols + 0.5, rows + 0.5
    xs = transform.a * cc + transform.b * rr + transform.c
    ys = transform.d * cc + transform.e * rr + transform.f
    out = gpd.GeoDataFrame(
        {
            "population": values[rows, cols],
            "row": rows.astype("int64"),
            "col": cols.astype("int64"),
        },
        geometry=shapely.points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)),
        crs=raster_crs.to_wkt(),
    )
    if out.crs is not None and out.crs.is_geographic:
        logger.warning(
            "%s: geographic raster (degrees); its cell centres are reprojected to %s, but its "
            "cells are not equal-area. Reproject the raster itself for exact cell areas.",
            p,
            target.to_string(),
        )
    if out.crs != target:
        out = out.to_crs(target)
        if len(out) and not np.all(np.isfinite(out.total_bounds)):
            msg = f"{p}: reprojecting the grid to {crs} gave invalid coordinates; check its CRS."
            raise CRSError(msg)
    logger.info("%s: %d inhabited cells, %.0f persons", p, len(out), out["population"].sum())
    return out
