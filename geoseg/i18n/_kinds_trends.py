"""Entries of the translation table, one group of it.

Service kinds of the equality programme, emerging hotspots, trends and gaps.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "kind_family_centre": ("Family centre", "Familjecentral"),
    "kind_meeting_place": ("Meeting place", "Mötesplats"),
    "kind_library": ("Library", "Bibliotek"),
    "kind_youth_centre": ("Youth centre", "Fritidsgård"),
    "ehsa_new_hot": ("New hot spot", "Ny het punkt"),
    "ehsa_consecutive_hot": ("Consecutive hot spot", "Sammanhängande het punkt"),
    "ehsa_intensifying_hot": ("Intensifying hot spot", "Tilltagande het punkt"),
    "ehsa_persistent_hot": ("Persistent hot spot", "Beständig het punkt"),
    "ehsa_diminishing_hot": ("Diminishing hot spot", "Avtagande het punkt"),
    "ehsa_sporadic_hot": ("Sporadic hot spot", "Sporadisk het punkt"),
    "ehsa_oscillating_hot": ("Oscillating hot spot", "Växlande het punkt"),
    "ehsa_historical_hot": ("Historical hot spot", "Tidigare het punkt"),
    "ehsa_new_cold": ("New cold spot", "Ny kall punkt"),
    "ehsa_consecutive_cold": ("Consecutive cold spot", "Sammanhängande kall punkt"),
    "ehsa_intensifying_cold": ("Intensifying cold spot", "Tilltagande kall punkt"),
    "ehsa_persistent_cold": ("Persistent cold spot", "Beständig kall punkt"),
    "ehsa_diminishing_cold": ("Diminishing cold spot", "Avtagande kall punkt"),
    "ehsa_sporadic_cold": ("Sporadic cold spot", "Sporadisk kall punkt"),
    "ehsa_oscillating_cold": ("Oscillating cold spot", "Växlande kall punkt"),
    "ehsa_historical_cold": ("Historical cold spot", "Tidigare kall punkt"),
    "ehsa_no_pattern": ("No pattern detected", "Inget mönster"),
    "emerging_hotspots": ("Emerging hotspots", "Framväxande kluster"),
    "ehsa_category": ("Pattern over the years", "Mönster över åren"),
    "ehsa_variable": ("Variable", "Variabel"),
    "ehsa_years_hot": ("Years as a hot spot, {span}", "År som het punkt, {span}"),
    "ehsa_years_cold": ("Years as a cold spot, {span}", "År som kall punkt, {span}"),
    "ehsa_trend_p": ("Trend of the z-scores, p-value", "Trend i z-värdena, p-värde"),
    "trend_slope": ("Change per year", "Förändring per år"),
    "trend_interval": ("95 % interval", "95 %-intervall"),
    "trend_direction": ("Trend", "Trend"),
    "trend_increasing": ("Increasing", "Ökande"),
    "trend_decreasing": ("Decreasing", "Minskande"),
    "trend_none": ("No clear trend", "Ingen tydlig trend"),
    "trend_years": ("Years", "År"),
    "trend_note": ("Series", "Serie"),
    "trend_notes": ("Notes on the series", "Om serierna"),
    "gap_title": (
        "Gap between the best and the worst areas",
        "Skillnaden mellan de bästa och de sämsta områdena",
    ),
    "gap_intro": (
        "The gap is the 90th minus the 10th percentile of the areas' values each year; its "
        "trend is the Theil-Sen slope and the Mann-Kendall test.",
        "Skillnaden är den 90:e minus den 10:e percentilen av områdenas värden varje år; "
        "trenden är Theil-Sen-lutningen och Mann-Kendalls test.",
    ),
    "gap_indicator": ("Indicator", "Indikator"),
    "gap_first": ("Gap, first year", "Skillnad, första året"),
    "gap_last": ("Gap, last year", "Skillnad, sista året"),
    "gap_verdict": ("Has the gap grown?", "Har skillnaden ökat?"),
    "gap_growing": ("Growing", "Ökar"),
    "gap_shrinking": ("Shrinking", "Minskar"),
    "gap_no_clear_trend": ("No clear trend", "Ingen tydlig trend"),
    "area_trends_title": (
        "Areas with a significant trend (after correction for multiple testing)",
        "Områden med signifikant trend (efter korrektion för många test)",
    ),
    "emerging_intro": (
        "Areas by their pattern of hot and cold spots (Getis-Ord Gi* over space and time) "
        "and its trend (Mann-Kendall), in Esri's Emerging Hot Spot Analysis categories.",
        "Områden efter mönstret av heta och kalla punkter (Getis-Ord Gi* i rum och tid) och "
        "dess trend (Mann-Kendall), i kategorierna från Esris Emerging Hot Spot Analysis.",
    ),
}
