"""The single-file HTML report: tables, trend charts, hotspot, access and plan summaries, methods.

:func:`write_report` takes the pipeline's results in one call and writes one self-contained HTML
file (inline CSS and inline SVG charts; no script, no CDN, no image files), so it opens offline.
Everything from the data is escaped and counts below the disclosure threshold are suppressed and
marked.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import check_lang, index_label, kind_label, tr
from geoseg.io import write_text
from geoseg.publish._html import escape, format_number, safe_href
from geoseg.publish._svg import trend_svg
from geoseg.publish.disclosure import suppress_counts, suppressed_label
from geoseg.publish.follow_up import follow_up_section, split_at_breaks
from geoseg.publish.programme import (
    grown_table,
    programme_section,
    segregation_headline,
    zero_axis,
)
from geoseg.settings import DEFAULT_MINUTES, SUPPRESSION_THRESHOLD
from geoseg.years import latest_year

__all__ = ["FOLLOW_UP_METHODS", "METHODS", "trend_svg", "write_report"]


logger = logging.getLogger(__name__)

#: Formula and source of each method the report may name, keyed by index or method name. The
#: formulas are symbols; a method whose formula needs words has them in the translation table
#: (``mx_KEY``, and ``ms_KEY`` for a source in words), so that the report reads in its language.
METHODS: dict[str, tuple[str, str]] = {
    "dissimilarity": ("D = ½ Σᵢ |aᵢ/A − bᵢ/B|", "Duncan & Duncan (1955), Am. Sociol. Rev. 20"),
    "isolation": ("xPx = Σᵢ (xᵢ/X)(xᵢ/tᵢ)", "Bell (1954); Massey & Denton (1988), Soc. Forces 67"),
    "interaction": ("xPy = Σᵢ (xᵢ/X)(yᵢ/tᵢ)", "Bell (1954); Massey & Denton (1988)"),
    "entropy": ("H = Σᵢ tᵢ (E − Eᵢ) / (E T), E = −Σₘ πₘ ln πₘ", "Theil & Finizza (1971)"),
    "gini": ("G = Σᵢ Σⱼ tᵢ tⱼ |pᵢ − pⱼ| / (2 T² P (1 − P))", "Duncan & Duncan (1955)"),
    "atkinson": ("A = 1 − P/(1−P) |Σᵢ (1−pᵢ)^(1−b) pᵢ^b tᵢ/(P T)|^(1/(1−b))", "Atkinson (1970)"),
    "correlation_ratio": ("V = (xPx − P)/(1 − P)", "Bell (1954); White (1986)"),
    "location_quotient": ("LQᵢₘ = (xᵢₘ/tᵢ)/(Xₘ/T)", "Isard (1960)"),
    "local_moran": ("Iᵢ = (n−1) zᵢ Σⱼ wᵢⱼ zⱼ / Σₖ zₖ²", "Anselin (1995), Geogr. Anal. 27"),
    "fdr": ("p₍ₖ₎ · m / k", "Benjamini & Hochberg (1995), J. R. Stat. Soc. B 57"),
    "walking_time": ("t = L / v", "Dijkstra (1959)"),
    "fca": (
        "Rⱼ = Sⱼ / Σ_{k: dₖⱼ≤d₀} Pₖ; Aᵢ = Σ_{j: dᵢⱼ≤d₀} Rⱼ",
        "Luo & Wang (2003), Environ. Plann. B 30",
    ),
    "suppression": ("n < t → “<t”", "Hundepool et al. (2012)"),
}

#: Methods of the follow-up over the years, named when the report has a follow-up section.
FOLLOW_UP_METHODS: dict[str, tuple[str, str]] = {
    "emerging": ("Gᵢ* (t), S = Σᵢ<ⱼ sign(zⱼ − zᵢ)", "Ord & Getis (1995)"),
    "mann_kendall": ("S = Σᵢ<ⱼ sign(xⱼ − xᵢ)", "Mann (1945); Kendall (1975)"),
    "theil_sen": ("b = medianᵢ<ⱼ (yⱼ − yᵢ)/(tⱼ − tᵢ)", "Theil (1950); Sen (1968)"),
}


def _t(key: str, lang: str, **fmt: object) -> str:
    return tr(key, lang, **fmt)


def _fmt(value: object, lang: str, digits: int = 2) -> str:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return format_number(int(value), lang=lang)
    if isinstance(value, (float, np.floating)):
        return format_number(float(value), lang=lang, digits=digits)
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _cells(column: pd.Series) -> Any:
    """The column's values as ``.iloc`` gives them, indexable by position."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufO":
        return column.to_numpy()
    return column.iloc


