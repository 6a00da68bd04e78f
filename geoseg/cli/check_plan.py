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
)

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
    2 on bad input. The reviewer's verdict page (HTML) is always written: beside the -o file
    (same name, .html), else as output/plan_NAME.html in the project's output folder, with the
    plan map beside it (NAME_map.html).

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
        deliver(json.dumps(result.to_dict(), ensure_ascii=False, indent=1), output, overwrite=True)
    elif fmt == "csv":
        emit(result.areas, fmt, output=output)
    else:
        deliver(_table_text(result, rule_set, data), output, overwrite=True)
    _write_page(
        baseline,
        result,
        rule_set,
        data,
        plan=plan,
        output=output,
        no_map=no_map,
        example=config is None,
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


def _table_text(r: PlanCheck, rules: object, data: ProjectData) -> str:
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
    findings = rule_findings(r, rules, names=names, lang="en")
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
    threshold = data.project.disclosure.threshold
    definitions = data.project.indicators

    def persons(v: float) -> str:
        n = round(float(v))
        return f"<{threshold:g}" if 0 < n < threshold else f"{n:,d}"

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
    changed = a[(a["change_minutes"].abs() > 1e-9) | (a["after_share"] != a["before_share"])]
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
                "Within before": [f"{100 * v:.0f} %" for v in top["before_share"]],
                "Within after": [f"{100 * v:.0f} %" for v in top["after_share"]],
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
    plan: Path, output: Path | None, data: ProjectData, *, example: bool
) -> tuple[Path, Path]:
    """The verdict page and its map: beside ``-o``, else in the project's output folder."""
    import re

    if output is not None:
        page = output.with_suffix(".html")
        if page.resolve() == output.resolve():
            page = output.with_name(output.stem + "_verdict.html")
    else:
        folder = Path("output") if example else data.project.output
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", plan.stem).strip("_") or "plan"
        page = Path(folder) / f"plan_{stem}.html"
    return page, page.with_name(page.stem + "_map.html")


def _write_page(
    b: Baseline,
    r: PlanCheck,
    rules: object,
    data: ProjectData,
    *,
    plan: Path,
    output: Path | None,
    no_map: bool,
    example: bool,
) -> None:
    """Write the reviewer's verdict page (always) and the plan map beside it (unless --no-map).

    Files in the folder that geoseg did not write are never replaced (the output-folder
    manifest of :mod:`geoseg.io.results` records the ones it did).
    """
    from geoseg.io.results import check_output_folder, owned_files, write_manifest
    from geoseg.publish.verdict import write_verdict_page

    page, map_path = _page_paths(plan, output, data, example=example)
    folder = page.parent
    names = [page.name] + ([] if no_map else [map_path.name])
    check_output_folder(folder, names, overwrite=False)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if not no_map:
        _write_map(b, r, map_path, data)
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
            title=f"{b.title}: {plan.name}",
            lang=b.lang,
            names=area_names,
            group_labels=groups,
            fictional=b.fictional,
            threshold=data.project.disclosure.threshold,
            map_file=None if no_map else map_path.name,
        )
    )
    ours = [folder / n for n in owned_files(folder) if (folder / n).exists()]
    write_manifest(folder, [*ours, *written], project=data.project.path)
    click.echo(f"wrote {page}", err=True)


def _write_map(b: Baseline, r: PlanCheck, path: Path, data: ProjectData) -> None:
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
        threshold=data.project.disclosure.threshold,
        name_column=data.project.areas.name or "name",
        water=getattr(data, "water", None),
    )
    save_map(m, path)
    click.echo(f"wrote {path}", err=True)
