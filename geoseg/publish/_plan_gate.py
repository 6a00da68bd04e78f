"""The disclosure gate of a plan check: its area, district and group tables, rule violations
and headline counts. Public through :mod:`geoseg.publish.disclosure`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from geoseg.publish._threshold import (
    Disclosure,
    blank_rows,
    gate_table,
    suppress_counts,
    suppressed_label,
)

__all__ = [
    "PLAN_AREA_COUNTS",
    "PLAN_AREA_DEPENDENT",
    "PLAN_GROUP_COUNTS",
    "PLAN_SUMMARY_COUNTS",
    "gate_plan",
    "gate_plan_check",
]

logger = logging.getLogger(__name__)


#: Per-area columns of a plan check: counts, and the shares resting on them.
PLAN_AREA_COUNTS = ("residents_before", "residents_after")
PLAN_AREA_DEPENDENT = (
    "before_share",
    "after_share",
    "change_share",
    "before_unreachable",
    "after_unreachable",
)
#: City-wide counts of a plan check per kind and group (who gains, who loses).
PLAN_GROUP_COUNTS = (
    "residents",
    "gain",
    "lose",
    "newly_within",
    "no_longer_within",
    "new_residents",
    "new_within",
)


def gate_plan(
    areas: pd.DataFrame, groups: pd.DataFrame, disclosure: Disclosure
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Publishable tables of a plan check (:class:`geoseg.plans.PlanCheck`).

    Per area, residents below the threshold are hidden with their shares; in the city-wide
    table of who gains and who loses, each count below the threshold is hidden (a zero is kept:
    "nobody loses" discloses no one).
    """
    a = gate_table(areas, disclosure, counts=PLAN_AREA_COUNTS, dependent=PLAN_AREA_DEPENDENT)
    cols = [c for c in PLAN_GROUP_COUNTS if c in groups.columns]
    if disclosure.unsuppressed or not cols:
        return a, groups.copy()
    g, _ = suppress_counts(groups, cols, threshold=disclosure.effective, keep_zeros=True)
    return a, g


#: Headline counts of a plan check's summary (per kind, or one number).
PLAN_SUMMARY_COUNTS = ("gain", "lose", "new_residents")


def _gate_violations(violations: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Rule violations whose quoted shares rest on too few residents lose those shares."""
    out = violations.copy()
    if disclosure.unsuppressed or "residents" not in out.columns or not len(out):
        return out
    t = disclosure.effective
    n = pd.to_numeric(out["residents"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    small = (n < t) & ~np.isnan(n)
    if not small.any():
        return out
    outline = out["outline"] if "outline" in out.columns else pd.Series("", index=out.index)
    label = suppressed_label(t)
    hidden = [
        f"{o} ({label})" if str(o) != str(d) else str(d)
        for o, d in zip(outline.astype(str), out["detail"].astype(str), strict=True)
    ]
    out["detail"] = np.where(small, hidden, out["detail"].astype(str))
    blank_rows(out, "residents", small)
    logger.info("suppressed the shares of %d rule violation(s) below the threshold", small.sum())
    return out


def _gate_summary(summary: dict[str, Any], disclosure: Disclosure) -> dict[str, Any]:
    """The headline counts of a plan check: each count from 1 to below the threshold hidden."""
    out = dict(summary)
    if disclosure.unsuppressed:
        return out
    t = disclosure.effective

    def gate(v: Any) -> Any:
        try:
            x = float(v)
        except (TypeError, ValueError):
            return v
        return None if (0 < x < t) else v

    for key in PLAN_SUMMARY_COUNTS:
        if key not in out:
            continue
        v = out[key]
        out[key] = {k: gate(x) for k, x in v.items()} if isinstance(v, dict) else gate(v)
    return out


def gate_plan_check(result: Any, disclosure: Disclosure) -> Any:
    """Publishable copy of a whole plan check (:class:`geoseg.plans.PlanCheck`).

    Every table and text of the check is gated: per area and per district, residents below
    the threshold are hidden with the shares resting on them; the rule violations whose
    ``detail`` quotes such shares show their ``outline`` instead (with the suppression mark);
    the city-wide counts of who gains and who loses, and the summary's headline counts, hide
    each count from 1 to below the threshold. Walking minutes stay.

    Parameters
    ----------
    result
        A :class:`geoseg.plans.PlanCheck` (a dataclass with ``areas``, ``groups``,
        ``districts``, ``violations`` and ``summary``).
    disclosure
        The rule of the output; with ``unsuppressed`` an unchanged copy is returned.

    Returns
    -------
    PlanCheck
        A copy (the input is not modified).
    """
    import dataclasses

    areas, groups = gate_plan(result.areas, result.groups, disclosure)
    districts = result.districts
    if len(districts) and not disclosure.unsuppressed:
        districts = gate_table(
            districts,
            disclosure,
            counts=("residents_before", "residents_after"),
            dependent=("before_share", "after_share"),
        )
    return dataclasses.replace(
        result,
        areas=areas,
        groups=groups,
        districts=districts,
        violations=_gate_violations(result.violations, disclosure),
        summary=_gate_summary(result.summary, disclosure),
    )
