"""``geoseg check-plan``: who gains and who loses walking access under a proposed plan."""

from __future__ import annotations

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
from geoseg.publish.disclosure import Disclosure, gate_plan_check, suppressed_label

if TYPE_CHECKING:
    from geoseg.io import Project, ProjectData
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
    2 on bad input. The reviewer's verdict page (HTML) is always written: beside the -o file
    (same name, .html), else as output/plan_NAME.html in the project's output folder, with the
    plan map beside it (NAME_map.html). No file replaces one geoseg did not write without
    --overwrite, and none may be the plan, the rules or a file of the project.

    \b
    Examples:
        geoseg check-plan data/plans/new_family_centre.geojson
        geoseg check-plan plan.gpkg --config geoseg.toml --rules rules.toml --format json -o r.json
    """
    from geoseg.io import load_project, project_inputs, read_config
    from geoseg.io.results import check_output_folder
    from geoseg.plans import check_plan as run_check
    from geoseg.plans import compute_baseline, read_plan, read_rules

    project = read_config(config_argument_path(config))
    inputs = [plan, *([rules] if rules is not None else []), *project_inputs(project)]
    page, map_file = _page_paths(plan, output, project, example=config is None)
    map_path = None if no_map else map_file
    # every target is checked before anything is written: -o follows --overwrite; the page and
    # its map may replace only files an earlier geoseg run recorded in that folder's manifest
    prepare_outputs([output], inputs=inputs, overwrite=overwrite)
    check_output_folder(page.parent, [p.name for p in (page, map_path) if p], overwrite=overwrite)
    prepare_outputs([page, map_path], inputs=inputs, overwrite=True)
    rule_set = read_rules(rules)
    data = load_project(project)
    baseline = compute_baseline(data)
    parsed = read_plan(plan, baseline=baseline, layer=layer, max_end_m=max_end_m)
    result = run_check(baseline, parsed, rules=rule_set)
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
        text = (f"{notice}\n" if notice else "") + _table_text(
            shown, rule_set, data, disclosure=disclosure
        )
        deliver(text, output, overwrite=overwrite, inputs=inputs)
    _write_page(
        baseline,
        shown,
        rule_set,
        data,
        page=page,
        map_path=map_path,
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


def _table_text(r: PlanCheck, rules: object, data: ProjectData, *, disclosure: Disclosure) -> str:
    """The plan check as plain text that fits 100 columns: verdict, rules, gains, areas.

    Numbers are plain (whole persons, minutes with one decimal), areas by name, groups and
    service kinds by label; only the kinds the plan changes are listed.
    """
    import textwrap

    import pandas as pd

    from geoseg.i18n import kind_label
    from geoseg.publish.verdict import rule_findings

    width = 100
    name_col = data.project.areas.name or "name"
    names = (
        {str(c): str(n) for c, n in data.areas[name_col].items()}
        if name_col in data.areas.columns
        else {}
    )
    findings = rule_findings(r, rules, names=names, lang="en", disclosure=disclosure)
    broken = sum(f["status"] == "broken" for f in findings)
    active = sum(f["status"] != "off" for f in findings)
    head = (
        f"VERDICT: FAIL, the plan breaks {broken} of {active} rules"
        if broken
        else f"VERDICT: PASS, the plan keeps all {active} rules"
    )
    parts = [head, "", "Rules:"]
    status = {"ok": "kept", "broken": "BROKEN", "off": "off"}
    for f in findings:
        parts.append(f"  [{status[f['status']]}] {f['rule']}")
        for label, text in (
            ("protects", f["protects"]),
            ("threshold", f["threshold"]),
            ("measured", f["measured"]),
        ):
            parts += textwrap.wrap(
                f"{label}: {text}",
                width=width,
                initial_indent="      ",
                subsequent_indent="        ",
            )
    kinds = _changed_kinds(r)
    unchanged = [k for k in dict.fromkeys(map(str, r.areas["kind"])) if k not in kinds]
    parts.append("")
    parts += textwrap.wrap(
        "Services the plan changes: "
        + (", ".join(kind_label(k, "en") for k in kinds) or "none")
        + (
            "; unchanged: " + ", ".join(kind_label(k, "en") for k in unchanged) if unchanged else ""
        ),
        width=width,
    )
    threshold = disclosure.effective
    hidden = suppressed_label(threshold)
    definitions = data.project.indicators

    def persons(v: float) -> str:
        if not pd.notna(v):
            return hidden
        n = round(float(v))
        return hidden if 0 < n < threshold else f"{n:,d}"

    def share(v: float) -> str:
        return f"{100 * v:.0f} %" if pd.notna(v) else hidden

    def short(text: str, n: int) -> str:
        return text if len(text) <= n else text[: n - 1] + "…"

    g = r.groups[r.groups["kind"].astype(str).isin(kinds)]
    parts += ["", "Residents who gain and who lose (whole persons):"]
    if len(g):
        tab = pd.DataFrame(
            {
                "Service": [short(kind_label(str(k), "en"), 16) for k in g["kind"]],
                "Group": [short(group_name(str(x), definitions, "en"), 26) for x in g["group"]],
                "Residents": [persons(v) for v in g["residents"]],
                "Gain": [persons(v) for v in g["gain"]],
                "Lose": [persons(v) for v in g["lose"]],
                "Newly within": [persons(v) for v in g["newly_within"]],
                "No longer within": [persons(v) for v in g["no_longer_within"]],
            }
        )
        parts.append(tab.to_string(index=False))
    else:
        parts.append("  none")
    a = r.areas
    shares_moved = (a["after_share"] != a["before_share"]) & a["after_share"].notna()
    changed = a[(a["change_minutes"].abs() > 1e-9) | shares_moved]
    changed = changed.reindex(changed["change_minutes"].abs().sort_values(ascending=False).index)
    parts += ["", f"Areas whose walking time changes ({len(changed)} of {len(a)} rows, minutes):"]
    if len(changed):
        top = changed.head(40)

        def minutes(v: float) -> str:
            return "unreachable" if not pd.notna(v) or v == float("inf") else f"{v:.1f}"

        tab = pd.DataFrame(
            {
                "Area": [short(names.get(str(c), str(c)), 24) for c in top["id"]],
                "Code": top["id"].astype(str).to_numpy(),
                "Service": [short(kind_label(str(k), "en"), 16) for k in top["kind"]],
                "Before": [minutes(v) for v in top["before_minutes"]],
                "After": [minutes(v) for v in top["after_minutes"]],
                "Change": [f"{v:+.1f}" for v in top["change_minutes"]],
                "Within before": [share(v) for v in top["before_share"]],
                "Within after": [share(v) for v in top["after_share"]],
            }
        )
        parts.append(tab.to_string(index=False))
    else:
        parts.append("  none")
    return "\n".join(parts) + "\n"


def group_name(group: str, definitions: object, lang: str) -> str:
    """A register group in words: the translation table, else the indicator it counts."""
    from geoseg.i18n import group_label
    from geoseg.indicators import indicator_label

    return group_label(group, lang) or indicator_label(group, definitions, lang)  # type: ignore[arg-type]


def _page_paths(
    plan: Path, output: Path | None, project: Project, *, example: bool
) -> tuple[Path, Path]:
    """The verdict page and its map: beside ``-o``, else in the project's output folder."""
    from geoseg.io import slug

    if output is not None:
        page = output.with_suffix(".html")
        if page.resolve() == output.resolve():
            page = output.with_name(output.stem + "_verdict.html")
    else:
        folder = Path("output") if example else project.output
        page = Path(folder) / f"plan_{slug(plan.stem)}.html"
    return page, page.with_name(page.stem + "_map.html")


