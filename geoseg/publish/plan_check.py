"""A plan check presented: the reviewer's text table, verdict page and plan map.

``geoseg check-plan`` prints :func:`plan_check_text` (or the JSON / CSV of the gated check) and
writes the verdict page with the plan map beside it (:func:`write_plan_check`), where
:func:`verdict_paths` says. Every number shown has passed disclosure control (the check given
is the gated one, :func:`geoseg.publish.disclosure.gate_plan_check`).
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geoseg.i18n import group_label, kind_label
from geoseg.indicators import indicator_label
from geoseg.io import slug
from geoseg.io.results import owned_files, write_manifest
from geoseg.publish.disclosure import (
    PLAN_GROUP_COUNTS,
    Disclosure,
    suppress_counts,
    suppressed_label,
)
from geoseg.publish.maps import MapStyle, plan_map, save_map, street_lines
from geoseg.publish.verdict import rule_findings, write_verdict_page

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geoseg.io import Project, ProjectData
    from geoseg.io.indicators import Indicator
    from geoseg.plans import Baseline, PlanCheck, Rules, SiteSuggestions

__all__ = [
    "area_names",
    "changed_kinds",
    "group_name",
    "plan_check_text",
    "sites_document",
    "sites_table",
    "verdict_paths",
    "write_plan_check",
    "write_sites_map",
]

logger = logging.getLogger(__name__)

#: Columns of the gain/lose table that are non-zero for a kind the plan changes: the group
#: table's counts other than the residents themselves.
_CHANGE_COLUMNS = tuple(c for c in PLAN_GROUP_COUNTS if c != "residents")


def area_names(data: ProjectData) -> dict[str, str]:
    """The areas' names by code (the ``[areas] name`` column), empty when there is none."""
    name_col = data.project.areas.name or "name"
    if name_col not in data.areas.columns:
        return {}
    return {str(c): str(n) for c, n in data.areas[name_col].items()}


def changed_kinds(r: PlanCheck) -> list[str]:
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


def plan_check_text(
    r: PlanCheck,
    rules: Rules,
    *,
    names: dict[str, str],
    definitions: Mapping[str, Indicator],
    disclosure: Disclosure,
) -> str:
    """The plan check as plain English text that fits 100 columns: verdict, rules, gains, areas.

    Parameters
    ----------
    r
        The plan check, gated (:func:`geoseg.publish.disclosure.gate_plan_check`).
    rules
        The rules it was checked against (:func:`geoseg.io.read_rules`).
    names
        Area names by code (:func:`area_names`).
    definitions
        The project's indicator definitions (they name the groups the translation table lacks).
    disclosure
        The disclosure rule: persons below its threshold are shown as suppressed.

    Returns
    -------
    str
        Numbers plain (whole persons, minutes with one decimal), areas by name, groups and
        service kinds by label; only the kinds the plan changes are listed.
    """
    width = 100
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
    kinds = changed_kinds(r)
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
    return group_label(group, lang) or indicator_label(group, definitions, lang)  # type: ignore[arg-type]


def verdict_paths(
    plan: Path, output: Path | None, project: Project, *, example: bool
) -> tuple[Path, Path]:
    """The verdict page and its map: beside ``output``, else in the project's output folder.

    Beside ``output`` the page has its name with ``.html`` (``NAME_verdict.html`` when
    ``output`` is itself HTML); else it is ``plan_<plan name>.html`` in the project's output
    folder (``output/`` in the working folder for the example city). The map is the page's
    name with ``_map``.
    """
    if output is not None:
        page = output.with_suffix(".html")
        if page.resolve() == output.resolve():
            page = output.with_name(output.stem + "_verdict.html")
    else:
        folder = Path("output") if example else project.output
        page = Path(folder) / f"plan_{slug(plan.stem)}.html"
    return page, page.with_name(page.stem + "_map.html")


