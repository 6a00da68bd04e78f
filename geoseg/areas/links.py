"""Links between two area systems: which share of each source area goes to which target area.

A link table has one row per (source, target) pair with the columns ``source``, ``target``
(area codes as text) and ``weight`` (the share of the source's counts that goes to the target;
the weights of one source sum to 1). Every way of relating two area systems gives such a table:

- :func:`code_links`: a code column or crosswalk (each source names its parent);
- :func:`containment_links`: spatial containment of nested systems, checked for areas that
  are split between parents;
- :func:`interpolation_links`: areal interpolation between systems that do not nest, weighted
  by where people live (population grid cells or buildings) or by area.

:func:`chain_links` composes links (basområde -> primärområde -> stadsområde), and
:func:`geoseg.areas.move_counts` applies them to a register.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geoseg.errors import InputError, format_codes

__all__ = [
    "LINK_COLUMNS",
    "SPLIT_TOLERANCE",
    "Containment",
    "chain_links",
    "code_links",
    "containment_links",
    "interpolation_links",
]

logger = logging.getLogger(__name__)

#: Columns of a link table.
LINK_COLUMNS = ("source", "target", "weight")

#: Share of an area's surface that may lie outside its parent before the area counts as split
#: between parents (below it the difference is a digitising sliver).
SPLIT_TOLERANCE = 0.01


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"source": [], "target": [], "weight": []}).astype(
        {"source": object, "target": object, "weight": float}
    )


def _normalised(table: pd.DataFrame) -> pd.DataFrame:
    """Merge repeated pairs, drop zero weights and scale each source's weights to sum 1."""
    table = pd.DataFrame(
        table.groupby(["source", "target"], sort=True, as_index=False)["weight"].sum()
    )
    table = table[table["weight"] > 0]
    sums = table.groupby("source")["weight"].transform("sum")
    out = table.assign(weight=table["weight"] / sums).reset_index(drop=True)
    return out.astype({"source": object, "target": object, "weight": float})


def code_links(
    source: pd.Series | pd.DataFrame,
    *,
    source_column: str | None = None,
    target_column: str | None = None,
    weight_column: str | None = None,
) -> pd.DataFrame:
    """Links from a code column or a crosswalk table.

    Parameters
    ----------
    source
        Either a Series indexed by source code whose values are the target (parent) codes,
        such as the ``stadsomrade_kod`` column of primärområden indexed by their code; or a
        crosswalk DataFrame with ``source_column`` and ``target_column`` (and optionally
        ``weight_column``: a population or a share with which a source is divided between
        several targets).
    source_column, target_column, weight_column
        Columns of a crosswalk DataFrame.

    Returns
    -------
    DataFrame
        ``source``, ``target``, ``weight`` (each source's weights sum to 1; a source listed
        once has weight 1). Rows with an empty code are left out.
    """
    if isinstance(source, pd.Series):
        table = pd.DataFrame(
            {"source": source.index.astype(str), "target": source.to_numpy(), "weight": 1.0}
        )
    else:
        if source_column is None or target_column is None:
            msg = "code_links: a crosswalk table needs source_column and target_column"
            raise InputError(msg)
        weight = (
            pd.to_numeric(source[weight_column], errors="coerce").to_numpy(dtype=float)
            if weight_column
            else 1.0
        )
        table = pd.DataFrame(
            {
                "source": source[source_column].to_numpy(),
                "target": source[target_column].to_numpy(),
                "weight": weight,
            }
        )
    table = table[table["source"].notna() & table["target"].notna()]
    table = table.assign(source=table["source"].astype(str), target=table["target"].astype(str))
    table = table[(table["source"] != "") & (table["target"] != "")]
    if not len(table):
        return _empty()
    return _normalised(table)


@dataclass
class Containment:
    """Spatial containment of one area system in another.

    Attributes
    ----------
    links
        One row per source area: its parent (``weight`` 1).
    shares
        Every (source, target) overlap: ``source``, ``target``, ``share`` (of the source's
        surface).
    split
        The sources whose largest share is below ``1 - tolerance``: ``source``, ``target``
        (where they go: the parent holding the largest share) and ``share`` (that largest
        share), with ``parents`` listing every parent and its share as text.
    outside
        Sources that overlap no target (they keep no parent).
    """

    links: pd.DataFrame
    shares: pd.DataFrame
    split: pd.DataFrame
    outside: list[str] = field(default_factory=list)