def _write_page(
    b: Baseline,
    r: PlanCheck,
    rules: object,
    data: ProjectData,
    *,
    page: Path,
    map_path: Path | None,
    overwrite: bool,
    inputs: list[Path],
    disclosure: Disclosure,
) -> None:
    """Write the reviewer's verdict page (always) and the plan map beside it (unless --no-map).

    The targets were checked before anything was written (inputs refused, foreign files kept
    unless ``overwrite``); the folder's manifest records what geoseg wrote.
    """
    from geoseg.io.results import owned_files, write_manifest
    from geoseg.publish.verdict import write_verdict_page

    folder = page.parent
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if map_path is not None:
        _write_map(
            b,
            r,
            map_path,
            data,
            overwrite=True,
            inputs=inputs,
            disclosure=disclosure,
        )
        written.append(map_path)
    name_col = data.project.areas.name or "name"
    area_names = (
        {str(c): str(n) for c, n in data.areas[name_col].items()}
        if name_col in data.areas.columns
        else {}
    )
    definitions = data.project.indicators
    groups = {str(g): group_name(str(g), definitions, b.lang) for g in r.groups["group"]}
    written.append(
        write_verdict_page(
            page,
            r,
            rules,
            title=f"{b.title}: {Path(r.summary['plan']).name}",
            lang=b.lang,
            names=area_names,
            group_labels=groups,
            fictional=b.fictional,
            threshold=disclosure.effective,
            map_file=None if map_path is None else map_path.name,
            inputs=inputs,
            metadata=disclosure.metadata(),
            disclosure=disclosure,
        )
    )
    ours = [folder / n for n in owned_files(folder) if (folder / n).exists()]
    write_manifest(folder, [*ours, *written], project=data.project.path)
    click.echo(f"wrote {page}", err=True)


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
        from geoseg.publish.maps import MapStyle, plan_map, save_map, street_lines
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
        style=MapStyle(
            lang=b.lang,
            fictional=b.fictional,
            threshold=disclosure.effective,
            name_column=data.project.areas.name or "name",
            water=getattr(data, "water", None),
            streets=street_lines(b.network, areas=b.areas) if b.network.n_edges else None,
        ),
    )
    save_map(m, path, overwrite=overwrite, inputs=inputs, metadata=disclosure.metadata())
    click.echo(f"wrote {path}", err=True)
