"""Entries of the translation table, one group of it.

Local Moran clusters (esda's quadrant numbers; 0 not significant) and Gi* clusters.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "moran_0": ("Not significant", "Ej signifikant"),
    "moran_1": ("High-High", "Hög-Hög"),
    "moran_2": ("Low-High", "Låg-Hög"),
    "moran_3": ("Low-Low", "Låg-Låg"),
    "moran_4": ("High-Low", "Hög-Låg"),
    "gi_0": ("Not significant", "Ej signifikant"),
    "gi_1": ("Hot spot", "Het punkt"),
    "gi_3": ("Cold spot", "Kall punkt"),
}
