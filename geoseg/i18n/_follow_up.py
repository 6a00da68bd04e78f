"""Entries of the translation table, one group of it.

The report's appendix (its legend of symbols) and the notes of the follow-up over the years on
variables left out of emerging hotspots (written in English by :mod:`geoseg.trends` from the
``tn_`` entries, shown in the report's language by ``follow_up_note_text``).

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
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
