"""The single-file HTML report: tables, trend charts, hotspot, access and plan summaries, methods.

:func:`write_report` takes the pipeline's results in one call and writes one self-contained HTML
file (inline CSS and inline SVG charts; no script, no CDN, no image files), so it opens offline.
Everything from the data is escaped and counts below the disclosure threshold are suppressed and
marked. The sections are drawn by :mod:`geoseg.publish.programme` (indicators by target area and
the segregation headline), :mod:`geoseg.publish.follow_up`, and the report's own modules for the
result sections, tables and numbers, and the appendix of methods.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geoseg.i18n import check_lang, tr
from geoseg.io import write_text
from geoseg.publish._html import escape, safe_href
from geoseg.publish._report_methods import FOLLOW_UP_METHODS, METHODS, methods_section
from geoseg.publish._report_sections import (
    HEADLINE_MEASURES,
    access_section,
    hotspot_section,
    plan_section,
    segregation_catalogue,
)
from geoseg.publish._report_table import html_table
from geoseg.publish._svg import trend_svg
from geoseg.publish.disclosure import suppress_counts
from geoseg.publish.follow_up import follow_up_section
from geoseg.publish.programme import grown_table, programme_section, segregation_headline
from geoseg.settings import DEFAULT_MINUTES, SUPPRESSION_THRESHOLD

if TYPE_CHECKING:
    from geoseg.io.indicators import Indicator
    from geoseg.trends import ProjectTrends, SeriesBreak

__all__ = ["FOLLOW_UP_METHODS", "METHODS", "trend_svg", "write_report"]


logger = logging.getLogger(__name__)

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
p, li {overflow-wrap: anywhere;}
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
@media screen {p.symbols + div.table td {min-width: 11em;}} p.symbols {font-size: 0.92em;}
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
    definitions: Mapping[str, Indicator] | None = None,
    group_labels: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    table_masks: Mapping[str, pd.DataFrame] | None = None,
    count_columns: Sequence[str] = (),
    hotspots: Mapping[str, pd.DataFrame] | pd.DataFrame | None = None,
    follow_up: ProjectTrends | None = None,
    labels: Mapping[str, str] | None = None,
    breaks: Sequence[SeriesBreak] = (),
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
        (:func:`geoseg.segregation.trend.segregation_trend`): the tested ones make the "has
        segregation grown" table.
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
        sections.append(("programme", tr("programme", lang), body))
    catalogue = ""
    if segregation is not None and len(segregation):
        # the headline measures are charted once, in the headline; the appendix has the rest
        headline = (
            segregation["index"].astype(str).isin(HEADLINE_MEASURES)
            if "index" in segregation.columns
            else pd.Series(False, index=segregation.index)
        )
        catalogue, indices = segregation_catalogue(segregation[~headline], lang, breaks, glabels)
        indices = set(indices) | set(segregation.loc[headline, "index"].astype(str))
        head = segregation_headline(
            segregation, trend, group_labels=glabels, lang=lang, breaks=breaks
        )
        if trend is not None and len(trend) and trend["p_value_increase"].notna().any():
            grown = grown_table(trend, segregation, group_labels=glabels, lang=lang)
            grown_head = tr("grown_title", lang)
            head += f"<h3>{escape(grown_head)}</h3>" + html_table(grown, lang, caption=grown_head)
        sections.append(("segregation", tr("seg_headline", lang), head))
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
                + html_table(
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
        sections.append(("tables", tr("tables", lang), "".join(parts)))
    if hotspots is not None:
        results = (
            {tr("hotspots", lang): hotspots}
            if isinstance(hotspots, pd.DataFrame)
            else dict(hotspots)
        )
        sections.append(
            ("hotspots", tr("hotspots", lang), hotspot_section(results, names, lang, threshold))
        )
    if follow_up is not None:
        body = follow_up_section(
            follow_up,
            lang=lang,
            labels=labels,
            table=lambda df, **kw: html_table(df, lang, threshold=threshold, **kw),
        )
        sections.append(("follow_up", tr("follow_up", lang), body))
    if access is not None and len(access):
        sections.append(
            (
                "access",
                tr("access", lang),
                access_section(access, names, lang, minutes, threshold, access_totals),
            )
        )
    if plan is not None and len(plan):
        sections.append(
            ("plan", tr("plan", lang), plan_section(plan, names, lang, threshold, plan_verdict))
        )
    if maps:
        items = "".join(f'<li><a href="{safe_href(f)}">{escape(t)}</a></li>' for f, t in maps)
        sections.append(("maps", tr("maps", lang), f"<ul>{items}</ul>"))
    sections.append(
        (
            "methods",
            tr("appendix", lang),
            f"<p>{escape(tr('appendix_intro', lang))}</p>"
            + catalogue
            + f"<h3>{escape(tr('methods', lang))}</h3>"
            + methods_section(
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
        sections.append(("sources", tr("sources", lang), f"<ul>{items}</ul>"))
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
    html.append(f"<nav><h2>{escape(tr('contents', lang))}</h2><ul>{toc}</ul></nav>")
    for sid, head, body in sections:
        html.append(
            f'<section id="{sid}"><h2>{escape(head)}</h2>'
            f"{body or escape(tr('none', lang))}</section>"
        )
    html.append("</body></html>\n")
    folder = Path(path).parent if root is None else root
    out = write_text(path, "\n".join(html), root=folder, inputs=inputs)
    os.chmod(out, 0o644)
    logger.info("wrote report %s with %d section(s)", out, len(sections))
    return out


def _threshold_text(threshold: float) -> str:
    return str(int(threshold)) if float(threshold).is_integer() else str(threshold)
