"""The report's sections for the programme's follow-up, in plain words.

The declared indicators grouped by the programme's four target areas, one sentence per
indicator; the headline segregation measures (dissimilarity and isolation of the declared
groups); the "has segregation grown" table with readable headers; the list of data sources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.i18n import index_label, series_note_text, tr
from geoseg.indicators import change_interval, city_values
from geoseg.publish._html import escape, format_number
from geoseg.publish._svg import trend_svg
from geoseg.publish.follow_up import split_at_breaks

if TYPE_CHECKING:
    from geoseg.io.indicators import Indicator
    from geoseg.trends import SeriesBreak

__all__ = [
    "grown_table",
    "indicator_sentence",
    "programme_section",
    "segregation_headline",
    "zero_axis",
]

#: The programme's target areas in its order (keys of :data:`geoseg.io.indicators.TARGET_AREAS`).
AREAS = ("start", "work", "living", "participation")

Table = Callable[..., str]


def _num(value: float, lang: str, digits: int = 1) -> str:
    return format_number(float(value), lang=lang, digits=digits)


def _signed(value: float, lang: str, digits: int = 1) -> str:
    text = _num(value, lang, digits)
    return text if text.startswith("−") else "+" + text


def _unit(ind: Any) -> str:
    if ind.kind == "share":
        return "%"
    if ind.kind == "rate":
        return "per 1 000"
    return str(ind.unit or "")


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def indicator_sentence(
    values: pd.DataFrame,
    ind: Indicator,
    *,
    names: Mapping[str, str],
    lang: str,
    threshold: float,
) -> tuple[str, pd.DataFrame]:
    """One paragraph in plain words about one indicator, and its city-wide series.

    Says what the indicator measures, which direction is worse, the city value in the first
    and the last year with the change, its 95 % interval and whether it is significant (the
    interval excludes zero), and the areas with the most and the least favourable value in
    the last year (areas resting on fewer persons than ``threshold`` are left out).
    """
    city = city_values(values, ind)
    city = city[np.isfinite(city["value"])]
    label = ind.label(lang)
    unit = _unit(ind)
    worse = tr(f"worse_{ind.worse}", lang)
    what = (
        tr(f"what_{ind.kind}", lang) if ind.kind in ("share", "rate") else tr("what_amount", lang)
    )
    if city.empty:
        return escape(f"{label}: {tr('none', lang)}"), city
    last = city.iloc[-1]
    y1 = None if pd.isna(last["year"]) else int(last["year"])
    suffix = "" if y1 is not None else "_noyear"  # a register without a year column
    if len(city) > 1 and y1 is not None:
        first = city.iloc[0]
        y0 = int(first["year"])
        lo, hi = change_interval(values, ind, y0, y1)
        change = float(last["value"] - first["value"])
        cunit = tr("pp", lang) if ind.kind == "share" else unit
        sig = tr(
            "significant" if np.isfinite(lo) and (lo > 0 or hi < 0) else "not_significant", lang
        )
        text = tr(
            "ind_sentence",
            lang,
            label=label,
            what=what,
            worse=worse,
            first=_with_unit(_num(first["value"], lang), unit),
            last=_with_unit(_num(last["value"], lang), unit),
            y0=y0,
            y1=y1,
            change=_with_unit(_signed(change, lang), cunit),
            lo=_signed(lo, lang, 1 if abs(lo) >= 0.05 else 2),
            hi=_signed(hi, lang, 1 if abs(hi) >= 0.05 else 2),
            sig=sig,
        )
    else:
        text = tr(
            "ind_single" + suffix,
            lang,
            label=label,
            what=what,
            worse=worse,
            last=_with_unit(_num(last["value"], lang), unit),
            y1=y1,
        )
    in_year = values["year"].isna() if y1 is None else values["year"] == y1
    latest = values[in_year & np.isfinite(values["value"].astype(float))]
    base = latest["base"].astype(float)
    latest = latest[~(base < threshold)]
    if len(latest) >= 2:
        order = latest.sort_values("value", kind="stable")
        low, high = order.iloc[0], order.iloc[-1]
        best, worst = (low, high) if ind.worse == "higher" else (high, low)
        key = "ind_areas_none" if ind.worse == "none" else "ind_areas"
        if ind.worse == "none":
            best, worst = high, low
        text += " " + tr(
            key + suffix,
            lang,
            y1=y1,
            best=names.get(str(best["code"])) or str(best["code"]),
            bv=_with_unit(_num(best["value"], lang), unit),
            worst=names.get(str(worst["code"])) or str(worst["code"]),
            wv=_with_unit(_num(worst["value"], lang), unit),
        )
    return escape(text), city


def zero_axis(values: Sequence[float] | np.ndarray) -> bool:
    """Whether a chart of these non-negative values should start its axis at zero.

    It should, unless the change between the values would then be invisible (the range is
    below 5 % of the largest value): such a chart keeps a truncated axis and says so.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v) or v.min() < 0:
        return False
    top = float(v.max())
    return top == 0 or (top - float(v.min())) >= 0.05 * top