def _overlaps(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every intersecting (source, target) pair with the area of the intersection."""
    src = source.geometry.to_numpy()
    tgt = target.geometry.to_numpy()
    left, right = target.sindex.query(src, predicate="intersects")
    if not len(left):
        return pd.DataFrame({"source": [], "target": [], "area": []})
    area = shapely.area(shapely.intersection(src[left], tgt[right]))
    table = pd.DataFrame(
        {
            "source": source.index.astype(str).to_numpy()[left],
            "target": target.index.astype(str).to_numpy()[right],
            "area": area,
        }
    )
    return table[table["area"] > 0].reset_index(drop=True)


def _check_crs(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> None:
    if source.crs != target.crs:
        msg = (
            f"the two area systems have different CRSs ({source.crs} and {target.crs}); "
            "reproject both to the analysis CRS first"
        )
        raise InputError(msg)


def containment_links(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    *,
    tolerance: float = SPLIT_TOLERANCE,
) -> Containment:
    """Parents of nested areas by spatial containment, with the areas split between parents.

    Parameters
    ----------
    source
        The finer areas (index: code), in a projected CRS.
    target
        The coarser areas (index: code), in the same CRS.
    tolerance
        Share of a source's surface that may lie outside its parent before it counts as split.

    Returns
    -------
    Containment
        A source that is not split goes to the parent that contains its representative point
        (a point guaranteed inside the polygon; slivers along shared edges do not decide). A
        split source goes whole to the parent holding its largest share and is listed in
        ``split`` with every share, so that the user can fix the boundaries or link the levels
        by interpolation instead.

    Notes
    -----
    Shares are intersection areas over the source's area (shapely/GEOS overlay).
    """
    _check_crs(source, target)
    codes = source.index.astype(str)
    overlap = _overlaps(source, target)
    own_area = pd.Series(source.geometry.area.to_numpy(), index=codes)
    overlap["share"] = overlap["area"] / own_area.reindex(overlap["source"]).to_numpy()
    shares = overlap[["source", "target", "share"]]
    best = shares.sort_values(["source", "share"], ascending=[True, False]).drop_duplicates(
        "source"
    )
    best = best.set_index("source")
    points = source.geometry.representative_point()
    pt_idx, tgt_idx = target.sindex.query(points.to_numpy(), predicate="within")
    by_point = pd.Series(
        target.index.astype(str).to_numpy()[tgt_idx], index=codes.to_numpy()[pt_idx]
    )
    by_point = by_point[~by_point.index.duplicated()]
    rows = []
    split_rows = []
    outside = []
    for code in codes:
        if code not in best.index:
            outside.append(code)
            continue
        top, share = best.at[code, "target"], float(best["share"].loc[code])
        if share < 1 - tolerance:
            parts = shares[shares["source"] == code].sort_values("share", ascending=False)
            split_rows.append(
                {
                    "source": code,
                    "target": top,
                    "share": share,
                    "parents": ", ".join(
                        f"{t} {s:.1%}"
                        for t, s in zip(parts["target"], parts["share"], strict=True)
                        if s >= 0.0005  # shares that round to 0.0 % are slivers
                    ),
                }
            )
            rows.append((code, top))
        else:
            rows.append((code, str(by_point.get(code, top))))
    if outside:
        logger.warning("areas %s overlap no parent area", format_codes(outside))
    links = pd.DataFrame(rows, columns=["source", "target"]).assign(weight=1.0)
    split = pd.DataFrame(split_rows, columns=["source", "target", "share", "parents"])
    return Containment(
        links=links.astype({"source": object, "target": object}),
        shares=shares.reset_index(drop=True),
        split=split,
        outside=outside,
    )


def interpolation_links(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    *,
    people: gpd.GeoDataFrame | None = None,
    weight: str = "population",
) -> pd.DataFrame:
    """Areal interpolation weights between area systems that do not nest.

    Parameters
    ----------
    source, target
        Area polygons indexed by code, in the same projected CRS.
    people
        Where people live: points (population grid cell centres) or polygons (residential
        buildings, placed at their representative point) with a ``weight`` column (persons,
        dwellings or floor area). ``None`` weights by area only.
    weight
        The column of ``people`` holding the weight.

    Returns
    -------
    DataFrame
        ``source``, ``target``, ``weight``: the share of each source's counts that goes to each
        target, summing to 1 over the targets a source overlaps (a source overlapping no target
        is absent).

    Notes
    -----
    Area-weighted (Goodchild and Lam 1980; ``tobler.area_weighted.area_interpolate`` for
    extensive variables with ``allocate_total=True``): :math:`w_{ij} = a_{ij} / \\sum_k a_{ik}`,
    :math:`a_{ij}` the area of source :math:`i` inside target :math:`j`.

    Population-weighted (binary dasymetric mapping, Mennis 2003): :math:`w_{ij} = p_{ij} /
    \\sum_k p_{ik}` with :math:`p_{ij}` the people-weight of the points of source :math:`i`
    that fall in target :math:`j`. A source holding no weighted point inside any target falls
    back to area weights.
    """
    _check_crs(source, target)
    overlap = _overlaps(source, target)
    area = overlap.rename(columns={"area": "weight"})
    if people is None or not len(people):
        return _normalised(area) if len(area) else _empty()
    if people.crs != source.crs:
        people = people.to_crs(source.crs)
    geoms = people.geometry
    if not bool((geoms.geom_type == "Point").all()):
        geoms = geoms.representative_point()
    pts = geoms.to_numpy()
    w = pd.to_numeric(people[weight], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    keep = w > 0
    pts, w = pts[keep], w[keep]
    s_pt, s_idx = source.sindex.query(pts, predicate="intersects")
    t_pt, t_idx = target.sindex.query(pts, predicate="intersects")
    # a point on a shared edge belongs to the first area holding it
    s_of = pd.Series(s_idx, index=s_pt)
    s_of = s_of[~s_of.index.duplicated()]
    t_of = pd.Series(t_idx, index=t_pt)
    t_of = t_of[~t_of.index.duplicated()]
    both = s_of.index.intersection(t_of.index)
    pop = pd.DataFrame(
        {
            "source": source.index.astype(str).to_numpy()[s_of.loc[both].to_numpy()],
            "target": target.index.astype(str).to_numpy()[t_of.loc[both].to_numpy()],
            "weight": w[both.to_numpy()],
        }
    )
    with_people = set(pop["source"])
    fallback = area[~area["source"].isin(with_people)]
    if len(fallback):
        logger.info(
            "%d source areas hold no weighted point of where people live; their counts are "
            "moved by area",
            fallback["source"].nunique(),
        )
    parts = [p for p in (pop, fallback) if len(p)]
    if not parts:
        return _empty()
    return _normalised(pd.concat(parts, ignore_index=True))


def chain_links(*links: pd.DataFrame) -> pd.DataFrame:
    """Compose link tables: the first maps A to B, the next B to C, ... into one A to C.

    A source whose target has no onward link is dropped (its counts have nowhere to go at the
    last level); :func:`geoseg.areas.move_counts` reports such codes as unmoved.
    """
    if not links:
        msg = "chain_links needs at least one link table"
        raise InputError(msg)
    out = links[0][list(LINK_COLUMNS)]
    for nxt in links[1:]:
        merged = out.merge(
            nxt[list(LINK_COLUMNS)].rename(columns={"source": "target", "target": "next"}),
            on="target",
            suffixes=("", "_next"),
        )
        merged = pd.DataFrame(
            {
                "source": merged["source"],
                "target": merged["next"],
                "weight": merged["weight"] * merged["weight_next"],
            }
        )
        out = pd.DataFrame(
            merged.groupby(["source", "target"], sort=True, as_index=False)["weight"].sum()
        )
    return out.astype({"source": object, "target": object, "weight": float}).reset_index(drop=True)
