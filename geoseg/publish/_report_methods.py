"""The report's appendix of methods: every index with its label, formula and source.

The indices' formulas and sources come from geoseg's index registry
(:func:`geoseg.segregation.index_formula`, :func:`geoseg.segregation.index_source`), where each
index is registered once; :data:`METHODS` and :data:`FOLLOW_UP_METHODS` hold the other methods a
report may name (hotspots, walking times, disclosure control, trends). A method whose formula needs
words has them in the translation table (``mx_KEY``, and ``ms_KEY`` for a source in words), so
that the appendix reads in the report's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import index_label, tr
from geoseg.publish._html import escape
from geoseg.publish._report_sections import HEADLINE_INDICES
from geoseg.publish._report_table import html_table

__all__ = ["FOLLOW_UP_METHODS", "METHODS", "index_rows", "methods_section"]

#: Formula and source of each method other than an index that the report may name.
METHODS: dict[str, tuple[str, str]] = {
    "local_moran": ("Iᵢ = (n−1) zᵢ Σⱼ wᵢⱼ zⱼ / Σₖ zₖ²", "Anselin (1995), Geogr. Anal. 27"),
    "fdr": ("p₍ₖ₎ · m / k", "Benjamini & Hochberg (1995), J. R. Stat. Soc. B 57"),
    "walking_time": ("t = L / v", "Dijkstra (1959)"),
    "fca": (
        "Rⱼ = Sⱼ / Σ_{k: dₖⱼ≤d₀} Pₖ; Aᵢ = Σ_{j: dᵢⱼ≤d₀} Rⱼ",
        "Luo & Wang (2003), Environ. Plann. B 30",
    ),
    "suppression": ("n < t → “<t”", "Hundepool et al. (2012)"),
}

#: Methods of the follow-up over the years, named when the report has a follow-up section.
FOLLOW_UP_METHODS: dict[str, tuple[str, str]] = {
    "emerging": ("Gᵢ* (t), S = Σᵢ<ⱼ sign(zⱼ − zᵢ)", "Ord & Getis (1995)"),
    "mann_kendall": ("S = Σᵢ<ⱼ sign(xⱼ − xᵢ)", "Mann (1945); Kendall (1975)"),
    "theil_sen": ("b = medianᵢ<ⱼ (yⱼ − yᵢ)/(tⱼ − tᵢ)", "Theil (1950); Sen (1968)"),
}

#: Other names under which a caller may pass a follow-up method in ``methods``.
_FOLLOW_UP_NAMES = {
    "emerging": ("Emerging hotspots", "Framväxande kluster"),
    "mann_kendall": ("Mann-Kendall",),
    "theil_sen": ("Theil-Sen",),
}


def index_rows(names: Iterable[str], *, lang: str) -> list[tuple[str, str, str]]:
    """``(label, formula, source)`` of each registered index among ``names``, in the appendix's
    order; names that are not registered indices are left out.

    Parameters
    ----------
    names
        Index names (registry names, e.g. from the segregation table's ``index`` column).
    lang
        ``"en"`` or ``"sv"``: the labels' language (formulas are symbols in both).

    Returns
    -------
    list of tuple
        The readable label (:func:`geoseg.i18n.index_label`), the formula
        (:func:`geoseg.segregation.index_formula`) and its source
        (:func:`geoseg.segregation.index_source`).
    """
    from geoseg.segregation import index_formula, index_source

    rows: list[tuple[int, str, tuple[str, str, str]]] = []
    rank = {name: i for i, name in enumerate(HEADLINE_INDICES)}
    for name in set(map(str, names)):
        try:
            formula, source = index_formula(name), index_source(name)
        except InputError:  # a method name, not a registered index
            continue
        label = index_label(name, lang)
        rows.append((rank.get(name, len(rank)), label, (label, formula, source)))
    return [row for _, _, row in sorted(rows)]


def methods_section(
    indices: set[str],
    *,
    hotspots: bool,
    access: bool,
    plan: bool,
    follow_up: bool = False,
    extra: Mapping[str, str] | None,
    lang: str,
) -> str:
    """HTML of the appendix's methods: a legend of the symbols and one table row per index in
    ``indices`` and per method the report's sections use (escaped).

    Parameters
    ----------
    indices
        The segregation indices the report shows (registry names).
    hotspots, access, plan, follow_up
        Whether the report has these sections (their methods are listed).
    extra
        Further methods, name → formula or description (not repeated when named already).
    lang
        ``"en"`` or ``"sv"``.

    Returns
    -------
    str
        A paragraph with the symbols' legend (when an index is listed) and the table.
    """
    rows = index_rows(indices, lang=lang)
    keys = []
    if hotspots:
        keys += ["local_moran", "fdr"]
    if access or plan:
        keys += ["walking_time"]
    if access:
        keys += ["fca"]
    keys += ["suppression"]
    table = {**METHODS, **FOLLOW_UP_METHODS} if follow_up else METHODS
    if follow_up:
        keys += list(FOLLOW_UP_METHODS)
    rows += [
        (_method_label(k, lang), _method_formula(k, table[k][0], lang), _method_source(k, lang))
        for k in dict.fromkeys(keys)
    ]
    # a method this table names already (the follow-up's, in the report's language) is not
    # repeated from ``extra``
    named = {_key(r[0]) for r in rows}
    if follow_up:
        named |= {_key(n) for k in FOLLOW_UP_METHODS for n in (k, *_FOLLOW_UP_NAMES[k])}
    rows += [(name, text, "") for name, text in (extra or {}).items() if _key(name) not in named]
    df = pd.DataFrame(rows, columns=[tr("method", lang), tr("formula", lang), tr("source", lang)])
    legend = f'<p class="symbols">{escape(tr("appendix_symbols", lang))}</p>' if indices else ""
    return legend + html_table(df, lang, caption=tr("methods", lang))


def _key(name: str) -> str:
    return str(name).lower().replace("–", "-").replace("_", "-").replace(" ", "")


def _method_formula(key: str, formula: str, lang: str) -> str:
    words = f"mx_{key}"
    if words in _TRANSLATED:
        return f"{formula}: {tr(words, lang)}" if formula else tr(words, lang)
    return formula


def _method_source(key: str, lang: str) -> str:
    words = f"ms_{key}"
    if words in _TRANSLATED:
        return tr(words, lang)
    return {**METHODS, **FOLLOW_UP_METHODS}[key][1]


def _method_label(key: str, lang: str) -> str:
    if f"m_{key}" in _TRANSLATED:
        return tr(f"m_{key}", lang)
    return index_label(key, lang)


def _translated(key: str) -> bool:
    try:
        tr(key, "en")
    except KeyError:
        return False
    return True


_TRANSLATED = {
    f"{prefix}{k}"
    for k in (*METHODS, *FOLLOW_UP_METHODS)
    for prefix in ("m_", "mx_", "ms_")
    if _translated(f"{prefix}{k}")
}
