"""National segregation measures: socio-economic index, area types, inequality and segregation.

Sweden's national follow-up of residential segregation (Delegationen mot segregation, Delmos,
with Statistics Sweden, SCB; since 2023 Boverket's *Segregationsbarometern*) rests on three
measures, computed here from register counts per area (RegSO or DeSO):

* a **socio-economic index** per area that combines a few socio-economic indicators, each
  compared with the whole country;
* five **area types** (områdestyper) cut from that index, from 1 "major socio-economic
  challenges" to 5 "very good socio-economic conditions", and the share of each municipality's
  population living in each type;
* per municipality an **inequality index** (ojämlikhetsindex) over income groups and a
  **segregation index**: the share of the low-income group that would have to move to be
  distributed like the high-income group.

The indicators behind the index are :class:`geoseg.io.indicators.Indicator` definitions, so a
project (or another country) supplies its own; :func:`default_socioeconomic_indicators` gives
the Swedish set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.io.indicators import Indicator

__all__ = [
    "AREA_TYPES",
    "AREA_TYPE_CUTS",
    "area_type_shares",
    "area_types",
    "default_socioeconomic_indicators",
    "inequality_index",
    "segregation_index",
    "socioeconomic_index",
]

#: The five area types (områdestyper), Swedish and English names.
AREA_TYPES: dict[int, tuple[str, str]] = {
    1: ("Områden med stora socioekonomiska utmaningar", "Major socio-economic challenges"),
    2: ("Områden med socioekonomiska utmaningar", "Socio-economic challenges"),
    3: ("Socioekonomiskt blandade områden", "Socio-economically mixed"),
    4: ("Områden med goda socioekonomiska förutsättningar", "Good socio-economic conditions"),
    5: (
        "Områden med mycket goda socioekonomiska förutsättningar",
        "Very good socio-economic conditions",
    ),
}

#: Default cuts of the standardised index between area types 1|2, 2|3, 3|4 and 4|5, in
#: standard deviations from the mean over all areas of the country (see :func:`area_types`).
AREA_TYPE_CUTS: tuple[float, float, float, float] = (-1.5, -1.0, 0.0, 1.0)


def default_socioeconomic_indicators(
    *,
    low_economic_standard: str = "low_economic_standard",
    population: str = "pop_total",
    employed: str = "employed_20_64",
    working_age: str = "age_20_64",
    low_education: str = "education_compulsory_25_64",
    education_base: str = "age_25_64",
) -> dict[str, Indicator]:
    """The Swedish indicators of the socio-economic index, for the given register columns.

    Parameters
    ----------
    low_economic_standard, population
        Persons with low economic standard (disposable income per consumption unit below 60 %
        of the national median) and the population they are counted in.
    employed, working_age
        Persons in gainful employment aged 20-64 and all persons aged 20-64.
    low_education, education_base
        Persons whose highest education is compulsory school (förgymnasial utbildning) and
        the population of the same ages.

    Returns
    -------
    dict
        Indicator name -> :class:`geoseg.io.indicators.Indicator`, with ``worse`` set so that
        the index points the same way for every indicator.
    """
    return {
        "low_economic_standard": Indicator(
            name="low_economic_standard",
            numerator=low_economic_standard,
            denominator=population,
            kind="share",
            unit="%",
            label_sv="Låg ekonomisk standard",
            label_en="Low economic standard",
            worse="higher",
            target_area="work",
        ),
        "employment": Indicator(
            name="employment",
            numerator=employed,
            denominator=working_age,
            kind="share",
            unit="%",
            label_sv="Förvärvsarbetande 20–64 år",
            label_en="In employment, aged 20–64",
            worse="lower",
            target_area="work",
        ),
        "low_education": Indicator(
            name="low_education",
            numerator=low_education,
            denominator=education_base,
            kind="share",
            unit="%",
            label_sv="Högst förgymnasial utbildning",
            label_en="At most compulsory education",
            worse="higher",
            target_area="work",
        ),
    }


def _sum_columns(table: pd.DataFrame, expr: str) -> pd.Series:
    parts = [p.strip() for p in expr.split("+")]
    return table[parts].astype(float).sum(axis=1)


def _indicator_values(table: pd.DataFrame, ind: Indicator) -> pd.Series:
    num = _sum_columns(table, ind.numerator)
    if ind.kind == "amount" or not ind.denominator:
        return num
    den = _sum_columns(table, ind.denominator)
    scale = 100.0 if ind.kind == "share" else 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return (num / den.where(den > 0)) * scale


def _as_list(indicators: Mapping[str, Indicator] | Sequence[Indicator]) -> list[Indicator]:
    return list(indicators.values()) if isinstance(indicators, Mapping) else list(indicators)


def socioeconomic_index(
    register: pd.DataFrame,
    indicators: Mapping[str, Indicator] | Sequence[Indicator],
    *,
    id_column: str,
    year_column: str | None = "year",
) -> pd.DataFrame:
    """The socio-economic index of every area, compared with all areas of the country.

    Parameters
    ----------
    register
        One row per area (and year) for the whole country: the register columns the
        indicators read.
    indicators
        The index's indicators (:func:`default_socioeconomic_indicators` for Sweden). Each
        must say which end is unfavourable (``worse`` ``"higher"`` or ``"lower"``).
    id_column, year_column
        Area code and year columns (``year_column=None`` for a single year).

    Returns
    -------
    pandas.DataFrame
        The register's index, with the area code (and year), each indicator's value and its
        standard score (``z_<name>``, oriented so that higher is better) and
        ``socioeconomic_index``: the mean of the oriented standard scores. Areas where an
        indicator cannot be computed (zero denominator) get a missing index.

    Raises
    ------
    geoseg.errors.InputError
        No indicators, an indicator with ``worse="none"``, or register columns missing (all
        problems in one message).

    Notes
    -----
    The method follows the national socio-economic index of SCB and Delmos (Delegationen mot
    segregation, *Segregation i Sverige. Årsrapport 2021 om den socioekonomiska
    boendesegregationens utveckling*, Delmos 2021; https://delmos.se/om-segregation/
    arbete-mot-segregation/omradestyper/; Boverket, Segregationsbarometern,
    https://segregationsbarometern.boverket.se/): every RegSO is scored on socio-economic
    indicators (low economic standard, employment, education) relative to the whole country,
    and the scores are combined into one index. For indicator :math:`k` with value
    :math:`v_{ik}` in area :math:`i`,

    .. math:: z_{ik} = s_k \\frac{v_{ik} - \\bar v_k}{\\sigma_k}, \\qquad
              \\text{index}_i = \\frac{1}{K} \\sum_k z_{ik},

    where :math:`\\bar v_k` and :math:`\\sigma_k` are the unweighted mean and (population)
    standard deviation over all areas of the same year and :math:`s_k = -1` when a higher
    value is unfavourable, :math:`+1` otherwise, so a higher index means better conditions.

    Deviation: the technical annex that fixes SCB's exact standardisation and weights was not
    available when this was written; geoseg uses equal weights on unweighted standard scores
    over the country's areas, which reproduces the published ranking logic (each area relative
    to the whole country) but not necessarily the published index values.
    """
    inds = _as_list(indicators)
    problems: list[str] = []
    if not inds:
        problems.append("no indicators given for the socio-economic index")
    for ind in inds:
        if ind.worse not in ("higher", "lower"):
            problems.append(
                f"indicator {ind.name!r} has worse={ind.worse!r}; the index needs "
                'worse = "higher" or "lower" for every indicator'
            )
    cols = [c for ind in inds for c in ind.columns]
    missing = [c for c in dict.fromkeys([id_column, *cols]) if c not in register.columns]
    if year_column is not None and year_column not in register.columns:
        missing.append(year_column)
    if missing:
        problems.append(
            f"register column(s) {', '.join(map(repr, missing))} missing; declare indicators "
            "whose numerator and denominator are register columns"
        )
    if problems:
        msg = "socio-economic index: " + "; ".join(problems) + "."
        raise InputError(msg)

    keep = [id_column] + ([year_column] if year_column is not None else [])
    out = register[keep].copy()
    years = register[year_column] if year_column is not None else pd.Series(0, register.index)
    zs = []
    for ind in inds:
        v = _indicator_values(register, ind)
        out[ind.name] = v
        grouped = v.groupby(years)
        mean = grouped.transform("mean")
        std = grouped.transform(lambda s: s.std(ddof=0))
        sign = -1.0 if ind.worse == "higher" else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            z = sign * (v - mean) / std.where(std > 0)
        z = z.where(std > 0, 0.0).where(v.notna())
        out[f"z_{ind.name}"] = z
        zs.append(z)
    out["socioeconomic_index"] = pd.concat(zs, axis=1).mean(axis=1, skipna=False)
    return out


def area_types(
    index: pd.Series,
    *,
    years: pd.Series | None = None,
    cuts: Sequence[float] = AREA_TYPE_CUTS,
) -> pd.Series:
    """Area type 1-5 of every area, cut from its socio-economic index.

    Parameters
    ----------
    index
        :func:`socioeconomic_index`'s ``socioeconomic_index`` column (higher is better).
    years
        The year of each row (aligned with ``index``); types are cut within each year.
    cuts
        Four increasing cut points in standard deviations of the index around its mean over
        all areas of the year: a standardised index below ``cuts[0]`` is type 1, from
        ``cuts[0]`` up to ``cuts[1]`` type 2, ..., from ``cuts[3]`` type 5.

    Returns
    -------
    pandas.Series
        ``area_type`` (nullable integer 1-5), with ``index``'s index; missing where the
        index is missing.

    Notes
    -----
    SCB and Delmos cut the national index into five area types (områdestyper 1-5, Delmos
    2021; see :func:`socioeconomic_index`). Deviation: the published cut points were not
    available; geoseg's defaults (:data:`AREA_TYPE_CUTS`: -1.5, -1.0, 0.0 and 1.0 standard
    deviations) are an approximation chosen so that, on a normal spread of areas, about 7 %,
    9 %, 34 %, 34 % and 16 % of areas fall in types 1-5, close to the population shares Delmos
    reported for 2019 (about 5 % in type 1, 14 % in types 1-2, 12 % in type 5). Pass the
    published cuts through ``cuts`` when they are known.
    """
    c = [float(x) for x in cuts]
    if len(c) != 4 or any(b <= a for a, b in pairwise(c)):
        msg = f"area type cuts must be four increasing numbers, got {list(cuts)!r}"
        raise InputError(msg)
    y = years if years is not None else pd.Series(0, index=index.index)
    grouped = index.groupby(y)
    mean = grouped.transform("mean")
    std = grouped.transform(lambda s: s.std(ddof=0))
    z = ((index - mean) / std.where(std > 0)).where(std > 0, 0.0)
    types = pd.Series(
        1 + np.searchsorted(np.asarray(c), z.to_numpy(dtype=float), side="right"),
        index=index.index,
    ).astype("Int64")
    return types.where(index.notna()).rename("area_type")


def _check_counts(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        msg = f"{what}: column(s) {', '.join(map(repr, missing))} missing from the table"
        raise InputError(msg)


def segregation_index(
    table: pd.DataFrame, *, low: str, high: str, by: str | Sequence[str]
) -> pd.Series:
    """Share of the low-income group that would have to move to live like the high-income group.

    Parameters
    ----------
    table
        One row per area: counts of persons in the low- and the high-income group and the
        grouping column(s).
    low, high
        Columns of the lowest and the highest income group (for Delmos: the lowest and the
        highest fifth of the country's income distribution).
    by
        Column(s) the index is computed within: municipality code (and year).

    Returns
    -------
    pandas.Series
        ``segregation_index`` (0-1) per group of ``by``.

    Notes
    -----
    Delmos's segregation index (Delmos 2021, *Segregation i Sverige*, see
    :func:`socioeconomic_index`) is read as "the share of low-income earners who would have
    to move for them to be distributed like high-income earners" (27 % in 1990, 41 % in
    2018). That is Duncan and Duncan's (1955) dissimilarity index between the two groups,

    .. math:: D = \\tfrac12 \\sum_i \\left| \\frac{l_i}{L} - \\frac{h_i}{H} \\right|,

    with :math:`l_i, h_i` the two groups' counts in area :math:`i` and :math:`L, H` their
    totals in the municipality.
    """
    _check_counts(table, [low, high], "segregation index")
    lo = table[low].astype(float)
    hi = table[high].astype(float)
    keys = [by] if isinstance(by, str) else list(by)
    g = table[keys]
    lo_share = lo / lo.groupby([g[k] for k in keys]).transform("sum")
    hi_share = hi / hi.groupby([g[k] for k in keys]).transform("sum")
    d = (lo_share - hi_share).abs().groupby([g[k] for k in keys]).sum() / 2.0
    return d.rename("segregation_index")


def inequality_index(
    table: pd.DataFrame, *, groups: Sequence[str], by: str | Sequence[str]
) -> pd.Series:
    """Inequality index (ojämlikhetsindex): how unevenly income groups live across areas.

    Parameters
    ----------
    table
        One row per area: counts of persons in each income group and the grouping column(s).
    groups
        Columns of the income groups (for Delmos: the fifths of the country's income
        distribution), together the whole population counted.
    by
        Column(s) the index is computed within: municipality code (and year).

    Returns
    -------
    pandas.Series
        ``inequality_index`` (0-1) per group of ``by``; 0 when every area has the
        municipality's mix of income groups, 1 when no area mixes groups.

    Notes
    -----
    Delmos and Boverket describe the inequality index as the difference in settlement
    patterns between income groups across the residential areas of a municipality (Delmos
    2021; Boverket, *Boendesegregation i Sverige*, https://www.boverket.se/sv/
    samhallsplanering/boendesegregation/sverige/). Deviation: the technical annex with the
    exact formula (Segregationsbarometern, *Bilaga 5 Teknisk beskrivning av
    ojämlikhetsindex*) was not available; geoseg uses the multigroup dissimilarity index of
    Reardon and Firebaugh (2002) over the income groups,

    .. math:: D = \\frac{1}{2 T I} \\sum_i \\sum_m t_i \\left| \\pi_{im} - \\pi_m \\right|,
              \\qquad I = \\sum_m \\pi_m (1 - \\pi_m),

    with :math:`t_i` the persons counted in area :math:`i`, :math:`\\pi_{im}` group
    :math:`m`'s share there, :math:`\\pi_m` its share in the municipality and :math:`T` the
    municipality's total: the multigroup form of the segregation index above.
    """
    cols = list(groups)
    if len(cols) < 2:
        msg = f"inequality index: needs at least two income group columns, got {cols!r}"
        raise InputError(msg)
    _check_counts(table, cols, "inequality index")
    keys = [by] if isinstance(by, str) else list(by)
    counts = table[cols].to_numpy(dtype=float)
    t = counts.sum(axis=1)
    out: dict[Any, float] = {}
    # positions, not labels: a table concatenated from several registers may repeat labels
    positions = table.groupby(keys[0] if len(keys) == 1 else keys, sort=True).indices
    for key, pos in positions.items():
        c = counts[pos]
        ti = t[pos]
        total = ti.sum()
        if total <= 0:
            out[key] = np.nan
            continue
        pm = c.sum(axis=0) / total
        inter = float((pm * (1.0 - pm)).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            pim = np.where(ti[:, None] > 0, c / ti[:, None], pm)
        d = (ti[:, None] * np.abs(pim - pm)).sum() / (2.0 * total * inter) if inter > 0 else 0.0
        out[key] = float(d)
    index = (
        pd.MultiIndex.from_tuples(list(out), names=keys)
        if len(keys) > 1
        else pd.Index(list(out), name=keys[0])
    )
    return pd.Series(list(out.values()), index=index, name="inequality_index")


def area_type_shares(
    table: pd.DataFrame,
    *,
    population: str,
    by: str | Sequence[str],
    area_type: str = "area_type",
) -> pd.DataFrame:
    """Share of each municipality's population living in each area type.

    Parameters
    ----------
    table
        One row per area: its population, its area type (1-5) and the grouping column(s).
    population
        Population column.
    by
        Municipality code column (and year).
    area_type
        Area type column (see :func:`area_types`).

    Returns
    -------
    pandas.DataFrame
        One row per group of ``by``, columns ``area_type_1`` ... ``area_type_5``: shares
        (0-1) of the population counted in areas with a type; they sum to 1.
    """
    _check_counts(table, [population, area_type], "area type shares")
    keys = [by] if isinstance(by, str) else list(by)
    typed = table[table[area_type].notna()]
    pop = typed.pivot_table(
        index=keys, columns=area_type, values=population, aggfunc="sum", fill_value=0
    )
    pop = pop.reindex(columns=list(AREA_TYPES), fill_value=0).astype(float)
    shares = pop.div(pop.sum(axis=1), axis=0)
    shares.columns = [f"area_type_{int(c)}" for c in shares.columns]
    shares.columns.name = None
    return shares