def _table(
    df: pd.DataFrame,
    lang: str,
    *,
    mask: pd.DataFrame | None = None,
    threshold: float = SUPPRESSION_THRESHOLD,
    digits: int = 2,
    labels: Mapping[str, str] | None = None,
    index: bool = False,
    caption: str | None = None,
    counts: Iterable[str] | None = None,
) -> str:
    """An escaped HTML table; cells true in ``mask`` show the suppression mark.

    Columns of counts (``counts``, default those in ``mask``) are shown as whole numbers;
    ``year`` as is. The table sits in a focusable region named ``caption`` (default: its first
    column headers).
    """
    labels = labels or {}
    default = set(mask.columns) if mask is not None else set()
    whole = set(counts) if counts is not None else default
    cols = list(df.columns)
    head = "".join(f"<th>{escape(labels.get(str(c), c))}</th>" for c in cols)
    if index:
        head = f"<th>{escape(df.index.name or '')}</th>" + head
    body = []
    mark = escape(suppressed_label(threshold, lang=lang))
    # NumPy-backed columns as arrays (the same scalars as .iloc, without a lookup per cell)
    column = {c: _cells(df[c]) for c in cols}
    hidden = {
        c: mask[c].to_numpy(dtype=bool) for c in cols if mask is not None and c in mask.columns
    }
    for r in range(len(df)):
        cells = [f"<th>{escape(df.index[r])}</th>"] if index else []
        for c in cols:
            if c in hidden and hidden[c][r]:
                cells.append(f'<td class="supp">{mark}</td>')
            else:
                v = column[c][r]
                cls = ' class="num"' if isinstance(v, (int, float, np.number)) else ""
                if c == "year" and pd.notna(v):
                    text = str(int(v)) if isinstance(v, (int, float, np.number)) else str(v)
                elif c in whole and isinstance(v, (float, np.floating)) and float(v).is_integer():
                    text = _fmt(int(v), lang, digits)
                else:
                    text = _fmt(v, lang, digits)
                cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # a table wider than a phone scrolls inside its own region, which the keyboard can reach
    names = caption or ", ".join(str(labels.get(str(c), c)) for c in cols[:3])
    return (
        f'<div class="table" role="region" tabindex="0" aria-label="{escape(names)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


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


def _segregation_section(
    seg: pd.DataFrame,
    lang: str,
    breaks: Sequence[object] = (),
    group_labels: Mapping[str, str] | None = None,
) -> tuple[str, set[str]]:
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
            cap = "" if start else f"<figcaption>{escape(_t('axis_not_zero', lang))}</figcaption>"
            parts.append(f"<figure>{svg}{cap}</figure>")
        parts = ['<div class="charts">', *parts, "</div>"]
    last = latest_year(df)[0].copy()
    first = df[df["year"] == df["year"].min()].set_index(["level", "group", "index"])["value"]
    key = pd.MultiIndex.from_frame(last[["level", "group", "index"]])
    if df["year"].nunique() > 1:
        last[_t("change", lang) + f" {df['year'].min()}–{df['year'].max()}"] = (
            last["value"].to_numpy() - first.reindex(key).to_numpy()
        )
    last = last.sort_values(["level", "index", "group"])
    last["index"] = [index_label(i, lang) for i in last["index"]]
    last["group"] = [glabels.get(g) or g.replace("_", " ") for g in last["group"]]
    cols = ["year", "level", "group", "index", "value"]
    cols += [c for c in ("p_value", "ci_low", "ci_high") if c in last.columns]
    cols = [c for c in cols if last[c].astype(str).str.strip().replace("nan", "").ne("").any()]
    cols += [c for c in last.columns if c.startswith(_t("change", lang))]
    labels = {
        "year": tr("year", lang),
        "level": _t("level", lang),
        "group": _t("group", lang),
        "index": _t("index", lang),
        "value": tr("value", lang),
        "p_value": tr("p_value", lang),
        "ci_low": _t("ci", lang) + " ↓",
        "ci_high": _t("ci", lang) + " ↑",
    }
    table = _table(last[cols], lang, labels=labels, digits=3)
    return "".join(parts) + table, set(df["index"].str.lower())


def _hotspot_section(
    results: Mapping[str, pd.DataFrame], names: Mapping[str, str], lang: str, threshold: float
) -> str:
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
                _t("areas_n", lang): [int(counts.get(k, 0)) for k in keys],
            }
        )
        out.append(f"<h3>{escape(title)}</h3>" + _table(summary, lang, caption=title))
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
            sig_head = _t("significant_areas", lang)
            out.append(
                f"<h4>{escape(sig_head)}</h4>"
                + _table(tab, lang, caption=f"{title}: {sig_head.lower()}")
            )
    return "".join(out)


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    v = values.to_numpy(dtype=float, na_value=np.nan)
    w = weights.to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(v) & np.isfinite(w)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else math.nan


