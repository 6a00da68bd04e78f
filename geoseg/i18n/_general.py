"""Entries of the translation table, one group of it.

General words: areas, codes, years, values, access notes, water.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "name": ("Area", "Område"),
    "code": ("Code", "Kod"),
    "year": ("Year", "År"),
    "value": ("Value", "Värde"),
    "no_data": ("No data", "Uppgift saknas"),
    "access_skipped": (
        "Not computed: the project has no street network ([network] path or place)",
        "Inte beräknad: projektet har inget gatunät ([network] path eller place)",
    ),
    "access_straight": (
        "Straight-line distance x {detour} at {speed} km/h (no street network): not distances "
        "along streets",
        "Fågelvägen x {detour} vid {speed} km/h (inget gatunät): inte avstånd längs gator",
    ),
    "walking_access": ("Walking access", "Gångavstånd"),
    "one_year": (
        "One year of data: no trend to show",
        "Ett år med uppgifter: ingen utveckling att visa",
    ),
    "fictional": (
        "Fictional example city: the data are invented",
        "Fiktiv exempelstad: uppgifterna är påhittade",
    ),
    "water": ("Water", "Vatten"),
}
