"""The whole access stage of a project: residents, services, network, measures, summaries.

:func:`access_for_project` is what ``geoseg access`` and ``geoseg run`` call. Its result keeps
the network and the snapped points, so that plan checks can recompute only what a plan changes
(see :func:`access_for_kind`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from geoseg.access._snap import Snapped, snap_points, subset
from geoseg.access.equity import access_gini, concentration_index, palma, quintile_gap
from geoseg.access.measures import count_within, fca2, nearest, reach
from geoseg.access.network import WalkNetwork, build_network
from geoseg.access.residents import (
    residents_from_buildings,
    residents_from_centroids,
    residents_from_grid,
)
from geoseg.access.summary import area_summary
from geoseg.errors import ConfigError, DataError
from geoseg.settings import ANALYSIS_CRS, WALK_SPEED_KMH, demand_group, project_setting
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.io.project import ProjectData

__all__ = ["JSON_KEYS", "AccessResults", "KindResult", "access_for_kind", "access_for_project"]

logger = logging.getLogger(__name__)

#: Keys of one per-area record in ``geoseg access --format json``.
JSON_KEYS = [
    "id",
    "kind",
    "residents",
    "mean_minutes",
    "median_minutes",
    "share_within",
    "fca_ratio",
]

_EXTRA_GROUPS = ("pop_total", "age_0_5", "age_6_15", "age_65_plus", "foreign_born")


@dataclass(frozen=True, eq=False)
class KindResult:
    """Access of every resident point to one service kind.

    ``minutes`` (to the nearest), ``nearest`` (its label), ``count`` (services within the
    threshold) and ``fca`` (2SFCA supply per person of the kind's demand group), each aligned
    with the snapped residents.
    """

    kind: str
    minutes: np.ndarray
    nearest: np.ndarray
    count: np.ndarray
    fca: np.ndarray


@dataclass(eq=False)
class AccessResults:
    """Everything the access stage produces.

    Attributes
    ----------
    residents
        Resident points with their group counts and, per kind, ``minutes_<kind>``,
        ``nearest_<kind>``, ``count_<kind>``, ``fca_<kind>`` (unplaced residents: ``inf``
        minutes, 0 services).
    summary
        Tidy per (area, kind, group) table, see :func:`geoseg.access.summary.area_summary`.
    equity
        One row per kind: ``gini``, ``palma`` (of minutes across residents), ``quintile_best``,
        ``quintile_worst``, ``quintile_gap`` (area mean minutes by the disadvantage indicator)
        and ``concentration_index`` (area mean minutes against income).
    rejected
        Residents and services not placed on the network, with the reason.
    network, snapped_residents, snapped_services, services
        Inputs kept for plan checks.
    """

    residents: gpd.GeoDataFrame
    summary: pd.DataFrame
    equity: pd.DataFrame
    rejected: pd.DataFrame
    network: WalkNetwork
    snapped_residents: Snapped
    snapped_services: Snapped
    services: gpd.GeoDataFrame
    minutes: float
    speed_kmh: float
    demand: dict[str, str] = field(default_factory=dict)

    def records(self, group: str = "pop_total") -> pd.DataFrame:
        """Per-area rows for one group with the keys of :data:`JSON_KEYS`."""
        rows = self.summary[self.summary["group"] == group]
        return rows[JSON_KEYS].reset_index(drop=True)


def _latest(registers: pd.DataFrame, id_column: str, year_column: str | None) -> pd.DataFrame:
    reg, year = latest_year(registers, year_column=year_column)
    if year is not None:
        logger.info("access: register year %s", year)
    if id_column in reg.columns:
        reg = reg.set_index(reg[id_column].astype(str))
    reg = reg.drop(columns=[c for c in (id_column, year_column) if c and c in reg.columns])
    if reg.index.has_duplicates:
        dup = reg.index[reg.index.duplicated()].unique()
        msg = f"register table: area codes {', '.join(map(str, dup[:10]))} repeat within a year"
        raise DataError(msg)
    return reg


def _config(project_data: Any) -> Any:
    """The project file's settings: ``ProjectData.project``, a ``config`` entry, or itself."""
    project = getattr(project_data, "project", None)
    if project is not None and hasattr(project, "registers"):
        return project
    return project_setting(project_data, "config", default=project_data)


def _network(project_data: Any, cfg: Any, crs: str, given: Any) -> WalkNetwork:
    """The walking network: the one given, or the project's (read by :mod:`geoseg.io`)."""
    value = given if given is not None else project_setting(project_data, "network")
    if isinstance(value, WalkNetwork):
        return value
    if isinstance(value, nx.MultiDiGraph):
        return build_network(value)
    if callable(value):
        # ProjectData.network(): the project's file or place, read on first use and kept
        got = value()
        return got if isinstance(got, WalkNetwork) else build_network(got, crs=crs)
    where = project_setting(cfg, "path", default="project")
    path = value if value is not None else project_setting(cfg, "network", "path")
    if path is not None:
        msg = (
            f"{where}: the street network {path} is a file; read it first with "
            "geoseg.io.load_network (or load the whole project with geoseg.load_project) and "
            "pass the network."
        )
        raise ConfigError(msg)
    msg = (
        f"{where}: no street network; add [network] path "
        "(an .osm.pbf / .osm / .osm.bz2 / .graphml file) or place to the project file."
    )
    raise ConfigError(msg)


def access_for_kind(
    net: WalkNetwork,
    services: Snapped,
    capacity: np.ndarray,
    residents: Snapped,
    demand: np.ndarray,
    *,
    kind: str,
    minutes: float,
    speed_kmh: float,
) -> KindResult:
    """Nearest time, count within ``minutes`` and 2SFCA for one kind (the reusable core).

    A plan check calls this twice, before and after an edit of the network or the services.
    """
    near = nearest(net, services, residents, speed_kmh=speed_kmh)
    table = reach(net, services, residents, minutes=minutes, speed_kmh=speed_kmh)
    return KindResult(
        kind=kind,
        minutes=near["minutes"].to_numpy(),
        nearest=near["service"].to_numpy(dtype=object),
        count=count_within(table, minutes=minutes),
        fca=fca2(table, capacity=capacity, demand=demand, minutes=minutes),
    )


def access_for_project(
    project_data: ProjectData | Mapping[str, Any],
    *,
    kinds: Sequence[str] | None = None,
    minutes: float = 15.0,
    speed_kmh: float = WALK_SPEED_KMH,
    max_snap_m: float | None = None,
    groups: Sequence[str] | None = None,
    network: WalkNetwork | nx.MultiDiGraph | None = None,
) -> AccessResults:
    """Walking access of a project's residents to every (or the chosen) service kind.

    Parameters
    ----------
    project_data
        The loaded project (``geoseg.io.load_project``), an object or mapping with ``areas``
        (GeoDataFrame indexed by area code), ``register`` (tidy table), ``services``
        (GeoDataFrame with ``kind`` and ``capacity``), ``network`` (WalkNetwork or projected
        OSMnx graph; a loaded project reads its own on first use), optionally ``grid``
        (population grid points), ``buildings`` (used when there is no grid; weighted by their
        ``weight`` column when present, else by footprint area), ``water``, and ``project`` or
        ``config`` (the project file: ``registers.id``, ``registers.year``,
        ``registers.total``, ``registers.income``, ``registers.disadvantage``,
        ``services.kinds``, ``access.max_snap_m``).
    kinds
        Service kinds to analyse; default every kind present.
    minutes, speed_kmh
        Threshold and walking speed.
    max_snap_m
        Farthest a point may be from a street; default the project's (500 m).
    groups
        Register count columns to summarise; default total, each kind's demand group, and
        ``age_0_5``, ``age_6_15``, ``age_65_plus``, ``foreign_born`` when present.
    network
        The walking network (a WalkNetwork or a projected OSMnx graph), read by the caller
        with :mod:`geoseg.io` (``ProjectData.network(cache_dir=...)``,
        :func:`geoseg.io.load_network`); default the project's ``network``.
    """
    cfg = _config(project_data)
    areas: gpd.GeoDataFrame = project_setting(project_data, "areas")
    registers = project_setting(
        project_data, "register", default=project_setting(project_data, "registers")
    )
    services: gpd.GeoDataFrame = project_setting(project_data, "services")
    if areas is None or registers is None or services is None or not len(services):
        msg = (
            f"{project_setting(cfg, 'path', default='project')}: walking access needs areas, a "
            "register and services; add a [services] path to the project file."
        )
        raise ConfigError(msg)
    crs = str(
        project_setting(
            cfg, "project", "crs", default=project_setting(cfg, "crs", default=ANALYSIS_CRS)
        )
    )
    net = _network(project_data, cfg, crs, network)
    snap_limit = float(max_snap_m or project_setting(cfg, "access", "max_snap_m", default=500.0))
    id_col = str(project_setting(cfg, "registers", "id", default=areas.index.name or "code"))
    year_col = project_setting(cfg, "registers", "year", default="year")
    total = str(project_setting(cfg, "registers", "total", default="pop_total"))
    counts = _latest(registers, id_col, year_col)
    kind_map = dict(project_setting(cfg, "services", "kinds", default={}))
    present = sorted(map(str, services["kind"].unique()))
    chosen = list(kinds) if kinds else present
    unknown = [k for k in chosen if k not in present]
    if unknown:
        msg = (
            f"services: no services of kind {', '.join(unknown)}; "
            f"the kinds present are {', '.join(present)}"
        )
        raise DataError(msg)
    demand = {k: str(demand_group(k, kind_map, total=total)) for k in chosen}
    missing = sorted({d for d in demand.values() if d not in counts.columns})
    if missing:
        msg = f"register table: demand columns {', '.join(missing)} are missing"
        raise DataError(msg)
    if groups is None:
        wanted = [total, *demand.values(), *_EXTRA_GROUPS]
        groups = [g for g in dict.fromkeys(wanted) if g in counts.columns]
    count_cols = [c for c in dict.fromkeys([*groups, *demand.values()])]
    grid = project_setting(
        project_data, "grid", default=project_setting(project_data, "population")
    )
    buildings = project_setting(project_data, "buildings")
    if grid is not None and len(grid):
        logger.info("access: resident points from the population grid (%d cells)", len(grid))
        people = residents_from_grid(grid, areas, counts[count_cols], groups=count_cols)
    elif buildings is not None and len(buildings):
        weight = "weight" if "weight" in buildings.columns else None
        logger.info(
            "access: resident points from %d buildings, weighted by %s",
            len(buildings),
            "their 'weight' column" if weight else "footprint area",
        )
        people = residents_from_buildings(
            buildings, areas, counts[count_cols], weight=weight, groups=count_cols
        )
    else:
        people = residents_from_centroids(areas, counts[count_cols], groups=count_cols)
    water = project_setting(project_data, "water")
    res_s = snap_points(net, people, max_snap_m=snap_limit, label="resident points")
    svc_s = snap_points(net, services, max_snap_m=snap_limit, water=water, label="services")
    placed = people.index.get_indexer(res_s.index)
    out = people.copy()

    def one_kind(kind: str) -> KindResult:
        mask = services.loc[svc_s.index, "kind"].astype(str).to_numpy() == kind
        ks = subset(svc_s, mask)
        cap = (
            services.loc[ks.index, "capacity"].to_numpy(dtype=float)
            if "capacity" in services
            else np.ones(len(ks))
        )
        dem = people[demand[kind]].to_numpy(dtype=float)[placed]
        return access_for_kind(
            net, ks, cap, res_s, dem, kind=kind, minutes=minutes, speed_kmh=speed_kmh
        )

    for kind in chosen:
        r = one_kind(kind)
        cols = {
            f"minutes_{kind}": (np.inf, r.minutes),
            f"nearest_{kind}": (None, r.nearest),
            f"count_{kind}": (0, r.count),
            f"fca_{kind}": (0.0, r.fca),
        }
        for col, (fill, values) in cols.items():
            full = np.full(len(out), fill, dtype=object if fill is None else float)
            full[placed] = values
            out[col] = full
    mins = pd.DataFrame(
        {k: out[f"minutes_{k}"].to_numpy(dtype=float) for k in chosen}, index=out.index
    )
    fcas = pd.DataFrame({k: out[f"fca_{k}"].to_numpy(dtype=float) for k in chosen}, index=out.index)
    summary = area_summary(out, mins, groups=groups, within=minutes, fca=fcas)
    equity = _equity(out, summary, counts, cfg, chosen, total)
    rejected = pd.concat(
        [
            res_s.rejected.assign(layer="residents"),
            svc_s.rejected.assign(layer="services"),
        ]
    )
    return AccessResults(
        residents=out,
        summary=summary,
        equity=equity,
        rejected=rejected,
        network=net,
        snapped_residents=res_s,
        snapped_services=svc_s,
        services=services,
        minutes=float(minutes),
        speed_kmh=float(speed_kmh),
        demand=demand,
    )


def _equity(
    people: pd.DataFrame,
    summary: pd.DataFrame,
    counts: pd.DataFrame,
    cfg: Any,
    kinds: Sequence[str],
    total: str,
) -> pd.DataFrame:
    income = project_setting(cfg, "registers", "income", default="median_income_tkr")
    disadvantage = project_setting(
        cfg, "registers", "disadvantage", default="low_economic_standard"
    )
    rows = []
    for kind in kinds:
        t = people[f"minutes_{kind}"].to_numpy(dtype=float)
        w = people[total].to_numpy(dtype=float)
        areas = summary[(summary["kind"] == kind) & (summary["group"] == total)].set_index("id")
        row: dict[str, Any] = {"kind": kind, "gini": access_gini(t, w), "palma": palma(t, w)}
        if disadvantage in counts.columns and total in counts.columns:
            share = (counts[disadvantage] / counts[total]).reindex(areas.index)
            try:
                gap = quintile_gap(areas["mean_minutes"], share, weights=areas["residents"])
            except DataError as exc:
                logger.warning("access equity: %s", exc)
            else:
                row.update(
                    quintile_best=gap["best"], quintile_worst=gap["worst"], quintile_gap=gap["gap"]
                )
        if income in counts.columns:
            inc = counts[income].reindex(areas.index)
            row["concentration_index"] = concentration_index(
                areas["mean_minutes"], inc, weights=areas["residents"]
            )
        rows.append(row)
    return pd.DataFrame(rows)
