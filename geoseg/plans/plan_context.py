"""Plan features checked against a project: the kinds exist, services to close exist, paths end
near a street, new services and housing lie near a street and inside an area, closures close
something.

:meth:`geoseg.plans.Baseline.plan_problems` calls :func:`plan_problems`, so that
:func:`geoseg.io.read_plan` given a baseline reports these problems with those of the file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from geoseg.errors import format_codes
from geoseg.io.plans import ACTIONS, MAX_END_M, feature_geometry, feature_label, feature_text
from geoseg.plans._edit import closed_edges, locate

if TYPE_CHECKING:
    from geoseg.plans.baseline import Baseline

__all__ = ["FAR_CLOSURE_M", "plan_problems"]

logger = logging.getLogger(__name__)

#: A closure drawn farther than this (metres) from the service it names is warned about.
FAR_CLOSURE_M = 100.0


def plan_problems(
    out: gpd.GeoDataFrame, baseline: Baseline, *, max_end_m: float = MAX_END_M
) -> list[str]:
    """Check plan features against the project: services, kinds, streets, areas.

    Parameters
    ----------
    out
        The features read and checked on their own by :func:`geoseg.io.read_plan` (index:
        feature number from 1). A service's closure takes the service's location as its
        geometry and, when unnamed, its name (a warning is logged when the feature's own
        geometry lies more than :data:`FAR_CLOSURE_M` from it).
    baseline
        The project's baseline.
    max_end_m
        Farthest distance from a new path's end to an open street.

    Returns
    -------
    list of str
        One sentence per problem (feature number, action, name and the fix).
    """
    problems: list[str] = []
    net = baseline.network
    tree = baseline.edge_tree()
    services = baseline.services
    closed: list[np.ndarray] = []
    for i, row in out[out["action"] == "close_path"].iterrows():
        geom = feature_geometry(row.geometry)
        if geom is None or geom.geom_type not in ACTIONS["close_path"]:  # type: ignore[operator]
            continue
        hit = closed_edges(net, tree, geom)
        if not len(hit):
            label = feature_label(int(i), row)  # type: ignore[arg-type]
            problems.append(
                f"{label}: closes no street (it neither crosses nor covers one); "
                "draw it across the streets to close"
            )
        closed.append(hit)
    shut = np.unique(np.concatenate(closed)) if closed else np.empty(0, dtype=np.int64)
    removed: dict[str, int] = {}
    for i, row in out.iterrows():
        label = feature_label(int(i), row)  # type: ignore[arg-type]
        action, geom = row["action"], feature_geometry(row.geometry)
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
    return problems


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
    spot = feature_geometry(services.geometry.loc[target])
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
    if not feature_text(out.at[i, "name"]) and "name" in services.columns:
        out.at[i, "name"] = feature_text(services.at[target, "name"])  # named on the map


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
