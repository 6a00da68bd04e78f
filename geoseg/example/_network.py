"""Street network of the example city, written as OpenStreetMap XML and PBF.

The streets are a warped lattice on land: main streets every ~1 km, residential streets between
them, footpaths through parks, random gaps that leave dead ends, bridges over the river (the only
way across) and one bridge to an island. Everything is vectorised with NumPy; the XML is written
with plain string joins, the PBF with pyosmium's writer. Both hold the same coordinates (WGS 84
rounded to 1e-7 degrees, OSM's precision), ids and tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import osmium
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geoseg.example._land import PARK, Land
from geoseg.example._names import street_names

__all__ = ["SPACING", "Network", "make_network", "osm_xml", "write_pbf"]

#: Lattice spacing of the street grid, metres.
SPACING = 85.0
#: Every MAIN-th lattice line is a main street (tertiary); every 3 * MAIN-th is secondary.
MAIN = 12
_BRIDGE_NAMES = (
    "Älvbron", "Kvarnbron", "Stenbron", "Hamnbron", "Tingbron", "Ekbron", "Norrbron",
    "Söderbron", "Slussbron", "Fiskebron", "Kungsbron", "Mölnbron", "Varvsbron", "Lotsbron",
    "Tullbron", "Ängsbron",
)  # fmt: skip


@dataclass
class Network:
    """Nodes (EPSG:3006) and ways (node index arrays with OSM tags) of the street network."""

    x: np.ndarray
    y: np.ndarray
    ways: list[tuple[np.ndarray, dict[str, str]]] = field(default_factory=list)

    @property
    def n_bridges(self) -> int:
        """Number of bridge ways."""
        return sum(1 for _, tags in self.ways if tags.get("bridge") == "yes")


def _lattice(land: Land, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = land.bounds
    h = SPACING
    nx, ny = int((xmax - xmin) // h), int((ymax - ymin) // h)
    X0, Y0 = np.meshgrid(xmin + h / 2 + h * np.arange(nx), ymin + h / 2 + h * np.arange(ny))
    a = rng.uniform(0, 2 * np.pi, 4)
    lam = rng.uniform(1500.0, 3000.0, 4)
    X = (
        X0
        + 0.5 * h * np.sin(2 * np.pi * Y0 / lam[0] + a[0])
        + 0.15 * h * np.sin(2 * np.pi * X0 / lam[1] + a[1])
    )
    Y = (
        Y0
        + 0.5 * h * np.sin(2 * np.pi * X0 / lam[2] + a[2])
        + 0.15 * h * np.sin(2 * np.pi * Y0 / lam[3] + a[3])
    )
    X = X + rng.uniform(-0.1 * h, 0.1 * h, X.shape)
    Y = Y + rng.uniform(-0.1 * h, 0.1 * h, Y.shape)
    return X, Y


def _edges(
    land: Land, X: np.ndarray, Y: np.ndarray, ok: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Candidate lattice edges ``(a, b, row_or_col, pos, horizontal, cls)``; cls 0 = drop."""
    ny, nx = X.shape
    idx = np.arange(nx * ny).reshape(ny, nx)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    horiz = np.concatenate([np.ones(ny * (nx - 1), bool), np.zeros((ny - 1) * nx, bool)])
    jj, ii = np.divmod(a, nx)
    line = np.where(horiz, jj, ii)  # the lattice line an edge lies on
    pos = np.where(horiz, ii, jj)  # its position along that line
    okf = ok.ravel()
    keep = okf[a] & okf[b]
    a, b, line, pos, horiz = a[keep], b[keep], line[keep], pos[keep], horiz[keep]
    xf, yf = X.ravel(), Y.ravel()
    segs = shapely.linestrings(
        np.stack([np.column_stack([xf[a], yf[a]]), np.column_stack([xf[b], yf[b]])], axis=1)
    )
    water = land.water
    shapely.prepare(water)
    dry = ~shapely.intersects(water, segs)
    mx, my = (xf[a] + xf[b]) / 2, (yf[a] + yf[b]) / 2
    green = land.green(mx, my)
    cx, cy = land.centre
    near = np.exp(-((mx - cx) ** 2 + (my - cy) ** 2) / (2 * (0.3 * land.side) ** 2))
    # classes: 0 none, 1 residential, 2 tertiary, 3 secondary, 4 footway, 5 path
    cls = np.ones(len(a), np.int8)
    main = line % MAIN == 0
    cls[main] = 2
    cls[line % (3 * MAIN) == 0] = 3
    u = rng.random(len(a))
    park = (green > PARK) & ~main
    cls[park] = np.where(u[park] < 0.25, 4, np.where(u[park] < 0.4, 5, 0))
    gap = ~main & ~park & (u < 0.07 + 0.18 * (1 - near))
    cls[gap] = 0
    footway_line = ~main & ~park & (line % 7 == 3) & (rng.random(len(a)) < 0.5)
    cls[footway_line & (cls == 1)] = 4
    cls[~dry] = 0
    return a, b, line, pos, horiz, cls


