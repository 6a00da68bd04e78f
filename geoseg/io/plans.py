"""Plan files: proposed changes to a city as GeoJSON or GeoPackage features.

Each feature has an ``action``:

``add_service``
    Point with ``kind``, ``capacity`` (> 0) and optionally ``name``: a new service.
``remove_service``
    ``service_id`` or ``name`` of an existing service (geometry optional): it closes.
``add_path``
    LineString, such as a footbridge: each end joins the nearest street within ``max_end_m``
    (splitting the street there) and the path is walkable along its length.
``close_path``
    LineString or Polygon: the streets it crosses, runs along or covers are closed.
``add_housing``
    Point or Polygon with ``residents`` (> 0) and optionally their composition in register
    columns (``age_0_5``, ``age_65_plus``, ``foreign_born``, ...); groups not given follow the
    composition of the area the housing lies in.

:func:`read_plan` reports every problem of a plan at once as a :class:`~geoseg.errors.PlanError`;
given a project's baseline (:func:`geoseg.plans.compute_baseline`) it also checks the features
against the project. :func:`write_plan` writes a plan file (site suggestions are written as plans).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.errors import PlanError
from geoseg.io._atomic import write_with
from geoseg.settings import ANALYSIS_CRS

if TYPE_CHECKING:
    from geoseg.access import WalkNetwork

__all__ = [
    "ACTIONS",
    "AGE_BANDS",
    "MAX_END_M",
    "Plan",
    "PlanContext",
    "feature_geometry",
    "feature_label",
    "feature_text",
    "read_plan",
    "write_plan",
]

logger = logging.getLogger(__name__)

#: Allowed geometry types per action (``None``: geometry optional).
ACTIONS: dict[str, tuple[str, ...] | None] = {
    "add_service": ("Point",),
    "remove_service": None,
    "add_path": ("LineString",),
    "close_path": ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
    "add_housing": ("Point", "Polygon", "MultiPolygon"),
}
#: Age-band columns whose sum may not exceed ``residents``.
AGE_BANDS = ("age_0_5", "age_6_15", "age_16_19", "age_20_64", "age_65_plus")
#: Default farthest distance (metres) from a new path's end to a street.
MAX_END_M = 50.0


@dataclass(eq=False)
class Plan:
    """A validated plan.

    Attributes
    ----------
    features
        One row per feature (index: feature number from 1), columns ``action``, ``name``,
        ``kind``, ``capacity``, ``service_id``, ``residents``, any group columns and
        ``geometry`` in the analysis CRS.
    source
        The file read.
    max_end_m
        Farthest distance from a path's end to a street.
    """

    features: gpd.GeoDataFrame
    source: str
    max_end_m: float = MAX_END_M

    def of(self, action: str) -> gpd.GeoDataFrame:
        """The features with one action."""
        return self.features[self.features["action"] == action]


class PlanContext(Protocol):
    """What :func:`read_plan` checks a plan against: a project's baseline.

    :class:`geoseg.plans.Baseline` is one; its network gives the CRS the features are read in.
    """

    @property
    def network(self) -> WalkNetwork:
        """The project's walking network."""
        ...

    def plan_problems(self, features: gpd.GeoDataFrame, *, max_end_m: float) -> list[str]:
        """One sentence per problem of the (schema-checked) features against the project.

        It may complete the features (a closed service's location becomes its geometry).
        """
        ...


def feature_label(i: int, row: pd.Series) -> str:
    """How a problem names a plan feature: ``feature 3 (add_service 'Library')``."""
    action = row.get("action")
    name = row.get("name")
    bits = [str(action)] if isinstance(action, str) and action else []
    if isinstance(name, str) and name.strip():
        bits.append(repr(name.strip()))
    return f"feature {i}" + (f" ({' '.join(bits)})" if bits else "")


