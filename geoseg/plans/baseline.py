"""The baseline of a plan check: walking access today, computed once and reused.

:func:`compute_baseline` runs the access stage (:func:`geoseg.access.access_for_project`) and
keeps, per service kind, the snapped services and every resident's walking time to the nearest
one. Checking a plan then edits a copy of the network and services and recomputes walking times
on it (see :mod:`geoseg.plans.compare`), so many plans can be checked against one baseline.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.access import Snapped, WalkNetwork, access_for_project, subset
from geoseg.errors import ConfigError, InputError, PlanError
from geoseg.indicators import indicator_label, indicator_values
from geoseg.io.indicators import default_indicators
from geoseg.plans.plan_context import plan_problems
from geoseg.settings import WALK_SPEED_KMH, project_setting
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.io.project import ProjectData

__all__ = ["Baseline", "KindBaseline", "compute_baseline"]

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class KindBaseline:
    """Baseline access to one service kind.

    Attributes
    ----------
    kind
        The service kind.
    services
        Its services snapped to the network (position ``i`` is service ``labels[i]``).
    labels
        Service ids.
    minutes, nearest
        Per placed resident (in the order of :attr:`Baseline.snapped`): walking minutes to
        the nearest service (``inf``: none reachable) and its id (``None``: none).
    """

    kind: str
    services: Snapped
    labels: np.ndarray
    minutes: np.ndarray
    nearest: np.ndarray


@dataclass(eq=False)
class Baseline:
    """Everything a plan check needs from the project, computed once.

    Attributes
    ----------
    network
        The walking network.
    residents
        Every resident point: ``area``, one column of persons per group, ``geometry``.
    placed
        Positions (into ``residents``) of the points placed on the network, in the order of
        ``snapped``.
    snapped
        The placed resident points.
    services
        The project's services (index ``service_id``; ``kind``, ``name``, ``capacity``).
    kinds
        Per kind, a :class:`KindBaseline`.
    areas
        Area polygons (index: area code).
    district
        Area code -> district code (``None`` when the project names no district column).
    indicator
        Area code -> share of residents with the disadvantage indicator (for the equity gap).
    composition
        Area code -> each group's share of the area's total (to fill in new housing).
    counts
        The latest year's register (index: area code).
    groups, total
        Group columns summarised and the total column.
    minutes, speed_kmh, max_snap_m
        Threshold, walking speed and largest snapping distance.
    indicators
        The indicators the project declares (``[indicators]``), by name: rules on an indicator
        take its values, label, unit and direction from them. Empty when it declares none.
    """

    network: WalkNetwork
    residents: gpd.GeoDataFrame
    placed: np.ndarray
    snapped: Snapped
    services: gpd.GeoDataFrame
    kinds: dict[str, KindBaseline]
    areas: gpd.GeoDataFrame
    district: pd.Series | None
    indicator: pd.Series | None
    composition: pd.DataFrame
    counts: pd.DataFrame
    groups: list[str]
    total: str
    minutes: float
    speed_kmh: float
    max_snap_m: float
    title: str = "geoseg"
    lang: str = "en"
    fictional: bool = False
    indicators: dict[str, Any] = field(default_factory=dict)

    def edge_tree(self) -> shapely.STRtree:
        """A spatial index of the network's street lines (built once)."""
        return self.network.edge_tree()

    def plan_problems(self, features: gpd.GeoDataFrame, *, max_end_m: float) -> list[str]:
        """Problems of plan features against this project (see
        :func:`geoseg.plans.plan_context.plan_problems`); :func:`geoseg.io.read_plan` calls it."""
        return plan_problems(features, self, max_end_m=max_end_m)

    def indicator_share(self, column: str | None) -> pd.Series | None:
        """Area code -> share of residents counted in ``column`` (default: the project's
        disadvantage indicator).

        Raises
        ------
        PlanError
            The register has no such column.
        """
        if column is None:
            return self.indicator
        if column not in self.counts.columns or self.total not in self.counts.columns:
            msg = (
                f"rules: [equity_gap] indicator {column!r} is not a register column; name one "
                f"of {', '.join(map(str, self.counts.columns))} or set enabled = false."
            )
            raise PlanError(msg)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.counts[column] / self.counts[self.total]).astype(float)

    def disadvantage(self, name: str | None) -> tuple[pd.Series | None, dict[str, str]]:
        """Area code -> how disadvantaged each area is (higher: more so), and what ranks it.

        Parameters
        ----------
        name
            A declared indicator (``[indicators.NAME]``): its values (share, rate or amount, as
            :func:`geoseg.indicators.indicator_values` computes them), negated when its
            ``worse`` is ``"lower"`` (low income ranks as disadvantaged). Else a register count
            column: its share of the total, higher being worse. ``None``: the project's
            ``[registers] disadvantage`` column.

        Returns
        -------
        values, ranked_by
            The ranking values (``None`` when there is nothing to rank by) and what they are:
            ``label`` (the indicator's label in the project's language, else the column),
            ``unit`` and ``worse`` (``"higher"`` or ``"lower"``).

        Raises
        ------
        PlanError
            ``name`` names an indicator whose ``worse`` is ``"none"`` (no end of it marks the
            disadvantaged areas) or that reads columns the register lacks, or is neither an
            indicator nor a register column.
        """
        ind = self.indicators.get(name) if name is not None else None
        if ind is None:
            label = indicator_label(name, self.indicators, self.lang) if name else "disadvantage"
            return self.indicator_share(name), {"label": label, "unit": "%", "worse": "higher"}
        label = ind.label(self.lang)
        if ind.worse not in ("higher", "lower"):
            msg = (
                f"rules: [equity_gap] indicator {name!r} ({label}) has worse = {ind.worse!r}, so "
                'no end of it marks the disadvantaged areas; set worse = "higher" or '
                f'"lower" in [indicators.{name}] of the project file, or name another indicator'
            )
            raise PlanError(msg)
        table = self.counts.assign(_area_code=self.counts.index.astype(str))
        try:
            values = indicator_values(table, {str(name): ind}, id_column="_area_code")
        except InputError as exc:
            msg = f"rules: [equity_gap] indicator {name!r}: {exc}"
            raise PlanError(msg) from exc
        series = pd.Series(values["value"].to_numpy(dtype=float), index=self.counts.index)
        oriented = series if ind.worse == "higher" else -series
        return oriented, {"label": label, "unit": ind.unit, "worse": ind.worse}

    def minutes_before(self, kind: str) -> np.ndarray:
        """Minutes from every resident point (``inf`` when unplaced) to the nearest ``kind``."""
        out = np.full(len(self.residents), np.inf)
        out[self.placed] = self.kinds[kind].minutes
        return out


