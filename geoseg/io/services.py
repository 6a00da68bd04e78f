"""Reading and validating service locations (family centres, libraries, meeting places...)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geoseg.errors import CRSError, InputError, ValidationError, format_codes
from geoseg.io._csv import detect_decimal_comma, read_text_table
from geoseg.io._validate import (
    as_text_codes,
    check_file,
    closest,
    duplicated_values,
    missing_columns_problem,
    parse_numbers,
    require_projected_crs,
)
from geoseg.io.boundaries import read_vector

__all__ = ["read_services"]

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}


def _points_from_table(
    frame: pd.DataFrame,
    *,
    x_column: str,
    y_column: str,
    source_crs: str | int | CRS | None,
    path: Path,
    ids: pd.Series,
    problems: list[str],
) -> gpd.GeoSeries | None:
    """Build points from coordinate columns, collecting problems."""
    missing = missing_columns_problem(
        list(frame.columns), [x_column, y_column], role="coordinate column"
    )
    if missing:
        problems.append(missing)
        return None
    comma = detect_decimal_comma(frame[[x_column, y_column]].astype(str), set())
    xs, xbad = parse_numbers(frame[x_column], decimal_comma=comma)
    ys, ybad = parse_numbers(frame[y_column], decimal_comma=comma)
    broken = xbad | ybad | xs.isna() | ys.isna()
    if broken.any():
        problems.append(
            f"columns {x_column!r}/{y_column!r} are empty or not numbers for services "
            f"{format_codes(ids[broken].fillna('(no id)').tolist())}; give both coordinates"
        )
        return None
    crs = CRS.from_user_input(source_crs)
    if crs.is_projected and len(xs) and xs.abs().le(180).all() and ys.abs().le(90).all():
        problems.append(
            f"coordinates in {x_column!r}/{y_column!r} look like longitude/latitude degrees but "
            f"the CRS of the table is {source_crs}; set the services' crs (source_crs) to "
            "'EPSG:4326'"
        )
        return None
    return gpd.GeoSeries(shapely.points(xs.to_numpy(), ys.to_numpy()), index=frame.index, crs=crs)


def read_services(
    path: str | Path,
    *,
    id_column: str = "service_id",
    kind_column: str = "kind",
    name_column: str = "name",
    capacity_column: str = "capacity",
    x_column: str = "x",
    y_column: str = "y",
    source_crs: str | int | CRS | None = None,
    crs: str | int | CRS = "EPSG:3006",
    kinds: Iterable[str] | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
) -> gpd.GeoDataFrame:
    """Read service locations as points in the analysis CRS.

    Parameters
    ----------
    path
        A CSV with coordinate columns, or any vector file GDAL reads (points).
    id_column, kind_column, name_column, capacity_column
        Columns of the file holding the service id (text, unique), the kind, the name (optional
        column: the id is used when absent) and the capacity (optional column).
    x_column, y_column
        Coordinate columns of a CSV.
    source_crs
        CRS of a CSV's coordinates (default: ``crs``); for a vector file, used only when the
        file has no CRS of its own.
    crs
        Projected analysis CRS in metres.
    kinds
        The allowed kinds; services of other kinds are reported. ``None`` accepts any kind.
    layer
        Layer of a vector file with several layers.
    encoding, sep
        Encoding and separator of a CSV; detected when ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``service_id`` (text); columns ``service_id``, ``kind``, ``name``, ``capacity``
        (float64, NaN when unknown), other attributes, point ``geometry`` in ``crs``.

    Raises
    ------
    CRSError
        ``crs`` is geographic, or a vector file has no CRS and no ``source_crs`` is given.
    ValidationError
        Every other problem at once: missing columns, missing or duplicate ids, unknown kinds,
        negative or non-numeric capacities, missing coordinates, geometries that are not points.
    """
    target = require_projected_crs(crs, what=f"{path}: services")
    p = check_file(path, "services file")
    source = str(p)
    if source_crs is not None:
        try:
            source_crs = CRS.from_user_input(source_crs)
        except (PyprojCRSError, TypeError, ValueError) as exc:
            msg = f"{p}: cannot understand the services' CRS {source_crs!r} ({exc})."
            raise CRSError(msg) from exc
    problems: list[str] = []
    is_table = p.suffix.lower() in _TEXT_SUFFIXES
    if is_table:
        frame: pd.DataFrame = read_text_table(p, encoding=encoding, sep=sep).frame
    else:
        frame = read_vector(p, layer=layer, what="services layer")
    if len(frame) == 0:
        msg = f"{p}: holds no services; it needs one row (point) per service."
        raise InputError(msg)
    columns = [c for c in frame.columns if c != "geometry"]
    missing = missing_columns_problem(columns, [id_column, kind_column])
    if missing:
        problems.append(missing)
    ids = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if id_column in columns:
        ids, _ = as_text_codes(frame[id_column])
        if ids.isna().any():
            problems.append(
                f"column {id_column!r} is empty in rows "
                f"{format_codes((np.flatnonzero(ids.isna()) + 2).tolist())}; give every service "
                "an id"
            )
        dups = duplicated_values(ids)
        if dups:
            problems.append(f"column {id_column!r} has duplicate ids {format_codes(dups)}")
    label = ids.fillna("(no id)")
    kind = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if kind_column in columns:
        kind, _ = as_text_codes(frame[kind_column])
        if kind.isna().any():
            problems.append(
                f"column {kind_column!r} is empty for services {format_codes(label[kind.isna()])}"
            )
        if kinds is not None:
            allowed = [str(k) for k in kinds]
            unknown = kind.notna() & ~kind.isin(allowed)
            if unknown.any():
                odd = sorted(set(kind[unknown]))
                hints = "".join(closest(n, allowed) for n in odd[:3])
                problems.append(
                    f"services {format_codes(label[unknown])} have kinds "
                    f"{', '.join(repr(n) for n in odd)}{hints} that the project does not "
                    f"name; known kinds: {', '.join(allowed)} (add the kind to [services.kinds] "
                    "or correct it)"
                )
    capacity = pd.Series(np.nan, index=frame.index)
    if capacity_column in columns:
        comma = detect_decimal_comma(frame[[capacity_column]].astype(str), set())
        capacity, bad = parse_numbers(frame[capacity_column], decimal_comma=comma)
        if bad.any():
            problems.append(
                f"column {capacity_column!r} is not a number for services "
                f"{format_codes(label[bad])}; leave it empty when unknown"
            )
        if (capacity < 0).any():
            problems.append(
                f"column {capacity_column!r} is negative for services "
                f"{format_codes(label[capacity < 0])}; capacities must be >= 0"
            )
    else:
        logger.info("%s: no %r column; capacities unknown (NaN)", p, capacity_column)
    if name_column in columns:
        names = as_text_codes(frame[name_column])[0]
    else:
        logger.info("%s: no %r column; the service id is used as name", p, name_column)
        names = ids.copy()

    geometry: gpd.GeoSeries | None
    if is_table:
        geometry = _points_from_table(
            frame,
            x_column=x_column,
            y_column=y_column,
            source_crs=source_crs if source_crs is not None else target,
            path=p,
            ids=label,
            problems=problems,
        )
    else:
        gdf = frame
        geometry = gdf.geometry
        if geometry.crs is None:
            if source_crs is None:
                problems.append(
                    "the layer has no CRS; set it in the file or give the services' crs "
                    "(source_crs)"
                )
                geometry = None
            else:
                geometry = geometry.set_crs(source_crs)
        if geometry is not None:
            types = geometry.geom_type.fillna("none")
            single = shapely.get_num_geometries(geometry.to_numpy()) == 1
            multi_one = (types == "MultiPoint") & single
            geometry = geometry.where(~multi_one, geometry.representative_point())
            not_point = ~((types == "Point") | multi_one) | geometry.is_empty
            if not_point.any():
                problems.append(
                    f"services {format_codes(label[not_point])} are not single points "
                    f"({', '.join(sorted(set(types[not_point])))}); give each service one point"
                )
    if problems:
        only_crs = len(problems) == 1 and problems[0].startswith("the layer has no CRS")
        if only_crs:
            msg = f"{p}: {problems[0]}."
            raise CRSError(msg)
        raise ValidationError(source, problems)
    if geometry is None:  # pragma: no cover - every None path above adds a problem
        raise ValidationError(source, ["no usable geometry"])
    extra = [
        c
        for c in columns
        if c not in {id_column, kind_column, name_column, capacity_column, x_column, y_column}
        and c not in {"service_id", "kind", "name", "capacity"}
    ]
    out = gpd.GeoDataFrame(
        {
            "service_id": ids.astype(object),
            "kind": kind.astype(object),
            "name": names.astype(object),
            "capacity": capacity.astype("float64"),
            **{c: frame[c] for c in extra},
        },
        geometry=geometry,
        crs=geometry.crs,
    )
    if out.crs != target:
        out = out.to_crs(target)
        if not np.all(np.isfinite(out.total_bounds)):
            msg = f"{p}: reprojecting services to {crs} gave invalid coordinates; check their CRS."
            raise CRSError(msg)
    out.index = pd.Index(ids.astype(str).tolist(), name="service_id", dtype=object)
    kinds = ", ".join(f"{k} {n}" for k, n in out["kind"].value_counts().sort_index().items())
    logger.info("%s: %d services read (%s)", p, len(out), kinds)
    return out
