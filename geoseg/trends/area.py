"""Each area's trend of each indicator, and whether the gap between areas grows."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from geoseg.errors import InputError, format_codes
from geoseg.stats import CORRECTIONS, adjust_pvalues, mann_kendall
from geoseg.trends.breaks import SeriesBreak, apply_breaks

__all__ = ["GAP_MEASURES", "METHODS", "GapTrends", "area_trends", "gap_trends"]

logger = logging.getLogger(__name__)

#: Slope estimators of :func:`area_trends` and :func:`gap_trends`.
METHODS = ("theil_sen", "ols")
#: Measures of the gap between the best and the worst areas.
GAP_MEASURES = ("p90_p10", "quintile_means")


def _check_table(table: pd.DataFrame, what: str) -> pd.DataFrame:
    need = ["code", "year", "indicator", "value"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        msg = (
            f"{what}: the indicator table lacks column(s) {', '.join(missing)}; give one row "
            "per area, year and indicator with columns code, year, indicator, value."
        )
        raise InputError(msg)
    out = table[need].copy()
    out["code"] = out["code"].astype(str)
    out["year"] = pd.to_numeric(out["year"], errors="coerce")
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out = out[out["year"].notna()]
    out["year"] = out["year"].astype(int)
    years = sorted(out["year"].unique())
    if len(years) < 3:
        msg = (
            f"{what}: {len(years)} year(s) ({', '.join(map(str, years)) or 'none'}); a trend "
            "needs at least three years. Add earlier years to the register."
        )
        raise InputError(msg)
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        logger.warning(
            "%s: no data for year(s) %s between %d and %d; slopes use the years present, "
            "Mann-Kendall tests their order",
            what,
            ", ".join(map(str, gaps)),
            years[0],
            years[-1],
        )
    dupes = out[out.duplicated(["code", "year", "indicator"], keep=False)]
    if len(dupes):
        msg = (
            f"{what}: areas {format_codes(dupes['code'].unique())} have more than one value "
            "of an indicator in a year; give one row per area, year and indicator."
        )
        raise InputError(msg)
    return out


def _check_options(method: str, confidence: float, alpha: float, correction: str) -> None:
    problems = []
    if method not in METHODS:
        problems.append(f"method={method!r} is not one of {', '.join(METHODS)}")
    if not 0 < confidence < 1:
        problems.append(f"confidence={confidence!r} must lie between 0 and 1, e.g. 0.95")
    if not 0 < alpha < 1:
        problems.append(f"alpha={alpha!r} must lie between 0 and 1, e.g. 0.05")
    if correction not in CORRECTIONS:
        problems.append(f"correction={correction!r} is not one of {', '.join(CORRECTIONS)}")
    if problems:
        msg = "trends: " + "; ".join(problems) + "."
        raise InputError(msg)


def _slope(
    years: np.ndarray, values: np.ndarray, method: str, confidence: float
) -> tuple[float, float, float, float]:
    """(slope, low, high, intercept) of values over years."""
    if method == "theil_sen":
        res = stats.theilslopes(values, years, alpha=confidence)
        return float(res.slope), float(res.low_slope), float(res.high_slope), float(res.intercept)
    reg = stats.linregress(years, values)
    half = stats.t.ppf(0.5 + confidence / 2, len(years) - 2) * reg.stderr
    return float(reg.slope), reg.slope - half, reg.slope + half, float(reg.intercept)


def _theil_sen_rows(
    years: np.ndarray, values: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(slope, low, high) of each row of ``values`` over the same increasing, distinct ``years``.

    The arithmetic of :func:`scipy.stats.theilslopes` (median of the pairwise slopes; Sen's
    interval (2.6) with the tie correction of each row's values), for all rows at once.
    """
    n = years.size
    later, earlier = np.tril_indices(n, k=-1)
    slopes = (values[:, later] - values[:, earlier]) / (years[later] - years[earlier])
    slopes.sort(axis=1)
    median = np.median(slopes, axis=1)
    alpha = 1.0 - confidence if confidence > 0.5 else confidence
    z = stats.norm.ppf(alpha / 2.0)
    ties = (values[:, :, None] == values[:, None, :]).sum(axis=2)  # size of each value's group
    sigsq = (n * (n - 1) * (2 * n + 5) - ((ties - 1) * (2 * ties + 5)).sum(axis=1)) / 18.0
    sigma = np.sqrt(sigsq)
    nt = slopes.shape[1]
    upper = np.minimum(np.round((nt - z * sigma) / 2.0), nt - 1).astype(np.int64)
    lower = np.maximum(np.round((nt + z * sigma) / 2.0) - 1, 0).astype(np.int64)
    rows = np.arange(len(values))
    return median, slopes[rows, lower], slopes[rows, upper]


