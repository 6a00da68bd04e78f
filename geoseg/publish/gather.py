"""What a run publishes: its results passed through the disclosure gate, ready to be saved.

:func:`publishable` turns the results of :func:`geoseg.run_project` into a
:class:`geoseg.io.SavedResults`: every table that reaches the results folder, the maps or the
report passes the gate of :mod:`geoseg.publish.disclosure` here, once, and the settings, labels
and indicator definitions that the maps and report need are gathered with them. The results
folder therefore holds no count of persons below the threshold, and
:func:`geoseg.publish.redraw` can draw the same maps and report from it without the register.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.io import SavedResults, project_inputs, slugs, variable_slugs
from geoseg.publish.disclosure import (
    HOTSPOT_DEPENDENT,
    Disclosure,
    gate_access,
    gate_emerging,
    gate_gaps,
    gate_hotspots,
    gate_indicators,
    gate_table,
)
from geoseg.publish.maps import STREET_LINES_VERSION, STREET_VERTICES, street_lines
from geoseg.publish.secondary import secondary_suppression
from geoseg.settings import demand_group
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.access import AccessResults, WalkNetwork
    from geoseg.access.straight import StraightLineAccess
    from geoseg.io import Project, ProjectData
    from geoseg.io.config import RegistersConfig
    from geoseg.pipeline import RunResult

__all__ = ["access_totals", "gpkg_layers", "population", "publishable", "published_indicators"]


def population(register: pd.DataFrame, reg: RegistersConfig) -> pd.Series | None:
    """Residents per (area code, year) of a register, for the disclosure gate (or ``None``)."""
    total = reg.total if reg.total and reg.total in register else None
    if total is None:
        return None
    codes = register[reg.id].astype(str)
    if reg.year and reg.year in register:
        years = pd.to_numeric(register[reg.year], errors="coerce")
        index: pd.Index = pd.MultiIndex.from_arrays([codes, years])
    else:
        index = pd.Index(codes)
    pop = pd.Series(register[total].to_numpy(), index=index)
    return pop[~pop.index.duplicated()]


def published_indicators(
    indicators: pd.DataFrame, population: pd.Series | None, disclosure: Disclosure
) -> pd.DataFrame:
    """The indicator table as published: the area's residents that year beside each value
    (an amount of few persons is hidden too), gated by :func:`gate_indicators`.

    Parameters
    ----------
    indicators
        The table of :func:`geoseg.indicators.indicator_values`.
    population
        Residents per (area code, year), or per area code (:func:`population`), or ``None``.
    disclosure
        The rule of the output.

    Returns
    -------
    DataFrame
        A new table (index reset) with ``population`` (when known) and ``suppressed``.
    """
    out = indicators.copy()
    if population is not None and len(out):
        key: Any
        if isinstance(population.index, pd.MultiIndex):
            key = pd.MultiIndex.from_arrays([out["code"].astype(str), pd.to_numeric(out["year"])])
        else:
            key = pd.Index(out["code"].astype(str))
        out["population"] = population.reindex(key).to_numpy(dtype=float)
    out = gate_indicators(out, disclosure)
    if "suppressed" not in out:
        out["suppressed"] = False
    return out.reset_index(drop=True)


def access_totals(access: pd.DataFrame) -> pd.DataFrame:
    """City-wide access per service kind: residents, and minutes and share weighted by them.

    Parameters
    ----------
    access
        Per-area access of one group (``kind``, ``residents``, ``mean_minutes``,
        ``share_within``), with every resident counted (before suppression).

    Returns
    -------
    DataFrame
        ``kind``, ``areas``, ``residents``, ``mean_minutes``, ``share_within`` (the latter two
        means over the areas weighted by residents, unreachable and missing values left out).
    """
    rows = []
    for kind, part in access.groupby("kind", sort=True):
        res = part["residents"] if "residents" in part else pd.Series(1.0, part.index)
        w = res.to_numpy(dtype=float, na_value=np.nan)
        row: dict[str, Any] = {"kind": str(kind), "areas": len(part), "residents": w.sum()}
        for col in ("mean_minutes", "share_within"):
            if col not in part:
                row[col] = np.nan
                continue
            v = part[col].to_numpy(dtype=float, na_value=np.nan)
            ok = np.isfinite(v) & np.isfinite(w)
            good = ok.any() and w[ok].sum() > 0
            row[col] = float(np.average(v[ok], weights=w[ok])) if good else np.nan
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["kind", "areas", "residents", "mean_minutes", "share_within"]
    )


def _total_group(summary: pd.DataFrame, total: str | None) -> pd.DataFrame:
    if "group" in summary and len(summary):
        return summary[summary["group"] == (total or summary["group"].iloc[0])]
    return summary


def _gate_quotients(
    lq: pd.DataFrame, data: ProjectData, disclosure: Disclosure, threshold: float
) -> pd.DataFrame:
    """Location quotients of areas where the total or a group counts fewer than the threshold
    are hidden and marked (a quotient rests on the area's total and each group's count)."""
    reg = data.project.registers
    counted = latest_year(data.register, year_column=reg.year)[0].set_index(reg.id)
    counted = counted[~counted.index.duplicated()]
    persons = [c for c in [reg.total, *reg.multigroup] if c and c in counted]
    few = (counted[persons].reindex(lq.index) < threshold).any(axis=1).to_numpy()
    out = lq.copy()
    if few.any():
        out = out.astype(float).mask(np.broadcast_to(few[:, None], out.shape))
    out["suppressed"] = few
    out.index = out.index.astype(str)
    return out.rename_axis("code").reset_index()


def _hide_complements(
    gated: pd.DataFrame,
    raw: pd.DataFrame,
    indicators: pd.DataFrame | None,
    published: pd.DataFrame | None,
    disclosure: Disclosure,
) -> pd.DataFrame:
    """Hotspot rates whose event count, with its base, would give back a count the indicator
    table hides in the same area and year (``born_sweden:pop_total`` beside a hidden
    foreign-born count) lose that count and the values resting on it."""
    need = {"events", "base", "id", "year"}
    if (
        disclosure.unsuppressed
        or indicators is None
        or published is None
        or not need <= set(raw.columns)
        or "suppressed" not in published
        or not {"count", "base"} <= set(indicators.columns)
    ):
        return gated
    hidden = indicators.reset_index(drop=True)[published["suppressed"].to_numpy(dtype=bool)]
    secrets: dict[tuple[str, float, float], list[float]] = {}
    for code, year, count, base in zip(
        hidden["code"].astype(str),
        pd.to_numeric(hidden["year"], errors="coerce"),
        pd.to_numeric(hidden["count"], errors="coerce"),
        pd.to_numeric(hidden["base"], errors="coerce"),
        strict=True,
    ):
        if np.isfinite(count) and np.isfinite(base):
            secrets.setdefault((code, float(year), float(base)), []).append(float(count))
    if not secrets:
        return gated
    events = pd.to_numeric(raw["events"], errors="coerce").to_numpy(dtype=float)
    bases = pd.to_numeric(raw["base"], errors="coerce").to_numpy(dtype=float)
    years = pd.to_numeric(raw["year"], errors="coerce").to_numpy(dtype=float)
    codes = raw["id"].astype(str).to_numpy()
    rows = np.zeros(len(raw), dtype=bool)
    for k in range(len(raw)):
        if not (np.isfinite(events[k]) and np.isfinite(bases[k])):
            continue
        counts = secrets.get((codes[k], float(years[k]), float(bases[k])))
        if not counts:
            continue
        more = secondary_suppression(
            [*counts, events[k]],
            [True] * len(counts) + [False],
            totals=[bases[k]],
            threshold=disclosure.effective,
        )
        rows[k] = bool(more[-1])
    if not rows.any():
        return gated
    out = gate_table(
        gated,
        disclosure,
        dependent=("events", *HOTSPOT_DEPENDENT),
        base=np.where(rows, 0.0, np.nan),
    )
    out["suppressed"] = gated["suppressed"].to_numpy(dtype=bool) | rows
    return out


#: Columns of an area's trend that do not rest on its values.
_TREND_KEYS = ("indicator", "code", "first_year", "last_year", "years", "series_note")


def _gate_area_trends(trends: pd.DataFrame, indicators: pd.DataFrame | None) -> pd.DataFrame:
    """Area trends of every series with a year hidden in the published indicator table."""
    if trends is None or indicators is None or not len(trends) or "suppressed" not in indicators:
        return trends
    hidden = indicators.loc[indicators["suppressed"].astype(bool), ["indicator", "code"]]
    pairs = set(zip(hidden["indicator"].astype(str), hidden["code"].astype(str), strict=True))
    rows = np.array(
        [
            (str(i), str(c)) in pairs
            for i, c in zip(trends["indicator"], trends["code"], strict=True)
        ],
        dtype=bool,
    )
    if not rows.any():
        return trends
    out = trends.copy()
    values = [c for c in out.columns if c not in _TREND_KEYS and c != "suppressed"]
    for c in values:
        col = out[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[c] = col.astype(float).mask(rows)
        else:
            out[c] = col.astype(object).mask(rows, None)
    out["suppressed"] = out.get("suppressed", False) | rows
    return out


def _sources(project: Project, data: ProjectData, *, level: str | None = None) -> dict[str, Any]:
    """The inputs to name in the report: file names, the register's years, service kinds, and
    the boundary file of the area level analysed (``level_boundaries``) when it has its own."""
    reg = project.registers
    years = ""
    if reg.year and reg.year in data.register:
        ys = sorted({int(y) for y in data.register[reg.year].dropna()})
        years = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0]) if ys else ""
    facts: dict[str, Any] = {
        "boundaries": project.areas.path.name,
        "register": ", ".join(Path(origin).name for origin in reg.origins()),
        "years": years,
        # where each register table comes from: "scb:TABLE" when fetched, else its file name
        "register_origins": [
            str(source) if source else Path(str(path)).name
            for source, path in (
                [(t.source, t.path) for t in reg.table_specs()] or [(reg.source, reg.path)]
            )
            if source or path is not None
        ],
        "attribution": getattr(reg, "attribution", None),
    }
    spec = (getattr(project, "levels", None) or {}).get(level) if level else None
    if spec is not None and getattr(spec, "path", None) is not None:
        facts["level_boundaries"] = Path(spec.path).name
    services = getattr(project, "services", None)
    if services is not None and services.path is not None:
        facts["services"] = services.path.name
        facts["service_kinds"] = list(getattr(services, "kinds", {}) or {})
    network = getattr(project, "network", None)
    if network is not None and getattr(network, "path", None) is not None:
        facts["network"] = network.path.name
    pop = getattr(project, "population", None)
    if pop is not None and getattr(pop, "grid", None) is not None:
        facts["population"] = pop.grid.name
    return facts


def _settings(
    result: RunResult,
    data: ProjectData,
    access: AccessResults | StraightLineAccess | None,
    disclosure: Disclosure,
    maps_dir: Path | None,
) -> dict[str, Any]:
    project = data.project
    acc, hot, idx = project.access, project.hotspots, project.indices
    out = result.output
    maps: str | None = None
    if maps_dir is not None:
        m, o = Path(maps_dir).resolve(), Path(out).resolve()
        maps = str(m.relative_to(o)) if m.is_relative_to(o) else str(m)
    return {
        "title": project.project.name,
        "fictional": bool(project.project.fictional),
        "lang": project.project.lang,
        "project": str(project.path),
        "total": project.registers.total,
        "maps": maps,
        "disclosure": {
            "threshold": disclosure.threshold,
            "allow_small_counts": disclosure.allow_small_counts,
            "unsuppressed": disclosure.unsuppressed,
        },
        "segregation": {
            "indices": list(idx.names or []),
            "permutations": idx.permutations,
            "seed": idx.seed,
        },
        "hotspots": {
            "alpha": hot.alpha,
            "correction": hot.correction,
            "permutations": hot.permutations,
            "seed": hot.seed,
            "weights": hot.weights,
        },
        "access": {
            "minutes": acc.minutes,
            "speed_kmh": acc.speed_kmh,
            "fallback": acc.fallback,
            "detour": acc.detour,
            "method": getattr(access, "method", None) if access is not None else None,
            "note": result.access_note,
        },
        "breaks": [
            {
                "year": b.year,
                "indicators": b.indicators if b.indicators == "all" else list(b.indicators),
                "reason": b.reason,
            }
            for b in project.series.breaks
            if b.crosswalk is None
        ],
        "indicators": {k: dataclasses.asdict(v) for k, v in project.indicators.items()},
        "levels": {
            k: {"label_en": v.label_en, "label_sv": v.label_sv}
            for k, v in (getattr(project, "levels", None) or {}).items()
        },
        "sources": _sources(project, data, level=getattr(result, "level", None)),
        "level": getattr(result, "level", None),
        "inputs": [str(p) for p in project_inputs(project)],
        "notes": list(result.follow_up.notes) if result.follow_up is not None else [],
    }


def publishable(
    result: RunResult,
    data: ProjectData,
    access: AccessResults | StraightLineAccess | None,
    *,
    disclosure: Disclosure,
    maps_dir: Path | None = None,
    cache_dir: str | Path | None = None,
) -> SavedResults:
    """The results of a run as they may be published and saved, with the run's settings.

    Parameters
    ----------
    result
        The :class:`geoseg.pipeline.RunResult` of the run.
    data
        The loaded project (:class:`geoseg.io.ProjectData`): register, areas, water.
    access
        The access results of the run (or ``None``).
    disclosure
        The rule of the run's published output.
    maps_dir
        The maps folder of the run (recorded for ``geoseg maps``).
    cache_dir
        The street network's cache folder, where the maps' street layer is cached too
        (default: geoseg's cache folder).

    Returns
    -------
    SavedResults
        Every table gated (person counts below the threshold, and the values resting on them,
        hidden and marked in a ``suppressed`` column), with areas, water, services and
        isochrones for drawing.
    """
    project = data.project
    reg = project.registers
    threshold = disclosure.effective
    pop = population(data.register, reg)
    areas = data.areas.copy()
    name_col = project.areas.name
    if name_col and name_col in areas and name_col != "name":
        areas["name"] = areas[name_col]
    if "name" not in areas:
        areas["name"] = areas.index.astype(str)
    saved = SavedResults(
        settings=_settings(result, data, access, disclosure, maps_dir),
        areas=areas[["name", "geometry"]],
        water=data.water,
        indices=result.indices,
        trend=result.trend,
    )

    if result.indicators is not None:
        saved.indicators = published_indicators(result.indicators, pop, disclosure)
    if result.location_quotients is not None:
        saved.location_quotients = _gate_quotients(
            result.location_quotients, data, disclosure, threshold
        )

    if result.hotspots is not None and len(result.hotspots):
        saved.hotspots = _hide_complements(
            gate_hotspots(result.hotspots, disclosure, population=pop),
            result.hotspots,
            result.indicators,
            saved.indicators,
            disclosure,
        )
        saved.hotspot_counts = result.hotspot_counts
        changes = result.hotspot_changes
        if changes is not None and len(changes) and "id" in changes and pop is not None:
            # an area's change of cluster is hidden when few lived there in either year
            least = pop.groupby(level=0).min() if isinstance(pop.index, pd.MultiIndex) else pop
            base = least.reindex(changes["id"].astype(str)).to_numpy()
            changes = gate_table(
                changes, disclosure, dependent=("label_from", "label_to", "change"), base=base
            )
        saved.hotspot_changes = changes
    follow_up = result.follow_up
    if follow_up is not None:
        if len(follow_up.emerging):
            saved.emerging = gate_emerging(follow_up.emerging, disclosure, population=pop)
        # suppressed upstream (small bases); a series also goes where the indicator table
        # hides a year of it to protect a hidden count of another group (secondary suppression)
        saved.area_trends = _gate_area_trends(follow_up.areas, saved.indicators)
        # each year's gap over the values published that year: no percentile or quintile mean
        # may fall on a hidden value
        saved.gap_trends, saved.gap_series = gate_gaps(follow_up, saved.indicators, disclosure)
    per_area = result.access
    if access is not None and per_area is not None:
        saved.access = gate_access(per_area, disclosure)
        saved.equity = result.equity
        totals = access_totals(_total_group(per_area, reg.total))
        saved.access_totals = gate_table(totals, disclosure, counts=("residents",))
        saved.services = access.services
        saved.isochrones = result.isochrones
        # each kind's target group (children 0-5 for family centres) for its access map
        kinds = sorted({str(k) for k in per_area["kind"]}) if "kind" in per_area else []
        saved.settings["access"]["groups"] = {
            k: demand_group(k, project.services.kinds, total=reg.total) for k in kinds
        }
        if data.has_network:  # read by the access stage already: a light layer to orient by
            net = getattr(access, "network", None)
            lines = _streets(net if net is not None else data.network(), areas, cache_dir)
            if len(lines):
                saved.streets = gpd.GeoDataFrame(geometry=lines.reset_index(drop=True))
    return saved


def _streets(
    network: WalkNetwork, areas: gpd.GeoDataFrame, cache_dir: str | Path | None
) -> gpd.GeoSeries:
    """The maps' street layer of ``network`` within ``areas``, through the line cache.

    The layer depends only on the network's edge lines, the areas' extent and the layer's
    settings, which name the cached file (:func:`geoseg.io.line_cache.cached_lines`).
    """
    from geoseg.io.line_cache import cached_lines

    bounds = areas.to_crs(network.crs).total_bounds if len(areas) else np.zeros(4)
    parts: list[bytes | str] = [
        f"{network.crs}|{STREET_VERTICES}|{STREET_LINES_VERSION}",
        np.ascontiguousarray(bounds, dtype=float).tobytes(),
        np.ascontiguousarray(network.coord_offsets).tobytes(),
        np.ascontiguousarray(network.coords).tobytes(),
    ]
    return cached_lines(
        lambda: street_lines(network, areas=areas),
        parts=parts,
        name="streets",
        crs=network.crs,
        cache_dir=cache_dir,
    )


def gpkg_layers(saved: SavedResults) -> dict[str, gpd.GeoDataFrame]:
    """Per-area results as GeoPackage layers (areas' geometry, one row per area), as published.

    Parameters
    ----------
    saved
        The publishable results (:func:`publishable`).

    Returns
    -------
    dict
        Layer name -> GeoDataFrame: ``hotspots_<variable>`` (the latest year),
        ``emerging_hotspots_<variable>`` and ``access_<kind>`` (the first group), each the
        areas joined with their rows.
    """
    areas = saved.areas[["geometry"]].copy()
    areas.insert(0, "code", areas.index.astype(str))
    layers: dict[str, gpd.GeoDataFrame] = {}

    def add(prefix: str, table: pd.DataFrame, key: str, names: dict[Any, str]) -> None:
        """One layer per value of ``key``: the areas joined with that value's rows."""
        for value, rows in table.groupby(key):
            per_area = rows.set_index("id").drop(columns=[key], errors="ignore")
            layers[f"{prefix}_{names[value]}"] = areas.join(per_area, how="inner")

    hot = saved.hotspots
    if hot is not None and len(hot):
        latest, _ = latest_year(hot)  # a single-year register has no year: all rows
        add("hotspots", latest, "variable", variable_slugs(latest["variable"]))
    emerging = saved.emerging
    if emerging is not None and len(emerging):
        add("emerging_hotspots", emerging, "variable", variable_slugs(emerging["variable"]))
    acc = saved.access
    if acc is not None and len(acc):
        if "group" in acc:
            acc = acc[acc["group"] == acc["group"].iloc[0]]
        add("access", acc, "kind", slugs(acc["kind"]))
    return layers
