"""Spatial weights for hotspot analysis, built with libpysal's ``graph`` API.

A weights specification is a short string:

========================  ==========================================================
``"queen"`` (default)     areas sharing a boundary point are neighbours
``"rook"``                areas sharing a boundary edge are neighbours
``"knn:K"``               the K nearest areas (by centroid) are neighbours
``"distance:METRES"``     areas whose centroids lie within METRES are neighbours
``"kernel:BANDWIDTH"``    Gaussian kernel of the centroid distance, bandwidth in metres
========================  ==========================================================

Every graph is row-standardised (each area's weights sum to one).

The island rule
---------------
An area without any neighbour (an *island*: a skerry in the archipelago, an area across the
river from everything else under contiguity, or an area farther than the band from all others)
would get a spatial lag of zero and a meaningless local statistic. geoseg therefore joins each
island to its ``island_neighbors`` nearest areas (default 2), measured as the shortest distance
between the areas' geometries (nearest shore to nearest shore for polygons; ties broken by the
order of the areas). The links are made symmetric, so the mainland area also counts the island
as a neighbour. Added links get the smallest weight found in the graph before row
standardisation (1 for contiguity, k nearest neighbours and distance bands). The joined islands
and every added link are returned in :class:`SpatialWeights` and named in a logging warning;
no area is ever dropped.

Disconnected parts (groups of areas with neighbours among themselves but none outside, such as
the two banks of a river under contiguity) are legitimate for local statistics. They are reported
(``n_components``, ``component``) and a warning is logged; with ``connect_components=True`` the
smallest part is repeatedly joined to the rest through its closest pair of areas until the
graph is connected.

libpysal is imported when weights are built, not when this module is imported, so that the
statistics in :mod:`geoseg.hotspots` start fast when given prebuilt weights.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geoseg.errors import CRSError, DataError, InputError, format_codes

if TYPE_CHECKING:
    import geopandas as gpd
    import scipy.sparse as sp
    from libpysal.graph import Graph

__all__ = ["WEIGHT_KINDS", "SpatialWeights", "build_weights", "parse_weights_spec"]

logger = logging.getLogger(__name__)

#: The weight kinds understood by :func:`parse_weights_spec`.
WEIGHT_KINDS = ("queen", "rook", "knn", "distance", "kernel")
_DISTANCE_KINDS = ("knn", "distance", "kernel")
_SPEC = re.compile(r"^\s*(?P<kind>[a-z]+)\s*(?::\s*(?P<param>[^\s]+)\s*)?$")


@dataclass(frozen=True)
class SpatialWeights:
    """Row-standardised spatial weights with a record of how islands were handled.

    Attributes
    ----------
    graph
        The row-standardised :class:`libpysal.graph.Graph`; its ids are the area codes in the
        order of the input areas.
    spec
        The specification the weights were built from, e.g. ``"queen"`` or ``"knn:6"``.
    islands
        Codes of the areas that had no neighbour and were joined by the island rule.
    added_links
        One row per link added by the island or component rule, with columns ``focal``,
        ``neighbor``, ``distance`` (metres between the geometries) and ``reason``
        (``"island"`` or ``"component"``). Each link is listed once; it is used both ways.
    component
        The connected part each area belongs to (0 is the largest), indexed by area code.
    """

    graph: Graph
    spec: str
    islands: tuple[str, ...] = ()
    added_links: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["focal", "neighbor", "distance", "reason"])
    )
    component: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def ids(self) -> pd.Index:
        """The area codes, in the order of the rows of :attr:`sparse`."""
        return pd.Index(self.graph.unique_ids)

    @property
    def sparse(self) -> sp.csr_array:
        """The row-standardised weights as a CSR matrix ordered like :attr:`ids`."""
        import scipy.sparse as sp

        return sp.csr_array(self.graph.sparse)

    @property
    def n_components(self) -> int:
        """Number of disconnected parts of the graph (1 when connected)."""
        return int(self.component.nunique()) if len(self.component) else 0

    def summary(self) -> str:
        """Return a one-paragraph, human-readable description of the weights."""
        card = self.graph.cardinalities
        text = (
            f"{self.spec} weights, row-standardised: {len(card)} areas, "
            f"{int(card.sum())} links, {card.min()}-{card.max()} neighbours per area"
        )
        if self.islands:
            text += f"; islands joined to their nearest areas: {format_codes(self.islands)}"
        if self.n_components > 1:
            sizes = self.component.value_counts().sort_index().tolist()
            text += f"; {self.n_components} disconnected parts of sizes {sizes}"
        return text


def parse_weights_spec(spec: str) -> tuple[str, float | None]:
    """Split a weights specification into its kind and its numeric parameter.

    Parameters
    ----------
    spec
        ``"queen"``, ``"rook"``, ``"knn:K"``, ``"distance:METRES"`` or ``"kernel:BANDWIDTH"``.

    Returns
    -------
    kind, parameter
        The parameter is ``None`` for contiguity, an integer-valued float for ``knn``.

    Raises
    ------
    InputError
        When the kind is unknown or the parameter is missing or not a positive number.
    """
    match = _SPEC.match(str(spec).lower())
    kind = match.group("kind") if match else None
    param = match.group("param") if match else None
    usage = (
        "use queen, rook, knn:K, distance:METRES or kernel:BANDWIDTH (e.g. knn:6, distance:1500)"
    )
    if kind not in WEIGHT_KINDS:
        msg = f"weights specification {spec!r} is not understood; {usage}."
        raise InputError(msg)
    if kind in ("queen", "rook"):
        if param is not None:
            msg = f"weights specification {spec!r}: {kind} takes no parameter; {usage}."
            raise InputError(msg)
        return kind, None
    try:
        value = float(param) if param is not None else float("nan")
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value <= 0 or (kind == "knn" and value != int(value)):
        what = "a positive whole number of neighbours" if kind == "knn" else "a positive number"
        msg = f"weights specification {spec!r}: {kind} needs {what} after the colon; {usage}."
        raise InputError(msg)
    return kind, value


def build_weights(
    areas: gpd.GeoDataFrame | gpd.GeoSeries,
    spec: str = "queen",
    *,
    island_neighbors: int = 2,
    connect_components: bool = False,
) -> SpatialWeights:
    """Build row-standardised spatial weights for a set of areas.

    Parameters
    ----------
    areas
        Areas indexed by their code (unique). Polygons for ``queen`` and ``rook``; any geometry
        for the distance-based kinds, which use centroids. Distance-based weights need a
        projected CRS in metres.
    spec
        Weights specification, see :func:`parse_weights_spec`.
    island_neighbors
        Number of nearest areas each island is joined to (the island rule in the module notes).
    connect_components
        Join disconnected parts through their closest pair of areas until the graph is connected.

    Returns
    -------
    SpatialWeights
        The row-standardised graph plus the islands, added links and connected parts.

    Raises
    ------
    InputError
        Bad specification, duplicate or missing codes, empty geometries, points for contiguity.
    CRSError
        No CRS, or a geographic CRS where distances are needed.

    Notes
    -----
    Contiguity follows the usual queen/rook definitions (Anselin, 1988, *Spatial Econometrics*,
    ch. 3); row standardisation divides each weight by its row sum, w_ij / sum_j w_ij. Gaussian
    kernel weights are K(d/h) = exp(-(d/h)^2 / 2) / sqrt(2 pi) with bandwidth h.
    """
    kind, param = parse_weights_spec(spec)
    if island_neighbors < 1:
        msg = f"island_neighbors={island_neighbors}: join each island to at least one area."
        raise InputError(msg)
    geoms = _checked_geometry(areas, kind)
    from libpysal.graph import Graph

    if kind in ("queen", "rook"):
        graph = Graph.build_contiguity(geoms, rook=kind == "rook")
    else:
        points = geoms.centroid
        if kind == "knn":
            k = int(param or 1)
            if k >= len(points):
                msg = f"weights {spec!r}: k={k} needs more than {k} areas, got {len(points)}."
                raise DataError(msg)
            graph = Graph.build_knn(points, k=k, coplanar="clique")
        elif kind == "distance":
            graph = Graph.build_distance_band(points, threshold=param, binary=True)
        else:
            graph = Graph.build_kernel(points, kernel="gaussian", bandwidth=param)
    return _finish(graph, geoms, spec, island_neighbors, connect_components)


def _checked_geometry(areas: Any, kind: str) -> gpd.GeoSeries:
    """Return the areas' geometry as a GeoSeries indexed by text codes, or raise."""
    geoms = areas.geometry if hasattr(areas, "geometry") else None
    if geoms is None or not hasattr(geoms, "crs"):
        msg = "areas: expected a GeoDataFrame or GeoSeries of areas indexed by their code."
        raise InputError(msg)
    problems: list[str] = []
    index = pd.Index(geoms.index.astype(str))
    dupes = index[index.duplicated()].unique()
    if len(dupes):
        problems.append(f"duplicate area codes {format_codes(dupes)}; make each code unique")
    empty = index[(geoms.isna() | geoms.is_empty).to_numpy()]
    if len(empty):
        problems.append(f"areas {format_codes(empty)} have no geometry; drop or fix them")
    if kind in ("queen", "rook"):
        types = set(geoms.geom_type.dropna())
        if types - {"Polygon", "MultiPolygon"}:
            problems.append(
                f"{kind} contiguity needs polygons, got {', '.join(sorted(types))}; "
                "use knn:K or distance:METRES for points"
            )
    if problems:
        msg = "areas: " + "; ".join(problems) + "."
        raise InputError(msg)
    if geoms.crs is None:
        msg = "areas: the layer has no CRS; set it (e.g. areas.set_crs('EPSG:3006'))."
        raise CRSError(msg)
    if kind in _DISTANCE_KINDS and geoms.crs.is_geographic:
        msg = (
            f"areas: {kind} weights need distances in metres but the CRS {geoms.crs.to_string()} "
            "is geographic; reproject first, e.g. areas.to_crs('EPSG:3006')."
        )
        raise CRSError(msg)
    out = geoms.copy()
    out.index = index
    return out


