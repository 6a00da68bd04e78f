"""The report's result sections: the segregation catalogue, hotspots, walking access, plans.

Each function returns escaped HTML built with :func:`geoseg.publish._report_table.html_table`;
person counts below the disclosure threshold are suppressed and marked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import index_label, kind_label, tr
from geoseg.publish._html import escape, format_number
from geoseg.publish._report_table import html_table, weighted_mean
from geoseg.publish._svg import trend_svg
from geoseg.publish.disclosure import suppress_counts
from geoseg.publish.follow_up import split_at_breaks
from geoseg.publish.programme import zero_axis
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.trends import SeriesBreak

__all__ = [
    "HEADLINE_INDICES",
    "HEADLINE_MEASURES",
    "access_section",
    "area_table",
    "hotspot_section",
    "plan_section",
    "segregation_catalogue",
]

#: Indices the report's headline shows in words and charts (kept out of the appendix).
HEADLINE_MEASURES = ("dissimilarity", "isolation")
#: Indices charted first in the report's appendix (the rest follow alphabetically).
HEADLINE_INDICES = (
    "dissimilarity",
    "isolation",
    "interaction",
    "entropy",
    "gini",
    "multigroup_dissimilarity",
    "multigroup_information_theory",
    "spatial_dissimilarity",
    "spatial_proximity",
    "relative_clustering",
)


def segregation_catalogue(
    seg: pd.DataFrame,
    lang: str,
    breaks: Sequence[SeriesBreak] = (),
    group_labels: Mapping[str, str] | None = None,
) -> tuple[str, set[str]]:
    """The appendix's catalogue: one trend chart per (level, index) and a table of the latest
    year with the change since the first; returns the HTML and the indices shown."""
    need = {"year", "index", "value"}
    missing = sorted(need - set(seg.columns))
    if missing:
        msg = (
            f"report: the segregation table lacks column(s) {', '.join(missing)}; expected the "
            "tidy table year, level, group, index, value, p_value, ci_low, ci_high."
        )
        raise InputError(msg)
    glabels = dict(group_labels or {})
    df = seg.copy()
    for c in ("level", "group"):
        if c not in df.columns:
            df[c] = ""
    df[["level", "group", "index"]] = df[["level", "group", "index"]].fillna("").astype(str)
    parts = []
    rank = {name: i for i, name in enumerate(HEADLINE_INDICES)}
    pairs: list[tuple[str, str]] = [
        (str(a), str(b))
        for a, b in df[["level", "index"]].drop_duplicates().itertuples(index=False)
    ]
    keys = sorted(pairs, key=lambda k: (k[0], rank.get(k[1], len(rank)), k[1]))
    years = df["year"].dropna()
    if years.nunique() < 2:  # a single-year register: no trend to chart
        when = f" ({years.iloc[0]})" if len(years) else ""
        parts = [f"<p>{escape(tr('one_year', lang))}{escape(when)}</p>"]
    else:
        for level, index in keys:
            part = df[(df["level"] == level) & (df["index"] == index)]
            name = index_label(index, lang)
            title = f"{name} ({level})" if level else name
            series: dict[str, pd.DataFrame] = {}
            for g, p in part.groupby("group", sort=True):
                glabel = glabels.get(str(g)) or str(g).replace("_", " ") or name
                series |= split_at_breaks(glabel, p, breaks, str(g).split("+"))
            allv = part["value"].to_numpy(dtype=float)
            start = zero_axis(allv)
            svg = trend_svg(series, title=title, lang=lang, from_zero=start)
            cap = "" if start else f"<figcaption>{escape(tr('axis_not_zero', lang))}</figcaption>"
            parts.append(f"<figure>{svg}{cap}</figure>")
        parts = ['<div class="charts">', *parts, "</div>"]
    last = latest_year(df)[0].copy()
    first = df[df["year"] == df["year"].min()].set_index(["level", "group", "index"])["value"]
    key = pd.MultiIndex.from_frame(last[["level", "group", "index"]])
    if df["year"].nunique() > 1:
        last[tr("change", lang) + f" {df['year'].min()}–{df['year'].max()}"] = (
            last["value"].to_numpy() - first.reindex(key).to_numpy()
        )
    last = last.sort_values(["level", "index", "group"])
    last["index"] = [index_label(i, lang) for i in last["index"]]
    last["group"] = [glabels.get(g) or g.replace("_", " ") for g in last["group"]]
    cols = ["year", "level", "group", "index", "value"]
    cols += [c for c in ("p_value", "ci_low", "ci_high") if c in last.columns]
    cols = [c for c in cols if last[c].astype(str).str.strip().replace("nan", "").ne("").any()]
    cols += [c for c in last.columns if c.startswith(tr("change", lang))]
    labels = {
        "year": tr("year", lang),
        "level": tr("level", lang),
        "group": tr("group", lang),
        "index": tr("index", lang),
        "value": tr("value", lang),
        "p_value": tr("p_value", lang),
        "ci_low": tr("ci", lang) + " ↓",
        "ci_high": tr("ci", lang) + " ↑",
    }
    table = html_table(last[cols], lang, labels=labels, digits=3)
    return "".join(parts) + table, set(df["index"].str.lower())


def hotspot_section(
    results: Mapping[str, pd.DataFrame], names: Mapping[str, str], lang: str, threshold: float
) -> str:
    """Per hotspot result: how many areas fall in each cluster, and the significant areas."""
    out = []
    keys = ("hh", "hl", "lh", "ll", "ns")
    for title, res in results.items():
        if "quadrant" not in res.columns:
            msg = f"report: hotspot results {title!r} lack the column 'quadrant'"
            raise InputError(msg)
        q = pd.to_numeric(res["quadrant"], errors="coerce").fillna(0).astype(int)
        if "significant" in res.columns:
            sig = res["significant"].fillna(False).astype(bool)
        else:
            sig = res.get("p_adjusted", res.get("p_value", pd.Series(1.0, res.index))) <= 0.05
        cluster = q.where(sig, 0)
        code_of = {1: "hh", 2: "lh", 3: "ll", 4: "hl", 0: "ns"}
        counts = cluster.map(code_of).value_counts()
        summary = pd.DataFrame(
            {
                tr("cluster", lang): [tr(k, lang) for k in keys],
                tr("areas_n", lang): [int(counts.get(k, 0)) for k in keys],
            }
        )
        out.append(f"<h3>{escape(title)}</h3>" + html_table(summary, lang, caption=title))
        sel = res[cluster > 0]
        if len(sel):
            codes = [str(c) for c in (sel["id"] if "id" in sel.columns else sel.index)]
            pcol = "p_adjusted" if "p_adjusted" in sel.columns else "p_value"
            tab = pd.DataFrame(
                {
                    tr("code", lang): codes,
                    tr("name", lang): [names.get(c, "") for c in codes],
                    tr("value", lang): sel["value"].to_numpy() if "value" in sel else np.nan,
                    tr("cluster", lang): [tr(code_of[int(c)], lang) for c in cluster[cluster > 0]],
                    tr("p_adjusted", lang): np.asarray(sel[pcol]),
                }
            ).sort_values([tr("cluster", lang), tr("code", lang)])
            sig_head = tr("significant_areas", lang)
            out.append(
                f"<h4>{escape(sig_head)}</h4>"
                + html_table(tab, lang, caption=f"{title}: {sig_head.lower()}")
            )
    return "".join(out)


def area_table(
    df: pd.DataFrame, cols: list[str], names: Mapping[str, str], lang: str, threshold: float
) -> str:
    """A table of areas (code, name and ``cols``) with resident counts suppressed."""
    codes = [str(c) for c in (df["id"] if "id" in df.columns else df.index)]
    tab = pd.DataFrame({"code": codes, "name": [names.get(c, "") for c in codes]})
    for c in cols:
        tab[c] = df[c].to_numpy()
    counts = [c for c in ("residents",) if c in cols]
    dependent = [c for c in ("share_within", "before_share", "after_share") if c in cols]
    tab, mask = suppress_counts(tab, counts, threshold=threshold, dependent=dependent)
    labels = {"code": tr("code", lang), "name": tr("name", lang)}
    labels.update(
        {c: tr(c, lang) if c != "share_within" else tr("share_within_plain", lang) for c in cols}
    )
    return html_table(tab, lang, mask=mask, threshold=threshold, labels=labels, digits=1)


def access_section(
    acc: pd.DataFrame,
    names: Mapping[str, str],
    lang: str,
    minutes: float,
    threshold: float,
    totals: pd.DataFrame | None = None,
) -> str:
    """City-wide walking access per service kind, and the areas with the longest walks."""
    kinds = sorted(map(str, pd.unique(acc["kind"]))) if "kind" in acc.columns else [""]
    rows, out = [], []
    given = totals.set_index(totals["kind"].astype(str)) if totals is not None else None
    for kind in kinds:
        part = acc[acc["kind"].astype(str) == kind] if kind else acc
        res = part["residents"] if "residents" in part.columns else pd.Series(1.0, part.index)
        if given is not None and kind in given.index:
            city: Any = given.loc[kind]
            total = float(city["residents"])
            mean, share = float(city["mean_minutes"]), float(city["share_within"])
        else:
            total = float(res.sum())
            mean = weighted_mean(part["mean_minutes"], res)
            share = weighted_mean(part["share_within"], res) if "share_within" in part else math.nan
        rows.append(
            {
                tr("kind", lang): kind_label(kind, lang),
                tr("areas_n", lang): len(part),
                tr("residents", lang): round(total),
                tr("weighted_mean", lang): mean,
                tr("share_res", lang, m=format_number(minutes, lang=lang, digits=0)): 100 * share
                if "share_within" in part
                else math.nan,
            }
        )
        worst = part.sort_values("mean_minutes", ascending=False).head(10)
        cols = [
            c
            for c in ("residents", "mean_minutes", "median_minutes", "share_within")
            if c in worst.columns
        ]
        out.append(
            f"<h4>{escape(tr('longest', lang))}: {escape(kind_label(kind, lang))}</h4>"
            + area_table(worst, cols, names, lang, threshold)
        )
    summary = pd.DataFrame(rows)
    summary, mask = suppress_counts(summary, [tr("residents", lang)], threshold=threshold)
    return html_table(summary, lang, mask=mask, threshold=threshold, digits=1) + "".join(out)


def plan_section(
    plan: pd.DataFrame, names: Mapping[str, str], lang: str, threshold: float, verdict: str | None
) -> str:
    """The plan's verdict, areas with shorter and longer walks per kind, and the moved areas."""
    out = []
    if verdict:
        out.append(
            f'<p class="verdict"><b>{escape(tr("verdict", lang))}:</b> {escape(verdict)}</p>'
        )
    kinds = sorted(map(str, pd.unique(plan["kind"]))) if "kind" in plan.columns else [""]
    rows = []
    for kind in kinds:
        part = plan[plan["kind"].astype(str) == kind] if kind else plan
        ch = part["change_minutes"].astype(float)
        res = part["residents"] if "residents" in part.columns else pd.Series(1.0, part.index)
        rows.append(
            {
                tr("kind", lang): kind_label(kind, lang),
                tr("gain", lang): int((ch < -0.5).sum()),
                tr("loss", lang): int((ch > 0.5).sum()),
                tr("mean_change", lang): weighted_mean(ch, res),
            }
        )
        moved = part[ch.abs() > 0.5].sort_values("change_minutes")
        cols = [
            c
            for c in (
                "residents",
                "before_minutes",
                "after_minutes",
                "change_minutes",
                "before_share",
                "after_share",
            )
            if c in moved.columns
        ]
        if len(moved):
            out.append(
                f"<h4>{escape(kind_label(kind, lang))}</h4>"
                + area_table(moved.head(20), cols, names, lang, threshold)
            )
    return html_table(pd.DataFrame(rows), lang, digits=1) + "".join(out)
