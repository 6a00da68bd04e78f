"""The whole job on one project: load, analyse, write tables, maps and the report.

``geoseg run`` is a thin wrapper around :func:`run_project`. Each stage is a plain function that
takes the loaded project and returns tables; :func:`run_project` chains them and writes every
output atomically into the output folder, refusing to replace files it did not write itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geoseg.errors import InputError
from geoseg.io import (
    project_inputs,
    slugs,
    variable_slugs,
)
from geoseg.io.results import MANIFEST, write_manifest
from geoseg.preflight import access_note, check_outputs, check_run, output_folders
from geoseg.settings import ISOCHRONE_MINUTES, STAGES
from geoseg.years import latest_year

__all__ = [
    "STAGES",
    "RunResult",
    "access_note",
    "check_run",
    "hotspot_local",
    "indices_with_unplaced",
    "run_project",
    "segregation_indices",
    "series_breaks",
]

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run produced.

    Attributes
    ----------
    output, maps
        The results folder and the maps folder.
    indices, trend
        Tidy segregation indices (year, level, group, index, value, p_value, ci_low, ci_high)
        and their change between the first and the last year.
    hotspots, hotspot_counts, hotspot_changes
        Local Moran's I per area, variable and year; years in each cluster per area; areas that
        entered or left a cluster.
    follow_up
        Follow-up over the years (:class:`geoseg.trends.ProjectTrends`): emerging hotspots,
        area trends of every indicator and the gaps between areas.
    access, equity
        Per-area walking access (area, kind, group) and equity of access per kind.
    isochrones
        Areas within 5, 10 and 15 minutes' walk of each service kind (one polygon per kind
        and threshold, the union over the kind's services).
    files
        Every file written.
    warnings
        Findings that did not stop the run (codes without polygons, unplaced residents, ...).
    access_note
        How walking access was measured when the project has no street network (skipped, or
        straight-line distance times a detour factor); shown in the report.
    indicators, location_quotients
        Values of the declared indicators per area and year
        (:func:`geoseg.indicators.indicator_values`) and the location quotients of the latest
        year's groups per area (``None`` without two or more groups).
    """

    output: Path
    maps: Path
    indices: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    hotspot_counts: pd.DataFrame | None = None
    hotspot_changes: pd.DataFrame | None = None
    follow_up: Any = None
    access: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    access_note: str | None = None
    indicators: pd.DataFrame | None = None
    location_quotients: pd.DataFrame | None = None