def _numeric(value: object) -> float | None:
    """A number, ``nan`` when missing, ``None`` when not a number."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    if isinstance(value, str) and not value.strip():
        return float("nan")
    try:
        return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _given(value: object, number: float | None) -> str:
    """The end of a message on a field that must be a positive number: missing or what it is."""
    if number is not None and np.isnan(number):
        return "must be a positive number, but the feature has none; add it"
    return f"must be a positive number, got {value!r}"


def feature_geometry(value: object) -> shapely.Geometry | None:
    """A plan feature's geometry, or ``None`` when missing or empty."""
    if not isinstance(value, shapely.Geometry) or value.is_empty:
        return None
    return value


def feature_text(value: object) -> str:
    """A plan feature's text field, stripped; ``""`` when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _read(path: Path, layer: str | None, crs: str) -> gpd.GeoDataFrame:
    if not path.is_file():
        msg = f"{path}: plan file not found; give a GeoJSON or GeoPackage file."
        raise PlanError(msg)
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        # GDAL's advice to prefix a driver name ('CSV:path') does not apply to a plan file
        why = str(exc).split("; It might help to specify the correct driver")[0].rstrip(". ")
        msg = f"{path}: cannot read the plan ({why}); save it as GeoJSON or GeoPackage."
        raise PlanError(msg) from None
    if gdf.crs is None:
        if path.suffix.lower() in {".geojson", ".json"}:
            gdf = gdf.set_crs("EPSG:4326")  # RFC 7946: GeoJSON is longitude/latitude
        elif len(gdf):
            msg = f"{path}: the plan has no CRS; save it with a CRS (for instance {crs})."
            raise PlanError(msg)
    if gdf.crs is not None and not gdf.crs.equals(crs):
        gdf = gdf.to_crs(crs)
    return gdf


def _check_schema(gdf: gpd.GeoDataFrame, problems: list[str]) -> gpd.GeoDataFrame:
    """Check each feature on its own; return the normalised features."""
    if "action" not in gdf.columns:
        problems.append("no 'action' property; give each feature an action: " + ", ".join(ACTIONS))
        return gdf.iloc[0:0]
    out = gdf.copy()
    out.index = pd.RangeIndex(1, len(gdf) + 1, name="feature")
    for col in ("name", "kind", "service_id"):
        out[col] = [feature_text(v) for v in out[col]] if col in out.columns else ""
    out["action"] = [feature_text(v) for v in out["action"]]
    nums = {}
    for col in ["capacity", "residents", *AGE_BANDS, "foreign_born", "born_sweden"]:
        if col in out.columns:
            nums[col] = [_numeric(v) for v in out[col]]
    for i, row in out.iterrows():
        label = feature_label(int(i), row)  # type: ignore[arg-type]
        action = row["action"]
        if action not in ACTIONS:
            what = f"unknown action {action!r}" if action else "no action"
            problems.append(f"{label}: {what}; use one of {', '.join(ACTIONS)}")
            continue
        geom = feature_geometry(row.geometry)
        allowed = ACTIONS[action]
        if allowed is not None:
            if geom is None:
                problems.append(f"{label}: has no geometry; draw a {' or '.join(allowed)}")
            elif geom.geom_type not in allowed:
                problems.append(
                    f"{label}: geometry is a {geom.geom_type}, but {action} needs a "
                    f"{' or '.join(allowed)}"
                )
            elif geom.geom_type in {"Polygon", "MultiPolygon"} and not geom.is_valid:
                problems.append(
                    f"{label}: the {geom.geom_type} is not valid "
                    f"({shapely.is_valid_reason(geom)}); redraw it without crossing edges "
                    "(QGIS: Fix geometries)"
                )
        pos = int(i) - 1
        if action == "add_service":
            if not row["kind"]:
                problems.append(f"{label}: missing 'kind' (the kind of service to add)")
            cap = nums.get("capacity", [float("nan")] * len(out))[pos]
            if cap is None or not np.isfinite(cap) or cap <= 0:
                problems.append(f"{label}: 'capacity' {_given(row.get('capacity'), cap)}")
        elif action == "remove_service":
            if not row["service_id"] and not row["name"]:
                problems.append(f"{label}: give the 'service_id' or 'name' of the service to close")
        elif action == "add_path":
            if geom is not None and geom.geom_type == "LineString" and geom.length <= 0:
                problems.append(f"{label}: the path has zero length")
        elif action == "add_housing":
            res = nums.get("residents", [float("nan")] * len(out))[pos]
            if res is None or not np.isfinite(res) or res <= 0:
                problems.append(f"{label}: 'residents' {_given(row.get('residents'), res)}")
                continue
            bands = 0.0
            for col, values in nums.items():
                if col in {"capacity", "residents"}:
                    continue
                v = values[pos]
                if v is None or (np.isfinite(v) and (v < 0 or v > res)):
                    problems.append(
                        f"{label}: '{col}' must be a number between 0 and residents ({res:g}), "
                        f"got {row.get(col)!r}"
                    )
                elif col in AGE_BANDS and np.isfinite(v):
                    bands += v
            if bands > res * (1 + 1e-9):
                problems.append(
                    f"{label}: the age bands add up to {bands:g}, more than residents ({res:g})"
                )
    for col, values in nums.items():
        out[col] = [np.nan if v is None else v for v in values]
    return out


def read_plan(
    path: str | os.PathLike[str],
    *,
    baseline: PlanContext | None = None,
    layer: str | None = None,
    crs: str = ANALYSIS_CRS,
    max_end_m: float = MAX_END_M,
) -> Plan:
    """Read a plan file and check every feature, reporting all problems at once.

    Parameters
    ----------
    path
        GeoJSON (longitude/latitude unless it names a CRS) or GeoPackage.
    baseline
        When given, features are also checked against the project: the kinds exist, services to
        close exist, paths end near a street, new services and housing lie near a street and
        inside an area, closures close something. A service's closure then takes the
        service's location as its geometry (a warning is logged when the feature's own
        geometry lies more than :data:`geoseg.plans.FAR_CLOSURE_M` from it).
    layer
        GeoPackage layer (default the first).
    crs
        Analysis CRS the features are reprojected to.
    max_end_m
        Farthest distance from a new path's end to a street.

    Raises
    ------
    PlanError
        Listing every problem (feature number, action, name and the fix).
    """
    p = Path(path)
    if baseline is not None and baseline.network.crs:
        crs = baseline.network.crs
    gdf = _read(p, layer, crs)
    problems: list[str] = []
    if not len(gdf):
        problems.append("the plan has no features")
    out = _check_schema(gdf, problems)
    if baseline is not None and len(out):
        problems += baseline.plan_problems(out, max_end_m=max_end_m)
    if problems:
        n = len(problems)
        msg = f"{p}: {n} problem{'s' if n != 1 else ''} in the plan:\n  - " + "\n  - ".join(
            problems
        )
        raise PlanError(msg)
    logger.info("plan %s: %d features (%s)", p, len(out), ", ".join(out["action"].unique()))
    return Plan(
        features=gpd.GeoDataFrame(out, geometry="geometry", crs=crs),
        source=str(p),
        max_end_m=max_end_m,
    )


def write_plan(
    features: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write plan features as a GeoJSON plan file that :func:`read_plan` reads (atomically).

    Parameters
    ----------
    features
        Features in the plan-file schema (``action`` and the columns of its action), in any
        projected or geographic CRS.
    path
        The ``.geojson`` file; the feature collection is named after it.
    overwrite
        Replace an existing file.
    inputs
        Input files; writing over one of them is refused.

    Returns
    -------
    pathlib.Path
        The file written, in longitude/latitude (RFC 7946).
    """
    target = Path(path)
    if target.suffix.lower() not in {".geojson", ".json"}:
        msg = f"{target}: a plan is written as GeoJSON; give a file name ending in .geojson"
        raise PlanError(msg)
    lonlat = features.to_crs("EPSG:4326")

    def writer(tmp: Path) -> None:
        # the collection's name is the file's, not the temporary file's
        lonlat.to_file(tmp, driver="GeoJSON", layer=target.stem)

    return write_with(target, writer, root=target.parent, overwrite=overwrite, inputs=inputs)