def write_plan_check(
    b: Baseline,
    r: PlanCheck,
    rules: Rules,
    data: ProjectData,
    *,
    page: Path,
    map_path: Path | None,
    inputs: list[Path],
    disclosure: Disclosure,
) -> list[Path]:
    """Write the reviewer's verdict page and, unless ``map_path`` is ``None``, the plan map.

    The targets must have been checked before (inputs refused, foreign files kept unless
    overwriting was asked for): both are replaced here. The folder's manifest records what
    geoseg wrote.

    Returns
    -------
    list of Path
        The files written: the map (when drawn), then the page.
    """
    folder = page.parent
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if map_path is not None:
        _write_map(b, r, map_path, data, inputs=inputs, disclosure=disclosure)
        written.append(map_path)
    definitions = data.project.indicators
    groups = {str(g): group_name(str(g), definitions, b.lang) for g in r.groups["group"]}
    written.append(
        write_verdict_page(
            page,
            r,
            rules,
            title=f"{b.title}: {Path(r.summary['plan']).name}",
            lang=b.lang,
            names=area_names(data),
            group_labels=groups,
            fictional=b.fictional,
            threshold=disclosure.effective,
            map_file=None if map_path is None else map_path.name,
            inputs=inputs,
            metadata=disclosure.metadata(b.lang),
            disclosure=disclosure,
        )
    )
    ours = [folder / n for n in owned_files(folder) if (folder / n).exists()]
    write_manifest(folder, [*ours, *written], project=data.project.path)
    return written


def _plan_style(b: Baseline, data: ProjectData, disclosure: Disclosure) -> MapStyle:
    """The style of a plan's maps: the baseline's language, the area names, water and streets."""
    return MapStyle(
        lang=b.lang,
        fictional=b.fictional,
        threshold=disclosure.effective,
        name_column=data.project.areas.name or "name",
        water=getattr(data, "water", None),
        streets=street_lines(b.network, areas=b.areas) if b.network.n_edges else None,
    )


def _write_map(
    b: Baseline,
    r: PlanCheck,
    path: Path,
    data: ProjectData,
    *,
    inputs: list[Path],
    disclosure: Disclosure,
) -> None:
    """The plan map: every kind the plan changes, one at a time, the largest change first."""
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
        style=_plan_style(b, data, disclosure),
    )
    save_map(m, path, overwrite=True, inputs=inputs, metadata=disclosure.metadata(b.lang))


def sites_table(suggestions: SiteSuggestions, *, threshold: float) -> pd.DataFrame:
    """The ranked table of site suggestions with small counts of persons suppressed.

    Parameters
    ----------
    suggestions
        From :func:`geoseg.plans.suggest_sites`.
    threshold
        The disclosure threshold in force (``Disclosure.effective``): ``newly_within`` counts
        below it are suppressed.
    """
    table, _ = suppress_counts(suggestions.table, ["newly_within"], threshold=threshold)
    return table


def sites_document(
    suggestions: SiteSuggestions, rows: list[dict[str, Any]], *, metadata: dict[str, Any]
) -> dict[str, Any]:
    """The JSON document of ``geoseg suggest-sites``: the suggestions, the solver's bound and the
    disclosure rule applied.

    Parameters
    ----------
    suggestions
        From :func:`geoseg.plans.suggest_sites`.
    rows
        The published table (:func:`sites_table`) as JSON records.
    metadata
        The disclosure metadata (``Disclosure.metadata()``).
    """
    sol = suggestions.solution
    return {
        "kind": suggestions.kind,
        "group": suggestions.group,
        "objective": suggestions.objective,
        "minutes": suggestions.minutes,
        "method": sol.method,
        "objective_value": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "guarantee": sol.guarantee,
        "closed": suggestions.closed,
        "suggestions": rows,
        "metadata": metadata,
    }


def write_sites_map(
    b: Baseline,
    checked: PlanCheck,
    suggestions: SiteSuggestions,
    path: Path,
    data: ProjectData,
    *,
    disclosure: Disclosure,
    overwrite: bool,
    inputs: list[Path],
) -> Path:
    """Write the map of a site suggestion: the change in walking time to its kind, sites drawn.

    Parameters
    ----------
    b
        The baseline the sites were suggested on.
    checked
        :func:`geoseg.plans.check_plan` of the (fullest) suggestion's plan.
    suggestions
        The suggestions (:func:`geoseg.plans.suggest_sites`): their kind and number of sites
        name the map.
    path
        The map file (HTML) to write.
    data
        The loaded project: area names and water.
    disclosure
        The disclosure rule applied to the residents shown.
    overwrite, inputs
        As in :func:`geoseg.publish.save_map`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    table = checked.areas[checked.areas["kind"] == suggestions.kind]
    m = plan_map(
        b.areas,
        table.rename(columns={"residents_after": "residents"}),
        kind=suggestions.kind,
        features=checked.features[["action", "name", "geometry"]],
        title=f"{b.title}: {kind_label(suggestions.kind, b.lang)} (+{len(suggestions.sites)})",
        style=_plan_style(b, data, disclosure),
    )
    return save_map(
        m, path, overwrite=overwrite, inputs=inputs, metadata=disclosure.metadata(b.lang)
    )
