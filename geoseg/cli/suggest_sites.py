"""``geoseg suggest-sites``: where new services of a kind would serve the greatest need."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from geoseg.cli._common import (
    config_argument_path,
    deliver,
    emit,
    format_option,
    level_option,
    load_at_level,
    output_option,
    overwrite_option,
    prepare_outputs,
    records,
)

__all__ = ["plan_paths", "suggest_sites"]

logger = logging.getLogger(__name__)


def plan_paths(output: Path, n: int) -> list[Path]:
    """Plan files written beside ``output``: ``<stem>-site-01.geojson``, ... (best first)."""
    return [output.with_name(f"{output.stem}-site-{r:02d}.geojson") for r in range(1, n + 1)]


@click.command("suggest-sites")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Project file (default ./geoseg.toml when present, else the embedded example city).",
)
@click.option("--kind", default="family_centre", show_default=True, help="Service kind.")
@click.option("--count", type=int, default=1, show_default=True, help="New sites to choose.")
@click.option(
    "--objective",
    type=click.Choice(["covering", "median", "equity"]),
    default="covering",
    show_default=True,
    help="covering: most need within --minutes; median: least need-weighted walk; "
    "equity: the shortest mean walk of the worst district (or quintile, --equity).",
)
@click.option("--minutes", type=float, help="Walking threshold; default the project's.")
@click.option(
    "--candidates",
    default="areas",
    show_default=True,
    help="'areas' (one street node per area), 'nodes' (every street node) or a file of "
    "candidate points or parcels.",
)
@click.option("--within", help="Comma-separated area codes to take candidates from.")
@click.option("--group", help="Register column of the need; default the kind's demand group.")
@click.option(
    "--need-share",
    help="Weight the need by an area share, e.g. low_economic_standard (column / total).",
)
@click.option("--close", type=int, default=0, show_default=True, help="Services that must close.")
@click.option("--per-district", is_flag=True, help="At least one service in every district.")
@click.option("--capacity", type=float, help="Capacity of a new site (default: the median).")
@click.option("--capacity-limit", is_flag=True, help="Limit the need a new site serves.")
@click.option(
    "--min-distance", type=float, default=0.0, show_default=True, help="Metres between sites."
)
@click.option(
    "--equity",
    type=click.Choice(["district", "quintile"]),
    default="district",
    show_default=True,
    help="Groups of the equity objective.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "exact", "greedy"]),
    default="auto",
    show_default=True,
    help="exact: mixed-integer (HiGHS); greedy: fast, with a bound; auto: exact when small.",
)
@click.option(
    "--time-limit", type=float, default=120.0, show_default=True, help="Seconds for exact."
)
@click.option("--no-map", is_flag=True, help="Do not write the HTML map of the suggestions.")
@level_option()
@format_option()
@output_option(
    "Write the table to this file; the plan of each suggestion is written beside it "
    "(<name>-site-01.geojson, best first) with the map (<name>.html)."
)
@overwrite_option()
def suggest_sites(
    config: Path | None,
    kind: str,
    count: int,
    objective: str,
    minutes: float | None,
    candidates: str,
    within: str | None,
    group: str | None,
    need_share: str | None,
    close: int,
    per_district: bool,
    capacity: float | None,
    capacity_limit: bool,
    min_distance: float,
    equity: str,
    method: str,
    time_limit: float,
    no_map: bool,
    level: str | None,
    fmt: str,
    output: Path | None,
    overwrite: bool,
) -> None:
    """Suggest COUNT new sites of a service KIND where they serve the greatest need.

    Prints a ranked table: suggestion r opens the r best sites; persons of the need group
    newly within the threshold (counts under the disclosure threshold are suppressed), the
    change in their mean walk and in the equity gap. With -o, each suggestion is also written
    as a plan file that `geoseg check-plan` reads, and a map. Exit 2 on bad input.

    \b
    Examples:
        geoseg suggest-sites --kind family_centre --count 3 --objective median
        geoseg suggest-sites --count 2 --candidates nodes --within 0101,0102 -o out/fc.csv
    """
    from geoseg.errors import InputError
    from geoseg.io import project_inputs, read_layer, write_plan
    from geoseg.plans import compute_baseline
    from geoseg.plans import suggest_sites as run_suggest
    from geoseg.publish.disclosure import Disclosure
    from geoseg.publish.plan_check import sites_document, sites_table

    data = load_at_level(config_argument_path(config), level)
    baseline = compute_baseline(data)
    source: Any = candidates
    if candidates not in {"areas", "nodes"}:
        path = Path(candidates)
        if not path.is_file():
            msg = (
                f"--candidates {candidates}: no such file; give 'areas', 'nodes' or a file of "
                "candidate points or parcels (GeoPackage, GeoJSON, shapefile)."
            )
            raise InputError(msg)
        source = read_layer(path, crs=str(baseline.areas.crs))
    kinds = dict(getattr(data.project.services, "kinds", {}) or {})
    result = run_suggest(
        baseline,
        kind=kind,
        count=count,
        objective=objective,
        minutes=minutes,
        candidates=source,
        within=[c.strip() for c in within.split(",") if c.strip()] if within else None,
        group=group or kinds.get(kind),
        need_share=need_share,
        close=close,
        per_district=per_district,
        capacity=capacity,
        capacity_limit=capacity_limit,
        min_distance_m=min_distance,
        equity=equity,
        method=method,
        time_limit=time_limit,
        name_column=data.project.areas.name or "name",
    )
    disclosure = Disclosure.of(data.project)
    table = sites_table(result, threshold=disclosure.effective)
    inputs = [
        *project_inputs(data.project),
        *([Path(candidates)] if source is not candidates else []),
    ]
    if output is not None:  # every target is checked, and named, before any is written
        targets = [output, *plan_paths(output, len(result.sites))]
        targets += [] if no_map else [output.with_suffix(".html")]
        prepare_outputs(targets, inputs=inputs, overwrite=overwrite)
    if fmt == "json":
        deliver(
            json.dumps(
                sites_document(result, records(table), metadata=disclosure.metadata()),
                ensure_ascii=False,
                indent=1,
            ),
            output,
            overwrite=overwrite,
            inputs=inputs,
        )
    else:
        emit(table, fmt, output=output, overwrite=overwrite, inputs=inputs)
    if output is not None:
        written = plan_paths(output, len(result.sites))
        for rank, path in enumerate(written, 1):  # names from the output's stem only
            write_plan(result.plan(rank), path, overwrite=overwrite, inputs=inputs)
            click.echo(f"wrote {path}", err=True)
        if not no_map and written:
            from geoseg.io import read_plan
            from geoseg.plans import check_plan
            from geoseg.publish.plan_check import write_sites_map

            map_path = output.with_suffix(".html")
            checked = check_plan(baseline, read_plan(written[-1], baseline=baseline))
            write_sites_map(
                baseline,
                checked,
                result,
                map_path,
                data,
                disclosure=disclosure,
                overwrite=overwrite,
                inputs=inputs,
            )
            click.echo(f"wrote {map_path}", err=True)
    sol = result.solution
    click.echo(
        f"{sol.method}: objective {sol.objective:.6g}, bound {sol.bound:.6g}, "
        f"gap {sol.gap:.2%}" + (f" ({sol.guarantee})" if sol.guarantee else ""),
        err=True,
    )