def _trend_rows(
    years: np.ndarray, values: np.ndarray, method: str, confidence: float
) -> list[dict[str, Any]]:
    """:func:`_trend_row` of each row of ``values`` over the same sorted, distinct ``years``."""
    if method == "theil_sen":
        slope, low, high = _theil_sen_rows(years, values, confidence)
    else:
        fits = [_slope(years, v, method, confidence) for v in values]
        slope, low, high = (np.array([f[i] for f in fits]) for i in range(3))
    mk = mann_kendall(values)
    return [
        {
            "first_year": int(years[0]),
            "last_year": int(years[-1]),
            "years": len(years),
            "value_first": values[r, 0],
            "value_last": values[r, -1],
            "slope": float(slope[r]),
            "slope_low": float(low[r]),
            "slope_high": float(high[r]),
            "mk_tau": float(mk.tau[r]),
            "mk_p": float(mk.p_value[r]),
        }
        for r in range(len(values))
    ]


def _trend_row(
    years: np.ndarray, values: np.ndarray, method: str, confidence: float
) -> dict[str, Any]:
    order = np.argsort(years)
    years, values = years[order].astype(float), values[order]
    slope, low, high, _ = _slope(years, values, method, confidence)
    mk = mann_kendall(values)
    return {
        "first_year": int(years[0]),
        "last_year": int(years[-1]),
        "years": len(years),
        "value_first": values[0],
        "value_last": values[-1],
        "slope": slope,
        "slope_low": low,
        "slope_high": high,
        "mk_tau": float(mk.tau),
        "mk_p": float(mk.p_value),
    }


