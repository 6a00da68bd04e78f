"""The one translation table: every label geoseg shows people, in English and Swedish.

Maps, the index page, the report, hotspot cluster labels, disclosure marks and service-kind
names all take their words from here, so a term reads the same everywhere.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

from geoseg.errors import InputError

__all__ = [
    "LANGS",
    "action_label",
    "check_lang",
    "cluster_label",
    "group_label",
    "index_label",
    "kind_label",
    "series_note_text",
    "tr",
]

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
    # the maps' page: data table, year comparison, context layers, cluster words
    "streets": ("Streets", "Gator"),
    "map_table": ("Table of the map", "Kartan som tabell"),
    "map_class": ("Class", "Klass"),
    "compare_years": ("Compare two years", "Jämför två år"),
    "compare_second": ("Second map, for comparison", "Andra kartan, för jämförelse"),
    "unfavourable": ("unfavourable", "ogynnsamt"),
    "favourable": ("favourable", "gynnsamt"),
    "clu_hh_share": ("Cluster of high share of {label}", "Kluster med hög andel {label}"),
    "clu_ll_share": ("Cluster of low share of {label}", "Kluster med låg andel {label}"),
    "clu_hl_share": ("High share of {label} among low", "Hög andel {label} bland låga"),
    "clu_lh_share": ("Low share of {label} among high", "Låg andel {label} bland höga"),
    "clu_hh_value": ("Cluster of high values: {label}", "Kluster med höga värden: {label}"),
    "clu_ll_value": ("Cluster of low values: {label}", "Kluster med låga värden: {label}"),
    "clu_hl_value": ("High value among low: {label}", "Högt värde bland låga: {label}"),
    "clu_lh_value": ("Low value among high: {label}", "Lågt värde bland höga: {label}"),
    "hot_high": ("Hot spot: high values of {label}", "Het punkt: höga värden på {label}"),
    "walk_access_group": ("Walking time for {group}", "Gångtid för {group}"),
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
    # report: the programme's four target areas and plain-words summaries
    "area_start": (
        "A good start in life and good conditions for growing up",
        "Skapa god start och goda uppväxtvillkor",
    ),
    "area_work": ("Conditions for work", "Skapa förutsättningar för arbete"),
    "area_living": (
        "Sustainable and equal living environments",
        "Skapa hållbara och jämlika livsmiljöer",
    ),
    "area_participation": (
        "Participation, influence and trust",
        "Skapa förutsättningar för delaktighet, inflytande och tillit",
    ),
    "area_other": ("Other indicators", "Övriga indikatorer"),
    "programme": ("Indicators by target area", "Indikatorer per målområde"),
    "no_indicators": (
        "No indicator is declared for this target area.",
        "Ingen indikator är deklarerad för detta målområde.",
    ),
    "worse_higher": ("a higher value is worse", "ett högre värde är sämre"),
    "worse_lower": ("a lower value is worse", "ett lägre värde är sämre"),
    "worse_none": (
        "neither direction is in itself better or worse",
        "ingen riktning är i sig bättre eller sämre",
    ),
    "ind_sentence": (
        "{label} ({what}; {worse}): {first} in {y0} and {last} in {y1} for the whole city, "
        "a change of {change} (95 % interval {lo} to {hi}; {sig}).",
        "{label} ({what}; {worse}): {first} år {y0} och {last} år {y1} i hela staden, en "
        "förändring med {change} (95 %-intervall {lo} till {hi}; {sig}).",
    ),
    "ind_single": (
        "{label} ({what}; {worse}): {last} in {y1} for the whole city.",
        "{label} ({what}; {worse}): {last} år {y1} i hela staden.",
    ),
    "ind_areas": (
        "In {y1} the most favourable value is in {best} ({bv}) and the least favourable in "
        "{worst} ({wv}).",
        "År {y1} finns det mest gynnsamma värdet i {best} ({bv}) och det minst gynnsamma i "
        "{worst} ({wv}).",
    ),
    "seg_single": (
        "{label} for {group}: {value} (a higher value means more segregation).",
        "{label} för {group}: {value} (ett högre värde betyder mer segregation).",
    ),
    "ind_single_noyear": (
        "{label} ({what}; {worse}): {last} for the whole city.",
        "{label} ({what}; {worse}): {last} i hela staden.",
    ),
    "ind_areas_noyear": (
        "The most favourable value is in {best} ({bv}) and the least favourable in {worst} ({wv}).",
        "Det mest gynnsamma värdet finns i {best} ({bv}) och det minst gynnsamma i {worst} ({wv}).",
    ),
    "ind_areas_none_noyear": (
        "The highest value is in {best} ({bv}) and the lowest in {worst} ({wv}).",
        "Det högsta värdet finns i {best} ({bv}) och det lägsta i {worst} ({wv}).",
    ),
    "ind_areas_none": (
        "In {y1} the highest value is in {best} ({bv}) and the lowest in {worst} ({wv}).",
        "År {y1} finns det högsta värdet i {best} ({bv}) och det lägsta i {worst} ({wv}).",
    ),
    "significant": ("statistically significant", "statistiskt säkerställd"),
    "not_significant": ("not statistically significant", "inte statistiskt säkerställd"),
    "what_share": ("per cent of the base population", "procent av basbefolkningen"),
    "what_rate": ("per 1,000 of the base population", "per 1 000 av basbefolkningen"),
    "what_amount": (
        "the mean of the areas' values, weighted by their population",
        "områdenas medelvärde, vägt efter befolkningen",
    ),
    "pp": ("percentage points", "procentenheter"),
    "seg_headline": ("Segregation: headline measures", "Segregation: huvudmått"),
    "seg_intro": (
        "Two measures describe how unevenly the declared groups live across the areas. "
        "For both, a higher value means a more segregated city.",
        "Två mått beskriver hur ojämnt de deklarerade grupperna bor i områdena. För båda "
        "betyder ett högre värde en mer segregerad stad.",
    ),
    "seg_sentence_dissimilarity": (
        "{group}: the dissimilarity index (the share of the group that would have to move for "
        "it to be spread like everyone else, 0–1; higher = more segregated) was {first} in "
        "{y0} and {last} in {y1} ({change}{test}).",
        "{group}: olikhetsindex (andelen av gruppen som skulle behöva flytta för att vara "
        "fördelad som alla andra, 0–1; högre = mer segregerad) var {first} år {y0} och {last} "
        "år {y1} ({change}{test}).",
    ),
    "seg_sentence_isolation": (
        "{group}: the isolation index (the group's share in the area where a typical member "
        "of the group lives, 0–1; higher = more segregated) was {first} in {y0} and {last} in "
        "{y1} ({change}{test}).",
        "{group}: isoleringsindex (gruppens andel i det område där en typisk medlem av gruppen "
        "bor, 0–1; högre = mer segregerad) var {first} år {y0} och {last} år {y1} "
        "({change}{test}).",
    ),
    "seg_test": ("; test of an increase: p = {p}, {sig}", "; test av en ökning: p = {p}, {sig}"),
    "appendix": (
        "Appendix: all segregation indices, formulas and sources",
        "Bilaga: alla segregationsindex, formler och källor",
    ),
    "appendix_intro": (
        "The technical catalogue of every index computed. A higher value means more "
        "segregation, except for the interaction, exposure and diversity indices, which are "
        "higher when the groups live more mixed.",
        "Den tekniska katalogen över alla beräknade index. Ett högre värde betyder mer "
        "segregation, utom för interaktions-, exponerings- och mångfaldsindex, som är högre "
        "när grupperna bor mer blandat.",
    ),
    "axis_not_zero": (
        "The vertical axis does not start at zero, so that the small change stays visible.",
        "Den lodräta axeln börjar inte på noll, så att den lilla förändringen syns.",
    ),
    "grown_title": (
        "Has segregation grown? First and last year, with the p-value of an increase",
        "Har segregationen ökat? Första och sista året, med p-värde för en ökning",
    ),
    "year_first": ("First year", "Första året"),
    "year_last": ("Last year", "Sista året"),
    "value_first": ("Value, first year", "Värde, första året"),
    "value_last": ("Value, last year", "Värde, sista året"),
    "p_value_increase": ("p-value of an increase", "p-värde för en ökning"),
    "ci_first": ("95 % interval, first year", "95 %-intervall, första året"),
    "ci_last": ("95 % interval, last year", "95 %-intervall, sista året"),
    "series_note": ("Note on the series", "Om serien"),
    "m_local_moran": ("Local Moran's I", "Lokalt Morans I"),
    "m_fdr": ("False discovery rate", "Andel falska upptäckter (FDR)"),
    "m_walking_time": ("Walking time", "Gångtid"),
    "m_fca": ("Two-step floating catchment (2SFCA)", "Tvåstegs upptagningsområde (2SFCA)"),
    "m_suppression": ("Suppression of small counts", "Döljande av små antal"),
    "m_location_quotient": ("Location quotient", "Lokaliseringskvot"),
    "grp_born_sweden": ("Born in Sweden", "Födda i Sverige"),
    "grp_born_nordic": ("Born in another Nordic country", "Födda i övriga Norden"),
    "grp_born_europe": ("Born elsewhere in Europe", "Födda i övriga Europa"),
    "grp_born_outside_europe": ("Born outside Europe", "Födda utanför Europa"),
    "action_add_service": ("New service", "Ny verksamhet"),
    "action_remove_service": ("Service closed", "Verksamhet som stängs"),
    "action_add_path": ("New path", "Ny gångväg"),
    "action_close_path": ("Path closed", "Gångväg som stängs"),
    "action_add_housing": ("New housing", "Nya bostäder"),
    "grp_pop_total": ("All residents", "Alla invånare"),
    "grp_age_0_5": ("Children aged 0–5", "Barn 0–5 år"),
    "grp_age_6_15": ("Children aged 6–15", "Barn 6–15 år"),
    "grp_age_20_64": ("Aged 20–64", "20–64 år"),
    "grp_age_65_plus": ("Aged 65 and over", "65 år och äldre"),
    "groups_all": ("All groups ({n})", "Alla grupper ({n})"),
    "src_boundaries": ("Area boundaries: {f}", "Områdesgränser: {f}"),
    "src_register": (
        "Register of persons and dwellings per area, {y}: {f}",
        "Register över personer och bostäder per område, {y}: {f}",
    ),
    "src_services": ("Services ({k}): {f}", "Verksamheter ({k}): {f}"),
    "src_network": ("Street network for walking times: {f}", "Gatunät för gångtider: {f}"),
    "src_population": (
        "Where people live (population grid): {f}",
        "Var människor bor (befolkningsrutnät): {f}",
    ),
    # index page: groups and a short description of each kind of page
    "idx_group_segregation": ("Segregation and clusters", "Segregation och kluster"),
    "idx_group_access": ("Walking access to services", "Gångavstånd till verksamheter"),
    "idx_group_plan": ("Plans", "Planer"),
    "idx_group_report": ("The report", "Rapporten"),
    "idx_group_other": ("Other maps", "Övriga kartor"),
    "idx_no_map": (
        "No map for this target area: no indicator of it is declared in the project.",
        "Ingen karta för detta målområde: projektet deklarerar ingen indikator för det.",
    ),
    "idx_intro": (
        "The maps are grouped by the four target areas of the programme for an equal city, "
        "followed by segregation, walking access and the report. Every map opens offline; "
        "point at an area to read its values.",
        "Kartorna är ordnade efter de fyra målområdena i programmet för en jämlik stad, "
        "följda av segregation, gångavstånd och rapporten. Varje karta öppnas utan "
        "internet; peka på ett område för att läsa dess värden.",
    ),
    "idx_desc_indicator": (
        "{label} in each area ({details}); choose the year in the map's menu.",
        "{label} i varje område ({details}); välj år i kartans meny.",
    ),
    "idx_desc_indicator_plain": (
        "{label} in each area; choose the year in the map's menu.",
        "{label} i varje område; välj år i kartans meny.",
    ),
    "idx_desc_trend": (
        "How {label} changed per year in each area, and whether the trend is clear.",
        "Hur {label} förändrats per år i varje område, och om trenden är tydlig.",
    ),
    "idx_desc_hotspots": (
        "Where areas with high or with low values lie together (clusters, local Moran's I), "
        "latest year.",
        "Var områden med höga eller med låga värden ligger samlade (kluster, lokalt "
        "Morans I), senaste året.",
    ),
    "idx_desc_emerging": (
        "Which areas are becoming, staying or ceasing to be hot or cold spots over the years.",
        "Vilka områden som blir, förblir eller upphör att vara heta eller kalla punkter över åren.",
    ),
    "idx_desc_location_quotient": (
        "How strongly each group is over- or under-represented in each area compared with "
        "the whole city (1 = as in the city).",
        "Hur starkt varje grupp är över- eller underrepresenterad i varje område jämfört med "
        "hela staden (1 = som i staden).",
    ),
    "idx_desc_local": (
        "Local segregation measures in each area.",
        "Lokala segregationsmått i varje område.",
    ),
    "idx_desc_access": (
        "Walking time from where people live in each area to the nearest service, with the "
        "services marked.",
        "Gångtid från där människor bor i varje område till närmaste verksamhet, med "
        "verksamheterna utmärkta.",
    ),
    "idx_desc_plan": (
        "How a plan changes the walking time in each area.",
        "Hur en plan ändrar gångtiden i varje område.",
    ),
    "idx_desc_report": (
        "The follow-up in words, charts and tables: indicators by target area, segregation, "
        "trends, walking access, methods and sources.",
        "Uppföljningen i ord, diagram och tabeller: indikatorer per målområde, segregation, "
        "utveckling, gångavstånd, metoder och källor.",
    ),
    "idx_desc_pdf": (
        "The same report as A4 pages, for printing.",
        "Samma rapport som A4-sidor, för utskrift.",
    ),
    # check-plan rules: what each default rule protects
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
    "protects_equity_gap_indicator": (
        "An equal city: the areas with the {end} {label} must not lose walking access relative "
        "to the others",
        "En jämlik stad: områdena med {end_sv} {label} får inte förlora gångavstånd jämfört med "
        "de andra",
    ),
    "protects_meeting_place": (
        "Participation and trust: a meeting place within reach of every area",
        "Delaktighet och tillit: en mötesplats inom räckhåll för varje område",
    ),
    # report: methods in words (formulas themselves are language-neutral)
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
    # notes on a series (trends): the parts geoseg writes, translated by series_note_text
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
    # the national index page
    "nat_fictional": (
        "Fictional example nation: the data are invented",
        "Fiktivt exempelland: uppgifterna är påhittade",
    ),
    "nat_tables": ("Tables", "Tabeller"),
    "nat_per_municipality": ("per municipality", "per kommun"),
    "nat_per_area": ("per area", "per område"),
    "nat_trend": ("change over the years", "förändring över åren"),
    "nat_tasks": ("tasks", "uppgifter"),
    "nat_municipality": ("Municipality", "Kommun"),
    "nat_status": ("Status", "Status"),
    "nat_done": ("finished", "klar"),
    "nat_skipped": ("finished earlier (inputs unchanged)", "klar sedan tidigare (samma indata)"),
    "nat_no_maps": ("finished (no maps)", "klar (inga kartor)"),
    "nat_failed": ("failed: {error}", "misslyckades: {error}"),
    "nat_summary": (
        "{done} of {total} municipalities finished",
        "{done} av {total} kommuner klara",
    ),
}

#: Readable names of the segregation indices (English, Swedish), keyed by registry name.
_INDEX_LABELS: dict[str, tuple[str, str]] = {
    "dissimilarity": ("Dissimilarity index (D)", "Olikhetsindex (D)"),
    "isolation": ("Isolation index (xPx)", "Isoleringsindex (xPx)"),
    "interaction": ("Interaction index (xPy)", "Interaktionsindex (xPy)"),
    "entropy": ("Entropy index (H)", "Entropiindex (H)"),
    "gini": ("Gini index of segregation", "Gini-index för segregation"),
    "atkinson": ("Atkinson index", "Atkinsons index"),
    "correlation_ratio": ("Correlation ratio (eta²)", "Korrelationskvot (eta²)"),
    "absolute_centralization": ("Absolute centralisation", "Absolut centralisering"),
    "absolute_clustering": ("Absolute clustering", "Absolut klustring"),
    "absolute_concentration": ("Absolute concentration", "Absolut koncentration"),
    "bias_corrected_dissimilarity": (
        "Bias-corrected dissimilarity",
        "Biaskorrigerat olikhetsindex",
    ),
    "boundary_spatial_dissimilarity": (
        "Boundary spatial dissimilarity",
        "Rumsligt olikhetsindex (gränser)",
    ),
    "con_prof": ("Concentration profile", "Koncentrationsprofil"),
    "delta": ("Delta (concentration)", "Delta (koncentration)"),
    "density_corrected_dissimilarity": (
        "Density-corrected dissimilarity",
        "Täthetskorrigerat olikhetsindex",
    ),
    "distance_decay_interaction": (
        "Distance-decay interaction",
        "Interaktion med avståndsavtagande",
    ),
    "distance_decay_isolation": ("Distance-decay isolation", "Isolering med avståndsavtagande"),
    "minmax": ("MinMax index", "MinMax-index"),
    "modified_dissimilarity": ("Modified dissimilarity", "Modifierat olikhetsindex"),
    "modified_gini": ("Modified Gini", "Modifierat Gini-index"),
    "multigroup_dissimilarity": ("Multigroup dissimilarity", "Olikhetsindex, flera grupper"),
    "multigroup_divergence": ("Multigroup divergence", "Divergens, flera grupper"),
    "multigroup_diversity": ("Multigroup diversity", "Mångfald, flera grupper"),
    "multigroup_gini": ("Multigroup Gini", "Gini-index, flera grupper"),
    "multigroup_information_theory": (
        "Multigroup information theory index",
        "Informationsteoretiskt index, flera grupper",
    ),
    "multigroup_normalized_exposure": (
        "Multigroup normalised exposure",
        "Normerad exponering, flera grupper",
    ),
    "multigroup_relative_diversity": (
        "Multigroup relative diversity",
        "Relativ mångfald, flera grupper",
    ),
    "multigroup_squared_coefficient_of_variation": (
        "Multigroup squared coefficient of variation",
        "Kvadrerad variationskoefficient, flera grupper",
    ),
    "perimeter_area_ratio_dissimilarity": (
        "Perimeter-area dissimilarity",
        "Olikhetsindex med omkrets och yta",
    ),
    "relative_centralization": ("Relative centralisation", "Relativ centralisering"),
    "relative_clustering": ("Relative clustering", "Relativ klustring"),
    "relative_concentration": ("Relative concentration", "Relativ koncentration"),
    "simpsons_concentration": ("Simpson's concentration", "Simpsons koncentration"),
    "simpsons_interaction": ("Simpson's interaction", "Simpsons interaktion"),
    "spatial_dissimilarity": ("Spatial dissimilarity", "Rumsligt olikhetsindex"),
    "spatial_prox_profile": ("Spatial proximity profile", "Rumslig närhetsprofil"),
    "spatial_proximity": ("Spatial proximity", "Rumslig närhet"),
}


def index_label(name: str, lang: str) -> str:
    """Return the readable name of a segregation index; unknown names lose their underscores."""
    pair = _INDEX_LABELS.get(str(name))
    if pair is None:
        return str(name).replace("_", " ").capitalize()
    return pair[1] if lang == "sv" else pair[0]


def action_label(action: str, lang: str) -> str:
    """Return the label of a plan action (``add_service``, ...); unknown actions as written."""
    key = f"action_{action}"
    return tr(key, lang) if key in _TEXT else str(action).replace("_", " ")


def group_label(name: str, lang: str) -> str:
    """Return the label of a common register group (country of birth); else ``""``."""
    key = f"grp_{name}"
    return tr(key, lang) if key in _TEXT else ""


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


_NOTE_BREAK = re.compile(r"series break in (\d{4})( \(.*\))?: trend from \d{4} on")
_NOTE_BRIDGED = re.compile(
    r"series break in (\d{4})( \(.*\))? bridged by crosswalk( .*)?: trend across it"
)
_NOTE_FEW = re.compile(r"fewer than three (comparable )?years(?: \((.*)\))?")


def series_note_text(note: str, lang: str) -> str:
    """Return a note on a series (the trends' ``series_note``) in ``lang``.

    The notes geoseg writes ("series break in 2021 (new boundaries): trend from 2021 on",
    "fewer than three years", joined by ``"; "``) are translated part by part; the reason of a
    break and the crosswalk's name are the project's own words and stay as written. Any other
    text is returned unchanged.
    """
    text = str(note)
    if lang != "sv" or not text:
        return text
    out = []
    parts = [text] if _one_note(text) else text.split("; ")
    for part in parts:
        few = _NOTE_FEW.fullmatch(part)
        if few:
            words = tr("sn_few_comparable" if few.group(1) else "sn_few", lang)
            inner = few.group(2)
            out.append(f"{words} ({series_note_text(inner, lang)})" if inner else words)
            continue
        brk = _NOTE_BREAK.fullmatch(part)
        if brk:
            out.append(tr("sn_break", lang, year=brk.group(1), why=brk.group(2) or ""))
            continue
        bridged = _NOTE_BRIDGED.fullmatch(part)
        if bridged:
            out.append(
                tr(
                    "sn_bridged",
                    lang,
                    year=bridged.group(1),
                    why=bridged.group(2) or "",
                    source=bridged.group(3) or "",
                )
            )
            continue
        out.append(part)
    return "; ".join(out)


def _one_note(text: str) -> bool:
    return any(p.fullmatch(text) for p in (_NOTE_BREAK, _NOTE_BRIDGED, _NOTE_FEW))


# ---------------------------------------------------------------------------------------------
# Report appendix (symbols, labels of the local indices) and notes of the follow-up over the
# years. Kept together here; the notes are written in English by geoseg.trends (from the "tn_"
# entries) and shown in the report's language by follow_up_note_text.
# ---------------------------------------------------------------------------------------------

__all__ += ["follow_up_note_text"]

_TEXT.update(
    {
        "appendix_symbols": (
            "Symbols: xᵢ is the group's number of residents in area i, tᵢ all residents, yᵢ = tᵢ − "
            "xᵢ the others, pᵢ = xᵢ/tᵢ the group's share, aᵢ the land area; X, Y, T, A and P = X/T "
            "are the same for the whole city and n the number of areas. For several groups, pᵢₘ "
            "and Pₘ are the share of group m in area i and in the city, K the number of groups. "
            "cᵢⱼ is the proximity of areas i and j (falling with distance), wᵢⱼ marks neighbours "
            "(1, or the length of their shared boundary); Xᵢ, Yᵢ, Aᵢ are cumulative shares with "
            "the areas ordered by distance to the centre; N(i) is area i with its nearest "
            "neighbours, qₖ the composition of the k areas nearest to i; E[·] is an expected "
            "value under random allocation, Bin and Mult the binomial and multinomial "
            "distributions, θᵢ the standardised difference of the groups' shares in area i and "
            "σᵢ its standard error.",
            "Beteckningar: xᵢ är gruppens antal invånare i område i, tᵢ alla invånare, yᵢ = tᵢ − "
            "xᵢ övriga, pᵢ = xᵢ/tᵢ gruppens andel, aᵢ landarealen; X, Y, T, A och P = X/T är "
            "detsamma för hela staden och n antalet områden. För flera grupper är pᵢₘ och Pₘ "
            "grupp m:s andel i område i och i staden, K antalet grupper. cᵢⱼ är närheten mellan "
            "områdena i och j (avtar med avståndet), wᵢⱼ anger grannar (1, eller längden på "
            "den gemensamma gränsen); Xᵢ, Yᵢ, Aᵢ är kumulativa andelar med områdena ordnade "
            "efter avstånd till centrum; N(i) är område i med sina närmaste grannar, qₖ "
            "sammansättningen i de k områden som ligger närmast i; E[·] är ett väntevärde vid "
            "slumpmässig fördelning, Bin och Mult binomial- och multinomialfördelningen, θᵢ den "
            "standardiserade skillnaden mellan gruppernas andelar i område i och σᵢ dess "
            "medelfel.",
        ),
        "tn_no_column": (
            "emerging hotspots of {name} skipped: the register has no column {columns}",
            "framväxande kluster för {name} beräknades inte: registret saknar kolumnen {columns}",
        ),
        "tn_few_years": (
            "emerging hotspots of {name} skipped: {n} comparable year(s) ({years}); at least "
            "three are needed",
            "framväxande kluster för {name} beräknades inte: {n} jämförbara år ({years}); minst "
            "tre behövs",
        ),
        "tn_gap_years": (
            "emerging hotspots of {name} skipped: year(s) {years} missing in the series",
            "framväxande kluster för {name} beräknades inte: år {years} saknas i serien",
        ),
        "tn_failed": (
            "emerging hotspots of {name} skipped: {reason}",
            "framväxande kluster för {name} beräknades inte: {reason}",
        ),
    }
)

_INDEX_LABELS.update(
    {
        "location_quotient": ("Location quotient", "Lokaliseringskvot"),
        "local_diversity": ("Local diversity", "Lokal mångfald"),
        "local_entropy": ("Local entropy", "Lokal entropi"),
        "local_simpsons_concentration": (
            "Local Simpson's concentration",
            "Lokal Simpsons koncentration",
        ),
        "local_simpsons_interaction": ("Local Simpson's interaction", "Lokal Simpsons interaktion"),
        "local_relative_centralization": (
            "Local relative centralisation",
            "Lokal relativ centralisering",
        ),
        "local_distortion": ("Local distortion", "Lokal förvrängning"),
    }
)

#: The follow-up's notes, most specific first: key → pattern of its English text.
_FOLLOW_UP_NOTES = ("tn_no_column", "tn_few_years", "tn_gap_years", "tn_failed")


def _note_pattern(key: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(_TEXT[key][0]):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts))


_NOTE_PATTERNS = {key: _note_pattern(key) for key in _FOLLOW_UP_NOTES}


def follow_up_note_text(note: str, lang: str, *, label: Callable[[str], str] | None = None) -> str:
    """Return a note of the follow-up over the years (:attr:`geoseg.trends.ProjectTrends.notes`)
    in ``lang``, the variable it concerns named by ``label``.

    Parameters
    ----------
    note
        A note as geoseg writes it (English): a variable skipped for emerging hotspots and why,
        or a note on a series (see :func:`series_note_text`).
    lang
        ``"en"`` or ``"sv"``.
    label
        Readable name of a variable (e.g. from the indicator definitions); by default the
        variable is named as written.

    Returns
    -------
    str
        The note in ``lang``; a text geoseg did not write is returned unchanged.
    """
    text = str(note)
    for key, pattern in _NOTE_PATTERNS.items():
        found = pattern.fullmatch(text)
        if found:
            fields = found.groupdict()
            if label is not None:
                fields["name"] = label(fields["name"])
            if key == "tn_failed":
                fields["reason"] = series_note_text(fields["reason"], lang)
            return tr(key, lang, **fields)
    return series_note_text(text, lang)
