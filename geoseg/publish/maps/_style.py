"""The look and context shared by every map of a run: one :class:`MapStyle` instead of a dozen
keyword arguments repeated by each ``*_map`` function."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geoseg.errors import InputError
from geoseg.i18n import check_lang
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["MapStyle"]


@dataclass(frozen=True, eq=False)
class MapStyle:
    """How a map looks and what it is drawn over; the same for every map of a run.

    Attributes
    ----------
    lang
        Language of every label: ``"en"`` or ``"sv"``.
    fictional
        Show the note that the data are invented (the example city).
    threshold
        Disclosure threshold: counts below it are suppressed and marked ("<5, dold").
    water
        Water polygons drawn under the areas (in the legend as water), or ``None``.
    streets
        Street lines drawn as a light layer over the areas when zoomed in (see
        :func:`geoseg.publish.maps.street_lines` to prepare them from a street network), or
        ``None``.
    labels
        Write the area names on the map at the zooms where they fit.
    tiles
        A folium tile layer name; ``None`` (default) draws no basemap, so the map works offline.
    background
        The page colour behind the areas (land outside the areas).
    opacity
        Fill opacity of the areas (0-1).
    tolerance
        Simplification tolerance in metres for area and water outlines (``None`` keeps every
        vertex).
    name_column
        Column of the areas with their names.
    width, height
        CSS size of the map box on the page (``"100%"``, ``"80vh"``, ...). The data table
        follows the map on the page.
    """

    lang: str = "en"
    fictional: bool = False
    threshold: float = SUPPRESSION_THRESHOLD
    water: gpd.GeoDataFrame | None = None
    streets: gpd.GeoSeries | gpd.GeoDataFrame | None = None
    labels: bool = True
    tiles: str | None = None
    background: str = "#f2f1ec"
    opacity: float = 0.8
    tolerance: float | None = 5.0
    name_column: str = "name"
    width: str = "100%"
    height: str = "calc(100vh - 2.75rem)"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not 0.0 <= float(self.opacity) <= 1.0:
            msg = f"MapStyle: opacity must be between 0 and 1, got {self.opacity}"
            raise InputError(msg)
        if self.threshold < 0:
            msg = f"MapStyle: threshold must be 0 or more, got {self.threshold}"
            raise InputError(msg)

    def replace(self, **changes: Any) -> MapStyle:
        """A copy with ``changes`` (e.g. ``style.replace(lang="en")``)."""
        return dataclasses.replace(self, **changes)
