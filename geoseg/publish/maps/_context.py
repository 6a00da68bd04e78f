"""What a reader orients by, drawn from the project's own data: water, streets, area names.

Nothing comes from the internet: water polygons come from the project's ``[areas] water``
file, streets from its street network (continuous strokes within a vertex budget, see
:mod:`geoseg.publish.maps._streets`, so a map stays small), and the names from the areas
themselves.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
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
    "content_key",
    "remembered",
]

logger = logging.getLogger(__name__)

#: The major streets appear from this zoom level on (about 20 m a pixel at 58° N: a city's
#: whole extent), the others from :data:`STREET_ZOOM_ALL` on (about 5 m a pixel).
STREET_ZOOM = 12
STREET_ZOOM_ALL = 14

#: Layers every map of a run draws the same (areas, water, streets, names), by content key.
_REMEMBERED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
#: How many such layers are kept (the most recently used).
_REMEMBER = 16


def content_key(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """A digest of a layer's CRS, index and geometry: equal for equal layers."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(str(gdf.crs).encode())
    digest.update(pd.util.hash_array(np.asarray(gdf.index.astype(str), dtype=object)).tobytes())
    geoms = np.asarray(gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf)
    for wkb in shapely.to_wkb(geoms):
        digest.update(b"-" if wkb is None else wkb)
    return digest.hexdigest()


def remembered(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()``, computed once for ``key`` while it is among the recently used ones.

    Values must not be modified by the caller (they are shared by the maps of a run).
    """
    if key in _REMEMBERED:
        _REMEMBERED.move_to_end(key)
        return _REMEMBERED[key]
    value = build()
    _REMEMBERED[key] = value
    while len(_REMEMBERED) > _REMEMBER:
        _REMEMBERED.popitem(last=False)
    return value


def add_water(
    m: Any, areas: gpd.GeoDataFrame, water: gpd.GeoDataFrame, *, lang: str, tolerance: float | None
) -> GeoLayer | None:
    """Draw water over the areas (clipped near them), under the streets and names: areas often
    include the water they border, where nobody lives; return its layer for the legend."""

    def build() -> str | None:
        w = water.to_crs(areas.crs) if water.crs is not None and areas.crs is not None else water
        if w.crs is not None and areas.crs is not None:
            x0, y0, x1, y1 = areas.total_bounds
            pad = 0.1 * max(x1 - x0, y1 - y0)
            w = w.clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        if not len(w):
            return None
        wg = prepare_layer(w, what="water", tolerance=tolerance, coverage=False)
        return js_json(feature_collection(wg, [f"w{i}" for i in range(len(wg))]))

    key = ("water", content_key(areas), content_key(water), tolerance)
    encoded = remembered(key, build)
    if encoded is None:
        return None
    style = {"color": "#7fa9c9", "weight": 0.5, "fillColor": WATER_COLOUR, "fillOpacity": 1.0}
    return _fixed_layer(m, encoded, tr("water", lang), style, pane="geoseg-water")


def _fixed_layer(
    m: Any, encoded: str, name: str, style: dict[str, Any], **options: Any
) -> GeoLayer:
    """Add a layer readers cannot switch off or hover (water, streets) in a pane of its own."""
    block = DataBlock(encoded=encoded)
    m.add_child(block)
    layer = GeoLayer(block, {}, name=name, interactive=False, control=False, style=style, **options)
    m.add_child(layer)
    return layer


def add_streets(m: Any, streets: gpd.GeoSeries | gpd.GeoDataFrame, *, lang: str) -> list[GeoLayer]:
    """Draw the streets as thin light lines above the areas: the major ones (the longest
    strokes, :func:`geoseg.publish.maps._streets.street_tiers`) from :data:`STREET_ZOOM` on,
    all from :data:`STREET_ZOOM_ALL` on; return the layers drawn."""

    def build() -> list[str | None]:
        geoms = prepare_layer(
            streets
            if isinstance(streets, gpd.GeoDataFrame)
            else gpd.GeoDataFrame(geometry=streets),
            what="streets",
            tolerance=None,
            coverage=False,
        )
        tiers = street_tiers(geoms.geometry)
        return [js_json(chained_lines(p, digits=5)) if len(p) else None for p in tiers]

    encoded = remembered(("streets", content_key(streets)), build)
    layers = []
    tiers = zip(
        encoded,
        (1.6, 1.1),
        (STREET_ZOOM, STREET_ZOOM_ALL),
        ("geoseg-streets", "geoseg-streets-minor"),  # a pane each: shown from its own zoom
        strict=True,
    )
    for data, weight, zoom, pane in tiers:
        if data is None:
            continue
        style = {"color": "#ffffff", "weight": weight, "opacity": 0.8, "fill": False}
        layers.append(_fixed_layer(m, data, tr("streets", lang), style, pane=pane, min_zoom=zoom))
    return layers


def area_label_points(areas: gpd.GeoDataFrame, names: dict[str, str]) -> list[list[Any]]:
    """``[lat, lon, name, south, west, north, east]`` of each named area, for its label.

    The label sits on a point inside the area (``representative_point``); the box is the
    area's extent, which the page compares with the label's width at each zoom. The list is
    shared by the maps of a run: do not modify it.
    """
    key = ("labels", content_key(areas), tuple(names.items()))
    return remembered(key, lambda: _label_points(areas, names))  # type: ignore[no-any-return]


def _label_points(areas: gpd.GeoDataFrame, names: dict[str, str]) -> list[list[Any]]:
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
