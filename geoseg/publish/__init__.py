"""Presenting results to people: offline maps, the index page, the report and disclosure control.

Everything published passes through :func:`geoseg.publish.disclosure.suppress_counts` (person
counts below the threshold are never shown) and :mod:`geoseg.publish._html` escaping. Labels come
from :mod:`geoseg.i18n` in Swedish or English. Matplotlib figures for notebooks are in
:mod:`geoseg.publish.plots` (matplotlib is imported only when one is drawn).
"""

from __future__ import annotations

from geoseg.publish.disclosure import suppress_counts, suppressed_label
from geoseg.publish.index import write_index
from geoseg.publish.maps import (
    MapStyle,
    access_map,
    choropleth_map,
    emerging_map,
    lisa_map,
    local_index_map,
    map_html,
    plan_map,
    save_map,
    street_lines,
)
from geoseg.publish.plots import plot_hotspots, plot_index_trends, plot_lorenz, plot_plan_minutes
from geoseg.publish.redraw import redraw
from geoseg.publish.report import write_report
from geoseg.publish.run import publish

__all__ = [
    "MapStyle",
    "access_map",
    "choropleth_map",
    "emerging_map",
    "lisa_map",
    "local_index_map",
    "map_html",
    "plan_map",
    "plot_hotspots",
    "plot_index_trends",
    "plot_lorenz",
    "plot_plan_minutes",
    "publish",
    "redraw",
    "save_map",
    "street_lines",
    "suppress_counts",
    "suppressed_label",
    "write_index",
    "write_report",
]
