"""What a reader orients by, drawn from the project's own data: water, streets, area names.

Nothing comes from the internet: water polygons come from the project's ``[areas] water``
file, streets from its street network (continuous strokes within a vertex budget, see
:mod:`geoseg.publish.maps._streets`, so a map stays small), and the names from the areas
themselves.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geoseg.i18n import tr
from geoseg.publish._html import js_json
from geoseg.publish.maps._elements import DataBlock, GeoLayer
from geoseg.publish.maps._geometry import chained_lines, feature_collection, prepare_layer
from geoseg.publish.maps._palettes import WATER_COLOUR
from geoseg.publish.maps._streets import street_tiers
from geoseg.settings import MAP_CRS

__all__ = [
    "STREET_ZOOM",
    "STREET_ZOOM_ALL",
    "AreaLabels",
    "add_streets",
    "add_water",
    "area_label_points",
]

logger = logging.getLogger(__name__)

#: The major streets appear from this zoom level on (about 20 m a pixel at 58° N: a city's
#: whole extent), the others from :data:`STREET_ZOOM_ALL` on (about 5 m a pixel).
STREET_ZOOM = 12
STREET_ZOOM_ALL = 14


def add_water(
    m: Any, areas: gpd.GeoDataFrame, water: gpd.GeoDataFrame, *, lang: str, tolerance: float | None
) -> GeoLayer | None:
    """Draw water over the areas (clipped near them), under the streets and names: areas often
    include the water they border, where nobody lives; return its layer for the legend."""
    w = water.to_crs(areas.crs) if water.crs is not None and areas.crs is not None else water
    if w.crs is not None and areas.crs is not None:
        x0, y0, x1, y1 = areas.total_bounds
        pad = 0.1 * max(x1 - x0, y1 - y0)
        w = w.clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    if not len(w):
        return None
    wg = prepare_layer(w, what="water", tolerance=tolerance, coverage=False)
    data = feature_collection(wg, [f"w{i}" for i in range(len(wg))])
    style = {"color": "#7fa9c9", "weight": 0.5, "fillColor": WATER_COLOUR, "fillOpacity": 1.0}
    return _fixed_layer(m, data, tr("water", lang), style, pane="geoseg-water")


def _fixed_layer(
    m: Any, data: dict[str, Any], name: str, style: dict[str, Any], **options: Any
) -> GeoLayer:
    """Add a layer readers cannot switch off or hover (water, streets) in a pane of its own."""
    block = DataBlock(data)
    m.add_child(block)
    layer = GeoLayer(block, {}, name=name, interactive=False, control=False, style=style, **options)
    m.add_child(layer)
    return layer


def add_streets(m: Any, streets: gpd.GeoSeries | gpd.GeoDataFrame, *, lang: str) -> list[GeoLayer]:
    """Draw the streets as thin light lines above the areas: the major ones (the longest
    strokes, :func:`geoseg.publish.maps._streets.street_tiers`) from :data:`STREET_ZOOM` on,
    all from :data:`STREET_ZOOM_ALL` on; return the layers drawn."""
    geoms = prepare_layer(
        streets if isinstance(streets, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=streets),
        what="streets",
        tolerance=None,
        coverage=False,
    )
    layers = []
    tiers = zip(
        street_tiers(geoms.geometry),
        (1.6, 1.1),
        (STREET_ZOOM, STREET_ZOOM_ALL),
        ("geoseg-streets", "geoseg-streets-minor"),  # a pane each: shown from its own zoom
        strict=True,
    )
    for part, weight, zoom, pane in tiers:
        if not len(part):
            continue
        style = {"color": "#ffffff", "weight": weight, "opacity": 0.8, "fill": False}
        data = chained_lines(part, digits=5)
        name = tr("streets", lang)
        layers.append(_fixed_layer(m, data, name, style, pane=pane, min_zoom=zoom))
    return layers


def area_label_points(areas: gpd.GeoDataFrame, names: dict[str, str]) -> list[list[Any]]:
    """``[lat, lon, name, south, west, north, east]`` of each named area, for its label.

    The label sits on a point inside the area (``representative_point``); the box is the
    area's extent, which the page compares with the label's width at each zoom.
    """
    geo = areas.to_crs(MAP_CRS)
    inside = geo.geometry.representative_point()
    bounds = geo.geometry.bounds.to_numpy()
    out = []
    for i, code in enumerate(map(str, areas.index)):
        name = names.get(code, "")
        if not name or inside.iloc[i] is None or inside.iloc[i].is_empty:
            continue
        p = inside.iloc[i]
        w, s, e, n = (round(float(v), 5) for v in bounds[i])
        out.append([round(p.y, 5), round(p.x, 5), name, s, w, n, e])
    return out


class AreaLabels(MacroElement):
    """Area names on the map, each shown only at the zooms where it fits inside its area."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.labels({{ this._parent.get_name() }}, {{ this.points_json }});
        {% endmacro %}
        """
    )

    def __init__(self, points: list[list[Any]]) -> None:
        super().__init__()
        self._name = "geoseg_labels"
        self.points_json = js_json(points)