def _latest(register: pd.DataFrame, id_column: str, year_column: str | None) -> pd.DataFrame:
    reg, _ = latest_year(register, year_column=year_column)
    if id_column in reg.columns:
        reg = reg.set_index(reg[id_column].astype(str))
    return reg[~reg.index.duplicated()]


def compute_baseline(
    project_data: ProjectData,
    *,
    kinds: Sequence[str] | None = None,
    minutes: float | None = None,
    speed_kmh: float | None = None,
    max_snap_m: float | None = None,
    network: WalkNetwork | None = None,
) -> Baseline:
    """Compute today's walking access of a project once, for checking plans against it.

    Parameters
    ----------
    project_data
        The loaded project (:func:`geoseg.io.load_project`).
    kinds
        Service kinds to check; default every kind present.
    minutes, speed_kmh, max_snap_m
        Threshold, walking speed and largest snapping distance; default the project's
        ``[access]`` settings (15 minutes, 4.8 km/h, 500 m).
    network
        The walking network, read by the caller with :mod:`geoseg.io`; default the project's
        (see :func:`geoseg.access.access_for_project`).

    Returns
    -------
    Baseline

    Notes
    -----
    Residents, services and the network are those of :func:`geoseg.access.access_for_project`,
    so the baseline minutes are exactly what ``geoseg access`` reports.
    """
    project = project_setting(project_data, "project", default=project_data)
    settings = project_setting(project, "access")
    minutes = float(
        minutes if minutes is not None else project_setting(settings, "minutes", default=15.0)
    )
    speed = float(
        speed_kmh
        if speed_kmh is not None
        else project_setting(settings, "speed_kmh", default=WALK_SPEED_KMH)
    )
    snap = float(
        max_snap_m
        if max_snap_m is not None
        else project_setting(settings, "max_snap_m", default=500)
    )
    result = access_for_project(
        project_data,
        kinds=kinds,
        minutes=minutes,
        speed_kmh=speed,
        max_snap_m=snap,
        network=network,
    )
    areas: gpd.GeoDataFrame = project_data.areas
    total = str(project_setting(project, "registers", "total", default="pop_total"))
    res = result.residents
    keep_cols = [
        c
        for c in res.columns
        if not c.startswith(("minutes_", "nearest_", "count_", "fca_")) and c != "share"
    ]
    residents = res[keep_cols].copy()
    groups = [
        c
        for c in residents.columns
        if c not in {"area", "method", "geometry"} and pd.api.types.is_numeric_dtype(residents[c])
    ]
    placed = res.index.get_indexer(result.snapped_residents.index)
    if np.any(placed < 0):  # pragma: no cover - the access stage keeps its own labels
        msg = "access stage: snapped resident labels do not match the resident points"
        raise ConfigError(msg)
    counts = _latest(
        project_data.register,
        str(project_setting(project, "registers", "id", default="code")),
        project_setting(project, "registers", "year", default="year"),
    )
    disadvantage = project_setting(
        project, "registers", "disadvantage", default="low_economic_standard"
    )
    indicator = None
    if disadvantage in counts.columns and total in counts.columns:
        with np.errstate(invalid="ignore", divide="ignore"):
            indicator = (counts[disadvantage] / counts[total]).astype(float)
    comp = pd.DataFrame(index=counts.index)
    for g in groups:
        if g in counts.columns and total in counts.columns:
            with np.errstate(invalid="ignore", divide="ignore"):
                comp[g] = (counts[g] / counts[total]).astype(float)
    district_col = project_setting(project, "areas", "district")
    district = None
    if district_col and district_col in areas.columns:
        district = areas[district_col].astype(str)
        district.index = areas.index.astype(str)
    svc_s = result.snapped_services
    services = result.services
    per_kind: dict[str, KindBaseline] = {}
    net = result.network
    for kind in result.demand:
        mask = services.loc[svc_s.index, "kind"].astype(str).to_numpy() == kind
        ks = subset(svc_s, mask)
        per_kind[kind] = KindBaseline(
            kind=kind,
            services=ks,
            labels=np.asarray(ks.index, dtype=object),
            minutes=res[f"minutes_{kind}"].to_numpy(dtype=float)[placed],
            nearest=res[f"nearest_{kind}"].to_numpy(dtype=object)[placed],
        )
    logger.info(
        "plan baseline: %d resident points, %d services, kinds %s",
        len(residents),
        len(services),
        ", ".join(per_kind),
    )
    proj_info = project_setting(project, "project")
    return Baseline(
        network=net,
        residents=residents,
        placed=placed,
        snapped=result.snapped_residents,
        services=services,
        kinds=per_kind,
        areas=areas,
        district=district,
        indicator=indicator,
        composition=comp,
        counts=counts,
        groups=groups,
        total=total,
        minutes=minutes,
        speed_kmh=speed,
        max_snap_m=snap,
        title=str(project_setting(proj_info, "name", default="geoseg")),
        lang=str(project_setting(proj_info, "lang", default="en")),
        fictional=bool(project_setting(proj_info, "fictional", default=False)),
        indicators=_declared_indicators(project),
    )


def _declared_indicators(project: Any) -> dict[str, Any]:
    """The project's ``[indicators]``, or nothing when it declares none (the defaults then
    only repeat the register's column names and declare no direction)."""
    indicators = dict(project_setting(project, "indicators", default=None) or {})
    reg = project_setting(project, "registers")
    defaults = default_indicators(
        groups=project_setting(reg, "groups", default=[]),
        total=project_setting(reg, "total"),
        amounts=project_setting(reg, "amounts", default=[]),
    )
    return {} if indicators == defaults else indicators
