"""Entries of the translation table, one group of it.

The plan reviewer's verdict page (``geoseg check-plan``): its headings, each rule's name, what
it protects and its measured value in words; keys ``v_*``.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "v_passes": ("The plan passes all {n} rules", "Planen klarar alla {n} regler"),
    "v_breaks": ("The plan breaks {b} of {n} rules", "Planen bryter mot {b} av {n} regler"),
    "v_rule": ("Rule", "Regel"),
    "v_protects": ("What it protects", "Vad den skyddar"),
    "v_threshold": ("Threshold", "Gräns"),
    "v_measured": ("Measured", "Uppmätt"),
    "v_result": ("Result", "Resultat"),
    "v_ok": ("Kept", "Uppfylld"),
    "v_broken": ("Broken", "Bruten"),
    "v_off": ("Switched off", "Avstängd"),
    "v_rules": ("The rules", "Reglerna"),
    "v_who": ("Who gains and who loses", "Vem vinner och vem förlorar"),
    "v_who_intro": (
        "Residents whose walk to the service gets shorter (gain) or longer (lose), in whole "
        "persons.",
        "Invånare vars promenad till verksamheten blir kortare (vinner) eller längre "
        "(förlorar), i hela personer.",
    ),
    "v_kind": ("Service", "Verksamhet"),
    "v_group": ("Group", "Grupp"),
    "v_residents": ("Residents", "Invånare"),
    "v_gain": ("Gain", "Vinner"),
    "v_lose": ("Lose", "Förlorar"),
    "v_areas": ("Areas whose walk changes most", "Områden där gångtiden ändras mest"),
    "v_area": ("Area", "Område"),
    "v_before": ("Before (min)", "Före (min)"),
    "v_after": ("After (min)", "Efter (min)"),
    "v_change": ("Change (min)", "Förändring (min)"),
    "v_map": ("Map of the plan", "Karta över planen"),
    "v_open_map": ("Open the map in its own window", "Öppna kartan i eget fönster"),
    "v_none": ("No change.", "Ingen förändring."),
    "v_max_minutes_increase": ("Walking time to services", "Gångtid till verksamheter"),
    "v_family_centre_share": ("Family centres near young children", "Familjecentral nära små barn"),
    "v_equity_gap": ("Equal access", "Jämlik tillgång"),
    "v_meeting_place": ("Meeting places within reach", "Mötesplatser inom räckhåll"),
    "v_t_max": (
        "an area's mean walk may rise by at most {m} min",
        "ett områdes medelpromenad får öka med högst {m} min",
    ),
    "v_t_family": (
        "{s} of {who} within {m} min in every district (no district made worse below it)",
        "{s} av {who} inom {m} min i varje stadsdel (ingen stadsdel får försämras under gränsen)",
    ),
    "v_young_children": ("young children", "de små barnen"),
    "v_t_equity": (
        "the disadvantaged areas may lose at most {m} min relative to the advantaged",
        "de mest utsatta områdena får förlora högst {m} min jämfört med de mest gynnade",
    ),
    "v_t_ranked": (
        " (areas ranked by {label}; {worse})",
        " (områdena rangordnade efter {label}; {worse})",
    ),
    "v_worse_higher": ("higher is worse", "högre är sämre"),
    "v_worse_lower": ("lower is worse", "lägre är sämre"),
    "v_t_meeting": (
        "no area may lose its last meeting place within {m} min",
        "inget område får förlora sin sista mötesplats inom {m} min",
    ),
    "v_m_max": (
        "the largest rise of an area's mean walk is {v} min ({area}, {kind})",
        "den största ökningen av ett områdes medelpromenad är {v} min ({area}, {kind})",
    ),
    "v_m_max_none": ("no area's mean walk rises", "inget områdes medelpromenad ökar"),
    "v_m_family": (
        "the lowest district share after the plan is {v} ({area}; before {b})",
        "den lägsta andelen i en stadsdel efter planen är {v} ({area}; före {b})",
    ),
    "v_m_equity": (
        "{kind}: the disadvantaged fifth of areas walks {b} min {bw} than the advantaged "
        "fifth before and {a} min {aw} after; they {gl} {c} min relative to them",
        "{kind}: den mest utsatta femtedelen av områdena går {b} min {bw} än den mest gynnade "
        "femtedelen före och {a} min {aw} efter; de {gl} {c} min jämfört med dem",
    ),
    "v_more": ("more", "längre"),
    "v_less": ("less", "kortare"),
    "v_lose_w": ("lose", "förlorar"),
    "v_gain_w": ("gain", "vinner"),
    "v_m_meeting_ok": (
        "no area loses its last meeting place within reach",
        "inget område förlorar sin sista mötesplats inom räckhåll",
    ),
    "v_m_broken": ("Broken in {where}.", "Bryts i {where}."),
    "v_district": ("district {d}", "stadsdel {d}"),
}
