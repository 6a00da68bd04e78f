"""The one translation table: every label geoseg shows people, in English and Swedish.

Maps, the index page, the report, hotspot cluster labels, disclosure marks and service-kind
names all take their words from here, so a term reads the same everywhere.
"""

from __future__ import annotations

from geoseg.errors import InputError

__all__ = ["LANGS", "check_lang", "cluster_label", "kind_label", "tr"]

LANGS = ("en", "sv")

_TEXT: dict[str, tuple[str, str]] = {
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
    "areas": ("Areas", "Områden"),
    "local_moran": ("Local Moran's I", "Lokalt Morans I"),
    "cluster": ("Cluster", "Kluster"),
    "p_value": ("p-value", "p-värde"),
    "p_adjusted": ("p-value (FDR-adjusted)", "p-värde (FDR-justerat)"),
    "hh": ("High-High (hotspot)", "Hög-hög (hotspot)"),
    "lh": ("Low-High", "Låg-hög"),
    "ll": ("Low-Low (coldspot)", "Låg-låg (coldspot)"),
    "hl": ("High-Low", "Hög-låg"),
    "ns": ("Not significant", "Inte signifikant"),
    "residents": ("Residents", "Invånare"),
    "mean_minutes": ("Mean walking time (min)", "Medelgångtid (min)"),
    "median_minutes": ("Median walking time (min)", "Mediangångtid (min)"),
    "share_within": ("Share within {m} min", "Andel inom {m} min"),
    "share_within_plain": ("Share within threshold", "Andel inom gränsen"),
    "fca_ratio": ("Services per 1,000 residents (2SFCA)", "Service per 1 000 invånare (2SFCA)"),
    "unreachable": ("Not reachable", "Går inte att nå"),
    "services": ("Services", "Verksamheter"),
    "service": ("Service", "Verksamhet"),
    "kind": ("Kind", "Typ"),
    "capacity": ("Capacity", "Kapacitet"),
    "within_minutes": ("Within {m} min walk", "Inom {m} min promenad"),
    "minutes": ("Minutes", "Minuter"),
    "lorenz": ("Walking time", "Gångtid"),
    "share_of_residents": ("Share of residents", "Andel av invånarna"),
    "share_of_minutes": ("Share of walking minutes", "Andel av gångminuterna"),
    "plan_before": ("Before the plan", "Före planen"),
    "plan_after": ("After the plan", "Efter planen"),
    "walk_access": ("Walking time to {kind}", "Gångtid till {kind}"),
    "plan_change": ("Plan: change in walking time to {kind}", "Plan: ändrad gångtid till {kind}"),
    "before_minutes": ("Walking time before (min)", "Gångtid före (min)"),
    "after_minutes": ("Walking time after (min)", "Gångtid efter (min)"),
    "change_minutes": ("Change (min)", "Förändring (min)"),
    "before_share": ("Share within, before", "Andel inom, före"),
    "after_share": ("Share within, after", "Andel inom, efter"),
    "shorter": ("shorter", "kortare"),
    "longer": ("longer", "längre"),
    "no_change": ("No change", "Ingen förändring"),
    "plan_features": ("Plan", "Plan"),
    "action": ("Action", "Åtgärd"),
    "index_title": ("Maps", "Kartor"),
    "open_map": ("Open map", "Öppna kartan"),
    "suppression_note": (
        "Counts below {t} are not shown (marked “<{t}”).",
        "Antal under {t} visas inte (markerade ”<{t}”).",
    ),
    "local_index": ("Local index", "Lokalt index"),
    # report
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
    # local Moran clusters (esda's quadrant numbers; 0 not significant) and Gi* clusters
    "moran_0": ("Not significant", "Ej signifikant"),
    "moran_1": ("High-High", "Hög-Hög"),
    "moran_2": ("Low-High", "Låg-Hög"),
    "moran_3": ("Low-Low", "Låg-Låg"),
    "moran_4": ("High-Low", "Hög-Låg"),
    "gi_0": ("Not significant", "Ej signifikant"),
    "gi_1": ("Hot spot", "Het punkt"),
    "gi_3": ("Cold spot", "Kall punkt"),
    # disclosure
    "suppressed": ("suppressed", "dold"),
    # service kinds of the equality programme
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


def check_lang(lang: str) -> str:
    """Return ``lang`` if geoseg has labels for it, else raise :class:`InputError`."""
    if lang not in LANGS:
        msg = f"unknown language {lang!r} for labels; use 'sv' (Swedish) or 'en' (English)."
        raise InputError(msg)
    return lang


def tr(key: str, lang: str, **fmt: object) -> str:
    """Return the label ``key`` in ``lang`` (``"en"`` or ``"sv"``), formatted with ``fmt``."""
    en, sv = _TEXT[key]
    text = sv if lang == "sv" else en
    return text.format(**fmt) if fmt else text


def cluster_label(code: int, lang: str, *, statistic: str = "moran") -> str:
    """Return the label of a hotspot cluster code (``statistic`` ``"moran"`` or ``"gi"``).

    Raises
    ------
    KeyError
        When ``code`` is not a cluster code of ``statistic``.
    """
    return tr(f"{statistic}_{int(code)}", lang)


def kind_label(kind: str, lang: str) -> str:
    """Return the display name of a service kind; unknown kinds are shown as written."""
    key = f"kind_{kind}"
    if key in _TEXT:
        return tr(key, lang)
    return str(kind).replace("_", " ")