def _figure(series: Mapping[str, pd.DataFrame], title: str, lang: str, digits: int = 2) -> str:
    allv = np.concatenate(
        [f["value"].to_numpy(dtype=float) for f in series.values()] or [np.array([])]
    )
    start = zero_axis(allv)
    svg = trend_svg(series, title=title, lang=lang, digits=digits, from_zero=start)
    if not svg:
        return ""
    caption = "" if start else f"<figcaption>{escape(tr('axis_not_zero', lang))}</figcaption>"
    return f"<figure>{svg}{caption}</figure>"


def programme_section(
    values: pd.DataFrame,
    definitions: Mapping[str, Indicator],
    *,
    names: Mapping[str, str],
    lang: str,
    threshold: float,
) -> str:
    """The declared indicators under the programme's four target areas (escaped HTML).

    Each target area gets a heading with the programme's wording; each indicator one
    paragraph (:func:`indicator_sentence`) and a chart of its city-wide value over the years.
    Indicators without a target area follow under "Other indicators".
    """
    parts = []
    groups: dict[str, list[Any]] = {a: [] for a in (*AREAS, "other")}
    for ind in definitions.values():
        groups[ind.target_area if ind.target_area in AREAS else "other"].append(ind)
    for area, inds in groups.items():
        if area == "other" and not inds:
            continue
        parts.append(f"<h3>{escape(tr(f'area_{area}', lang))}</h3>")
        if not inds:
            parts.append(f"<p>{escape(tr('no_indicators', lang))}</p>")
            continue
        charts = []
        for ind in inds:
            rows = values[values["indicator"] == ind.name]
            text, city = indicator_sentence(rows, ind, names=names, lang=lang, threshold=threshold)
            parts.append(f"<p>{text}</p>")
            if len(city) > 1:
                unit = _unit(ind)
                title = f"{ind.label(lang)} ({unit})" if unit else ind.label(lang)
                charts.append(_figure({ind.label(lang): city}, title, lang, digits=1))
        if charts:
            parts += ['<div class="charts">', *charts, "</div>"]
    return "".join(parts)


