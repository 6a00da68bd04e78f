"""``geoseg check-plan``: who gains and who loses walking access under a proposed plan."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from geoseg.cli._common import (
    config_argument_path,
    deliver,
    emit,
    format_option,
    output_option,
    overwrite_option,
    prepare_outputs,
    unsuppressed_option,
)
from geoseg.publish.disclosure import Disclosure, gate_plan

if TYPE_CHECKING:
    from geoseg.io import ProjectData
    from geoseg.plans import Baseline, PlanCheck

__all__ = ["check_plan"]

logger = logging.getLogger(__name__)

#: Columns of the gain/lose table that are non-zero for a kind the plan changes.
_CHANGE_COLUMNS = (
    "gain",
    "lose",
    "newly_within",
    "no_longer_within",
    "new_residents",
    "new_within",
)


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
    fmt: str,
    output: Path | None,
    overwrite: bool,
    unsuppressed: bool,
) -> None:
    """Check a proposed PLAN (GeoJSON or GeoPackage) against the project's rules.

    Prints the verdict, the rules broken and, per area and service kind, the walking minutes
    and shares before and after. Exit code 0 when the plan passes, 1 when it breaks a rule,
    2 on bad input. With -o, a Folium map of the change is written beside the output
    (same name, ending in .html); neither file replaces an existing one without --overwrite,
    and neither may be the plan, the rules or a file of the project.

    \b
    Examples:
        geoseg check-plan data/plans/new_family_centre.geojson
        geoseg check-plan plan.gpkg --config geoseg.toml --rules rules.toml --format json -o r.json
    """
    from geoseg.io import load_project, project_inputs, read_config
    from geoseg.plans import check_plan as run_check
    from geoseg.plans import compute_baseline, read_plan, read_rules

    project = read_config(config_argument_path(config))
    inputs = [plan, *([rules] if rules is not None else []), *project_inputs(project)]
    map_path = output.with_suffix(".html") if output is not None and not no_map else None
    prepare_outputs([output, map_path], inputs=inputs, overwrite=overwrite)
    rule_set = read_rules(rules)
    data = load_project(project)
    baseline = compute_baseline(data)
    parsed = read_plan(plan, baseline=baseline, layer=layer, max_end_m=max_end_m)
    result = run_check(baseline, parsed, rules=rule_set)
    disclosure = Disclosure.of(data.project, unsuppressed=unsuppressed)
    areas, groups = gate_plan(result.areas, result.groups, disclosure)
    shown = dataclasses.replace(result, areas=areas, groups=groups)
    notice = disclosure.notice()
    if fmt == "json":
        doc = shown.to_dict() | {"disclosure": disclosure.metadata()}
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        deliver(text, output, overwrite=overwrite, inputs=inputs)
    elif fmt == "csv":
        emit(areas, fmt, output=output, overwrite=overwrite, inputs=inputs, notice=notice)
    else:
        text = (f"{notice}\n" if notice else "") + _table_text(shown, _changed_kinds(result))
        deliver(text, output, overwrite=overwrite, inputs=inputs)
    if map_path is not None:
        _write_map(
            baseline,
            result,
            map_path,
            data,
            overwrite=overwrite,
            inputs=inputs,
            disclosure=disclosure,
        )
    click.echo(
        f"verdict: {result.verdict} ({len(result.violations)} rule violation"
        f"{'s' if len(result.violations) != 1 else ''})",
        err=True,
    )
    if not result.passed:
        ctx.exit(1)


def _changed_kinds(r: PlanCheck) -> list[str]:
    """The service kinds whose access the plan changes (walking times, shares or residents)."""
    a = r.areas
    before, after = a["before_share"], a["after_share"]
    moved = (a["change_minutes"].abs() > 1e-9) | (
        (after != before) & before.notna() & after.notna()
    )
    changed = set(a.loc[moved, "kind"])
    g = r.groups
    counts = g[[c for c in _CHANGE_COLUMNS if c in g.columns]].fillna(0)
    changed |= set(g.loc[counts.ne(0).any(axis=1), "kind"])
    return [k for k in dict.fromkeys(map(str, [*a["kind"], *g["kind"]])) if k in changed]


def _table_text(r: PlanCheck, kinds: list[str]) -> str:
    """The plan check as plain-text tables, showing only the kinds the plan changes."""
    import pandas as pd

    from geoseg.cli._common import _table

    parts = [f"verdict: {r.verdict}"]
    v = r.violations
    parts.append("")
    parts.append("violations:" if len(v) else "violations: none")
    if len(v):
        parts.append(_table(v[["rule", "area", "kind", "detail"]]))
    unchanged = [k for k in dict.fromkeys(map(str, r.areas["kind"])) if k not in kinds]
    eq = r.equity[r.equity["kind"].astype(str).isin(kinds)]
    g = r.groups[r.groups["kind"].astype(str).isin(kinds)]
    parts.append("")
    parts.append(f"kinds the plan changes: {', '.join(kinds) or 'none'}")
    if unchanged:
        parts.append(f"kinds the plan does not change: {', '.join(unchanged)}")
    parts += ["", "equity (minutes; gap = most minus least disadvantaged areas):"]
    parts.append(_table(eq) if len(eq) else "none")
    parts += ["", "residents who gain and who lose:", _table(g) if len(g) else "none"]
    a = r.areas
    changed = a[(a["change_minutes"].abs() > 1e-9) | (a["after_share"] != a["before_share"])]
    changed = changed.reindex(changed["change_minutes"].abs().sort_values(ascending=False).index)
    parts += ["", f"areas whose walking time changes ({len(changed)} of {len(a)} rows):"]
    with pd.option_context("display.max_rows", 60):
        parts.append(_table(changed.head(60)) if len(changed) else "none")
    return "\n".join(parts) + "\n"


def _write_map(
    b: Baseline,
    r: PlanCheck,
    path: Path,
    data: ProjectData,
    *,
    overwrite: bool,
    inputs: list[Path],
    disclosure: Disclosure,
) -> None:
    try:
        from geoseg.publish.maps import plan_map, save_map
    except ImportError:  # pragma: no cover - the maps package is part of geoseg
        logger.warning("geoseg.publish.maps.plan_map is not available; no map written")
        return
    areas_tab = r.areas
    kind_col = areas_tab["kind"].astype(str)
    every = list(dict.fromkeys(kind_col))
    # every kind the plan changes somewhere (by at least half a minute, the map's "no change"),
    # the largest total change first; the map shows them one at a time (radio buttons)
    mag = areas_tab["change_minutes"].abs()
    totals = mag.groupby(kind_col).sum().sort_values(ascending=False, kind="stable")
    peak = mag.groupby(kind_col).max()
    kinds = [str(k) for k in totals.index if peak[k] >= 0.5] or every[:1]
    table = areas_tab[kind_col.isin(kinds)].rename(columns={"residents_after": "residents"})
    feats = r.features
    m = plan_map(
        b.areas,
        table,
        kind=kinds or None,
        features=feats[["action", "name", "geometry"]],
        title=f"{b.title}: {Path(r.summary['plan']).name}",
        lang=b.lang,
        fictional=b.fictional,
        threshold=disclosure.effective,
        name_column=data.project.areas.name or "name",
    )
    save_map(m, path, overwrite=overwrite, inputs=inputs, metadata=disclosure.metadata())
    click.echo(f"wrote {path}", err=True)
