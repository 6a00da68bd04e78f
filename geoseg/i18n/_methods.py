"""Entries of the translation table, one group of it.

The report: methods in words (formulas themselves are language-neutral).

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "mx_local_moran": (
        "conditional permutation pseudo p-values",
        "pseudo-p-värden från villkorade permutationer",
    ),
    "mx_fdr": (
        "Benjamini–Hochberg adjustment of the p-values for many tests",
        "Benjamini–Hochbergs justering av p-värdena för många test",
    ),
    "mx_walking_time": (
        "shortest path length along the street network divided by the walking speed "
        "(Dijkstra's algorithm from all services at once)",
        "kortaste väglängd längs gatunätet delad med gånghastigheten (Dijkstras algoritm "
        "från alla verksamheter samtidigt)",
    ),
    "mx_fca": (
        "each service's capacity is shared among the residents within reach, then summed over "
        "the services each area reaches (two-step floating catchment)",
        "varje verksamhets kapacitet delas mellan invånarna inom räckhåll och summeras sedan "
        "över de verksamheter varje område når (tvåstegs upptagningsområde)",
    ),
    "mx_suppression": (
        "counts below the threshold t are replaced by “<t” in every published output",
        "antal under gränsen t ersätts med ”<t” i allt som publiceras",
    ),
    "mx_location_quotient": (
        "the group's share in the area divided by its share in the city",
        "gruppens andel i området delad med dess andel i staden",
    ),
    "ms_walking_time": (
        "Dijkstra (1959); street network from OpenStreetMap",
        "Dijkstra (1959); gatunät från OpenStreetMap",
    ),
    "ms_suppression": (
        "threshold rule, Hundepool et al. (2012), Statistical Disclosure Control",
        "tröskelregel, Hundepool m.fl. (2012), Statistical Disclosure Control",
    ),
    "m_emerging": ("Emerging hotspots", "Framväxande kluster"),
    "mx_emerging": (
        "Getis–Ord Gi* over space and time, the Mann–Kendall trend of each area's z-scores, "
        "and the categories of Esri's Emerging Hot Spot Analysis",
        "Getis–Ord Gi* i rum och tid, Mann–Kendalls trend i varje områdes z-värden och "
        "kategorierna i Esris Emerging Hot Spot Analysis",
    ),
    "ms_emerging": ("Ord & Getis (1995); Esri", "Ord & Getis (1995); Esri"),
    "m_mann_kendall": ("Mann–Kendall trend test", "Mann–Kendalls trendtest"),
    "mx_mann_kendall": (
        "the signs of all later-minus-earlier differences summed; p-value from the normal "
        "approximation",
        "tecknen av alla skillnader senare minus tidigare summerade; p-värde från "
        "normalapproximationen",
    ),
    "ms_mann_kendall": ("Mann (1945); Kendall (1975)", "Mann (1945); Kendall (1975)"),
    "m_theil_sen": ("Theil–Sen slope", "Theil–Sen-lutning"),
    "mx_theil_sen": (
        "the median of the slopes between all pairs of years",
        "medianen av lutningarna mellan alla par av år",
    ),
    "ms_theil_sen": ("Theil (1950); Sen (1968)", "Theil (1950); Sen (1968)"),
}