def area_trends(
    table: pd.DataFrame,
    *,
    method: str = "theil_sen",
    confidence: float = 0.95,
    alpha: float = 0.05,
    correction: str = "fdr",
    breaks: Sequence[SeriesBreak] = (),
) -> pd.DataFrame:
    """Each area's trend of each indicator over the years.

    Parameters
    ----------
    table
        Indicators with columns ``code``, ``year``, ``indicator``, ``value`` (see
        :func:`geoseg.indicators.indicator_values`); other columns are ignored.
    method
        ``"theil_sen"`` (median of pairwise slopes, robust; the default) or ``"ols"``.
    confidence
        Level of the slope's interval (default 0.95).
    alpha, correction
        The Mann-Kendall p-values of an indicator's areas form one family, adjusted with
        :func:`geoseg.stats.adjust_pvalues`; a trend is significant when the adjusted p-value
        is at most ``alpha``.
    breaks
        Series breaks (:class:`SeriesBreak`); see :func:`apply_breaks`.

    Returns
    -------
    DataFrame
        One row per indicator and area: ``indicator``, ``code``, ``first_year``, ``last_year``,
        ``years`` (with a value), ``value_first``, ``value_last``, ``slope`` (per year),
        ``slope_low``, ``slope_high``, ``mk_tau``, ``mk_p``, ``mk_p_adjusted``,
        ``significant``, ``direction`` ("increasing", "decreasing" or "no trend") and
        ``series_note`` (which years were used and why; "" when the whole series was used).
        Areas with fewer than three years get no slope (NaN) and a note.

    Raises
    ------
    InputError
        Missing columns, fewer than three years in the table, repeated rows, bad options.

    Notes
    -----
    Theil (1950); Sen (1968), J. Am. Stat. Assoc. 63: slope = median of (y_j - y_i) /
    (t_j - t_i) over pairs of years, interval from Kendall's tau distribution
    (:func:`scipy.stats.theilslopes`). OLS: :func:`scipy.stats.linregress` with the interval
    slope +- t_{(1+c)/2, n-2} se. Mann-Kendall test of the values in time order
    (:func:`geoseg.stats.mann_kendall`). A year missing from the whole table is logged; an
    area missing some years is trended on the years it has, and logged.
    """
    _check_options(method, confidence, alpha, correction)
    data = _check_table(table, "area trends")
    all_years = sorted(data["year"].unique())
    out = []
    for indicator, rows in data.groupby("indicator", sort=False):
        rows, note = apply_breaks(rows.dropna(subset=["value"]), breaks, indicator=str(indicator))
        counts = rows.groupby("code")["year"].nunique()
        span = sorted(rows["year"].unique())
        partial = counts.index[counts < len(span)]
        if len(partial):
            logger.warning(
                "area trends of %s: %d area(s) lack a value in some of the years %s-%s "
                "(areas that appear or disappear); their trends use the years they have: %s",
                indicator,
                len(partial),
                span[0] if span else all_years[0],
                span[-1] if span else all_years[-1],
                format_codes(partial),
            )
        records = []
        # areas with the same years are trended together, one array per set of years (the
        # table holds one row per area and year: repeated rows were refused above)
        labels, codes = pd.factorize(rows["code"], sort=False)
        order = np.lexsort((rows["year"].to_numpy(), labels))
        years_all = rows["year"].to_numpy()[order]
        values_all = rows["value"].to_numpy()[order]
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(order)]))
        same_years: dict[tuple[float, ...], list[tuple[int, np.ndarray]]] = {}
        for code, start, end in zip(codes, starts, ends, strict=True):
            base = {"indicator": indicator, "code": code, "series_note": note}
            if end - start < 3:
                short = "fewer than three years" + (f" ({note})" if note else "")
                records.append(base | {"years": int(end - start), "series_note": short})
                continue
            key = tuple(years_all[start:end].astype(float))
            same_years.setdefault(key, []).append((len(records), values_all[start:end]))
            records.append(base)
        for key, series in same_years.items():
            values = np.vstack([v for _, v in series]).astype(float)
            trended = _trend_rows(np.array(key), values, method, confidence)
            for (position, v), row in zip(series, trended, strict=True):
                records[position] |= row | {"value_first": v[0], "value_last": v[-1]}
        frame = pd.DataFrame(records)
        if "mk_p" not in frame:
            frame["mk_p"] = np.nan
        frame["mk_p_adjusted"] = adjust_pvalues(frame["mk_p"], correction=correction)
        out.append(frame)
    columns = [
        "indicator",
        "code",
        "first_year",
        "last_year",
        "years",
        "value_first",
        "value_last",
        "slope",
        "slope_low",
        "slope_high",
        "mk_tau",
        "mk_p",
        "mk_p_adjusted",
        "significant",
        "direction",
        "series_note",
    ]
    if not out:
        return pd.DataFrame(columns=columns)
    result = pd.concat(out, ignore_index=True).reindex(columns=columns)
    result[["first_year", "last_year", "years"]] = result[
        ["first_year", "last_year", "years"]
    ].astype("Int64")
    significant = result["mk_p_adjusted"].fillna(1.0) <= alpha
    result["significant"] = significant
    result["direction"] = np.where(
        significant & (result["mk_tau"] > 0),
        "increasing",
        np.where(significant & (result["mk_tau"] < 0), "decreasing", "no trend"),
    )
    result.attrs["trends"] = {
        "method": method,
        "confidence": confidence,
        "alpha": alpha,
        "correction": correction,
    }
    return result


@dataclass(frozen=True)
class GapTrends:
    """Result of :func:`gap_trends`.

    Attributes
    ----------
    series
        One row per indicator, measure and year: ``indicator``, ``measure``, ``year``,
        ``low`` and ``high`` (P10 and P90, or the means of the bottom and top fifth of areas),
        ``gap`` (high - low), ``areas`` and ``segment`` (the first year of the comparable
        series the year belongs to).
    summary
        One row per indicator and measure: ``first_year``, ``last_year``, ``years``,
        ``gap_first``, ``gap_last``, ``slope``, ``slope_low``, ``slope_high``, ``mk_tau``,
        ``mk_p``, ``ols_p``, ``verdict`` ("growing", "shrinking" or "no clear trend") and
        ``series_note``.
    """

    series: pd.DataFrame
    summary: pd.DataFrame


