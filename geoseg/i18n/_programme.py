"""Entries of the translation table, one group of it.

The report: the programme's four target areas and plain-words summaries.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
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
    "src_attribution": ("Data: {a}", "Data: {a}"),
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
}