def _finish(
    graph: Graph, geoms: gpd.GeoSeries, spec: str, island_neighbors: int, connect: bool
) -> SpatialWeights:
    """Apply the island and component rules, then row-standardise."""
    from libpysal.graph import Graph

    ids = geoms.index
    pos = pd.Series(np.arange(len(ids)), index=ids)
    adj = graph.adjacency.reset_index()
    adj = adj[(adj["focal"] != adj["neighbor"]) & (adj["weight"] != 0)]
    focal = pos[adj["focal"].astype(str)].to_numpy()
    neighbor = pos[adj["neighbor"].astype(str)].to_numpy()
    weight = adj["weight"].to_numpy(dtype=float)
    link_weight = float(weight.min()) if len(weight) else 1.0

    has_nb = np.zeros(len(ids), dtype=bool)
    has_nb[focal] = True
    islands = np.flatnonzero(~has_nb)
    added: list[tuple[int, int, float, str]] = []
    if len(islands) and geoms.crs is not None and geoms.crs.is_geographic:
        msg = (
            f"areas {format_codes(ids[islands])} have no neighbour and must be joined to their "
            f"nearest areas, which needs a metric CRS, but the CRS {geoms.crs.to_string()} is "
            "geographic; reproject first, e.g. areas.to_crs('EPSG:3006')."
        )
        raise CRSError(msg)
    values = geoms.to_numpy()
    k = min(island_neighbors, len(ids) - 1)
    for i in islands:
        dist = np.asarray(shapely.distance(values[i], values), dtype=float)
        dist[i] = np.inf
        for j in np.argsort(dist, kind="stable")[:k]:
            added.append((int(i), int(j), float(dist[j]), "island"))

    links = _links(len(ids), focal, neighbor, added)
    labels = _component_labels(len(ids), links)
    while connect and labels.max() > 0:
        smallest = int(np.bincount(labels).argmin())
        inside = np.flatnonzero(labels == smallest)
        outside = np.flatnonzero(labels != smallest)
        best = (np.inf, -1, -1)
        for i in inside:
            dist = np.asarray(shapely.distance(values[i], values[outside]), dtype=float)
            j = int(np.argmin(dist))
            if dist[j] < best[0]:
                best = (float(dist[j]), int(i), int(outside[j]))
        added.append((best[1], best[2], best[0], "component"))
        links = _links(len(ids), focal, neighbor, added)
        labels = _component_labels(len(ids), links)

    if added:
        a_i = np.array([a[0] for a in added] + [a[1] for a in added])
        a_j = np.array([a[1] for a in added] + [a[0] for a in added])
        new = pd.DataFrame({"f": a_i, "n": a_j})
        old = pd.DataFrame({"f": focal, "n": neighbor})
        new = new.drop_duplicates().merge(old, how="left", indicator=True)
        new = new[new["_merge"] == "left_only"]
        focal = np.concatenate([focal, new["f"].to_numpy()])
        neighbor = np.concatenate([neighbor, new["n"].to_numpy()])
        weight = np.concatenate([weight, np.full(len(new), link_weight)])
    order = np.lexsort((neighbor, focal))
    full = Graph.from_arrays(
        ids[focal[order]].to_numpy(), ids[neighbor[order]].to_numpy(), weight[order]
    )
    full = full.transform("r")

    added_df = pd.DataFrame(
        {
            "focal": [ids[a[0]] for a in added],
            "neighbor": [ids[a[1]] for a in added],
            "distance": [a[2] for a in added],
            "reason": [a[3] for a in added],
        }
    )
    component = pd.Series(labels, index=ids, name="component")
    result = SpatialWeights(
        graph=full,
        spec=spec,
        islands=tuple(ids[islands]),
        added_links=added_df,
        component=component,
    )
    if len(islands):
        logger.warning(
            "%s weights: %d area(s) had no neighbour and were joined to their %d nearest "
            "area(s): %s",
            spec,
            len(islands),
            k,
            format_codes(ids[islands]),
        )
    if result.n_components > 1:
        sizes = component.value_counts().sort_index().tolist()
        logger.warning(
            "%s weights: the areas form %d disconnected parts of sizes %s; local statistics "
            "are computed within each part (use connect_components=True to join them)",
            spec,
            result.n_components,
            sizes,
        )
    return result


def _links(
    n: int, focal: np.ndarray, neighbor: np.ndarray, added: list[tuple[int, int, float, str]]
) -> sp.csr_array:
    """Symmetric 0/1 adjacency of the existing plus the added links."""
    import scipy.sparse as sp

    f = np.concatenate([focal, neighbor, [a[0] for a in added], [a[1] for a in added]])
    t = np.concatenate([neighbor, focal, [a[1] for a in added], [a[0] for a in added]])
    return sp.csr_array((np.ones(len(f)), (f.astype(np.int64), t.astype(np.int64))), shape=(n, n))


def _component_labels(n: int, links: sp.csr_array) -> np.ndarray:
    """Connected-part labels, 0 for the largest part, then by decreasing size."""
    from scipy.sparse.csgraph import connected_components

    _, raw = connected_components(links, directed=False)
    sizes = np.bincount(raw)
    rank = np.empty_like(sizes)
    rank[np.lexsort((np.arange(len(sizes)), -sizes))] = np.arange(len(sizes))
    return rank[raw].astype(np.int64)