def gap_trends(
    table: pd.DataFrame,
    *,
    measures: Sequence[str] = GAP_MEASURES,
    method: str = "theil_sen",
    confidence: float = 0.95,
    alpha: float = 0.05,
    breaks: Sequence[SeriesBreak] = (),
) -> GapTrends:
    """Whether the gap between the best and the worst areas of each indicator grows.

    Parameters
    ----------
    table
        Indicators with columns ``code``, ``year``, ``indicator``, ``value``.
    measures
        ``"p90_p10"`` (the 90th minus the 10th percentile of the areas' values) and/or
        ``"quintile_means"`` (the mean of the top fifth of areas minus that of the bottom
        fifth). Areas count equally (not weighted by population).
    method, confidence
        Slope of the gap over the years, as in :func:`area_trends`.
    alpha
        Level of the Mann-Kendall test of the gap series (one test per indicator and
        measure, not adjusted).
    breaks
        Series breaks; the gap's trend uses the years of the last comparable series.

    Returns
    -------
    GapTrends

    Notes
    -----
    Percentiles by linear interpolation (:func:`numpy.percentile`, the default "linear"
    method; Hyndman & Fan 1996 definition 7). The verdict is "growing" when the Mann-Kendall
    p-value of the gap series is at most ``alpha`` and the slope is positive, "shrinking" when
    it is at most ``alpha`` and the slope negative, else "no clear trend"; ``ols_p`` is the
    p-value of the OLS slope (:func:`scipy.stats.linregress`) for comparison.
    """
    _check_options(method, confidence, alpha, "none")
    unknown = [m for m in measures if m not in GAP_MEASURES]
    if unknown:
        msg = f"gap trends: measures {unknown} are not among {', '.join(GAP_MEASURES)}."
        raise InputError(msg)
    data = _check_table(table, "gap trends")
    series_rows = []
    summary_rows = []
    for indicator, rows in data.groupby("indicator", sort=False):
        rows = rows.dropna(subset=["value"])
        used, note = apply_breaks(rows, breaks, indicator=str(indicator))
        segments = _segments(indicator, sorted(rows["year"].unique()), breaks)
        for measure in measures:
            per_year = []
            for year, part in rows.groupby("year", sort=True):
                low, high = _gap(part["value"].to_numpy(dtype=float), measure)
                year = int(str(year))
                per_year.append(
                    {
                        "indicator": indicator,
                        "measure": measure,
                        "year": year,
                        "low": low,
                        "high": high,
                        "gap": high - low,
                        "areas": len(part),
                        "segment": segments[year],
                    }
                )
            series_rows.extend(per_year)
            usable = []
            for year, part in used.groupby("year", sort=True):
                low, high = _gap(part["value"].to_numpy(dtype=float), measure)
                usable.append((int(str(year)), high - low))
            base = {"indicator": indicator, "measure": measure, "series_note": note}
            if len(usable) < 3:
                summary_rows.append(
                    base
                    | {
                        "years": len(usable),
                        "verdict": "no clear trend",
                        "series_note": "fewer than three comparable years"
                        + (f" ({note})" if note else ""),
                    }
                )
                continue
            years = np.array([u[0] for u in usable])
            gaps = np.array([u[1] for u in usable])
            row = _trend_row(years, gaps, method, confidence)
            ols = stats.linregress(years.astype(float), gaps)
            verdict = "no clear trend"
            if row["mk_p"] <= alpha:
                verdict = "growing" if row["slope"] > 0 else "shrinking"
            summary_rows.append(
                base
                | {k: v for k, v in row.items() if k not in ("value_first", "value_last")}
                | {
                    "gap_first": gaps[0],
                    "gap_last": gaps[-1],
                    "ols_p": float(ols.pvalue),
                    "verdict": verdict,
                }
            )
    summary_cols = [
        "indicator",
        "measure",
        "first_year",
        "last_year",
        "years",
        "gap_first",
        "gap_last",
        "slope",
        "slope_low",
        "slope_high",
        "mk_tau",
        "mk_p",
        "ols_p",
        "verdict",
        "series_note",
    ]
    series_cols = ["indicator", "measure", "year", "low", "high", "gap", "areas", "segment"]
    summary = pd.DataFrame(summary_rows).reindex(columns=summary_cols)
    summary[["first_year", "last_year", "years"]] = summary[
        ["first_year", "last_year", "years"]
    ].astype("Int64")
    return GapTrends(series=pd.DataFrame(series_rows, columns=series_cols), summary=summary)


def _segments(indicator: Any, years: list[int], breaks: Sequence[SeriesBreak]) -> dict[int, int]:
    """Year -> first year of its comparable segment (breaks with a crosswalk do not split)."""
    cuts = sorted(b.year for b in breaks if b.applies_to(str(indicator)) and b.crosswalk is None)
    out = {}
    for y in years:
        starts = [c for c in cuts if c <= y]
        out[y] = starts[-1] if starts else years[0]
    return out


def _gap(values: np.ndarray, measure: str) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return np.nan, np.nan
    if measure == "p90_p10":
        low, high = np.percentile(values, [10, 90])
        return float(low), float(high)
    ordered = np.sort(values)
    k = max(round(len(ordered) / 5), 1)
    return float(ordered[:k].mean()), float(ordered[-k:].mean())
