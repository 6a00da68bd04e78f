"""The disclosure gate of the gaps between areas: gaps computed over published values only.

A gap between areas (P90 - P10, or the mean of the top fifth of areas less that of the bottom
fifth) is a statistic over many areas, but it is built from single areas' values: with eleven
areas the 10th percentile *is* the second smallest value, and the mean of the bottom fifth less
the published values of that fifth gives the remaining one back. A gap that took in a value
the indicator table hides (a share of fewer persons than the threshold, or the complement of
such a share) could therefore publish that value. :func:`gate_gaps` computes each year's gap
again over the values that the published indicator table shows, so that every published gap is
a function of published values and reveals nothing they do not.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from geoseg.publish.disclosure import Disclosure
    from geoseg.trends import ProjectTrends

__all__ = ["gate_gaps"]

logger = logging.getLogger(__name__)


def gate_gaps(
    follow_up: ProjectTrends, indicators: pd.DataFrame | None, disclosure: Disclosure
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Publishable gaps between areas: each year's gap over the values published that year.

    Parameters
    ----------
    follow_up
        A :class:`geoseg.trends.ProjectTrends` (``gaps``, ``gap_series`` and the
        ``gap_options`` that computed them).
    indicators
        The published indicator table (:func:`geoseg.publish.disclosure.gate_indicators`):
        ``code``, ``year``, ``indicator``, ``value`` and ``suppressed``.
    disclosure
        The rule of the output (:class:`geoseg.publish.disclosure.Disclosure`).

    Returns
    -------
    (DataFrame, DataFrame)
        The summary and the yearly series of :func:`geoseg.trends.gap_trends`, computed over
        the rows of ``indicators`` that are not suppressed; ``areas`` of the series counts the
        areas a year's gap rests on. With ``disclosure.unsuppressed`` the gaps of
        ``follow_up`` unchanged; without ``indicators`` (nothing to check the values against)
        no gaps at all.

    Notes
    -----
    The rule: an area whose value of an indicator is hidden in a year (fewer persons than the
    threshold in its count or base, fewer residents, or a complement of a hidden count,
    :func:`geoseg.publish.disclosure.secondary_suppression`) is left out of that indicator's
    gap that year. A gap computed from published values alone cannot disclose more than those
    values (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, sec. 5.2: a
    statistic derived only from safe cells is safe). The gap then describes the areas with a
    published value; a year whose gap rests on fewer areas says so in ``areas``.
    """
    from geoseg.trends import GAP_MEASURES, gap_trends

    gaps = getattr(follow_up, "gaps", pd.DataFrame())
    series = getattr(follow_up, "gap_series", pd.DataFrame())
    if disclosure.unsuppressed or gaps is None or not len(gaps):
        return gaps, series
    if indicators is None or "value" not in indicators:
        logger.warning(
            "gaps between areas left out of the published output: no published indicator "
            "table to check their values against"
        )
        return gaps.iloc[0:0], series.iloc[0:0]
    wanted = set(gaps["indicator"].astype(str))
    table = indicators[indicators["indicator"].astype(str).isin(wanted)]
    hidden = (
        table["suppressed"].fillna(False).to_numpy(dtype=bool)
        if "suppressed" in table
        else np.zeros(len(table), dtype=bool)
    )
    values = pd.to_numeric(table["value"], errors="coerce").mask(hidden)
    table = table[["code", "year", "indicator"]].assign(value=values.to_numpy())
    options = dict(getattr(follow_up, "gap_options", None) or {})
    present = set(gaps["measure"].astype(str))
    measures = [m for m in GAP_MEASURES if m in present]
    result = gap_trends(table, measures=measures, **options)
    left_out = int(hidden.sum())
    if left_out:
        logger.info(
            "gaps between areas computed over the published values: %d hidden value(s) left out",
            left_out,
        )
    return result.summary, result.series
