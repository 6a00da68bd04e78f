"""Follow-up of a whole project over the years: emerging hotspots, area trends and gaps."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.errors import GeoSegError, InputError
from geoseg.i18n import tr
from geoseg.indicators import indicator_values
from geoseg.trends.area import area_trends, gap_trends
from geoseg.trends.breaks import SeriesBreak, apply_breaks

if TYPE_CHECKING:
    from geoseg.io.project import ProjectData

__all__ = ["ProjectTrends", "trends_for_project"]

logger = logging.getLogger(__name__)

#: Columns of a trend row hidden when a value rests on, or counts, fewer persons than the
#: threshold in any year.
_HIDDEN = ("value_first", "value_last", "slope", "slope_low", "slope_high", "mk_tau")


@dataclass
class ProjectTrends:
    """Result of :func:`trends_for_project`.

    Attributes
    ----------
    emerging
        One row per hotspot variable (or rate) and area: ``variable`` and the columns of
        :attr:`geoseg.hotspots.EmergingHotspots.areas`, plus ``series_note``.
    emerging_bins
        The space-time Gi* of every variable, area and year.
    areas
        :func:`geoseg.trends.area_trends` of every indicator, with ``suppressed``.
    gaps, gap_series
        :func:`geoseg.trends.gap_trends` of every indicator (summary and yearly gaps), each
        year's gap computed over the areas whose value that year rests on at least
        ``[disclosure] threshold`` persons (base and count).
    gap_options
        The keyword options of :func:`geoseg.trends.gap_trends` that gave ``gaps`` (method,
        confidence, alpha and the series breaks), so that the gaps can be computed again over
        another set of values: :func:`geoseg.publish.disclosure.gate_gaps` computes them over
        the values a published indicator table shows.
    notes
        What was skipped or cut and why (also logged as warnings), in English as the
        translation table words it; :func:`geoseg.i18n.follow_up_note_text` gives a note in
        another language.
    """

    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging_bins: pd.DataFrame = field(default_factory=pd.DataFrame)
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    gap_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    gap_options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def trends_for_project(
    data: ProjectData,
    *,
    breaks: Sequence[SeriesBreak] = (),
    strict: bool = False,
) -> ProjectTrends:
    """Emerging hotspots of the ``[hotspots]`` variables and trends of every indicator.

    Parameters
    ----------
    data
        A loaded project (:func:`geoseg.io.load_project`).
    breaks
        The project's series breaks with their crosswalks read.
    strict
        Raise :class:`geoseg.errors.InputError` when a variable's years do not allow emerging
        hotspots (fewer than three, or one missing in the middle) instead of logging a warning
        and leaving that variable out.

    Returns
    -------
    ProjectTrends

    Raises
    ------
    InputError
        The register has no year column or fewer than three years.

    Notes
    -----
    Emerging hotspots use ``[hotspots]`` weights, permutations, seed, alpha and correction and
    ``[trends] time_window``; a rate ``NUM:DEN`` is analysed as the share 100 NUM / DEN (areas
    with DEN = 0 in a year have no value that year and are left out). Area and gap trends use
    ``[trends] method`` and ``confidence``, with the Mann-Kendall p-values adjusted by the
    ``[hotspots]`` correction. A share whose denominator falls below ``[disclosure] threshold``
    in some year (the persons an indicator rests on) gets ``suppressed = True`` and no
    published values. The gap between areas of a year leaves out the areas whose value that
    year rests on fewer persons than the threshold: a percentile or a quintile mean that fell
    on such an area would publish its value (P10 of eleven areas is the second smallest value
    itself; the mean of the bottom fifth less the published values gives the hidden one back).
    A break that names a register column applies to every indicator reading that column.
    """
    from geoseg.hotspots import build_weights, check_years, emerging_hotspots

    project = data.project
    reg = project.registers
    hot = project.hotspots
    opts = project.trends
    if not reg.year or reg.year not in data.register:
        msg = (
            f"{reg.path}: the register has no year column, so there is no series to follow; "
            "set [registers] year to the column holding the year."
        )
        raise InputError(msg)
    source = reg.path.name if reg.path is not None else "register"
    _register_years(data.register[reg.year], what=f"{source}, column '{reg.year}'")
    result = ProjectTrends()

    table = indicator_values(
        data.register, project.indicators, id_column=reg.id, year_column=reg.year
    )
    breaks = _by_indicator(breaks, project.indicators)
    trend_opts: dict[str, Any] = {
        "method": opts.method,
        "confidence": opts.confidence,
        "breaks": breaks,
    }
    areas = area_trends(table, alpha=hot.alpha, correction=hot.correction, **trend_opts)
    result.areas = _suppress_small_bases(areas, table, project.disclosure.threshold)
    result.gap_options = {"alpha": hot.alpha, **trend_opts}
    gaps = gap_trends(
        _without_small_bases(table, project.disclosure.threshold), **result.gap_options
    )
    result.gaps, result.gap_series = gaps.summary, gaps.series

    specs: list[tuple[str, str, str | None]] = [(v, v, None) for v in hot.variables]
    specs += [(r.replace(":", "/"), *r.split(":", 1)) for r in hot.rates]  # type: ignore[misc]
    if not specs:
        return result
    weights = build_weights(data.areas, hot.weights)
    frames, bins = [], []
    # codes without a polygon have no neighbours: left out of hotspots (UNPLACED_RULE)
    register = data.placed_register
    for name, column, den in specs:
        needed = [c for c in (column, den) if c]
        absent = [c for c in needed if c not in register]
        if absent:
            _note(result, tr("tn_no_column", "en", name=name, columns=", ".join(absent)))
            continue
        values = register[column].astype(float)
        if den is not None:
            base = register[den].astype(float)
            values = 100.0 * values / base.where(base > 0)
        rows = pd.DataFrame(
            {"code": register[reg.id].astype(str), "year": register[reg.year], "value": values}
        ).dropna(subset=["value"])
        names = {name, *needed}
        relevant = [b for b in breaks if any(b.applies_to(n) for n in names)]
        rows, series_note = apply_breaks(rows, relevant)
        try:
            check_years(rows["year"], what=f"emerging hotspots of {name}")
            res = emerging_hotspots(
                rows,
                "value",
                weights=weights,
                id_column="code",
                time_window=opts.time_window,
                permutations=hot.permutations,
                seed=hot.seed,
                alpha=hot.alpha,
                correction=hot.correction,
                lang=project.project.lang,
            )
        except GeoSegError as exc:
            if strict:
                raise
            _note(result, _skipped(name, rows["year"], exc))
            continue
        table_areas = res.areas.reset_index(drop=True)
        table_areas.insert(0, "variable", name)
        table_areas["series_note"] = series_note
        frames.append(table_areas)
        bins.append(res.bins.assign(variable=name))
    if frames:
        result.emerging = pd.concat(frames, ignore_index=True)
        result.emerging_bins = pd.concat(bins, ignore_index=True)
    return result


def _register_years(years: pd.Series, *, what: str) -> list[int]:
    """The register's years, or an InputError when there are fewer than three."""
    found = sorted({int(y) for y in pd.to_numeric(years, errors="coerce").dropna()})
    if len(found) < 3:
        msg = (
            f"{what}: {len(found)} year(s) ({', '.join(map(str, found)) or 'none'}); "
            "follow-up over the years needs at least three. Add earlier years to the register."
        )
        raise InputError(msg)
    return found


