"""Entries of the translation table, one group of it.

Check-plan rules: what each default rule protects.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "protects_max_minutes_increase": (
        "Access to the city's resources: no area walks much farther to any service",
        "Tillgång till stadens resurser: inget område får mycket längre till någon verksamhet",
    ),
    "protects_family_centre_share": (
        "A good start in life: young children near a family centre in every district",
        "God start i livet: små barn nära en familjecentral i varje stadsdel",
    ),
    "protects_equity_gap": (
        "An equal city: the areas with the most low-income residents must not lose walking "
        "access relative to the richest areas",
        "En jämlik stad: områdena med flest invånare med låg inkomst får inte förlora "
        "gångavstånd jämfört med de rikaste områdena",
    ),
    "end_highest": ("highest", "högst"),
    "end_lowest": ("lowest", "lägst"),
    "protects_equity_gap_indicator": (
        "An equal city: the areas with the {end} {label} must not lose walking access relative "
        "to the others",
        "En jämlik stad: områdena med {end} {label} får inte förlora gångavstånd jämfört med "
        "de andra",
    ),
    "protects_meeting_place": (
        "Participation and trust: a meeting place within reach of every area",
        "Delaktighet och tillit: en mötesplats inom räckhåll för varje område",
    ),
}
