"""Entries of the translation table, one group of it.

The report's appendix (its legend of symbols) and the notes of the follow-up over the years on
variables left out of emerging hotspots (written in English by :mod:`geoseg.trends` from the
``tn_`` entries, shown in the report's language by ``follow_up_note_text``): one entry per
known cause (no value, too few or a gap in the years, too few areas with a value every year,
one value everywhere, areas without a polygon), and ``tn_failed`` quoting any other error.

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
    "tn_no_values": (
        "emerging hotspots of {name} skipped: no area has a value in any year",
        "framväxande kluster för {name} beräknades inte: inget område har något värde något år",
    ),
    "tn_few_areas": (
        "emerging hotspots of {name} skipped: {n} area(s) have a value in every year "
        "{first}–{last}; at least {needed} are needed",
        "framväxande kluster för {name} beräknades inte: {n} område(n) har ett värde varje år "
        "{first}–{last}; minst {needed} behövs",
    ),
    "tn_constant": (
        "emerging hotspots of {name} skipped: the value is the same in every area and year",
        "framväxande kluster för {name} beräknades inte: värdet är detsamma i alla områden och "
        "alla år",
    ),
    "tn_not_in_weights": (
        "emerging hotspots of {name} skipped: the areas {codes} have values but no polygon "
        "among the boundaries",
        "framväxande kluster för {name} beräknades inte: områdena {codes} har värden men ingen "
        "polygon bland områdesgränserna",
    ),
    "tn_failed": (
        "emerging hotspots of {name} skipped: {reason}",
        "framväxande kluster för {name} beräknades inte: {reason}",
    ),
}
