"""The stages of a run on a loaded project: each takes the project's data and returns tables.

:func:`geoseg.pipeline.run_project` chains them; ``geoseg`` commands that run one analysis of a
project call the same functions, so that a command and a run give the same numbers. The stages
compute and never write files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import geopandas as gpd
import pandas as pd

from geoseg.errors import InputError
from geoseg.segregation.trend import indices_with_unplaced, segregation_trend
from geoseg.settings import ISOCHRONE_MINUTES
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.access import AccessResults
    from geoseg.access.straight import StraightLineAccess
    from geoseg.io.config import Project
    from geoseg.io.project import ProjectData
    from geoseg.trends import ProjectTrends, SeriesBreak

__all__ = [
    "Computed",
    "LocalByYear",
    "access_stage",
    "hotspot_local",
    "hotspot_stage",
    "indicator_stage",
    "isochrone_stage",
    "segregation_indices",
    "segregation_stage",
    "series_breaks",
    "trends_stage",
]

logger = logging.getLogger(__name__)

#: Local Moran's I of every variable and year (:func:`hotspot_local`): variable -> year
#: (``None`` for a register without years) -> one row per area.
LocalByYear = dict[str, dict[int | None, pd.DataFrame]]


class Computed(TypedDict, total=False):
    """Parts of a run already computed year by year (a national run's year tasks).

    ``indices`` is the table of :func:`segregation_indices` over every year, ``hotspots`` the
    mapping of :func:`hotspot_local`; :func:`geoseg.run_project` then computes only what spans
    the years.
    """

    indices: pd.DataFrame
    hotspots: LocalByYear


def segregation_indices(data: ProjectData) -> pd.DataFrame:
    """Every configured segregation index for every year of the register (no trend).

    A national run computes each year in a task of its own (the register cut to that year):
    the indices' random streams are named by year (:func:`geoseg.settings.random_generator`),
    so the years computed apart equal the years computed together.

    Returns
    -------
    DataFrame
        The tidy table of :func:`geoseg.segregation.compute_indices`.
    """
    project = data.project
    reg = project.registers
    return indices_with_unplaced(
        data.register,
        data.areas,
        index=project.indices.names or None,
        groups=reg.groups,
        total=reg.total,
        id_column=reg.id,
        year_column=reg.year,
        multigroup=reg.multigroup or None,
        permutations=project.indices.permutations,
        seed=project.indices.seed,
    )


def segregation_stage(
    data: ProjectData, *, indices: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every configured segregation index for every year, and its trend.

    Parameters
    ----------
    data
        The loaded project.
    indices
        The indices of every year when already computed (:func:`segregation_indices`, year by
        year in a national run); only the trend is then computed.

    Returns
    -------
    (indices, trend)
        The tidy table of :func:`geoseg.segregation.compute_indices` and one row per
        (group, index) with the first and last year's values, their change and, where the
        index supports it, the p-value of the two-sample test of change.
    """
    project = data.project
    reg = project.registers
    idx = segregation_indices(data) if indices is None else indices
    trend = segregation_trend(
        idx,
        data.register,
        areas=data.areas,
        total=reg.total,
        id_column=reg.id,
        year_column=reg.year,
        permutations=project.indices.permutations,
        seed=project.indices.seed,
        breaks=series_breaks(project),
    )
    return idx, trend


def indicator_stage(data: ProjectData) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Every declared indicator per area and year, and the latest year's location quotients.

    Returns
    -------
    (indicators, location_quotients)
        The long table of :func:`geoseg.indicators.indicator_values` and the table of
        :func:`geoseg.segregation.location_quotient` (areas by code, one column per group;
        ``None`` when the register has fewer than two groups).
    """
    from geoseg.indicators import indicator_values

    reg = data.project.registers
    values = indicator_values(
        data.register, data.project.indicators, id_column=reg.id, year_column=reg.year
    )
    lq = None
    if reg.multigroup and len(reg.multigroup) >= 2:
        from geoseg.segregation import location_quotient

        latest, _ = latest_year(data.register, year_column=reg.year or None)
        lq = location_quotient(latest.set_index(reg.id), groups=list(reg.multigroup))
    return values, lq


def _year_frames(data: ProjectData) -> Iterator[tuple[int | None, gpd.GeoDataFrame]]:
    """The areas joined with each year's register rows (register columns win on a clash)."""
    from geoseg.io import join_register

    reg = data.project.registers
    table = data.placed_register
    years: list[Any] = (
        sorted(table[reg.year].dropna().unique()) if reg.year and reg.year in table else [None]
    )
    for year in years:
        rows = table if year is None else table[table[reg.year] == year]
        rows = rows.drop_duplicates(reg.id)
        joined = join_register(data.areas, rows, id_column=reg.id)
        yield (None if year is None else int(str(year))), joined


def hotspot_local(data: ProjectData) -> LocalByYear:
    """Local Moran's I for every configured variable and rate in every year of the register.

    Each year is computed on its own (the same seed every year), so a national run computes
    each year in a task of its own with the same results.

    Returns
    -------
    dict
        Variable name -> year -> one row per area (``variable``, ``year``, the statistics);
        a year with fewer than four areas with values is left out; the key of a register
        without years is ``None``.
    """
    from geoseg.hotspots import build_weights
    from geoseg.hotspots.inputs import local_moran_for

    cfg = data.project.hotspots
    lang = data.project.project.lang
    weights = build_weights(data.areas, cfg.weights)
    # (name, column, denominator): a plain variable has no denominator
    specs: list[tuple[str, str, str | None]] = [(v, v, None) for v in cfg.variables]
    specs += [(r.replace(":", "/"), *r.split(":", 1)) for r in cfg.rates]  # type: ignore[misc]
    options: dict[str, Any] = {
        "permutations": cfg.permutations,
        "seed": cfg.seed,
        "alpha": cfg.alpha,
        "correction": cfg.correction,
        "lang": lang,
    }

    def compute(gdf: gpd.GeoDataFrame, column: str, den: str | None) -> Any:
        if den is not None:
            gdf = gdf[gdf[den] > 0]
        w = _weights_for(gdf, data.areas, weights, cfg.weights)
        return local_moran_for(gdf, column, denominator=den, weights=w, **options)

    out: LocalByYear = {}
    for name, column, den in specs:
        by_year: dict[int | None, pd.DataFrame] = {}
        for year, gdf in _year_frames(data):
            usable = gdf[gdf[column].notna()]
            if len(usable) < 4:
                continue
            res = pd.DataFrame(
                compute(usable, column, den).drop(columns="geometry", errors="ignore")
            )
            res.insert(0, "year", year)
            res.insert(0, "variable", name)
            by_year[year] = res
        out[name] = by_year
    return out


def hotspot_stage(
    data: ProjectData, *, local: LocalByYear | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Local Moran's I for every configured variable and rate, every year, and their trends.

    Parameters
    ----------
    data
        The loaded project.
    local
        The local statistics of every variable and year when already computed
        (:func:`hotspot_local`, year by year in a national run).

    Returns
    -------
    (hotspots, counts, changes)
        One row per (variable, year, area); per (variable, area) the number of years in each
        cluster; per (variable, area, pair of years) the entries and exits of clusters.
    """
    from geoseg.hotspots import hotspot_trends

    frames: list[pd.DataFrame] = []
    counts: list[pd.DataFrame] = []
    changes: list[pd.DataFrame] = []
    for name, by_year in (hotspot_local(data) if local is None else local).items():
        if not by_year:
            logger.warning("hotspots: no year has values of %s; skipped", name)
            continue
        frames.extend(by_year.values())
        if len(by_year) < 2:
            logger.info("hotspots: %s has one year; no change of clusters to report", name)
        # a single-year register has no year: its one table is keyed 0 for the summary
        trends = hotspot_trends({0: by_year[None]} if None in by_year else by_year)
        counts.append(trends.counts.assign(variable=name))
        changes.append(trends.changes.assign(variable=name))
    if not frames:
        empty = pd.DataFrame()
        return empty, empty, empty
    return (
        pd.concat(frames, ignore_index=True),
        _counts_table(counts),
        pd.concat(changes, ignore_index=True) if changes else pd.DataFrame(),
    )


def series_breaks(project: Project) -> list[SeriesBreak]:
    """The project's ``[[series.breaks]]`` as :class:`geoseg.trends.SeriesBreak` objects.

    Crosswalk files are read (:func:`geoseg.io.read_crosswalk`); a bad one raises.
    """
    from geoseg.io import read_crosswalk
    from geoseg.trends import SeriesBreak

    out = []
    for brk in project.series.breaks:
        indicators = brk.indicators if brk.indicators == "all" else tuple(brk.indicators)
        crosswalk = read_crosswalk(brk.crosswalk) if brk.crosswalk is not None else None
        name = brk.crosswalk.name if brk.crosswalk is not None else ""
        out.append(SeriesBreak(brk.year, indicators, brk.reason, crosswalk, name))
    return out


def trends_stage(data: ProjectData) -> ProjectTrends | None:
    """Emerging hotspots and area trends (:func:`geoseg.trends.trends_for_project`).

    Returns ``None`` with a logged warning when the register has no year column or fewer than
    three years; a variable whose years have a gap is left out with a warning. A bad crosswalk
    file raises.
    """
    from geoseg.trends import trends_for_project

    breaks = series_breaks(data.project)
    try:
        return trends_for_project(data, breaks=breaks)
    except InputError as exc:
        logger.warning("trends skipped: %s", exc)
        return None


def _counts_table(counts: list[pd.DataFrame]) -> pd.DataFrame:
    """Years in each cluster per (variable, area): the area code kept, absent labels 0."""
    if not counts:
        return pd.DataFrame()
    table = pd.concat(counts).rename_axis("id").reset_index()
    numeric = [c for c in table.columns if c not in ("id", "variable", "last_label")]
    table[numeric] = table[numeric].fillna(0).astype("int64")
    return table[["variable", "id", *numeric, "last_label"]]


def _weights_for(gdf: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, full: Any, spec: str) -> Any:
    """The city's weights when every area is present, else weights of the subset."""
    if len(gdf) == len(areas):
        return full
    from geoseg.hotspots import build_weights

    return build_weights(gdf, spec)


def access_stage(
    data: ProjectData, *, cache_dir: Path | None = None
) -> AccessResults | StraightLineAccess:
    """Walking access to every service kind (see :func:`geoseg.access.access_for_project`).

    Returns
    -------
    AccessResults or StraightLineAccess
        Access over the street network (:class:`geoseg.access.AccessResults`); without a
        network and with ``fallback = "straight_line"``, access from straight-line distances
        times the detour factor (:class:`geoseg.access.straight.StraightLineAccess`).
    """
    import dataclasses

    from geoseg.access import access_for_project

    project = data.project
    acc = project.access
    placed = dataclasses.replace(data, register=data.placed_register)  # codes with a polygon
    if not data.has_network and acc.fallback == "straight_line":
        return _straight_line_stage(placed)
    return access_for_project(
        placed,
        minutes=acc.minutes,
        speed_kmh=acc.speed_kmh,
        network=placed.network(cache_dir=cache_dir),
    )


def _straight_line_stage(data: ProjectData) -> StraightLineAccess:
    """Access from straight-line distances times the detour factor (no street network)."""
    from geoseg.access.straight import straight_line_access
    from geoseg.settings import SERVICE_KINDS

    project = data.project
    reg, acc = project.registers, project.access
    table, _ = latest_year(data.register, year_column=reg.year or None)
    counts = table.set_index(table[reg.id].astype(str))
    total = reg.total or "pop_total"
    services = data.services
    assert services is not None  # the run calls this stage only for a project with services
    present = sorted(map(str, services["kind"].unique()))
    demand = {
        k: str(project.services.kinds.get(k) or SERVICE_KINDS.get(k, {}).get("demand") or total)
        for k in present
    }
    demand = {k: d for k, d in demand.items() if d in counts.columns}
    wanted = [total, *demand.values(), "age_0_5", "age_6_15", "age_65_plus", "foreign_born"]
    groups = [g for g in dict.fromkeys(wanted) if g in counts.columns]
    return straight_line_access(
        data.areas,
        counts,
        services,
        demand=demand,
        groups=groups,
        total=total,
        minutes=acc.minutes,
        speed_kmh=acc.speed_kmh,
        detour=acc.detour,
        grid=data.grid,
        buildings=data.buildings,
        income=reg.income,
        disadvantage=reg.disadvantage,
    )


def isochrone_stage(
    access: AccessResults | StraightLineAccess, *, minutes: Sequence[float] = ISOCHRONE_MINUTES
) -> gpd.GeoDataFrame:
    """Isochrones of every service kind: the area within each time of the kind's services.

    Parameters
    ----------
    access
        The results of :func:`access_stage`: over the street network, or from straight-line
        distances (then the isochrones are discs of radius ``v t / detour`` around the
        services, see :func:`geoseg.access.straight.straight_line_isochrones`).
    minutes
        The times.

    Returns
    -------
    GeoDataFrame
        Columns ``kind``, ``minutes``, ``services`` (how many services of the kind) and
        ``geometry``, in the network's CRS (see :func:`geoseg.access.isochrones.kind_isochrones`);
        from straight-line distances also ``method``, in the services' CRS.
    """
    from geoseg.access.isochrones import kind_isochrones
    from geoseg.access.straight import StraightLineAccess

    if isinstance(access, StraightLineAccess):
        from geoseg.access.straight import straight_line_isochrones

        return straight_line_isochrones(
            access.services, minutes=minutes, speed_kmh=access.speed_kmh, detour=access.detour
        )

    snapped = access.snapped_services
    kinds = access.services.loc[snapped.index, "kind"].astype(str).to_numpy()
    return kind_isochrones(
        access.network, snapped, kinds, minutes=minutes, speed_kmh=access.speed_kmh
    )
