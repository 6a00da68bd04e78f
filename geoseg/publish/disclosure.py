"""The disclosure gate: small-count suppression for everything geoseg publishes.

Counts of persons below a threshold (default :data:`geoseg.settings.SUPPRESSION_THRESHOLD`, 5)
must not be published, nor values derived from them in the same area (shares, rates, a
hotspot's value). Every published output (CSV tables, GeoPackage layers, JSON and table output
of the command line, maps with their tooltips, report tables) passes through this module:

- :class:`Disclosure` is the rule of one output: the threshold (a threshold below
  :data:`MIN_THRESHOLD` needs ``allow_small_counts``), and whether suppression was explicitly
  switched off (``unsuppressed``), which stamps the output as not for publication;
- :func:`gate_table` suppresses the counts of any table, and :func:`gate_access`,
  :func:`gate_hotspots`, :func:`gate_indicators` know which columns of geoseg's own result
  tables are counts and which depend on them;
- :func:`suppress_counts` is the cell-level rule the others (and the maps) use;
- :func:`secondary_suppression` hides published counts from which a hidden one could be worked
  out by subtraction (the complement of a group in the same area and year);
- :func:`gate_gaps` computes the gaps between areas (P90 - P10, quintile means) of each year
  over the values the published indicator table shows, so that no percentile or mean falls on
  a hidden value.

It is applied to published output only, never inside an analysis: the Python API returns raw
numbers.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geoseg.publish._plan_gate import PLAN_GROUP_COUNTS as PLAN_GROUP_COUNTS
from geoseg.publish._plan_gate import gate_plan, gate_plan_check
from geoseg.publish._threshold import (
    MIN_THRESHOLD,
    Disclosure,
    blank_rows,
    gate_table,
    suppress_counts,
    suppressed_label,
)
from geoseg.publish.gap_gate import gate_gaps
from geoseg.publish.secondary import secondary_suppression

__all__ = [
    "MIN_THRESHOLD",
    "Disclosure",
    "gate_access",
    "gate_emerging",
    "gate_gaps",
    "gate_hotspots",
    "gate_indicators",
    "gate_plan",
    "gate_plan_check",
    "gate_table",
    "secondary_suppression",
    "suppress_counts",
    "suppressed_label",
]

#: Columns of the access table that are person counts, and those derived from them per area.
ACCESS_COUNTS = ("residents",)
ACCESS_DEPENDENT = ("share_within", "share_unreachable", "fca_ratio")
#: Columns of the hotspot table that are counts (rates), and those derived from an area's value.
HOTSPOT_COUNTS = ("events", "base")
HOTSPOT_DEPENDENT = (
    "value",
    "eb_rate",
    "I",
    "z",
    "z_sim",
    "mean_sim",
    "std_sim",
    "p_value",
    "p_adjusted",
    "quadrant",
    "cluster",
    "significant",
    "label",
)

logger = logging.getLogger(__name__)


def gate_access(table: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Publishable per-area access: ``residents`` below the threshold hidden with its shares.

    Suppressed with the count: ``share_within``, ``share_unreachable`` and ``fca_ratio`` (a
    share times the count would give the count back); walking minutes stay. When a table holds
    several groups of one area and kind (``group``), the largest count of the line (the
    area's residents) is its total, and a group's count from which a hidden one could be
    worked out is hidden too (:func:`secondary_suppression`).
    """
    out = gate_table(table, disclosure, counts=ACCESS_COUNTS, dependent=ACCESS_DEPENDENT)
    keys = [c for c in ("id", "kind") if c in table.columns]
    if disclosure.unsuppressed or "group" not in table.columns or not keys:
        return out
    hidden = out["suppressed"].to_numpy(dtype=bool)
    if not hidden.any():
        return out
    n = pd.to_numeric(table["residents"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    extra = np.zeros(len(table), dtype=bool)
    for _, rows in table.reset_index(drop=True).groupby(keys, sort=False).groups.items():
        pos = np.asarray(rows)
        if not hidden[pos].any():
            continue
        published = n[pos][~hidden[pos]]
        if not np.isfinite(published).any():
            continue
        more = secondary_suppression(
            n[pos], hidden[pos], totals=[np.nanmax(published)], threshold=disclosure.effective
        )
        extra[pos[more]] = True
    for c in [*ACCESS_COUNTS, *ACCESS_DEPENDENT]:
        if c in out.columns:
            blank_rows(out, c, extra)
    out["suppressed"] = hidden | extra
    return out


def gate_hotspots(
    table: pd.DataFrame,
    disclosure: Disclosure,
    *,
    population: pd.Series | None = None,
    id_column: str = "id",
    year_column: str = "year",
) -> pd.DataFrame:
    """Publishable hotspot results: an area's value, statistic and cluster hidden when few live
    there or when a rate's counts (``events``, ``base``) are below the threshold.

    Parameters
    ----------
    population
        Persons per area and year: a Series indexed by ``(area code, year)`` (codes as text), or
        by area code alone. Areas with fewer than the threshold are suppressed.
    """
    base = None
    if population is not None and id_column in table.columns:
        codes = table[id_column].astype(str)
        if isinstance(population.index, pd.MultiIndex) and year_column in table.columns:
            pop = population.copy()
            pop.index = pd.MultiIndex.from_arrays(
                [pop.index.get_level_values(0).astype(str), pop.index.get_level_values(1)]
            )
            years = pd.to_numeric(table[year_column], errors="coerce")
            key = pd.MultiIndex.from_arrays([codes, years])
            pop.index = pd.MultiIndex.from_arrays(
                [
                    pop.index.get_level_values(0),
                    pd.to_numeric(pd.Series(pop.index.get_level_values(1)), errors="coerce"),
                ]
            )
            pop = pop[~pop.index.duplicated()]
            base = pop.reindex(key).to_numpy(dtype=float, na_value=np.nan)
        else:
            pop = population.copy()
            pop.index = pop.index.astype(str)
            pop = pop[~pop.index.duplicated()]
            base = pop.reindex(codes).to_numpy(dtype=float, na_value=np.nan)
    return gate_table(
        table, disclosure, counts=HOTSPOT_COUNTS, dependent=HOTSPOT_DEPENDENT, base=base
    )


def gate_indicators(table: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Publishable indicator values (see :func:`geoseg.publish.run.indicator_table`).

    A value is hidden when its person count (``count``, where ``persons`` is true), its
    denominator (``base``) or the area's population (``population``) is below the threshold,
    and (:func:`secondary_suppression`) when its count, with the base shared by the indicators
    of the same area and year, would give a hidden count back (the born-in-Sweden count next
    to a hidden foreign-born count of the same population).
    """
    persons = (
        table["persons"].fillna(False).astype(bool).to_numpy()
        if "persons" in table.columns
        else np.ones(len(table), dtype=bool)
    )
    t = disclosure.effective
    rows = np.zeros(len(table), dtype=bool)
    if not disclosure.unsuppressed:
        for c, only_persons in (("count", True), ("base", False), ("population", False)):
            if c not in table.columns:
                continue
            v = pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            small = (v < t) & ~np.isnan(v)
            rows |= small & persons if only_persons else small
    out = gate_table(table, disclosure, counts=(), dependent=("value", "count", "base"))
    if disclosure.unsuppressed:
        return out
    rows |= _complements(table, rows, persons, t)
    for c in ("value", "count", "base", "population"):
        if c in out.columns:
            blank_rows(out, c, rows)
    out["suppressed"] = rows
    return out


def _complements(
    table: pd.DataFrame, hidden: np.ndarray, persons: np.ndarray, threshold: float
) -> np.ndarray:
    """Rows of an indicator table to hide because a hidden count of their area and year could
    be worked out from theirs and the base they share (see :func:`secondary_suppression`)."""
    extra = np.zeros(len(table), dtype=bool)
    if "count" not in table.columns or "base" not in table.columns or not hidden.any():
        return extra
    count = pd.to_numeric(table["count"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    base = pd.to_numeric(table["base"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    usable = persons & np.isfinite(count) & np.isfinite(base)
    keys = [table[c].astype(str).to_numpy() for c in ("code", "year") if c in table.columns]
    line = pd.Series(list(zip(*keys, base, strict=True))) if keys else pd.Series(base)
    touched = set(line[hidden & usable])
    for key, positions in line.groupby(line, sort=False).groups.items():
        if key not in touched:
            continue
        pos = np.asarray([p for p in positions if usable[p]])
        more = secondary_suppression(
            count[pos], hidden[pos], totals=[base[pos[0]]], threshold=threshold
        )
        extra[pos[more]] = True
    if extra.any():
        logger.info(
            "suppressed %d more indicator value(s) from which a hidden count could be worked out",
            int(extra.sum()),
        )
    return extra


def gate_emerging(
    table: pd.DataFrame,
    disclosure: Disclosure,
    *,
    population: pd.Series | None,
    id_column: str = "id",
) -> pd.DataFrame:
    """Publishable emerging hotspot results: an area that had fewer residents than the threshold
    in any year has its pattern and statistics hidden (its series rests on those few persons).

    ``population`` is indexed by ``(area code, year)`` or by area code.
    """
    if population is None or id_column not in table.columns:
        return gate_table(table, disclosure)
    least = (
        population.groupby(level=0).min()
        if isinstance(population.index, pd.MultiIndex)
        else population
    )
    least.index = least.index.astype(str)
    base = least.reindex(table[id_column].astype(str)).to_numpy(dtype=float, na_value=np.nan)
    keep = {"variable", id_column, "code", "series_note"}
    dependent = [c for c in table.columns if c not in keep]
    return gate_table(table, disclosure, dependent=dependent, base=base)
