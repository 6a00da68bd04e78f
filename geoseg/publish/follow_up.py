"""The report's follow-up section: gaps between areas, area trends and emerging hotspots."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.hotspots import CATEGORIES, category_labels
from geoseg.i18n import follow_up_note_text, series_note_text, tr
from geoseg.publish._html import escape
from geoseg.publish._svg import trend_svg

if TYPE_CHECKING:
    from geoseg.trends import ProjectTrends, SeriesBreak

__all__ = ["follow_up_section", "split_at_breaks"]

Table = Callable[..., str]


def follow_up_section(
    follow_up: ProjectTrends,
    *,
    lang: str,
    table: Table,
    labels: Mapping[str, str] | None = None,
) -> str:
    """HTML of the follow-up section (escaped).

    Parameters
    ----------
    follow_up
        A :class:`geoseg.trends.ProjectTrends` (``gaps``, ``gap_series``, ``areas``,
        ``emerging``, ``notes``).
    lang
        ``"en"`` or ``"sv"``.
    table
        Renders a DataFrame as an escaped HTML table (the report's table function).
    labels
        Readable names of indicators and hotspot variables (also of the variables the notes
        name, which are shown in ``lang``).

    Notes
    -----
    Gap charts draw one line per comparable segment of a series: a series break without a
    crosswalk ends one line and starts the next, so no line runs across it.
    """
    labels = labels or {}
    parts: list[str] = []
    notes = [str(n) for n in getattr(follow_up, "notes", [])]
    gaps: pd.DataFrame = getattr(follow_up, "gaps", pd.DataFrame())
    series: pd.DataFrame = getattr(follow_up, "gap_series", pd.DataFrame())
    if len(gaps):
        parts.append(f"<h3>{escape(tr('gap_title', lang))}</h3>")
        parts.append(f"<p>{escape(tr('gap_intro', lang))}</p>")
        shown = gaps[gaps["measure"] == "p90_p10"]
        tab = pd.DataFrame(
            {
                tr("gap_indicator", lang): [labels.get(i, i) for i in shown["indicator"]],
                tr("trend_years", lang): [
                    _span(a, b)
                    for a, b in zip(shown["first_year"], shown["last_year"], strict=True)
                ],
                tr("gap_first", lang): shown["gap_first"].to_numpy(),
                tr("gap_last", lang): shown["gap_last"].to_numpy(),
                tr("trend_slope", lang): shown["slope"].to_numpy(),
                tr("p_value", lang): shown["mk_p"].to_numpy(),
                tr("gap_verdict", lang): [
                    tr(f"gap_{v.replace(' ', '_')}", lang) for v in shown["verdict"]
                ],
                tr("trend_note", lang): [
                    series_note_text(n, lang) for n in shown["series_note"].fillna("").astype(str)
                ],
            }
        )
        parts.append(table(tab, digits=2))
        charts = []
        for indicator, rows in series[series["measure"] == "p90_p10"].groupby(
            "indicator", sort=False
        ):
            lines = {
                _span(seg["year"].min(), seg["year"].max()): seg.rename(columns={"gap": "value"})
                for _, seg in rows.groupby("segment", sort=True)
            }
            title = f"{labels.get(str(indicator), str(indicator))}: P90−P10"
            charts.append(f"<figure>{trend_svg(lines, title=title, lang=lang)}</figure>")
        parts += ['<div class="charts">', *charts, "</div>"]
    areas: pd.DataFrame = getattr(follow_up, "areas", pd.DataFrame())
    if len(areas):
        parts.append(f"<h3>{escape(tr('area_trends_title', lang))}</h3>")
        counts = (
            areas.groupby("indicator", sort=False)["direction"].value_counts().unstack(fill_value=0)
        )
        tab = pd.DataFrame(
            {
                tr("gap_indicator", lang): [labels.get(str(i), str(i)) for i in counts.index],
                tr("trend_increasing", lang): counts.get("increasing", 0),
                tr("trend_decreasing", lang): counts.get("decreasing", 0),
                tr("trend_none", lang): counts.get("no trend", 0),
            }
        )
        parts.append(table(tab.reset_index(drop=True), digits=0))
    emerging: pd.DataFrame = getattr(follow_up, "emerging", pd.DataFrame())
    if len(emerging):
        parts.append(f"<h3>{escape(tr('emerging_hotspots', lang))}</h3>")
        parts.append(f"<p>{escape(tr('emerging_intro', lang))}</p>")
        words = dict(zip(CATEGORIES, category_labels(list(CATEGORIES), lang=lang), strict=True))
        counts = (
            emerging.groupby("variable", sort=False)["category"]
            .value_counts()
            .unstack(fill_value=0)
        )
        present = [c for c in CATEGORIES if c in counts.columns]
        tab = pd.DataFrame(
            {tr("ehsa_variable", lang): [labels.get(str(v), str(v)) for v in counts.index]}
            | {words[c]: counts[c].to_numpy() for c in present}
        )
        parts.append(table(tab, digits=0))
    if notes:
        texts = [follow_up_note_text(n, lang, label=lambda v: labels.get(v, v)) for n in notes]
        items = "".join(f"<li>{escape(n)}</li>" for n in texts)
        parts.append(f"<h3>{escape(tr('trend_notes', lang))}</h3><ul>{items}</ul>")
    return "".join(parts)


def _span(first: Any, last: Any) -> str:
    if pd.isna(first) or pd.isna(last):
        return ""
    return f"{int(first)}–{int(last)}"


def split_at_breaks(
    label: str, frame: pd.DataFrame, breaks: Iterable[SeriesBreak], names: Iterable[object]
) -> dict[str, pd.DataFrame]:
    """One chart line per comparable stretch of a series (``year``, ``value``).

    A break without a crosswalk that concerns any of ``names`` (or ``"all"``) and falls inside
    the series ends one line and starts the next, labelled ``"label first–last"``; without
    such a break the series keeps its ``label``.
    """
    years = pd.to_numeric(frame["year"], errors="coerce")
    wanted = {str(n) for n in names}
    cuts = sorted(
        {
            int(b.year)
            for b in breaks
            if b.crosswalk is None
            and (b.indicators == "all" or wanted & set(b.indicators))
            and years.min() < b.year <= years.max()
        }
    )
    if not cuts:
        return {label: frame}
    edges = [-np.inf, *cuts, np.inf]
    out = {}
    for lo, hi in itertools.pairwise(edges):
        part = frame[(years >= lo) & (years < hi)]
        if len(part):
            out[f"{label} {_span(part['year'].min(), part['year'].max())}"] = part
    return out