def _piece_of(land: Land, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Land piece of each point: 0 north, 1 south, 2.. islands, -1 none."""
    out = np.full(len(x), -1, np.int64)
    for k, poly in enumerate([land.north, land.south, *land.islands]):
        inside = shapely.contains_xy(poly, x, y)
        out[inside & (out < 0)] = k
    return out


def make_network(
    land: Land, areas: gpd.GeoDataFrame, rng: np.random.Generator, *, n_areas: int
) -> Network:
    """Build the street network for the city.

    Parameters
    ----------
    land
        Land and water.
    areas
        The areas (island names label the island bridge).
    rng
        Random generator.
    n_areas
        Size of the city (sets the number of river bridges).

    Returns
    -------
    Network
        Used nodes and the ways between them.
    """
    X, Y = _lattice(land, rng)
    inner = land.land.buffer(-12.0)
    shapely.prepare(inner)
    ok = shapely.contains_xy(inner, X, Y)
    a, b, line, pos, horiz, cls = _edges(land, X, Y, ok, rng)
    xf, yf = X.ravel(), Y.ravel()
    piece = np.full(xf.size, -1, np.int64)
    piece[ok.ravel()] = _piece_of(land, xf[ok.ravel()], yf[ok.ravel()])

    # drop tiny fragments (keep the largest piece of every island)
    live = cls > 0
    n = xf.size
    graph = coo_matrix((np.ones(int(live.sum())), (a[live], b[live])), shape=(n, n))
    ncomp, comp = connected_components(graph, directed=False)
    used = np.zeros(n, bool)
    used[a[live]] = True
    used[b[live]] = True
    size = np.bincount(comp[used], minlength=ncomp)
    keep_comp = size >= 25
    for k in np.unique(piece[used]):
        in_k = used & (piece == k)
        if in_k.any():
            keep_comp[np.bincount(comp[in_k], minlength=ncomp).argmax()] = True
    live &= keep_comp[comp[a]]

    ways = _lattice_ways(a, b, line, pos, horiz, cls, live, rng)
    ways += _river_bridges(land, xf, yf, a, b, line, horiz, cls, live, n_areas=n_areas)
    ways += _island_bridge(land, areas, xf, yf, piece, a, b, live)

    node_used = np.zeros(n, bool)
    for nodes, _ in ways:
        node_used[nodes] = True
    new_id = np.cumsum(node_used) - 1
    ways = [(new_id[nodes], tags) for nodes, tags in ways]
    return Network(x=xf[node_used], y=yf[node_used], ways=ways)


_HIGHWAY = {1: "residential", 2: "tertiary", 3: "secondary", 4: "footway", 5: "path"}


def _lattice_ways(
    a: np.ndarray,
    b: np.ndarray,
    line: np.ndarray,
    pos: np.ndarray,
    horiz: np.ndarray,
    cls: np.ndarray,
    live: np.ndarray,
    rng: np.random.Generator,
) -> list[tuple[np.ndarray, dict[str, str]]]:
    """Join consecutive live edges of one lattice line and class into OSM ways."""
    sel = np.flatnonzero(live)
    order = np.lexsort((pos[sel], line[sel], horiz[sel]))
    e = sel[order]
    chunk = pos[e] // 10
    brk = np.ones(len(e), bool)
    brk[1:] = (
        (horiz[e][1:] != horiz[e][:-1])
        | (line[e][1:] != line[e][:-1])
        | (pos[e][1:] != pos[e][:-1] + 1)
        | (cls[e][1:] != cls[e][:-1])
        | ((chunk[1:] != chunk[:-1]) & (cls[e][1:] == 1))
    )
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(e))
    names = street_names(4096, rng)
    ways: list[tuple[np.ndarray, dict[str, str]]] = []
    for s, t in zip(starts, ends, strict=True):
        k = e[s]
        c = int(cls[k])
        nodes = np.append(a[e[s:t]], b[e[t - 1]])
        tags = {"highway": _HIGHWAY[c]}
        if c in (1, 2, 3):
            main = c > 1
            key = int(line[k]) * 7919 + (0 if main else int(chunk[s]) * 104729) + int(horiz[k])
            tags["name"] = names[key % len(names)]
        ways.append((nodes, tags))
    return ways


def _river_bridges(
    land: Land,
    xf: np.ndarray,
    yf: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    line: np.ndarray,
    horiz: np.ndarray,
    cls: np.ndarray,
    live: np.ndarray,
    *,
    n_areas: int,
) -> list[tuple[np.ndarray, dict[str, str]]]:
    """Bridges over the river on main vertical streets: the only links between the banks."""
    main_v = live & ~horiz & (cls >= 2)
    cols = np.unique(line[main_v])
    river_bounds = land.river.bounds
    nb = max(2, round(4 * np.sqrt(n_areas / 100.0)))
    candidates = []
    for col in cols:
        e = np.flatnonzero(main_v & (line == col))
        nodes = np.unique(np.concatenate([a[e], b[e]]))
        ry = land.river_y(xf[nodes])
        south = nodes[yf[nodes] < ry]
        north = nodes[yf[nodes] > ry]
        if len(south) == 0 or len(north) == 0:
            continue
        s = south[np.argmax(yf[south])]
        n = north[np.argmin(yf[north])]
        seg = shapely.LineString([(xf[s], yf[s]), (xf[n], yf[n])])
        if xf[s] < river_bounds[0] + 200 or seg.length > 2 * land.river_width + 4 * SPACING:
            continue
        if seg.intersects(land.sea):
            continue
        candidates.append((s, n, int(col), seg))
    if not candidates:  # pragma: no cover - a river always has main streets on both banks
        return []
    pick = np.unique(np.round(np.linspace(0, len(candidates) - 1, nb + 2)[1:-1]).astype(int))
    ways = []
    for k, p in enumerate(pick):
        s, n, col, _ = candidates[p]
        name = _BRIDGE_NAMES[k % len(_BRIDGE_NAMES)]
        if k >= len(_BRIDGE_NAMES):
            name = f"{name} {k // len(_BRIDGE_NAMES) + 1}"
        hw = "secondary" if col % (3 * MAIN) == 0 else "tertiary"
        tags = {"highway": hw, "bridge": "yes", "layer": "1", "name": name}
        ways.append((np.array([s, n]), tags))
    return ways


def _island_bridge(
    land: Land,
    areas: gpd.GeoDataFrame,
    xf: np.ndarray,
    yf: np.ndarray,
    piece: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    live: np.ndarray,
) -> list[tuple[np.ndarray, dict[str, str]]]:
    """One bridge from the island nearest the coast to the mainland; other islands stay apart."""
    used = np.zeros(xf.size, bool)
    used[a[live]] = True
    used[b[live]] = True
    mainland = np.flatnonzero(used & (piece <= 1))
    tree = cKDTree(np.column_stack([xf[mainland], yf[mainland]]))
    best: tuple[float, int, int, int] | None = None
    for k in range(len(land.islands)):
        nodes = np.flatnonzero(used & (piece == k + 2))
        if len(nodes) == 0:
            continue
        d, j = tree.query(np.column_stack([xf[nodes], yf[nodes]]))
        i = int(np.argmin(d))
        s, t = int(nodes[i]), int(mainland[j[i]])
        seg = shapely.LineString([(xf[s], yf[s]), (xf[t], yf[t])])
        others = [o for m, o in enumerate(land.islands) if m != k]
        if seg.intersects(land.river) or any(seg.intersects(o) for o in others):
            continue
        if best is None or d[i] < best[0]:
            best = (float(d[i]), s, t, k)
    if best is None:
        return []
    _, s, t, k = best
    hit = areas[areas["island"]].geometry.intersects(land.islands[k].representative_point())
    name = str(areas[areas["island"]].loc[hit, "name"].iloc[0]) if hit.any() else "Ö"
    tags = {"highway": "tertiary", "bridge": "yes", "layer": "1", "name": f"{name}sbron"}
    return [(np.array([s, t]), tags)]


def _lonlat_text(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Node longitudes and latitudes as text with 7 decimals (converted from EPSG:3006)."""
    tr = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(net.x, net.y)
    return np.char.mod("%.7f", lon), np.char.mod("%.7f", lat)


def osm_xml(net: Network) -> str:
    """The network as OSM XML text (nodes in WGS 84 converted from EPSG:3006)."""
    lon_s, lat_s = _lonlat_text(net)
    lon, lat = lon_s.astype(float), lat_s.astype(float)
    ids = np.arange(1, len(lon) + 1)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="geoseg example city (fictional data)">',
        f' <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
        f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>',
    ]
    nodes = [
        f' <node id="{i}" version="1" lat="{la}" lon="{lo}"/>'
        for i, la, lo in zip(ids.tolist(), lat_s.tolist(), lon_s.tolist(), strict=True)
    ]
    ways = []
    for w, (refs, tags) in enumerate(net.ways, start=1):
        nd = "".join(f'<nd ref="{r}"/>' for r in (refs + 1).tolist())
        tg = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        ways.append(f' <way id="{w}" version="1">{nd}{tg}</way>')
    return "\n".join([*head, *nodes, *ways, "</osm>", ""])


def write_pbf(net: Network, path: str | Path) -> None:
    """Write the network as an OSM PBF file (the same ids, tags and coordinates as the XML).

    Parameters
    ----------
    net
        The network.
    path
        The ``.osm.pbf`` file to create (it must not exist).
    """
    lon_s, lat_s = _lonlat_text(net)
    # the XML's 7-decimal text as OSM fixed-point integers, so both files hold equal nodes
    lon = np.char.replace(lon_s, ".", "").astype(np.int64) / 1e7
    lat = np.char.replace(lat_s, ".", "").astype(np.int64) / 1e7
    header = osmium.io.Header()
    header.set("generator", "geoseg example city (fictional data)")
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for i, (lo, la) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True), start=1):
            writer.add_node(osmium.osm.mutable.Node(id=i, version=1, location=(lo, la)))
        for w, (refs, tags) in enumerate(net.ways, start=1):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=w, version=1, nodes=(refs + 1).tolist(), tags=list(tags.items())
                )
            )
