"""Walking access: a fast network engine, the measures planners use, and equity of access."""

from __future__ import annotations

from geoseg.access._snap import Snapped, at_nodes, snap_points, subset
from geoseg.access.equity import access_gini, concentration_index, lorenz, palma, quintile_gap
from geoseg.access.isochrones import isochrones, reached_streets
from geoseg.access.measures import (
    E2SFCA_WEIGHTS,
    Reach,
    count_within,
    decay,
    e2sfca,
    fca2,
    gravity,
    k_nearest,
    nearest,
    reach,
)
from geoseg.access.network import (
    WalkNetwork,
    add_edges,
    build_network,
    metres_to_minutes,
    minutes_to_metres,
    remove_edges,
)
from geoseg.access.pipeline import AccessResults, access_for_kind, access_for_project
from geoseg.access.residents import (
    residents_from_buildings,
    residents_from_centroids,
    residents_from_grid,
    spread_counts,
)
from geoseg.access.summary import area_summary, weighted_median

__all__ = [
    "E2SFCA_WEIGHTS",
    "AccessResults",
    "Reach",
    "Snapped",
    "WalkNetwork",
    "access_for_kind",
    "access_for_project",
    "access_gini",
    "add_edges",
    "area_summary",
    "at_nodes",
    "build_network",
    "concentration_index",
    "count_within",
    "decay",
    "e2sfca",
    "fca2",
    "gravity",
    "isochrones",
    "k_nearest",
    "lorenz",
    "metres_to_minutes",
    "minutes_to_metres",
    "nearest",
    "palma",
    "quintile_gap",
    "reach",
    "reached_streets",
    "remove_edges",
    "residents_from_buildings",
    "residents_from_centroids",
    "residents_from_grid",
    "snap_points",
    "spread_counts",
    "subset",
    "weighted_median",
]