def _kind_name(kind: str, lang: str) -> str:
    return kind_label(kind, lang)


def _area_table(
    df: pd.DataFrame, cols: list[str], names: Mapping[str, str], lang: str, threshold: float
) -> str:
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
    return _table(tab, lang, mask=mask, threshold=threshold, labels=labels, digits=1)


def _access_section(
    acc: pd.DataFrame,
    names: Mapping[str, str],
    lang: str,
    minutes: float,
    threshold: float,
    totals: pd.DataFrame | None = None,
) -> str:
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
            mean = _weighted(part["mean_minutes"], res)
            share = _weighted(part["share_within"], res) if "share_within" in part else math.nan
        rows.append(
            {
                tr("kind", lang): _kind_name(kind, lang),
                _t("areas_n", lang): len(part),
                tr("residents", lang): round(total),
                _t("weighted_mean", lang): mean,
                _t("share_res", lang, m=format_number(minutes, lang=lang, digits=0)): 100 * share
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
            f"<h4>{escape(_t('longest', lang))}: {escape(_kind_name(kind, lang))}</h4>"
            + _area_table(worst, cols, names, lang, threshold)
        )
    summary = pd.DataFrame(rows)
    summary, mask = suppress_counts(summary, [tr("residents", lang)], threshold=threshold)
    return _table(summary, lang, mask=mask, threshold=threshold, digits=1) + "".join(out)


def _plan_section(
    plan: pd.DataFrame, names: Mapping[str, str], lang: str, threshold: float, verdict: str | None
) -> str:
    out = []
    if verdict:
        out.append(
            f'<p class="verdict"><b>{escape(_t("verdict", lang))}:</b> {escape(verdict)}</p>'
        )
    kinds = sorted(map(str, pd.unique(plan["kind"]))) if "kind" in plan.columns else [""]
    rows = []
    for kind in kinds:
        part = plan[plan["kind"].astype(str) == kind] if kind else plan
        ch = part["change_minutes"].astype(float)
        res = part["residents"] if "residents" in part.columns else pd.Series(1.0, part.index)
        rows.append(
            {
                tr("kind", lang): _kind_name(kind, lang),
                _t("gain", lang): int((ch < -0.5).sum()),
                _t("loss", lang): int((ch > 0.5).sum()),
                _t("mean_change", lang): _weighted(ch, res),
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
                f"<h4>{escape(_kind_name(kind, lang))}</h4>"
                + _area_table(moved.head(20), cols, names, lang, threshold)
            )
    return _table(pd.DataFrame(rows), lang, digits=1) + "".join(out)


def _methods_section(
    indices: set[str],
    *,
    hotspots: bool,
    access: bool,
    plan: bool,
    follow_up: bool = False,
    extra: Mapping[str, str] | None,
    lang: str,
) -> str:
    keys = [k for k in METHODS if any(k in i for i in indices)]
    if hotspots:
        keys += ["local_moran", "fdr"]
    if access or plan:
        keys += ["walking_time"]
    if access:
        keys += ["fca"]
    keys += ["suppression"]
    table = {**METHODS, **FOLLOW_UP_METHODS} if follow_up else METHODS
    if follow_up:
        keys += list(FOLLOW_UP_METHODS)
    rows = [
        (_method_label(k, lang), _method_formula(k, table[k][0], lang), _method_source(k, lang))
        for k in dict.fromkeys(keys)
    ]
    registry = _registry_sources(indices - set(keys))
    rows += [(index_label(name, lang), "", src) for name, src in registry.items()]
    # a method this table names already (the follow-up's, in the report's language) is not
    # repeated from ``extra``
    named = {_key(r[0]) for r in rows}
    if follow_up:
        named |= {_key(n) for k in FOLLOW_UP_METHODS for n in (k, *_FOLLOW_UP_NAMES[k])}
    rows += [(name, text, "") for name, text in (extra or {}).items() if _key(name) not in named]
    df = pd.DataFrame(rows, columns=[_t("method", lang), _t("formula", lang), _t("source", lang)])
    return _table(df, lang, caption=_t("methods", lang))


#: Other names under which a caller may pass a follow-up method in ``methods``.
_FOLLOW_UP_NAMES = {
    "emerging": ("Emerging hotspots", "Framväxande kluster"),
    "mann_kendall": ("Mann-Kendall",),
    "theil_sen": ("Theil-Sen",),
}


def _key(name: str) -> str:
    return str(name).lower().replace("–", "-").replace("_", "-").replace(" ", "")


def _method_formula(key: str, formula: str, lang: str) -> str:
    words = f"mx_{key}"
    if words in _TRANSLATED:
        return f"{formula}: {tr(words, lang)}" if formula else tr(words, lang)
    return formula


def _method_source(key: str, lang: str) -> str:
    words = f"ms_{key}"
    if words in _TRANSLATED:
        return tr(words, lang)
    return {**METHODS, **FOLLOW_UP_METHODS}[key][1]


def _method_label(key: str, lang: str) -> str:
    if f"m_{key}" in _TRANSLATED:
        return _t(f"m_{key}", lang)
    return index_label(key, lang)


def _translated(key: str) -> bool:
    try:
        tr(key, "en")
    except KeyError:
        return False
    return True


_TRANSLATED = {
    f"{prefix}{k}"
    for k in (*METHODS, *FOLLOW_UP_METHODS)
    for prefix in ("m_", "mx_", "ms_")
    if _translated(f"{prefix}{k}")
}


def _registry_sources(names: set[str]) -> dict[str, str]:
    from geoseg.segregation import index_source

    sources: dict[str, str] = {}
    for name in sorted(names):
        try:
            source = index_source(name)
        except InputError:  # a method name, not a registered index
            continue
        if source:
            sources[name] = source
    return sources


_CSS = """
@page {size: A4; margin: 16mm 14mm;}
@media print {body {max-width: none; margin: 0; font-size: 10.5pt;} a {color: inherit;}
  figure, table, svg {break-inside: avoid;} h2 {break-after: avoid;}}
body {font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #1a1a1a;}
h1 {font-size: 1.7em;} h2 {border-bottom: 2px solid #0072B2; padding-bottom: 2px;}
table {border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em;}
th, td {border: 1px solid #ccc; padding: 3px 8px; text-align: left;}
thead th {background: #eef3f8;} td.num {text-align: right; font-variant-numeric: tabular-nums;}
td.supp {font-style: italic; color: #6a3d9a;}
.fictional {background: #fff3cd; border: 2px solid #8a6d00; padding: 0.5em 0.8em;
  font-weight: 700;}
figure {margin: 0.5em 0;}
.charts {display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 0.5em;}
div.table {max-width: 100%; overflow-x: auto;}
div.table:focus {outline: 3px solid #e69f00; outline-offset: 2px;}
@media (max-width: 600px) {.charts {grid-template-columns: 1fr;} body {padding: 0 0.6em;}
  table {font-size: 0.85em;} th, td {padding: 3px 5px;}
  tbody th:first-child, tbody td:first-child, thead th:first-child {position: sticky; left: 0;
    background: #fff; box-shadow: 1px 0 0 #ccc;}
  thead th:first-child {background: #eef3f8;}}
@media print {div.table {overflow: visible;} table {width: 100%; table-layout: fixed;
  font-size: 8.5pt;} th, td {overflow-wrap: anywhere; padding: 2px 4px;}}
figcaption {font-size: 0.85em; color: #444;}
svg.chart {width: 100%; max-width: 640px; height: auto; font-size: 16px;}
svg .grid {stroke: #e3e3e3;} svg .axis {stroke: #555;} svg .ct {font-weight: 600;
  font-size: 17px;} svg text {fill: #222;}
"""


def write_report(
    path: str | os.PathLike[str],
    *,
    title: str,
    lang: str = "en",
    fictional: bool = False,
    segregation: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    definitions: Mapping[str, object] | None = None,
    group_labels: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    table_masks: Mapping[str, pd.DataFrame] | None = None,
    count_columns: Sequence[str] = (),
    hotspots: Mapping[str, pd.DataFrame] | pd.DataFrame | None = None,
    follow_up: object | None = None,
    labels: Mapping[str, str] | None = None,
    breaks: Sequence[object] = (),
    access: pd.DataFrame | None = None,
    access_totals: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    plan_verdict: str | None = None,
    areas: pd.DataFrame | None = None,
    name_column: str = "name",
    maps: Sequence[tuple[str, str]] = (),
    methods: Mapping[str, str] | None = None,
    sources: Sequence[str] = (),
    minutes: float = DEFAULT_MINUTES,
    threshold: float = SUPPRESSION_THRESHOLD,
    intro: str | None = None,
    root: str | os.PathLike[str] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Write the single-file HTML report of a geoseg run.

    Parameters
    ----------
    path
        The HTML file to write (atomically).
    title, lang, fictional, intro
        Report title; ``"en"`` or ``"sv"``; the visible fictional-data note; an introduction.
    segregation
        Tidy index table with ``year``, ``level``, ``group``, ``index``, ``value`` and
        optionally ``p_value``, ``ci_low``, ``ci_high``: one trend chart per (level, index)
        and a table of the latest year with the change since the first.
    trend
        The change of every index from the first to the last year
        (:func:`geoseg.pipeline.segregation_trend`): the tested ones make the "has segregation
        grown" table.
    indicators, definitions
        Values of the declared indicators (:func:`geoseg.indicators.indicator_values`) and
        their definitions: one paragraph per indicator under the programme's target areas.
    group_labels
        Readable names of the register groups of the segregation table.
    tables
        Further main tables, title → DataFrame (e.g. indicators of the latest year). Columns
        named in ``count_columns`` are suppressed below ``threshold``.
    hotspots
        Local Moran's I results (``quadrant``, ``significant`` or ``p_adjusted``, ``value``),
        one DataFrame or a mapping title → DataFrame (e.g. one per indicator and year).
    follow_up, labels
        Follow-up over the years (:class:`geoseg.trends.ProjectTrends`: gaps between areas
        with charts that never cross a series break, area trends, emerging hotspots, notes on
        the series) and readable names of its indicators and variables.
    breaks
        Series breaks (:class:`geoseg.trends.SeriesBreak`): a segregation chart line ends at
        a break without a crosswalk that concerns its group and a new line starts.
    access
        Per-area access results (``id``, ``kind``, ``residents``, ``mean_minutes``,
        ``median_minutes``, ``share_within``, ``fca_ratio``) for all kinds.
    access_totals
        City-wide access per kind (``kind``, ``residents``, ``mean_minutes``,
        ``share_within``; :func:`geoseg.publish.gather.access_totals`) when ``access`` has its
        small counts suppressed already; by default computed from ``access``.
    plan, plan_verdict
        Per-area plan comparison (``kind``, ``before_minutes``, ``after_minutes``,
        ``change_minutes``, optional shares and ``residents``) and the verdict sentence.
    areas
        Areas indexed by code with ``name_column``, for names in the tables.
    maps
        Links ``(relative file, title)`` to the published maps (e.g. ``("maps/index.html",
        "All maps")``).
    methods, sources
        Extra methods (name → formula or description) and the data sources (one line each).
    minutes
        The walking-time threshold behind ``share_within``.
    threshold
        Disclosure threshold for counts (``residents`` and ``count_columns``).
    table_masks
        Per table of ``tables`` (same key), a boolean frame of the table's shape: true cells
        were suppressed upstream (see :mod:`geoseg.publish.disclosure`) and show the mark.
    root
        The folder the report must land in (default: the folder of ``path``).
    inputs
        Input files that must never be replaced.
    metadata
        Key-value pairs written into the page's ``<meta>`` tags and its closing note (for
        example the disclosure threshold, or a mark that the output is not for publication).

    Returns
    -------
    pathlib.Path
        The report written.

    Notes
    -----
    The methods section names each formula used (see :data:`METHODS`, e.g. Duncan & Duncan
    1955 for the dissimilarity index, Anselin 1995 for local Moran's I, Luo & Wang 2003 for
    2SFCA) and, for other indices, the source recorded in geoseg's index registry.
    """
    check_lang(lang)
    names: dict[str, str] = {}
    if areas is not None and name_column in areas.columns:
        names = {
            str(c): ("" if pd.isna(n) else str(n))
            for c, n in zip(areas.index, areas[name_column], strict=True)
        }
    sections: list[tuple[str, str, str]] = []
    indices: set[str] = set()
    glabels = dict(group_labels or {})
    if indicators is not None and definitions:
        body = programme_section(
            indicators, definitions, names=names, lang=lang, threshold=threshold
        )
        sections.append(("programme", _t("programme", lang), body))
    catalogue = ""
    if segregation is not None and len(segregation):
        # the headline measures are charted once, in the headline; the appendix has the rest
        headline = (
            segregation["index"].astype(str).isin(HEADLINE_MEASURES)
            if "index" in segregation.columns
            else pd.Series(False, index=segregation.index)
        )
        catalogue, indices = _segregation_section(segregation[~headline], lang, breaks, glabels)
        indices = set(indices) | set(segregation.loc[headline, "index"].astype(str))
        head = segregation_headline(
            segregation, trend, group_labels=glabels, lang=lang, breaks=breaks
        )
        if trend is not None and len(trend) and trend["p_value_increase"].notna().any():
            grown = grown_table(trend, segregation, group_labels=glabels, lang=lang)
            grown_head = _t("grown_title", lang)
            head += f"<h3>{escape(grown_head)}</h3>" + _table(grown, lang, caption=grown_head)
        sections.append(("segregation", _t("seg_headline", lang), head))
    if tables:
        parts = []
        for name, df in tables.items():
            counted = [c for c in count_columns if c in df.columns]
            cols = counted
            shown, mask = suppress_counts(df, counted, threshold=threshold)
            extra = (table_masks or {}).get(name)
            if extra is not None and len(extra):
                cols = list(dict.fromkeys([*mask.columns, *df.columns]))
                extra = extra.reindex(index=df.index, columns=cols, fill_value=False)
                mask = mask.reindex(columns=cols, fill_value=False).astype(bool) | extra.astype(
                    bool
                )
            parts.append(
                f"<h3>{escape(name)}</h3>"
                + _table(
                    shown,
                    lang,
                    mask=mask,
                    threshold=threshold,
                    index=not isinstance(shown.index, pd.RangeIndex),
                    caption=str(name),
                    counts=counted,
                    digits=1,
                )
            )
        sections.append(("tables", _t("tables", lang), "".join(parts)))
    if hotspots is not None:
        results = (
            {_t("hotspots", lang): hotspots}
            if isinstance(hotspots, pd.DataFrame)
            else dict(hotspots)
        )
        sections.append(
            ("hotspots", _t("hotspots", lang), _hotspot_section(results, names, lang, threshold))
        )
    if follow_up is not None:
        body = follow_up_section(
            follow_up,
            lang=lang,
            labels=labels,
            table=lambda df, **kw: _table(df, lang, threshold=threshold, **kw),
        )
        sections.append(("follow_up", _t("follow_up", lang), body))
    if access is not None and len(access):
        sections.append(
            (
                "access",
                _t("access", lang),
                _access_section(access, names, lang, minutes, threshold, access_totals),
            )
        )
    if plan is not None and len(plan):
        sections.append(
            ("plan", _t("plan", lang), _plan_section(plan, names, lang, threshold, plan_verdict))
        )
    if maps:
        items = "".join(f'<li><a href="{safe_href(f)}">{escape(t)}</a></li>' for f, t in maps)
        sections.append(("maps", _t("maps", lang), f"<ul>{items}</ul>"))
    sections.append(
        (
            "methods",
            _t("appendix", lang),
            f"<p>{escape(_t('appendix_intro', lang))}</p>"
            + catalogue
            + f"<h3>{escape(_t('methods', lang))}</h3>"
            + _methods_section(
                indices,
                hotspots=hotspots is not None,
                access=access is not None,
                plan=plan is not None,
                follow_up=follow_up is not None,
                extra=methods,
                lang=lang,
            ),
        )
    )
    if sources:
        items = "".join(f"<li>{escape(s)}</li>" for s in sources)
        sections.append(("sources", _t("sources", lang), f"<ul>{items}</ul>"))
    html = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        *(
            f'<meta name="geoseg:{escape(str(k))}" content="{escape(str(v))}">'
            for k, v in (metadata or {}).items()
        ),
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if fictional:
        html.append(f'<p class="fictional">{escape(tr("fictional", lang))}</p>')
    notice = (metadata or {}).get("notice")
    if notice:
        html.append(f'<p class="fictional">{escape(notice)}</p>')
    if intro:
        html.append(f"<p>{escape(intro)}</p>")
    html.append(f"<p>{escape(tr('suppression_note', lang, t=_threshold_text(threshold)))}</p>")
    toc = "".join(f'<li><a href="#{sid}">{escape(head)}</a></li>' for sid, head, _ in sections)
    html.append(f"<nav><h2>{escape(_t('contents', lang))}</h2><ul>{toc}</ul></nav>")
    for sid, head, body in sections:
        html.append(
            f'<section id="{sid}"><h2>{escape(head)}</h2>'
            f"{body or escape(_t('none', lang))}</section>"
        )
    html.append("</body></html>\n")
    folder = Path(path).parent if root is None else root
    out = write_text(path, "\n".join(html), root=folder, inputs=inputs)
    os.chmod(out, 0o644)
    logger.info("wrote report %s with %d section(s)", out, len(sections))
    return out


def _threshold_text(threshold: float) -> str:
    return str(int(threshold)) if float(threshold).is_integer() else str(threshold)