def segregation_headline(
    seg: pd.DataFrame,
    trend: pd.DataFrame | None,
    *,
    group_labels: Mapping[str, str],
    lang: str,
    breaks: Iterable[SeriesBreak] = (),
) -> str:
    """Dissimilarity and isolation of the declared groups, in words and charts (escaped HTML).

    A chart line ends at a series break of its group (see
    :func:`geoseg.publish.follow_up.split_at_breaks`).

    One sentence per (index, group) with the first and the last year, the change and, where
    tested, the p-value of an increase; a higher value always means more segregation.
    """
    parts = [f"<p>{escape(tr('seg_intro', lang))}</p>"]
    df = seg[seg["index"].astype(str).isin(["dissimilarity", "isolation"])].copy()
    if "level" in df.columns and df["level"].notna().any():
        df = df[df["level"] == sorted(df["level"].dropna().astype(str))[0]]
    charts = []
    for index in ("dissimilarity", "isolation"):
        part = df[df["index"] == index]
        if part.empty:
            continue
        lines: dict[str, pd.DataFrame] = {}
        for group, rows in part.groupby("group", sort=True):
            rows = rows.sort_values("year")
            glabel = group_labels.get(str(group)) or str(group).replace("_", " ")
            first, last = rows.iloc[0], rows.iloc[-1]
            test = ""
            if trend is not None and len(trend) and "p_value_increase" in trend.columns:
                hit = trend[(trend["index"] == index) & (trend["group"].astype(str) == str(group))]
                p = hit["p_value_increase"].dropna()
                if len(p):
                    sig = tr("significant" if p.iloc[0] <= 0.05 else "not_significant", lang)
                    test = tr("seg_test", lang, p=_num(p.iloc[0], lang, 3), sig=sig)
            if pd.isna(first["year"]) or pd.isna(last["year"]):  # a register without years
                parts.append(
                    "<p>"
                    + escape(
                        tr(
                            "seg_single",
                            lang,
                            label=index_label(index, lang),
                            group=glabel,
                            value=_num(last["value"], lang, 3),
                        )
                    )
                    + "</p>"
                )
                continue
            parts.append(
                "<p>"
                + escape(
                    tr(
                        f"seg_sentence_{index}",
                        lang,
                        group=glabel,
                        first=_num(first["value"], lang, 3),
                        last=_num(last["value"], lang, 3),
                        y0=int(first["year"]),
                        y1=int(last["year"]),
                        change=_signed(last["value"] - first["value"], lang, 3),
                        test=test,
                    )
                )
                + "</p>"
            )
            cols = [c for c in ("year", "value", "ci_low", "ci_high") if c in rows]
            lines |= split_at_breaks(glabel, rows[cols], breaks, str(group).split("+"))
        if lines:
            charts.append(_figure(lines, index_label(index, lang), lang, digits=2))
    return "".join(parts) + '<div class="charts">' + "".join(charts) + "</div>"


def grown_table(
    trend: pd.DataFrame,
    seg: pd.DataFrame | None,
    *,
    group_labels: Mapping[str, str],
    lang: str,
) -> pd.DataFrame:
    """The "has segregation grown" table with readable headers and cells.

    Index names and groups in words, years as years, the 95 % intervals of the first and the
    last year's value from the index table's ``ci_low``/``ci_high``; columns that would be
    empty in every row are left out.
    """
    t = trend[trend["p_value_increase"].notna()].reset_index(drop=True)
    ci: dict[tuple[str, str, int], str] = {}
    if seg is not None and {"ci_low", "ci_high"} <= set(seg.columns):
        for rec in seg.to_dict(orient="records"):
            lo, hi = rec["ci_low"], rec["ci_high"]
            if pd.notna(lo) and pd.notna(hi):
                key = (str(rec["index"]), str(rec.get("group", "")), int(rec["year"]))
                ci[key] = f"{_num(float(lo), lang, 3)} – {_num(float(hi), lang, 3)}"

    def interval(r: Any, year_col: str) -> str:
        return ci.get((str(r["index"]), str(r.get("group", "")), int(r[year_col])), "")

    out = pd.DataFrame(
        {
            tr("index", lang): [index_label(str(i), lang) for i in t["index"]],
            tr("group", lang): [
                group_labels.get(str(g)) or str(g).replace("_", " ") for g in t.get("group", "")
            ],
            tr("year_first", lang): [str(int(y)) for y in t["year_first"]],
            tr("value_first", lang): [_num(v, lang, 3) for v in t["value_first"]],
            tr("ci_first", lang): [interval(r, "year_first") for _, r in t.iterrows()],
            tr("year_last", lang): [str(int(y)) for y in t["year_last"]],
            tr("value_last", lang): [_num(v, lang, 3) for v in t["value_last"]],
            tr("ci_last", lang): [interval(r, "year_last") for _, r in t.iterrows()],
            tr("change", lang): [_signed(v, lang, 3) for v in t["change"]],
            tr("p_value_increase", lang): [_num(v, lang, 3) for v in t["p_value_increase"]],
            tr("series_note", lang): (
                [series_note_text(n, lang) for n in t["series_note"].fillna("").astype(str)]
                if "series_note" in t
                else ""
            ),
        }
    )
    keep = [c for c in out.columns if out[c].astype(str).str.strip().ne("").any()]
    return out[keep]
