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

:func:`read_plan` reports every problem of a plan at once as a :class:`~geoseg.errors.PlanError`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.errors import PlanError, format_codes
from geoseg.plans._edit import closed_edges, locate
from geoseg.settings import ANALYSIS_CRS

if TYPE_CHECKING:
    from geoseg.plans.baseline import Baseline

__all__ = ["ACTIONS", "AGE_BANDS", "MAX_END_M", "Plan", "read_plan"]

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
#: A closure drawn farther than this (metres) from the service it names is warned about.
FAR_CLOSURE_M = 100.0


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


def _label(i: int, row: pd.Series) -> str:
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


def _geom(value: object) -> shapely.Geometry | None:
    """The geometry, or ``None`` when missing or empty."""
    if not isinstance(value, shapely.Geometry) or value.is_empty:
        return None
    return value


def _text(value: object) -> str:
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
        msg = f"{path}: cannot read the plan ({exc}); save it as GeoJSON or GeoPackage."
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
        out[col] = [_text(v) for v in out[col]] if col in out.columns else ""
    out["action"] = [_text(v) for v in out["action"]]
    nums = {}
    for col in ["capacity", "residents", *AGE_BANDS, "foreign_born", "born_sweden"]:
        if col in out.columns:
            nums[col] = [_numeric(v) for v in out[col]]
    for i, row in out.iterrows():
        label = _label(int(i), row)  # type: ignore[arg-type]
        action = row["action"]
        if action not in ACTIONS:
            what = f"unknown action {action!r}" if action else "no action"
            problems.append(f"{label}: {what}; use one of {', '.join(ACTIONS)}")
            continue
        geom = _geom(row.geometry)
        allowed = ACTIONS[action]
        if allowed is not None:
            if geom is None:
                problems.append(f"{label}: has no geometry; draw a {' or '.join(allowed)}")
            elif geom.geom_type not in allowed:
                problems.append(
                    f"{label}: geometry is a {geom.geom_type}, but {action} needs a "
                    f"{' or '.join(allowed)}"
                )
        pos = int(i) - 1
        if action == "add_service":
            if not row["kind"]:
                problems.append(f"{label}: missing 'kind' (the kind of service to add)")
            cap = nums.get("capacity", [float("nan")] * len(out))[pos]
            if cap is None or not np.isfinite(cap) or cap <= 0:
                problems.append(
                    f"{label}: 'capacity' must be a positive number, got {row.get('capacity')!r}"
                )
        elif action == "remove_service":
            if not row["service_id"] and not row["name"]:
                problems.append(f"{label}: give the 'service_id' or 'name' of the service to close")
        elif action == "add_path":
            if geom is not None and geom.geom_type == "LineString" and geom.length <= 0:
                problems.append(f"{label}: the path has zero length")
        elif action == "add_housing":
            res = nums.get("residents", [float("nan")] * len(out))[pos]
            if res is None or not np.isfinite(res) or res <= 0:
                problems.append(
                    f"{label}: 'residents' must be a positive number, got {row.get('residents')!r}"
                )
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


