"""Indicators over the years: each area's trend, whether the gap between areas grows, breaks.

Works on a tidy table of indicators with one row per area, year and indicator (columns
``code``, ``year``, ``indicator``, ``value``), such as :func:`geoseg.indicators.indicator_values`
builds from a register and the project's declared indicators::

    from geoseg.indicators import indicator_values
    from geoseg.trends import area_trends, gap_trends

    table = indicator_values(
        register, project.indicators, id_column="area_code", year_column="year"
    )
    per_area = area_trends(table)  # slope, 95 % interval, Mann-Kendall p per area
    gaps = gap_trends(table)  # has the P90-P10 gap between areas grown?

A *series break* (:class:`SeriesBreak`) says that an indicator's values from a year on are not
comparable with earlier ones (a new definition, new boundaries). Trends never run across a
break: they use the years from the last break on, unless the break comes with a crosswalk that
carries the earlier values over to the new areas, and every result says which years it used and
why.
"""

from __future__ import annotations

from geoseg.trends.area import GAP_MEASURES, METHODS, GapTrends, area_trends, gap_trends
from geoseg.trends.breaks import SeriesBreak, apply_breaks, comparable_from
from geoseg.trends.project import ProjectTrends, trends_for_project

__all__ = [
    "GAP_MEASURES",
    "METHODS",
    "GapTrends",
    "ProjectTrends",
    "SeriesBreak",
    "apply_breaks",
    "area_trends",
    "comparable_from",
    "gap_trends",
    "trends_for_project",
]
