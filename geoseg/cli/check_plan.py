"""``geoseg check-plan``: who gains and who loses walking access under a proposed plan."""

from __future__ import annotations

import json
from pathlib import Path

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
    unsuppressed_option,
)

__all__ = ["check_plan"]


@click.command("check-plan")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Project file (default ./geoseg.toml when present, else the embedded example city).",
)
@click.option(
    "--rules",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rules file (TOML); default rules are documented in data/plans/rules.toml.",
)
@click.option("--layer", help="GeoPackage layer of the plan (default the first).")
@click.option(
    "--max-end-m",
    type=float,
    default=50.0,
    show_default=True,
    help="Farthest a new path's end may be from a street.",
)
@click.option("--no-map", is_flag=True, help="Do not write the HTML map of the change.")
@level_option()
@format_option()
@output_option("Write the result to this file (the map is written beside it, as .html).")
@overwrite_option()
@unsuppressed_option()
@click.pass_context
def check_plan(
    ctx: click.Context,
    plan: Path,
    config: Path | None,
    rules: Path | None,
    layer: str | None,
    max_end_m: float,
    no_map: bool,
    level: str | None,
    fmt: str,
    output: Path | None,
    overwrite: bool,
    unsuppressed: bool,
) -> None:
    """Check a proposed PLAN (GeoJSON or GeoPackage) against the project's rules.

    Prints the verdict, the rules broken and, per area and service kind, the walking minutes
    and shares before and after. Exit code 0 when the plan passes, 1 when it breaks a rule,
    2 on bad input. The reviewer's verdict page (HTML) is always written: beside the -o file
    (same name, .html), else as output/plan_NAME.html in the project's output folder, with the
    plan map beside it (NAME_map.html). No file replaces one geoseg did not write without
    --overwrite, and none may be the plan, the rules or a file of the project.

    \b
    Examples:
        geoseg check-plan data/plans/new_family_centre.geojson
        geoseg check-plan plan.gpkg --config geoseg.toml --rules rules.toml --format json -o r.json
    """
    from geoseg.io import project_inputs, read_config, read_plan, read_rules
    from geoseg.io.results import check_output_folder
    from geoseg.plans import check_plan as run_check
    from geoseg.plans import compute_baseline
    from geoseg.publish.plan_check import (
        area_names,
        plan_check_text,
        verdict_paths,
        write_plan_check,
    )

    project = read_config(config_argument_path(config))
    inputs = [plan, *([rules] if rules is not None else []), *project_inputs(project)]
    page, map_file = verdict_paths(plan, output, project, example=config is None)
    map_path = None if no_map else map_file
    # every target is checked before anything is written: -o follows --overwrite; the page and
    # its map may replace only files an earlier geoseg run recorded in that folder's manifest
    prepare_outputs([output], inputs=inputs, overwrite=overwrite)
    check_output_folder(page.parent, [p.name for p in (page, map_path) if p], overwrite=overwrite)
    prepare_outputs([page, map_path], inputs=inputs, overwrite=True)
    rule_set = read_rules(rules)
    data = load_at_level(project, level)
    baseline = compute_baseline(data)
    parsed = read_plan(plan, baseline=baseline, layer=layer, max_end_m=max_end_m)
    result = run_check(baseline, parsed, rules=rule_set)
    from geoseg.publish.disclosure import Disclosure, gate_plan_check

    disclosure = Disclosure.of(data.project, unsuppressed=unsuppressed)
    shown = gate_plan_check(result, disclosure)
    areas = shown.areas
    notice = disclosure.notice()
    if fmt == "json":
        doc = shown.to_dict() | {"disclosure": disclosure.metadata()}
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        deliver(text, output, overwrite=overwrite, inputs=inputs)
    elif fmt == "csv":
        emit(areas, fmt, output=output, overwrite=overwrite, inputs=inputs, notice=notice)
    else:
        text = (f"{notice}\n" if notice else "") + plan_check_text(
            shown,
            rule_set,
            names=area_names(data),
            definitions=data.project.indicators,
            disclosure=disclosure,
        )
        deliver(text, output, overwrite=overwrite, inputs=inputs)
    for path in write_plan_check(
        baseline,
        shown,
        rule_set,
        data,
        page=page,
        map_path=map_path,
        inputs=inputs,
        disclosure=disclosure,
    ):
        click.echo(f"wrote {path}", err=True)
    click.echo(
        f"verdict: {result.verdict} ({len(result.violations)} rule violation"
        f"{'s' if len(result.violations) != 1 else ''})",
        err=True,
    )
    if not result.passed:
        ctx.exit(1)
