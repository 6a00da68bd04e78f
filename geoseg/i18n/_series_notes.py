"""Entries of the translation table, one group of it.

Notes on a series (trends): the parts geoseg writes, translated by series_note_text.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "sn_break": (
        "series break in {year}{why}: trend from {year} on",
        "seriebrott {year}{why}: trend från {year}",
    ),
    "sn_bridged": (
        "series break in {year}{why} bridged by crosswalk{source}: trend across it",
        "seriebrott {year}{why} överbryggat med omräkningsnyckel{source}: trend över brottet",
    ),
    "sn_few": ("fewer than three years", "färre än tre år"),
    "sn_few_comparable": ("fewer than three comparable years", "färre än tre jämförbara år"),
}
