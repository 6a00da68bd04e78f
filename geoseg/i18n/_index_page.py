"""Entries of the translation table, one group of it.

The index page: groups and a short description of each kind of page.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
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
    "title_lq": ("Location quotients (latest year)", "Lokaliseringskvoter (senaste år)"),
    "title_clusters": (
        "Clusters of high and low values: {what}{when}",
        "Kluster av höga och låga värden: {what}{when}",
    ),
    "title_walking": ("Walking time: {what}", "Gångtid: {what}"),
    "title_straight_line": (
        " (straight-line distance x {detour}, no street network)",
        " (fågelvägen x {detour}, inget gatunät)",
    ),
    "title_report": ("Report", "Rapport"),
    "title_report_pdf": ("Report (PDF, A4)", "Rapport (PDF, A4)"),
    "idx_about_level": ("Area level", "Områdesnivå"),
    "idx_about_years": ("Register years", "Registerår"),
    "idx_about_data": ("Data", "Data"),
    "idx_level_count": ("{label} ({n} areas)", "{label} ({n} områden)"),
    "idx_level_file": ("The {n} areas of {file}", "De {n} områdena i {file}"),
    "idx_years_single": (
        "One year (the register has no year column)",
        "Ett år (registret har ingen årskolumn)",
    ),
    "idx_source_scb": (
        "Statistics Sweden (SCB), Statistical Database, table {table}",
        "SCB, Statistikdatabasen, tabell {table}",
    ),
    "idx_data_files": ("Registers: {files}", "Register: {files}"),
    "idx_data_boundaries": ("Area boundaries: {file}", "Områdesgränser: {file}"),
    # the usual Swedish area systems, named when a [levels] table gives no label
    "lvl_deso": ("DeSO", "DeSO"),
    "lvl_regso": ("RegSO", "RegSO"),
    "lvl_kommun": ("Municipality", "Kommun"),
    "lvl_basomrade": ("Base area", "Basområde"),
    "lvl_primaromrade": ("Primary area", "Primärområde"),
    "lvl_mellanomrade": ("Middle area", "Mellanområde"),
    "lvl_stadsomrade": ("City district", "Stadsområde"),
}
