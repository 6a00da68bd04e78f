"""The whole job on one project: load, analyse, write tables, maps and the report.

``geoseg run`` is a thin wrapper around :func:`run_project`. Each stage is a plain function of
:mod:`geoseg.stages` that takes the loaded project and returns tables; :func:`run_project`
chains them and writes every output atomically into the output folder, refusing to replace
files it did not write itself.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoseg.errors import InputError
from geoseg.io import (
    project_inputs,
)
from geoseg.io.results import MANIFEST, write_manifest
from geoseg.preflight import access_note, check_outputs, check_run, output_folders
from geoseg.segregation.trend import indices_with_unplaced
from geoseg.settings import STAGES
from geoseg.stages import (
    Computed,
    access_stage,
    hotspot_stage,
    indicator_stage,
    isochrone_stage,
    segregation_stage,
    series_breaks,
    trends_stage,
)

if TYPE_CHECKING:
    from geoseg.access import AccessResults
    from geoseg.access.straight import StraightLineAccess
    from geoseg.io import SavedResults
    from geoseg.io.project import ProjectData
    from geoseg.publish.disclosure import Disclosure
    from geoseg.trends import ProjectTrends

    #: What the access stage returns: over the street network, or from straight lines.
    Access = AccessResults | StraightLineAccess

__all__ = [
    "STAGES",
    "RunResult",
    "access_note",
    "check_run",
    "indices_with_unplaced",
    "run_project",
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
    level
        The ``[levels]`` key of the area level the run analysed (``None`` for a project
        without ``[levels]``).
    """

    output: Path
    maps: Path
    indices: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    hotspot_counts: pd.DataFrame | None = None
    hotspot_changes: pd.DataFrame | None = None
    follow_up: ProjectTrends | None = None
    access: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    #: CPU seconds (user + system, this process and the programs it waited for) per stage
    cpu_timings: dict[str, float] = field(default_factory=dict)
    access_note: str | None = None
    indicators: pd.DataFrame | None = None
    location_quotients: pd.DataFrame | None = None
    level: str | None = None


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished child processes."""
    return float(sum(os.times()[:4]))


@contextmanager
def _timed(result: RunResult, stage: str) -> Iterator[None]:
    t0, c0 = time.perf_counter(), _cpu_seconds()
    logger.info("%s ...", stage)
    yield
    result.timings[stage] = time.perf_counter() - t0
    result.cpu_timings[stage] = _cpu_seconds() - c0
    logger.info("%s done in %.1f s", stage, result.timings[stage])


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
    computed: Computed | None = None,
    workers: int | None = None,
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
        Parts already computed year by year (a national run's year tasks,
        :class:`geoseg.stages.Computed`): ``"indices"`` (the table of
        :func:`geoseg.stages.segregation_indices` over every year) and ``"hotspots"`` (the
        mapping of :func:`geoseg.stages.hotspot_local`); the stages then compute only what
        spans the years.
    workers
        Processes the analysis stages use: with 2, hotspots, trends, access and isochrones run
        in a second process while segregation runs in this one (same results, less waiting on
        a machine with two or more cores); 1 runs them one after another. Default:
        ``$GEOSEG_WORKERS``, else 1 (``geoseg run`` uses 2).

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
    t0, c0 = time.perf_counter(), _cpu_seconds()
    logger.info("load ...")
    data = load_project(project)
    from geoseg.levels import level_names, project_at_level

    view = project_at_level(data, level)
    result = RunResult(output=out, maps=maps_dir)
    result.level = view.level or next(iter(level_names(project)), None)
    result.timings["load"] = time.perf_counter() - t0
    result.cpu_timings["load"] = _cpu_seconds() - c0
    result.warnings.extend(data.warnings)  # logged by load_project
    if view.steps:
        for note in view.notes:
            logger.warning("%s", note)
        result.warnings.extend(view.notes)
        data = view.data
    for note in check_run(data, stages=stages, output=out):
        logger.warning("%s", note)
        result.warnings.append(note)

    result.indicators, result.location_quotients = indicator_stage(data)
    side = None
    if _stage_workers(workers) > 1 and "segregation" in stages:
        side = _start_side_stages(
            data, stages=stages, cache_dir=cache_dir, result=result, computed=computed
        )
    if "segregation" in stages:
        try:
            with _timed(result, "segregation"):
                result.indices, result.trend = segregation_stage(
                    data, indices=(computed or {}).get("indices")
                )
        except BaseException:
            if side is not None:
                side.cancel()
            raise
        if view.steps:  # the level the indices were computed at (its key: labelled when shown)
            for table in (result.indices, result.trend):
                if table is not None and "level" in table:
                    table["level"] = view.level
    if side is None:
        access = _other_stages(
            data, stages=stages, cache_dir=cache_dir, result=result, computed=computed
        )
    else:
        other, access = side.result()
        _merge(result, other)

    from geoseg.publish.disclosure import Disclosure
    from geoseg.publish.gather import publishable

    disclosure = Disclosure.of(project, unsuppressed=unsuppressed)
    saved = publishable(
        result, data, access, disclosure=disclosure, maps_dir=maps_dir, cache_dir=cache_dir
    )

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


def _other_stages(
    data: ProjectData,
    *,
    stages: Sequence[str],
    cache_dir: str | Path | None,
    result: RunResult,
    computed: Computed | None = None,
) -> Access | None:
    """Run the hotspots, trends, access and isochrone stages, filling ``result``.

    Returns the access stage's results (``None`` when access was not computed).
    """
    access = None
    project = data.project
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
            result.isochrones = isochrone_stage(access)
        if len(access.rejected):
            n = len(access.rejected)
            note = f"access: {n} resident or service point(s) not placed on the network"
            result.warnings.append(note)
            logger.warning("%s", note)
    return access


#: The results the side stages fill in (:func:`_other_stages`), merged back in this order.
_SIDE_FIELDS = (
    "hotspots",
    "hotspot_counts",
    "hotspot_changes",
    "follow_up",
    "access_note",
    "access",
    "equity",
    "isochrones",
)


def _stage_workers(workers: int | None) -> int:
    """How many processes run the stages: ``workers``, else ``$GEOSEG_WORKERS``, else 1.

    A process that may not start others (a daemonic worker, such as a Dask worker of a
    national run) always runs them itself.
    """
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1
    if workers is None:
        env = os.environ.get("GEOSEG_WORKERS", "").strip()
        try:
            workers = int(env) if env else 1
        except ValueError:
            msg = f"GEOSEG_WORKERS={env!r}: give a whole number of processes (1 or 2)"
            raise InputError(msg) from None
    return max(int(workers), 1)


def _side_run(
    data: ProjectData,
    stages: Sequence[str],
    cache_dir: str | Path | None,
    out: Path,
    computed: Computed | None,
) -> tuple[RunResult, Access | None]:
    """The side stages in a worker process: their results, timings and the access results."""
    part = RunResult(output=out, maps=out)
    access = _other_stages(data, stages=stages, cache_dir=cache_dir, result=part, computed=computed)
    return part, access


class _SideStages:
    """Hotspots, trends, access and isochrones running in a second process beside segregation.

    The stages depend only on the loaded project (each draws from its own seeded random
    generator, :func:`geoseg.settings.random_generator`), so their results are the same in
    either process; an error raised there is raised here when :meth:`result` is called, after
    segregation's own.
    """

    def __init__(self, pool: Any, future: Any) -> None:
        self._pool, self._future = pool, future

    def result(self) -> tuple[RunResult, Access | None]:
        try:
            return self._future.result()  # type: ignore[no-any-return]
        finally:
            self._pool.shutdown(wait=True)

    def cancel(self) -> None:
        self._future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_side_stages(
    data: ProjectData,
    *,
    stages: Sequence[str],
    cache_dir: str | Path | None,
    result: RunResult,
    computed: Computed | None = None,
) -> _SideStages | None:
    """Start :func:`_other_stages` in a second process (``None`` when there is nothing to run)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not set(stages) & {"hotspots", "trends", "access"}:
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    logger.info("hotspots, trends and access run in a second process beside segregation")
    return _SideStages(
        pool, pool.submit(_side_run, data, stages, cache_dir, result.output, computed)
    )


def _merge(result: RunResult, part: RunResult) -> None:
    """Copy the side stages' results, timings and warnings into the run's ``result``."""
    for name in _SIDE_FIELDS:
        setattr(result, name, getattr(part, name))
    result.timings.update(part.timings)
    result.cpu_timings.update(part.cpu_timings)
    result.warnings.extend(part.warnings)


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
    result: RunResult,
    saved: SavedResults,
    data: ProjectData,
    *,
    overwrite: bool,
    disclosure: Disclosure,
) -> None:
    """Write the results folder (:func:`geoseg.io.write_results`): the published tables, the
    GeoPackage of per-area results and the settings that ``geoseg maps`` redraws from."""
    from geoseg.io import write_results
    from geoseg.publish.gather import gpkg_layers

    result.files.extend(
        write_results(
            result.output,
            saved,
            project=data.project.path,
            layers=gpkg_layers(saved),
            inputs=project_inputs(data.project),
            overwrite=overwrite,
            metadata=disclosure.metadata(),
        )
    )
