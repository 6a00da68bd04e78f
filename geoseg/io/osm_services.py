"""Service points from an OpenStreetMap extract's tags (libraries, meeting places, schools...).

A project's ``[services.osm]`` table maps a service kind to tag filters; the extract named in
``[network] path`` is read once more with pyosmium for the nodes, ways and multipolygon
relations that match. Each becomes one point (a node's location, or a point inside the way's or
relation's outline) with its ``name`` and ``capacity`` when tagged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import shapely
from pyproj import Transformer

from geoseg.errors import InputError
from geoseg.io.osm import osm_file_format

__all__ = [
    "OSM_SERVICE_TAGS",
    "TagFilter",
    "expand_service_tags",
    "parse_tag_filter",
    "read_osm_services",
]

logger = logging.getLogger(__name__)

#: The tag filters a kind gets with ``"default"`` in ``[services.osm]``. Family centres have
#: no common OSM tag, so they have no default: take them from the city's own list.
OSM_SERVICE_TAGS: dict[str, tuple[str, ...]] = {
    "library": ("amenity=library",),
    "meeting_place": (
        "amenity=community_centre+community_centre!=youth_centre",
        "amenity=social_centre",
    ),
    "youth_centre": (
        "amenity=community_centre+community_centre=youth_centre",
        "amenity=youth_centre",
    ),
    "playground": ("leisure=playground",),
    "school": ("amenity=school",),
    "health_centre": ("amenity=clinic", "amenity=doctors"),
}

_CONDITION = re.compile(r"\s*([^=!+\s][^=!+]*?)\s*(!=|=)\s*([^+]*?)\s*")


@dataclass(frozen=True)
class TagFilter:
    """Conditions that must all hold: ``(key, op, value)`` with ``op`` ``=`` or ``!=``.

    ``key=*`` needs the key with any value; ``key!=value`` also holds when the key is absent.
    A value matches one of a tag's ``;``-separated values.
    """

    text: str
    conditions: tuple[tuple[str, str, str], ...]

    @property
    def key(self) -> str:
        """The key of the first ``=`` condition (pyosmium pre-selects objects by it)."""
        return next(k for k, op, _ in self.conditions if op == "=")

    def matches(self, tags: Any) -> bool:
        """Whether OSM tags (a mapping or pyosmium tag list) satisfy every condition."""
        for key, op, value in self.conditions:
            have = tags.get(key)
            hit = have is not None and (value == "*" or value in have.split(";"))
            if hit != (op == "="):
                return False
        return True


def parse_tag_filter(text: str) -> TagFilter:
    """Parse ``"key=value"``, ``"key=*"``, ``"a=b+c!=d"`` (conditions joined by ``+``).

    Raises
    ------
    ValueError
        The text is not a list of conditions, or has no ``=`` condition.
    """
    conditions = []
    for part in str(text).split("+"):
        m = _CONDITION.fullmatch(part)
        if m is None or not m.group(3):
            msg = f"tag filter {text!r}: write conditions as key=value, key=* or key!=value"
            raise ValueError(msg)
        conditions.append((m.group(1), m.group(2), m.group(3)))
    if not any(op == "=" for _, op, _ in conditions):
        msg = f"tag filter {text!r}: needs at least one key=value (or key=*) condition"
        raise ValueError(msg)
    return TagFilter(text=str(text), conditions=tuple(conditions))


def expand_service_tags(mapping: Mapping[str, Sequence[str]]) -> dict[str, list[TagFilter]]:
    """Parse ``[services.osm]``: ``"default"`` stands for the kind's :data:`OSM_SERVICE_TAGS`.

    Raises
    ------
    ValueError
        A filter cannot be parsed, or ``"default"`` is used for a kind without defaults; every
        problem is in the message, one per line.
    """
    out: dict[str, list[TagFilter]] = {}
    problems = []
    for kind, texts in mapping.items():
        filters: list[TagFilter] = []
        for text in texts:
            if text == "default":
                if kind not in OSM_SERVICE_TAGS:
                    problems.append(
                        f"{kind}: has no default OSM tags (kinds with defaults: "
                        f"{', '.join(OSM_SERVICE_TAGS)}); write its tag filters"
                    )
                    continue
                filters += [parse_tag_filter(t) for t in OSM_SERVICE_TAGS[kind]]
                continue
            try:
                filters.append(parse_tag_filter(text))
            except ValueError as exc:
                problems.append(f"{kind}: {exc}")
        out[kind] = filters
    if problems:
        raise ValueError("\n".join(problems))
    return out


def _capacity(value: str | None) -> float:
    try:
        number = float(str(value).replace(",", ".")) if value is not None else np.nan
    except ValueError:
        return np.nan
    return number if np.isfinite(number) and number >= 0 else np.nan


def read_osm_services(
    path: str | Path,
    tags: Mapping[str, Sequence[str]],
    *,
    crs: str = "EPSG:3006",
    clip: Any = None,
    buffer_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Read service points of the given kinds from an OSM extract's tags.

    Parameters
    ----------
    path
        The extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``, ``.osm.gz``).
    tags
        Kind -> tag filters (``[services.osm]``; ``"default"`` expands to
        :data:`OSM_SERVICE_TAGS`).
    crs
        Projected CRS of the points.
    clip
        Polygons in ``crs``: keep only services within ``buffer_m`` of them.
    buffer_m
        Width of the band kept around ``clip``.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``service_id`` (``osm/node/ID``, ``osm/way/ID``, ``osm/relation/ID``); columns
        ``service_id``, ``kind``, ``name`` (the ``name`` tag, else the kind and id),
        ``capacity`` (the ``capacity`` tag as a number, else NaN), ``source`` (``"osm"``),
        point ``geometry`` in ``crs``. A feature matching several kinds appears once per kind.

    Raises
    ------
    InputError
        A tag filter cannot be parsed, or the file is not a readable OSM extract.

    Notes
    -----
    Nodes give their location; ways (closed or not) a point on their outline's interior
    (``representative_point``) or line; multipolygon relations the same for the polygons of
    their member ways, read in a second pass that only happens when a relation matches.
    """
    from geoseg.io.osm import _read_error

    p = Path(path)
    fmt = osm_file_format(p)
    if fmt is None:
        msg = f"{p}: services are read from an OSM extract (.osm.pbf, .osm, .osm.bz2, .osm.gz)"
        raise InputError(msg)
    try:
        filters = expand_service_tags(tags)
    except ValueError as exc:
        msg = f"[services.osm]: {exc}"
        raise InputError(msg) from exc
    keys = sorted({f.key for fs in filters.values() for f in fs})
    rows: list[tuple[str, str, str, float, Any]] = []
    relations: dict[int, tuple[list[str], str, float, list[int]]] = {}
    members: set[int] = set()
    if keys:
        processor = (
            osmium.FileProcessor(osmium.io.File(str(p), fmt))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        try:
            for item in processor:
                obj: Any = item
                hits = [k for k, fs in filters.items() if any(f.matches(obj.tags) for f in fs)]
                if not hits:
                    continue
                if obj.is_node():
                    geom: Any = shapely.Point(obj.location.lon, obj.location.lat)
                    where = "node"
                elif obj.is_way():
                    geom = _way_geometry(obj)
                    where = "way"
                    if geom is None:
                        continue
                elif obj.is_relation():
                    if obj.tags.get("type") not in ("multipolygon", "boundary", "site"):
                        continue
                    ways = [m.ref for m in obj.members if m.type == "w"]
                    members.update(ways)
                    relations[obj.id] = (hits, *_name_cap(obj.tags), ways)
                    continue
                else:
                    continue
                name, cap = _name_cap(obj.tags)
                for kind in hits:
                    rows.append((f"osm/{where}/{obj.id}", kind, name, cap, geom))
            if relations:
                rows += _relation_rows(p, fmt, relations, members)
        except RuntimeError as exc:
            raise _read_error(p, exc) from exc
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    geoms = shapely.transform(
        np.array([r[4] for r in rows], dtype=object),
        lambda xy: np.column_stack(to_crs.transform(xy[:, 0], xy[:, 1])),
    )
    out = gpd.GeoDataFrame(
        {
            "service_id": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "name": [r[2] or f"{r[1]} {r[0]}" for r in rows],
            "capacity": np.array([r[3] for r in rows], dtype=float),
            "source": "osm",
        },
        geometry=list(geoms),
        crs=crs,
    )
    if clip is not None and len(out):
        geoms_in = getattr(clip, "geometry", clip)
        area = geoms_in.union_all() if hasattr(geoms_in, "union_all") else geoms_in
        band = shapely.buffer(area, float(buffer_m)) if buffer_m > 0 else area
        out = out[shapely.intersects(band, out.geometry.to_numpy())]
    out = out.drop_duplicates(["service_id", "kind"])
    out.index = out["service_id"].to_numpy()
    out.index.name = "service_id"
    counts = out["kind"].value_counts().to_dict()
    logger.info(
        "%s: %d services from OSM tags (%s)",
        p,
        len(out),
        ", ".join(f"{k} {counts.get(k, 0)}" for k in filters),
    )
    return out


def _name_cap(tags: Any) -> tuple[str, float]:
    return (tags.get("name") or "", _capacity(tags.get("capacity")))


def _way_geometry(way: Any) -> Any:
    """A point inside a closed way's outline, or on an open way's line; None when broken."""
    try:
        xy = [(n.lon, n.lat) for n in way.nodes]
    except osmium.InvalidLocationError:
        return None
    if len(xy) >= 4 and xy[0] == xy[-1]:
        poly = shapely.make_valid(shapely.Polygon(xy))
        if not poly.is_empty:
            return poly.representative_point()
    if len(xy) >= 2:
        return shapely.LineString(xy).interpolate(0.5, normalized=True)
    return shapely.Point(xy[0]) if xy else None


def _relation_rows(
    path: Path,
    fmt: str,
    relations: dict[int, tuple[list[str], str, float, list[int]]],
    members: set[int],
) -> list[tuple[str, str, str, float, Any]]:
    """Points for matching relations from their member ways' outlines (a second pass)."""
    outlines: dict[int, Any] = {}
    processor = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.IdFilter(members))
    )
    for way in processor:
        try:
            outlines[way.id] = [(n.lon, n.lat) for n in way.nodes]  # type: ignore[union-attr]
        except osmium.InvalidLocationError:
            continue
    rows = []
    for rid, (kinds, name, cap, ways) in relations.items():
        lines = [shapely.LineString(outlines[w]) for w in ways if len(outlines.get(w, [])) >= 2]
        if not lines:
            continue
        polys = list(shapely.get_parts(shapely.polygonize(lines)))
        shape = shapely.union_all(polys) if polys else shapely.multilinestrings(lines)
        point = shape.representative_point()
        rows += [(f"osm/relation/{rid}", kind, name, cap, point) for kind in kinds]
    return rows
