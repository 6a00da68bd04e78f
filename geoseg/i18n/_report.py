"""Entries of the translation table, one group of it.

The report's headings, tables and notes.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "contents": ("Contents", "Innehåll"),
    "segregation": ("Segregation over the years", "Segregation över åren"),
    "tables": ("Main tables", "Huvudtabeller"),
    "hotspots": ("Hotspots (local Moran's I)", "Hotspots (lokalt Morans I)"),
    "follow_up": ("Follow-up over the years", "Uppföljning över åren"),
    "access": ("Walking access to services", "Gångavstånd till verksamheter"),
    "plan": ("Plan impact", "Planens påverkan"),
    "methods": ("Methods", "Metoder"),
    "sources": ("Data sources", "Datakällor"),
    "maps": ("Maps", "Kartor"),
    "index": ("Index", "Index"),
    "level": ("Level", "Nivå"),
    "group": ("Group", "Grupp"),
    "ci": ("95 % interval", "95 %-intervall"),
    "change": ("Change", "Förändring"),
    "areas_n": ("Areas", "Områden"),
    "significant_areas": ("Significant areas", "Signifikanta områden"),
    "weighted_mean": ("Mean walking time, residents (min)", "Medelgångtid, invånare (min)"),
    "share_res": ("Residents within {m} min", "Invånare inom {m} min"),
    "longest": ("Areas with the longest walks", "Områden med längst gångtid"),
    "gain": ("Areas with shorter walks", "Områden med kortare gångtid"),
    "loss": ("Areas with longer walks", "Områden med längre gångtid"),
    "mean_change": ("Mean change, residents (min)", "Medelförändring, invånare (min)"),
    "verdict": ("Verdict", "Bedömning"),
    "formula": ("Formula", "Formel"),
    "source": ("Source", "Källa"),
    "method": ("Method", "Metod"),
    "none": ("No results.", "Inga resultat."),
    "indicators_latest": ("Indicators by area, latest year", "Indikatorer per område, senaste år"),
}