@contextmanager
def _timed(result: RunResult, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    logger.info("%s ...", stage)
    yield
    result.timings[stage] = time.perf_counter() - t0
    logger.info("%s done in %.1f s", stage, result.timings[stage])


# --------------------------------------------------------------------------- stages


def segregation_indices(data: Any) -> pd.DataFrame:
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
    data: Any, *, indices: pd.DataFrame | None = None
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


def indices_with_unplaced(
    register: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    index: Sequence[str] | None,
    id_column: str,
    **options: Any,
) -> pd.DataFrame:
    """:func:`geoseg.segregation.compute_indices` with the rule for codes without a polygon.

    Aspatial indices use every register row (the city's whole population, the unallocated
    included); spatial indices use the rows whose code has a polygon (see
    :data:`geoseg.io.UNPLACED_RULE`). Rows keep the order of ``index``.
    """
    from geoseg.segregation import available_indices, compute_indices

    names = list(index or available_indices())
    spatial = set(available_indices(spatial=True))
    placed = register[register[id_column].astype(str).isin(areas.index.astype(str))]
    parts = []
    aspatial_names = [n for n in names if n not in spatial]
    spatial_names = [n for n in names if n in spatial]
    common = {"areas": areas, "id_column": id_column, **options}
    if aspatial_names:
        parts.append(compute_indices(register, index=aspatial_names, **common))
    if spatial_names:
        parts.append(compute_indices(placed, index=spatial_names, **common))
    if len(parts) == 1:
        return parts[0]
    idx = pd.concat(parts, ignore_index=True)
    order = {n: i for i, n in enumerate(names)}
    return (
        idx.assign(_order=idx["index"].map(order))
        .sort_values(["year", "level", "group", "_order"], kind="stable", na_position="first")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


#: Indices whose change between the first and the last year is tested in a run.
TREND_TESTED = ("dissimilarity", "isolation", "multigroup_dissimilarity")


def segregation_trend(
    indices: pd.DataFrame,
    register: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame | None,
    total: str | None,
    id_column: str,
    year_column: str | None,
    permutations: int,
    seed: int,
    tested: Sequence[str] = TREND_TESTED,
    breaks: Sequence[Any] = (),
) -> pd.DataFrame:
    """Change of every index from the first to the last year, with a test for key indices.

    Parameters
    ----------
    indices
        The tidy table of :func:`geoseg.segregation.compute_indices`.
    register
        The register it was computed from (for the test of change).
    tested
        Indices whose change gets a p-value from
        :func:`geoseg.segregation.compare_years` (paired relabelling of years within areas,
        alternative "greater": has segregation grown?).
    breaks
        Series breaks (:class:`geoseg.trends.SeriesBreak`): an index built from a column a
        break concerns (its group(s) or the total) is compared from the break on
        (:func:`geoseg.trends.comparable_from`).

    Returns
    -------
    DataFrame
        One row per (level, group, index): ``year_first``, ``year_last``, ``value_first``,
        ``value_last``, ``change``, ``p_value_increase`` (NaN where not tested) and
        ``series_note`` (the breaks that cut or were bridged; "" when none).
    """
    from geoseg.segregation import compare_years
    from geoseg.trends import comparable_from

    columns = ["level", "group", "index", "year_first", "year_last", "value_first", "value_last"]
    if indices.empty or "year" not in indices or indices["year"].nunique() < 2:
        return pd.DataFrame(columns=[*columns, "change", "p_value_increase", "series_note"])
    keys = [k for k in ("level", "group", "index") if k in indices]
    rows = []
    for key, grp in indices.dropna(subset=["value"]).groupby(keys, dropna=False, sort=False):
        grp = grp.sort_values("year")
        named = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        names = [*str(named.get("group", "")).split("+"), *([total] if total else [])]
        cut, note = comparable_from(breaks, names, grp["year"].astype(int))
        if cut is not None:
            grp = grp[grp["year"] >= cut]
        first, last = grp.iloc[0], grp.iloc[-1]
        rows.append(
            named
            | {
                "year_first": int(first["year"]),
                "year_last": int(last["year"]),
                "value_first": first["value"],
                "value_last": last["value"],
                "series_note": note,
            }
        )
    trend = pd.DataFrame(rows)
    trend["change"] = trend["value_last"] - trend["value_first"]
    trend["p_value_increase"] = float("nan")
    trend = trend[[c for c in trend.columns if c != "series_note"] + ["series_note"]]
    if not permutations or year_column is None:
        return trend
    by_year = {int(str(y)): t.set_index(id_column) for y, t in register.groupby(year_column)}
    for i, row in trend.iterrows():
        if row["index"] not in tested or row["year_first"] == row["year_last"]:
            continue
        a, b = by_year[row["year_first"]], by_year[row["year_last"]]
        common = a.index.intersection(b.index)
        a, b = a.loc[common], b.loc[common]
        a, b = a[a[total] > 0], b[b[total] > 0]
        common = a.index.intersection(b.index)
        kwargs: dict[str, Any] = (
            {"groups": [g for g in str(row["group"]).split("+")]}
            if str(row["index"]).startswith("multigroup")
            else {"group": row["group"], "total": total}
        )
        test = compare_years(
            a.loc[common],
            b.loc[common],
            index=row["index"],
            permutations=permutations,
            method="paired",
            seed=seed,
            **kwargs,
        )
        trend.loc[i, "p_value_increase"] = test.p_value
    return trend


def indicator_stage(data: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
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

        latest = data.register
        if reg.year and reg.year in latest and not latest[reg.year].isna().all():
            latest = latest[latest[reg.year] == latest[reg.year].max()]
        lq = location_quotient(latest.set_index(reg.id), groups=list(reg.multigroup))
    return values, lq


def _year_frames(data: Any) -> Iterator[tuple[int | None, gpd.GeoDataFrame]]:
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


def hotspot_local(data: Any) -> dict[str, dict[Any, pd.DataFrame]]:
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
    from geoseg.hotspots import build_weights, local_moran, local_moran_rate

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
        if den is None:
            w = _weights_for(gdf, data.areas, weights, cfg.weights)
            return local_moran(gdf, column, weights=w, **options)
        gdf = gdf[gdf[den] > 0]
        w = _weights_for(gdf, data.areas, weights, cfg.weights)
        return local_moran_rate(gdf, column, den, weights=w, **options)

    out: dict[str, dict[Any, pd.DataFrame]] = {}
    for name, column, den in specs:
        by_year: dict[Any, pd.DataFrame] = {}
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
    data: Any, *, local: dict[str, dict[Any, pd.DataFrame]] | None = None
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


def series_breaks(project: Any) -> list[Any]:
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


def trends_stage(data: Any) -> Any:
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


def access_stage(data: Any, *, cache_dir: Path | None = None) -> Any:
    """Walking access to every service kind (see :func:`geoseg.access.access_for_project`)."""
    import dataclasses

    from geoseg.access import access_for_project

    project = data.project
    acc = project.access
    placed = dataclasses.replace(data, register=data.placed_register)  # codes with a polygon
    if not data.has_network and acc.fallback == "straight_line":
        return _straight_line_stage(placed)
    return access_for_project(
        placed, minutes=acc.minutes, speed_kmh=acc.speed_kmh, cache_dir=cache_dir
    )


def _straight_line_stage(data: Any) -> Any:
    """Access from straight-line distances times the detour factor (no street network)."""
    from geoseg.access.straight import straight_line_access
    from geoseg.settings import SERVICE_KINDS

    project = data.project
    reg, acc = project.registers, project.access
    table, _ = latest_year(data.register, year_column=reg.year or None)
    counts = table.set_index(table[reg.id].astype(str))
    total = reg.total or "pop_total"
    present = sorted(map(str, data.services["kind"].unique()))
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
        data.services,
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


def isochrone_stage(access: Any, *, minutes: Sequence[float] = ISOCHRONE_MINUTES) -> Any:
    """Isochrones of every service kind: the area within each time of the kind's services.

    Returns
    -------
    GeoDataFrame
        Columns ``kind``, ``minutes``, ``services`` (how many services of the kind) and
        ``geometry``, in the network's CRS (see :func:`geoseg.access.isochrones.kind_isochrones`).
    """
    from geoseg.access.isochrones import kind_isochrones

    snapped = access.snapped_services
    kinds = access.services.loc[snapped.index, "kind"].astype(str).to_numpy()
    return kind_isochrones(
        access.network, snapped, kinds, minutes=minutes, speed_kmh=access.speed_kmh
    )


# --------------------------------------------------------------------------- outputs


def run_project(
    config: str | Path | None = None,
    *,
    output: str | Path | None = None,
    maps: str | Path | None = None,
    stages: Sequence[str] = STAGES,
    lang: str | None = None,
    overwrite: bool = False,
    cache_dir: str | Path | None = None,
    unsuppressed: bool = False,
    level: str | None = None,
    seed: int | None = None,
    network: str | Path | None = None,
    computed: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run the whole job on a project and write its results, maps and report.

    Parameters
    ----------
    config
        The project file (``geoseg.toml``); ``None`` uses the embedded example city.
    output
        Results folder (GeoPackage and CSV). Default: the project's ``[project] output``;
        for the example city ``./output``.
    maps
        Maps folder (``index.html``, one HTML file per map, ``report.html``). Default:
        ``<output>/maps``; for the example city ``./maps``.
    stages
        Any of ``"segregation"``, ``"hotspots"``, ``"trends"``, ``"access"``, ``"maps"``.
    lang
        ``"sv"`` or ``"en"`` labels on maps and in the report (default: the project's).
    overwrite
        Replace files in the output folders that an earlier geoseg run did not write.
    cache_dir
        Where the street network's compact form is cached (default: geoseg's cache folder).
    unsuppressed
        Write raw numbers: small counts are not suppressed, and every file says it is not for
        publication (``geoseg run --unsuppressed``). By default every written table, layer, map
        and the report pass through :mod:`geoseg.publish.disclosure`.
    level
        The area level to analyse (a ``[levels]`` key; default ``[project] level``, else the
        ``[areas]`` level): the register is moved there first (:func:`geoseg.levels.
        project_at_level`). At a level other than the ``[areas]`` level the default results
        folder is ``<output>/<level>``.
    seed
        Replaces the project's ``[indices]`` and ``[hotspots]`` seeds (a national run gives
        each municipality a seed derived from the national seed and its code); ``None`` keeps
        them.
    network
        Replaces the project's ``[network] path`` (a national run gives every municipality the
        arrays of a national extract it read once); clipping and the buffer stay the project's.
    computed
        Parts already computed year by year (a national run's year tasks): ``"indices"`` (the
        table of :func:`segregation_indices` over every year) and ``"hotspots"`` (the mapping
        of :func:`hotspot_local`); the stages then compute only what spans the years.

    Returns
    -------
    RunResult
    """
    from geoseg.io import load_project, read_config

    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        msg = f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}"
        raise InputError(msg)
    example = config is None
    if config is None:
        from geoseg.example import example_config

        config = example_config()
    project = read_config(Path(config))
    if seed is not None:
        project.indices.seed = project.hotspots.seed = int(seed)
    if network is not None:
        project.network.path = Path(network)
    lang = lang or project.project.lang
    out, maps_dir = output_folders(project, output=output, maps=maps, example=example, level=level)
    # before any work: what `geoseg validate -o` reports about the folders, refused alike
    check_outputs(project, output=out, maps=maps_dir, stages=stages, overwrite=overwrite)
    t0 = time.perf_counter()
    logger.info("load ...")
    data = load_project(project)
    from geoseg.levels import project_at_level

    view = project_at_level(data, level)
    result = RunResult(output=out, maps=maps_dir)
    result.timings["load"] = time.perf_counter() - t0
    result.warnings.extend(data.warnings)  # logged by load_project
    if view.steps:
        for note in view.notes:
            logger.warning("%s", note)
        result.warnings.extend(view.notes)
        data = view.data
    for note in check_run(data, stages=stages, output=out):
        logger.warning("%s", note)
        result.warnings.append(note)

    access = None
    result.indicators, result.location_quotients = indicator_stage(data)
    if "segregation" in stages:
        with _timed(result, "segregation"):
            result.indices, result.trend = segregation_stage(
                data, indices=(computed or {}).get("indices")
            )
        if view.steps:  # the level the indices were computed at, as people read it
            label = project.levels[view.level].label(lang)
            for table in (result.indices, result.trend):
                if table is not None and "level" in table:
                    table["level"] = label
    if "hotspots" in stages and (project.hotspots.variables or project.hotspots.rates):
        with _timed(result, "hotspots"):
            result.hotspots, result.hotspot_counts, result.hotspot_changes = hotspot_stage(
                data, local=(computed or {}).get("hotspots")
            )
    if "trends" in stages:
        with _timed(result, "trends"):
            result.follow_up = trends_stage(data)
        if result.follow_up is None:
            result.warnings.append("trends: skipped (see the log: too few years or no year)")
        else:
            result.warnings.extend(result.follow_up.notes)
    straight = project.access.fallback == "straight_line"
    if "access" in stages:
        result.access_note = access_note(data)
    if "access" in stages and data.services is not None and (data.has_network or straight):
        with _timed(result, "access"):
            access = access_stage(data, cache_dir=Path(cache_dir) if cache_dir else None)
        result.access = access.summary
        result.equity = access.equity
        with _timed(result, "isochrones"):
            if data.has_network:
                result.isochrones = isochrone_stage(access)
            else:
                from geoseg.access.straight import straight_line_isochrones

                result.isochrones = straight_line_isochrones(
                    access.services,
                    minutes=ISOCHRONE_MINUTES,
                    speed_kmh=access.speed_kmh,
                    detour=access.detour,
                )
        if len(access.rejected):
            n = len(access.rejected)
            note = f"access: {n} resident or service point(s) not placed on the network"
            result.warnings.append(note)
            logger.warning("%s", note)

    from geoseg.publish.disclosure import Disclosure
    from geoseg.publish.gather import publishable

    disclosure = Disclosure.of(project, unsuppressed=unsuppressed)
    saved = publishable(result, data, access, disclosure=disclosure, maps_dir=maps_dir)

    def write_tables() -> None:
        with _timed(result, "write"):
            _write_tables(result, saved, data, overwrite=overwrite, disclosure=disclosure)

    before = {folder: _snapshot(folder) for folder in (out, maps_dir)}
    try:
        if "maps" in stages:
            from geoseg.publish.run import publish

            # publish checks every map's file, then lets the tables be written, then draws
            with _timed(result, "maps"):
                result.files.extend(
                    publish(
                        saved,
                        maps_dir=maps_dir,
                        lang=lang,
                        overwrite=overwrite,
                        before_writing=write_tables,
                    )
                )
        else:
            write_tables()
    except BaseException:
        _claim_partial(before, project=project.path)
        raise
    return result


def _snapshot(folder: Path) -> dict[str, int]:
    """Names and modification times of the files in ``folder`` (empty when it is absent)."""
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}


def _claim_partial(before: dict[Path, dict[str, int]], *, project: Path) -> None:
    """After a failed run, record the files it wrote as geoseg's, so the next run may replace them.

    Only files that appeared or changed since the run started are added to what the folder's
    manifest already lists; nothing else is claimed.
    """
    from geoseg.io.results import owned_files

    for folder, old in before.items():
        now = _snapshot(folder)
        new = {n for n, t in now.items() if old.get(n) != t and n != MANIFEST}
        if not new:
            continue
        names = (owned_files(folder) | new) - {MANIFEST}
        try:
            write_manifest(folder, [folder / n for n in sorted(names)], project=project)
        except OSError:  # the original error matters more
            logger.debug("could not record the files of the failed run in %s", folder)


def _write_tables(
    result: RunResult, saved: Any, data: Any, *, overwrite: bool, disclosure: Any
) -> None:
    """Write the results folder (:func:`geoseg.io.write_results`): the published tables, the
    GeoPackage of per-area results and the settings that ``geoseg maps`` redraws from."""
    from geoseg.io import write_results

    result.files.extend(
        write_results(
            result.output,
            saved,
            project=data.project.path,
            layers=_gpkg_layers(saved),
            inputs=project_inputs(data.project),
            overwrite=overwrite,
            metadata=disclosure.metadata(),
        )
    )


def _gpkg_layers(saved: Any) -> dict[str, gpd.GeoDataFrame]:
    """Per-area results as GeoPackage layers (areas' geometry, one row per area), as published."""
    areas = saved.areas[["geometry"]].copy()
    areas.insert(0, "code", areas.index.astype(str))
    layers: dict[str, gpd.GeoDataFrame] = {}
    hot = saved.hotspots
    if hot is not None and len(hot):
        latest, _ = latest_year(hot)  # a single-year register has no year: all rows
        names = variable_slugs(latest["variable"])
        for var, rows in latest.groupby("variable"):
            table = rows.set_index("id").drop(columns=["variable"], errors="ignore")
            layers[f"hotspots_{names[var]}"] = areas.join(table, how="inner")
    emerging = saved.emerging
    if emerging is not None and len(emerging):
        names = variable_slugs(emerging["variable"])
        for var, rows in emerging.groupby("variable"):
            table = rows.set_index("id").drop(columns=["variable"], errors="ignore")
            layers[f"emerging_hotspots_{names[var]}"] = areas.join(table, how="inner")
    acc = saved.access
    if acc is not None and len(acc):
        if "group" in acc:
            acc = acc[acc["group"] == acc["group"].iloc[0]]
        kinds = slugs(acc["kind"])
        for kind, rows in acc.groupby("kind"):
            table = rows.set_index("id").drop(columns=["kind"], errors="ignore")
            layers[f"access_{kinds[kind]}"] = areas.join(table, how="inner")
    return layers
