"""Hotspots: spatial weights, global and local Moran's I, Getis-Ord Gi*, labels and trends.

Over several years, :func:`emerging_hotspots` classifies each area as a new, consecutive,
intensifying, persistent, diminishing, sporadic, oscillating or historical hot or cold spot.

Every local function takes a table of areas (a GeoDataFrame, a DataFrame or a Series indexed by
area code), the name of the column(s) to analyse and spatial weights, and returns a new table
indexed like the input with one row per area::

    from geoseg.hotspots import build_weights, local_moran

    w = build_weights(areas, "queen")
    lisa = local_moran(areas, "median_income_tkr", weights=w, seed=12345)
    lisa[["I", "quadrant", "p_value", "p_adjusted", "label"]]

Statistics and quadrants are the same as esda's (``Moran_Local``, ``Moran_Local_BV``,
``Moran_Local_Rate``, ``G_Local``) for the same data and weights; significance uses conditional
permutation with the same folded pseudo p-value, drawn with NumPy from ``seed``, then adjusted
for multiple testing (Benjamini-Hochberg by default). An area is significant when its adjusted
p-value is at most ``alpha``.
"""

from __future__ import annotations

from geoseg.hotspots.emerging import (
    CATEGORIES,
    EmergingHotspots,
    category_labels,
    check_years,
    classify_emerging,
    emerging_hotspots,
    space_time_weights,
)
from geoseg.hotspots.local import (
    CORRECTIONS,
    LANGUAGES,
    GlobalMoran,
    cluster_labels,
    getis_ord,
    global_moran,
    local_moran,
    local_moran_bivariate,
    local_moran_rate,
    neighbour_draws,
)
from geoseg.hotspots.trends import HotspotTrends, hotspot_trends
from geoseg.hotspots.weights import WEIGHT_KINDS, SpatialWeights, build_weights, parse_weights_spec
from geoseg.stats import adjust_pvalues

__all__ = [
    "CATEGORIES",
    "CORRECTIONS",
    "LANGUAGES",
    "WEIGHT_KINDS",
    "EmergingHotspots",
    "GlobalMoran",
    "HotspotTrends",
    "SpatialWeights",
    "adjust_pvalues",
    "build_weights",
    "category_labels",
    "check_years",
    "classify_emerging",
    "cluster_labels",
    "emerging_hotspots",
    "getis_ord",
    "global_moran",
    "hotspot_trends",
    "local_moran",
    "local_moran_bivariate",
    "local_moran_rate",
    "neighbour_draws",
    "parse_weights_spec",
    "space_time_weights",
]
