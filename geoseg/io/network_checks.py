"""Checks of a project's street network: its reach, and a report for ``geoseg validate``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from geoseg.errors import NetworkError, format_codes
from geoseg.settings import ISOCHRONE_MINUTES

if TYPE_CHECKING:
    from geoseg.access import WalkNetwork
    from geoseg.io.config import Project
    from geoseg.io.project import ProjectData

__all__ = ["check_network_covers", "default_buffer_m", "network_report"]


def default_buffer_m(project: Project) -> float:
    """The default clipping buffer: the distance walked in the longest time threshold."""
    acc = project.access
    longest = max([acc.minutes, *ISOCHRONE_MINUTES])
    return float(longest) * 60.0 * acc.speed_kmh / 3.6


def check_network_covers(
    net: WalkNetwork, areas: gpd.GeoDataFrame | None, source: str, reach_m: float
) -> None:
    """Refuse a network farther than ``reach_m`` from the areas (an extract of another region)."""
    if areas is None or not len(areas) or net.n_nodes == 0:
        return
    ax0, ay0, ax1, ay1 = areas.total_bounds
    nx0, ny0, nx1, ny1 = net.x.min(), net.y.min(), net.x.max(), net.y.max()
    gap_x = max(nx0 - ax1, ax0 - nx1, 0.0)
    gap_y = max(ny0 - ay1, ay0 - ny1, 0.0)
    if np.hypot(gap_x, gap_y) > reach_m:
        msg = (
            f"{source}: the street network does not reach the areas: it covers x "
            f"{nx0:.0f}..{nx1:.0f}, y {ny0:.0f}..{ny1:.0f}, the areas x {ax0:.0f}..{ax1:.0f}, "
            f"y {ay0:.0f}..{ay1:.0f} ({areas.crs}). Use an extract of the region around the "
            "areas, or check the areas' CRS."
        )
        raise NetworkError(msg)


def _resident_points(data: ProjectData) -> tuple[gpd.GeoSeries, str]:
    """Where residents are placed: grid cells, buildings or area points (for validation)."""
    if data.grid is not None and len(data.grid):
        return data.grid.geometry, "population grid cells"
    if data.buildings is not None and len(data.buildings):
        return data.buildings.geometry.representative_point(), "buildings"
    return data.areas.geometry.representative_point(), "area points (no grid or buildings)"


def network_report(net: WalkNetwork, data: ProjectData, *, source: str) -> list[str]:
    """Lines on a project's street network: size, connected parts, cut ways, far points.

    Parameters
    ----------
    net
        The network (:class:`geoseg.access.WalkNetwork`) read for the project.
    data
        The loaded project (services, grid or buildings, areas, water).
    source
        The network's file or place, for the text.

    Returns
    -------
    list of str
        ``street network: ...`` lines, then ``warning: ...`` lines for ways cut at the
        extract's edge and for services and residents farther from a street than
        ``[access] max_snap_m``.
    """
    from scipy.sparse.csgraph import connected_components

    from geoseg.access import snap_points

    info = dict(net.info)
    km = float(net.edge_length.sum()) / 1000.0
    kind = info.get("network_type") or data.project.network.network_type
    lines = [
        f"street network: {net.n_nodes} node{'s' if net.n_nodes != 1 else ''}, {net.n_edges} "
        f"edge{'s' if net.n_edges != 1 else ''}, {km:.1f} km of {kind} streets from {source}"
    ]
    parts, label = connected_components(net.graph, directed=False)
    largest = np.bincount(label).max() / max(net.n_nodes, 1) if net.n_nodes else 0.0
    lines.append(
        f"street network: {parts} connected part{'s' if parts != 1 else ''}; the largest "
        f"holds {largest:.1%} of the nodes"
    )
    if info.get("clipped"):
        lines.append(
            f"street network: clipped to the areas plus {float(info.get('buffer_m') or 0):g} m"
            + (
                f" ({info['ways_clipped']} ways cut at the band's edge)"
                if info.get("ways_clipped")
                else ""
            )
        )
    warnings: list[str] = []
    if info.get("ways_cut"):
        warnings.append(
            f"{source}: {info['ways_cut']} of {info.get('ways', '?')} ways run out of the "
            f"extract ({info.get('nodes_missing', 0)} nodes missing); their parts inside the "
            "file are kept. Use an extract that reaches beyond the areas if streets near its "
            "edge matter."
        )
    limit = data.project.access.max_snap_m
    checks = []
    if data.services is not None and len(data.services):
        checks.append((data.services.geometry, "services", data.water))
    points, what = _resident_points(data)
    checks.append((points, what, None))
    for geoms, what, water in checks:
        snapped = snap_points(net, geoms, max_snap_m=limit, water=water, label=what)
        far = snapped.rejected[snapped.rejected["reason"] == "too_far"]
        wet = snapped.rejected[snapped.rejected["reason"] != "too_far"]
        lines.append(
            f"street network: {len(snapped)} of {len(geoms)} {what} lie within {limit:g} m "
            "of a street"
        )
        if len(far):
            shown = format_codes(far.index) if what == "services" else f"{len(far)}"
            warnings.append(
                f"{what}: {len(far)} lie farther than {limit:g} m from every street ({shown}); "
                "they are left out of walking access"
            )
        if len(wet):
            warnings.append(
                f"{what}: {len(wet)} reach their nearest street only across water "
                f"({format_codes(wet.index)}); they are left out of walking access"
            )
    return lines + [f"warning: {w}" for w in warnings]
    lines.extend(f"warning: {w}" for w in data.warnings)
    return lines