def _check_context(
    out: gpd.GeoDataFrame, baseline: Baseline, max_end_m: float, problems: list[str]
) -> None:
    """Check the features against the project: services, kinds, streets, areas."""
    net = baseline.network
    tree = baseline.edge_tree()
    services = baseline.services
    closed: list[np.ndarray] = []
    for i, row in out[out["action"] == "close_path"].iterrows():
        geom = _geom(row.geometry)
        if geom is None or geom.geom_type not in ACTIONS["close_path"]:  # type: ignore[operator]
            continue
        hit = closed_edges(net, tree, geom)
        if not len(hit):
            problems.append(
                f"{_label(int(i), row)}: closes no street (it neither crosses nor covers one); "  # type: ignore[arg-type]
                "draw it across the streets to close"
            )
        closed.append(hit)
    shut = np.unique(np.concatenate(closed)) if closed else np.empty(0, dtype=np.int64)
    removed: dict[str, int] = {}
    for i, row in out.iterrows():
        label = _label(int(i), row)  # type: ignore[arg-type]
        action, geom = row["action"], _geom(row.geometry)
        if action == "add_service":
            if row["kind"] and row["kind"] not in baseline.kinds:
                problems.append(
                    f"{label}: kind {row['kind']!r} is not among the project's service kinds "
                    f"({', '.join(baseline.kinds)})"
                )
            if geom is not None and geom.geom_type == "Point":
                _near(label, "the service", net, tree, geom, baseline.max_snap_m, shut, problems)
        elif action == "remove_service":
            sid, name = row["service_id"], row["name"]
            if sid:
                if sid not in services.index:
                    problems.append(
                        f"{label}: no service with service_id {sid!r} in the project's services"
                    )
                    continue
                target = sid
            else:
                match = services.index[services["name"].astype(str).str.strip() == name]
                if len(match) == 0:
                    problems.append(f"{label}: no service named {name!r} in the project's services")
                    continue
                if len(match) > 1:
                    problems.append(
                        f"{label}: {len(match)} services are named {name!r} "
                        f"({format_codes(match)}); give its 'service_id' instead"
                    )
                    continue
                target = str(match[0])
            if str(services.loc[target, "kind"]) not in baseline.kinds:
                problems.append(f"{label}: service {target} is of a kind not being checked")
            if target in removed:
                problems.append(
                    f"{label}: service {target} is already closed by feature {removed[target]}"
                )
            removed[target] = int(i)  # type: ignore[arg-type]
            _at_service(out, i, label, geom, services, target)
        elif action == "add_path" and geom is not None and geom.geom_type == "LineString":
            coords = shapely.get_coordinates(geom)
            for which, xy in (("start", coords[0]), ("end", coords[-1])):
                end = locate(net, tree, shapely.Point(xy), max_m=max_end_m, exclude=shut)
                if end is None:
                    problems.append(
                        f"{label}: its {which} ({xy[0]:.0f}, {xy[1]:.0f}) is more than "
                        f"{max_end_m:g} m from any open street; extend the path to a street"
                    )
        elif action == "add_housing" and geom is not None:
            pt = shapely.point_on_surface(geom)
            inside = baseline.areas.geometry.intersects(pt)
            if not inside.any():
                problems.append(f"{label}: lies outside every area of the project")
            else:
                _near(label, "the housing", net, tree, pt, baseline.max_snap_m, shut, problems)


def _at_service(
    out: gpd.GeoDataFrame,
    i: object,
    label: str,
    geom: shapely.Geometry | None,
    services: gpd.GeoDataFrame,
    target: str,
) -> None:
    """Put a closure where the service it closes is (what maps draw), warning when the
    feature's own geometry lies far from it (the plan may name the wrong service)."""
    if not isinstance(services, gpd.GeoDataFrame) or target not in services.index:
        return
    spot = _geom(services.geometry.loc[target])
    if spot is None:
        return
    if geom is not None:
        far = float(shapely.distance(geom, spot))
        if far > FAR_CLOSURE_M:
            logger.warning(
                "%s: its geometry lies %.0f m from service %s, which it closes; the closure is "
                "drawn at the service (check that it names the service meant)",
                label,
                far,
                target,
            )
    out.at[i, "service_id"] = target
    out.at[i, "geometry"] = spot
    if not _text(out.at[i, "name"]) and "name" in services.columns:
        out.at[i, "name"] = _text(services.at[target, "name"])  # named on the map


def _near(
    label: str,
    what: str,
    net: object,
    tree: shapely.STRtree,
    point: shapely.Point,
    max_m: float,
    shut: np.ndarray,
    problems: list[str],
) -> None:
    if locate(net, tree, point, max_m=max_m, exclude=shut) is None:  # type: ignore[arg-type]
        problems.append(
            f"{label}: {what} is more than {max_m:g} m from any open street; move it closer"
        )


def read_plan(
    path: str | os.PathLike[str],
    *,
    baseline: Baseline | None = None,
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
        geometry lies more than :data:`FAR_CLOSURE_M` from it).
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
        _check_context(out, baseline, max_end_m, problems)
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
