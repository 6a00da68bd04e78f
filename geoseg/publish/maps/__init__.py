"""Folium maps of geoseg's results that work offline from a single HTML file.

Each ``*_map`` function returns a :class:`folium.Map`; :func:`save_map` writes it as one HTML
page with Leaflet inlined (from the ``XStatic-Leaflet`` package), no CDN and no basemap tiles, so
it opens from ``file://`` without a network. The page has a title, a language, a link back to
the index and a table of what the map shows. What every map shares (language, disclosure
threshold, water, streets, look) is one :class:`MapStyle`. Everything from the data is escaped,
and counts below the disclosure threshold are suppressed and marked (see
:mod:`geoseg.publish.disclosure`).
"""

from __future__ import annotations

from geoseg.publish.maps._page import map_html, save_map
from geoseg.publish.maps._streets import STREET_LINES_VERSION, STREET_VERTICES, street_lines
from geoseg.publish.maps._style import MapStyle
from geoseg.publish.maps.access import access_map
from geoseg.publish.maps.choropleth import choropleth_map, local_index_map
from geoseg.publish.maps.emerging import emerging_map
from geoseg.publish.maps.lisa import lisa_map
from geoseg.publish.maps.plan import plan_map

__all__ = [
    "STREET_LINES_VERSION",
    "STREET_VERTICES",
    "MapStyle",
    "access_map",
    "choropleth_map",
    "emerging_map",
    "lisa_map",
    "local_index_map",
    "map_html",
    "plan_map",
    "save_map",
    "street_lines",
]