def _by_indicator(breaks: Sequence[SeriesBreak], definitions: Any) -> list[SeriesBreak]:
    """Breaks naming register columns also apply to the indicators that read those columns."""
    out = []
    for brk in breaks:
        if brk.indicators == "all":
            out.append(brk)
            continue
        names = set(brk.indicators)
        for ind in definitions.values():
            columns = {ind.numerator, *(c.strip() for c in (ind.denominator or "").split("+"))}
            if names & columns:
                names.add(ind.name)
        out.append(replace(brk, indicators=tuple(sorted(names))))
    return out


#: Causes of :class:`geoseg.errors.DataError` that the follow-up's notes name in words of the
#: translation table (key ``tn_<cause>``); any other error is quoted as it reads.
_CAUSES = ("few_areas", "constant", "not_in_weights")


def _skipped(name: str, years: pd.Series, exc: Exception) -> str:
    """The note (in English, from the translation table) on a variable left out of emerging
    hotspots: no value at all, its years when they are too few or have a gap, the cause the
    error names (too few areas with a value every year, one value everywhere, areas without a
    polygon), else the error's own words."""
    found = sorted({int(y) for y in pd.to_numeric(years, errors="coerce").dropna()})
    if not found:
        return tr("tn_no_values", "en", name=name)
    if len(found) < 3:
        listed = ", ".join(map(str, found)) or "-"
        return tr("tn_few_years", "en", name=name, n=len(found), years=listed)
    missing = sorted(set(range(found[0], found[-1] + 1)) - set(found))
    if missing:
        return tr("tn_gap_years", "en", name=name, years=", ".join(map(str, missing)))
    cause = getattr(exc, "cause", None)
    if cause in _CAUSES:
        return tr(f"tn_{cause}", "en", name=name, **getattr(exc, "details", {}))
    return tr("tn_failed", "en", name=name, reason=str(exc))


def _note(result: ProjectTrends, text: str) -> None:
    logger.warning("%s", text)
    result.notes.append(text)


def _least_persons(table: pd.DataFrame) -> pd.Series | None:
    """The fewest persons each row of an indicator table rests on (its base or count)."""
    columns = [c for c in ("base", "count") if c in table]
    if not columns:
        return None
    return table[columns].apply(pd.to_numeric, errors="coerce").min(axis=1, skipna=True)


def _without_small_bases(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """An indicator table whose values resting on fewer than ``threshold`` persons are missing
    (the rows stay, so that every year of the register is still a year of the table)."""
    least = _least_persons(table)
    if least is None:
        return table
    return table.assign(value=table["value"].mask((least < threshold).to_numpy()))


def _suppress_small_bases(
    trends: pd.DataFrame, table: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """Mark and blank the trends of values that rest on fewer than ``threshold`` persons.

    A series is hidden when, in any of its years, its base or the persons it counts (``count``
    of a share or rate) are below the threshold, as the indicator maps hide that year's value:
    the first and last values and the slope would otherwise publish them.
    """
    out = trends.copy()
    least = _least_persons(table)
    if least is None or out.empty:
        out["suppressed"] = False
        return out
    smallest = (
        table.assign(_least=least)
        .dropna(subset=["_least"])
        .groupby(["indicator", "code"])["_least"]
        .min()
    )
    key = pd.MultiIndex.from_arrays([out["indicator"], out["code"].astype(str)])
    low = smallest.reindex(key).to_numpy(dtype=float, na_value=np.nan) < threshold
    out["suppressed"] = low
    out.loc[low, list(_HIDDEN)] = np.nan
    return out
