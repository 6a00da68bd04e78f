"""``geoseg check-plan``: who gains and who loses walking access under a proposed plan."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from geoseg.cli._common import config_argument_path, emit, format_option, output_option

if TYPE_CHECKING:
    from geoseg.io import ProjectData
    from geoseg.plans import Baseline, PlanCheck

__all__ = ["check_plan"]

logger = logging.getLogger(__name__)


@click.command("check-plan")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Project file (geoseg.toml); default the embedded example city.",
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
@format_option()
@output_option("Write the result to this file (the map is written beside it, as .html).")
@click.pass_context
def check_plan(
    ctx: click.Context,
    plan: Path,
    config: Path | None,
    rules: Path | None,
    layer: str | None,
    max_end_m: float,
    no_map: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Check a proposed PLAN (GeoJSON or GeoPackage) against the project's rules.

    Prints the verdict, the rules broken and, per area and service kind, the walking minutes
    and shares before and after. Exit code 0 when the plan passes, 1 when it breaks a rule,
    2 on bad input. With -o, a Folium map of the change is written beside the output.

    \b
    Examples:
        geoseg check-plan data/plans/new_family_centre.geojson
        geoseg check-plan plan.gpkg --config geoseg.toml --rules rules.toml --format json -o r.json
    """
    from geoseg.io import load_project
    from geoseg.plans import check_plan as run_check
    from geoseg.plans import compute_baseline, read_plan, read_rules

    rule_set = read_rules(rules)
    data = load_project(config_argument_path(config))
    baseline = compute_baseline(data)
    parsed = read_plan(plan, baseline=baseline, layer=layer, max_end_m=max_end_m)
    result = run_check(baseline, parsed, rules=rule_set)
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
        if output is None:
            click.echo(text)
        else:
            from geoseg._atomic import write_text

            write_text(output, text + "\n")
            click.echo(f"wrote {output}", err=True)
    elif fmt == "csv":
        emit(result.areas, fmt, output=output)
    else:
        _print_table(result, output)
    if output is not None and not no_map:
        _write_map(baseline, result, output.with_suffix(".html"), data)
    click.echo(
        f"verdict: {result.verdict} ({len(result.violations)} rule violation"
        f"{'s' if len(result.violations) != 1 else ''})",
        err=True,
    )
    if not result.passed:
        ctx.exit(1)


def _print_table(r: PlanCheck, output: Path | None) -> None:
    import pandas as pd

    from geoseg.cli._common import _table

    parts = [f"verdict: {r.verdict}"]
    v = r.violations
    parts.append("")
    parts.append("violations:" if len(v) else "violations: none")
    if len(v):
        parts.append(_table(v[["rule", "area", "kind", "detail"]]))
    eq = r.equity
    parts += ["", "equity (minutes; gap = most minus least disadvantaged areas):", _table(eq)]
    g = r.groups
    parts += ["", "residents who gain and who lose:", _table(g)]
    a = r.areas
    changed = a[(a["change_minutes"].abs() > 1e-9) | (a["after_share"] != a["before_share"])]
    changed = changed.reindex(changed["change_minutes"].abs().sort_values(ascending=False).index)
    parts += ["", f"areas whose walking time changes ({len(changed)} of {len(a)} rows):"]
    with pd.option_context("display.max_rows", 60):
        parts.append(_table(changed.head(60)) if len(changed) else "none")
    text = "\n".join(parts) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        from geoseg._atomic import write_text

        write_text(output, text)
        click.echo(f"wrote {output}", err=True)


def _write_map(b: Baseline, r: PlanCheck, path: Path, data: ProjectData) -> None:
    try:
        from geoseg.maps import plan_map, save_map
    except ImportError:  # pragma: no cover - the maps package is part of geoseg
        logger.warning("geoseg.maps.plan_map is not available; no map written")
        return
    areas_tab = r.areas
    kinds = list(dict.fromkeys(areas_tab["kind"]))
    changed = areas_tab.assign(mag=areas_tab["change_minutes"].abs()).groupby("kind")["mag"].sum()
    kind = str(changed.idxmax()) if len(changed) else (kinds[0] if kinds else None)
    table = areas_tab[areas_tab["kind"] == kind].rename(columns={"residents_after": "residents"})
    feats = r.features
    m = plan_map(
        b.areas,
        table,
        kind=kind,
        features=feats[["action", "name", "geometry"]],
        title=f"{b.title}: {Path(r.summary['plan']).name}",
        lang=b.lang,
        fictional=b.fictional,
        threshold=data.project.disclosure.threshold,
        name_column=data.project.areas.name or "name",
    )
    save_map(m, path)
    click.echo(f"wrote {path}", err=True)
