"""Checking a plan: recompute walking access after it, compare with the baseline, apply rules.

:func:`check_plan` returns a :class:`PlanCheck`: the verdict (``pass`` or ``fail``), the rules
broken and where, walking minutes and shares per area and service kind before and after, the
residents who gain and who lose by group, and the change in the equity measures.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.i18n import tr
from geoseg.indicators import indicator_label
from geoseg.io.plans import Plan
from geoseg.io.rules import EquityGapRule, Rules, default_rules
from geoseg.plans._apply import PlanState, apply_plan, minutes_after
from geoseg.plans._tables import area_stats, equity_table, group_table, json_records
from geoseg.plans.baseline import Baseline
from geoseg.plans.rules import equity_gap_sentence

__all__ = ["AREA_KEYS", "VIOLATION_KEYS", "PlanCheck", "check_plan"]

logger = logging.getLogger(__name__)

#: Keys of one per-area record in the JSON output.
AREA_KEYS = [
    "id",
    "kind",
    "before_minutes",
    "after_minutes",
    "change_minutes",
    "before_share",
    "after_share",
]
#: Keys of one violation.
VIOLATION_KEYS = ["rule", "area", "kind", "detail"]


@dataclass(eq=False)
class PlanCheck:
    """The outcome of checking one plan.

    Attributes
    ----------
    verdict
        ``"pass"`` or ``"fail"``.
    violations
        One row per broken rule and place: ``rule``, ``area`` (area or district code, empty
        for city-wide rules), ``kind``, ``detail``, ``protects``, ``residents`` (the persons
        the shares quoted in ``detail`` rest on: the fewer of before and after; missing when
        ``detail`` quotes no share) and ``outline`` (``detail`` without those shares, what a
        published output shows when ``residents`` is below the disclosure threshold).
    areas
        Per area and kind (total residents): :data:`AREA_KEYS` plus ``change_share``,
        ``residents_before``, ``residents_after``, ``before_unreachable``,
        ``after_unreachable``.
    groups
        Per kind and group: residents who gain, lose, come within / fall out of the threshold,
        and new residents.
    equity
        Per kind: Gini, Palma and quintile gap of walking minutes, before, after and change.
    districts
        Per district: the family-centre rule's share before and after, and the residents of
        the rule's group it rests on (``residents_before``, ``residents_after``; empty without
        districts).
    summary
        Headline numbers (JSON-ready).
    features
        The plan's features (for maps).
    state
        The city after the plan (network, services, residents).
    minutes_after
        Per kind, minutes for every resident row after the plan (``inf``: unreachable).
    """

    verdict: str
    violations: pd.DataFrame
    areas: pd.DataFrame
    groups: pd.DataFrame
    equity: pd.DataFrame
    districts: pd.DataFrame
    summary: dict[str, Any]
    features: gpd.GeoDataFrame
    state: PlanState
    minutes_after: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether no rule is broken."""
        return self.verdict == "pass"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: ``verdict``, ``violations``, ``areas``, ``summary``, ``groups``,
        ``equity``."""
        records = json_records
        return {
            "verdict": self.verdict,
            "violations": records(self.violations, VIOLATION_KEYS),
            "areas": records(self.areas, AREA_KEYS),
            "summary": self.summary,
            "groups": records(self.groups),
            "equity": records(self.equity),
        }


def _areas_table(
    baseline: Baseline,
    people: pd.DataFrame,
    before: dict[str, np.ndarray],
    after: dict[str, np.ndarray],
    group: str,
    within: float,
) -> pd.DataFrame:
    codes = pd.Index(baseline.areas.index.astype(str))
    n0 = len(baseline.residents)
    area_b = baseline.residents["area"].astype(str).to_numpy()
    area_a = people["area"].astype(str).to_numpy()
    wb = baseline.residents[group].to_numpy(dtype=float)
    wa = people[group].to_numpy(dtype=float)
    parts = []
    for kind in before:
        b = area_stats(area_b, wb, before[kind], within=within, index=codes)
        a = area_stats(area_a, wa, after[kind], within=within, index=codes)
        parts.append(
            pd.DataFrame(
                {
                    "id": codes,
                    "kind": kind,
                    "residents_before": b["residents"].to_numpy(),
                    "residents_after": a["residents"].to_numpy(),
                    "before_minutes": b["mean_minutes"].to_numpy(),
                    "after_minutes": a["mean_minutes"].to_numpy(),
                    "before_share": b["share_within"].to_numpy(),
                    "after_share": a["share_within"].to_numpy(),
                    "before_unreachable": b["share_unreachable"].to_numpy(),
                    "after_unreachable": a["share_unreachable"].to_numpy(),
                }
            )
        )
    del n0
    out = pd.concat(parts, ignore_index=True)
    out = out[(out["residents_before"] > 0) | (out["residents_after"] > 0)]
    out["change_minutes"] = out["after_minutes"] - out["before_minutes"]
    out["change_share"] = out["after_share"] - out["before_share"]
    cols = [*AREA_KEYS, "change_share", "residents_before", "residents_after"]
    cols += ["before_unreachable", "after_unreachable"]
    return out[cols].reset_index(drop=True)


def _rows(df: pd.DataFrame) -> list[Any]:
    """The rows of a table as named tuples (typed loosely: columns vary)."""
    return list(df.itertuples(index=False))


def _violation(
    rules_obj: Any,
    rule: str,
    area: str,
    kind: str,
    detail: str,
    *,
    residents: float = float("nan"),
    outline: str | None = None,
) -> dict[str, Any]:
    return {
        "rule": rule,
        "area": area,
        "kind": kind,
        "detail": detail,
        "protects": rules_obj.protects,
        "residents": float(residents),
        "outline": detail if outline is None else outline,
    }


def _fewer(a: Any, b: Any) -> float:
    """The fewer of two resident counts (missing ones ignored; NaN when both are)."""
    values = [float(v) for v in (a, b) if v is not None and np.isfinite(float(v))]
    return min(values) if values else float("nan")


def _evaluate(
    rules: Rules,
    baseline: Baseline,
    people: pd.DataFrame,
    before: dict[str, np.ndarray],
    after: dict[str, np.ndarray],
    areas: pd.DataFrame,
    equity: pd.DataFrame,
    ranked_by: str = "",
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    out: list[dict[str, Any]] = []
    r1 = rules.max_minutes_increase
    if r1.enabled:
        group = r1.group if r1.group in baseline.groups else baseline.total
        people_label = (
            "residents"
            if group == baseline.total
            else indicator_label(group, baseline.indicators, baseline.lang)
        )
        tab = (
            areas
            if group == baseline.total
            else _areas_table(baseline, people, before, after, group, baseline.minutes)
        )
        for row in _rows(tab):
            if r1.kinds and row.kind not in r1.kinds:
                continue
            if np.isfinite(row.change_minutes) and row.change_minutes > r1.minutes:
                out.append(
                    _violation(
                        r1,
                        "max_minutes_increase",
                        row.id,
                        row.kind,
                        f"mean walk of {people_label} {row.before_minutes:.1f} -> "
                        f"{row.after_minutes:.1f} min (+{row.change_minutes:.1f}, allowed "
                        f"+{r1.minutes:g})",
                    )
                )
            lost = (row.after_unreachable or 0.0) - (row.before_unreachable or 0.0)
            if np.isfinite(lost) and lost > 1e-9:
                out.append(
                    _violation(
                        r1,
                        "max_minutes_increase",
                        row.id,
                        row.kind,
                        f"{lost:.1%} of {people_label} can no longer reach any {row.kind}",
                        residents=_fewer(row.residents_before, row.residents_after),
                        outline=f"some {people_label} can no longer reach any {row.kind}",
                    )
                )
    districts = pd.DataFrame(
        columns=[
            "district",
            "kind",
            "group",
            "minutes",
            "before_share",
            "after_share",
            "residents_before",
            "residents_after",
        ]
    )
    r2 = rules.family_centre_share
    if r2.enabled and r2.kind in before and baseline.district is not None:
        group = r2.group if r2.group in baseline.groups else baseline.total
        dist_b = baseline.district.reindex(baseline.residents["area"].astype(str)).to_numpy()
        dist_a = baseline.district.reindex(people["area"].astype(str)).to_numpy()
        codes = sorted(set(baseline.district.dropna()))
        b = area_stats(
            dist_b.astype(str),
            baseline.residents[group].to_numpy(dtype=float),
            before[r2.kind],
            within=r2.minutes,
            index=codes,
        )
        a = area_stats(
            dist_a.astype(str),
            people[group].to_numpy(dtype=float),
            after[r2.kind],
            within=r2.minutes,
            index=codes,
        )
        districts = pd.DataFrame(
            {
                "district": codes,
                "kind": r2.kind,
                "group": group,
                "minutes": r2.minutes,
                "before_share": b["share_within"].to_numpy(),
                "after_share": a["share_within"].to_numpy(),
                "residents_before": b["residents"].to_numpy(),
                "residents_after": a["residents"].to_numpy(),
            }
        )
        for row in _rows(districts):
            if row.after_share < r2.min_share and row.after_share < row.before_share - 1e-12:
                out.append(
                    _violation(
                        r2,
                        "family_centre_share",
                        str(row.district),
                        r2.kind,
                        f"district {row.district}: "
                        f"{indicator_label(group, baseline.indicators, baseline.lang)} "
                        f"within {r2.minutes:g} min "
                        f"{row.before_share:.2%} -> {row.after_share:.2%} "
                        f"(target {r2.min_share:.0%}, and the plan makes it worse)",
                        residents=_fewer(row.residents_before, row.residents_after),
                        outline=f"district {row.district}: "
                        f"{indicator_label(group, baseline.indicators, baseline.lang)} "
                        f"within {r2.minutes:g} min "
                        f"below the target {r2.min_share:.0%}, and the plan makes it worse",
                    )
                )
    r3 = _equity_rule(rules.equity_gap, baseline)
    if r3.enabled and "gap_before" in equity.columns:
        for row in _rows(equity):
            if r3.kinds and row.kind not in r3.kinds:
                continue
            if np.isfinite(row.gap_change) and row.gap_change > r3.tolerance_minutes:
                out.append(
                    _violation(
                        r3,
                        "equity_gap",
                        "",
                        row.kind,
                        equity_gap_sentence(
                            row.gap_before,
                            row.gap_after,
                            tolerance=r3.tolerance_minutes,
                            groups=r3.groups,
                            ranked_by=ranked_by,
                        ),
                    )
                )
    r4 = rules.meeting_place
    if r4.enabled and r4.kind in before:
        codes = pd.Index(baseline.areas.index.astype(str))
        b = area_stats(
            baseline.residents["area"].astype(str).to_numpy(),
            baseline.residents[baseline.total].to_numpy(dtype=float),
            before[r4.kind],
            within=r4.minutes,
            index=codes,
        )
        a = area_stats(
            people["area"].astype(str).to_numpy(),
            people[baseline.total].to_numpy(dtype=float),
            after[r4.kind],
            within=r4.minutes,
            index=codes,
        )
        lost = (b["share_within"] >= r4.min_share) & ~(a["share_within"] >= r4.min_share)
        for code in codes[lost.to_numpy()]:
            i = codes.get_loc(code)
            out.append(
                _violation(
                    r4,
                    "meeting_place",
                    str(code),
                    r4.kind,
                    f"residents within {r4.minutes:g} min of a {r4.kind} "
                    f"{b['share_within'].to_numpy(dtype=float)[codes.get_loc(code)]:.0%} -> "
                    f"{a['share_within'].to_numpy(dtype=float)[codes.get_loc(code)]:.0%}: the "
                    f"area loses its last one within reach (needs {r4.min_share:.0%})",
                    residents=_fewer(b["residents"].iloc[i], a["residents"].iloc[i]),
                    outline=f"the area loses its last {r4.kind} within {r4.minutes:g} min "
                    f"(needs {r4.min_share:.0%} of its residents within reach)",
                )
            )
    return out, districts


def _ranked_words(ranked: dict[str, str]) -> str:
    """ "Median income (tkr), lower is worse": what ranks the areas of the equity rule."""
    if not ranked:
        return ""
    unit = f" ({ranked['unit']})" if ranked.get("unit") else ""
    return f"{ranked['label']}{unit}, {ranked['worse']} is worse"


def _equity_rule(rule: EquityGapRule, baseline: Baseline) -> EquityGapRule:
    """The equity rule with what it protects named after its declared indicator.

    A rule whose ``protects`` is the default text but whose ``indicator`` is another declared
    indicator (median income, employment) says which areas it protects in that indicator's
    words: "the areas with the lowest Median income".
    """
    default = EquityGapRule()
    ind = baseline.indicators.get(rule.indicator)
    if (
        ind is None
        or rule.protects != default.protects
        or rule.indicator == default.indicator
        or ind.worse not in ("higher", "lower")
    ):
        return rule
    higher = ind.worse == "higher"
    protects = tr(
        "protects_equity_gap_indicator",
        baseline.lang,
        end=tr("end_highest" if higher else "end_lowest", baseline.lang),
        label=ind.label(baseline.lang),
    )
    return dataclasses.replace(rule, protects=protects)


def check_plan(baseline: Baseline, plan: Plan, *, rules: Rules | None = None) -> PlanCheck:
    """Check a plan against the baseline and the rules.

    Parameters
    ----------
    baseline
        From :func:`geoseg.plans.compute_baseline` (computed once, reused for many plans).
    plan
        From :func:`geoseg.io.read_plan` (validated against ``baseline``).
    rules
        From :func:`geoseg.io.read_rules`; default :func:`geoseg.io.rules.default_rules`.

    Returns
    -------
    PlanCheck

    Notes
    -----
    The plan is applied to a copy of the network, services and residents; every service kind
    it touches is then recomputed in full on the edited network with the access engine (one
    multi-source Dijkstra per kind, :func:`geoseg.access.nearest`), and the other kinds keep
    their baseline times. Means are resident-weighted over residents who
    reach a service; shares are of all residents (``geoseg access``'s definitions). Inequality:
    Gini and Palma of walking minutes across residents, and the quintile gap of area mean minutes
    by the disadvantage indicator (:mod:`geoseg.access.equity`).
    """
    rules = rules or default_rules()
    t0 = time.perf_counter()
    state = apply_plan(baseline, plan)
    recomputed = minutes_after(baseline, state)
    people = state.people
    before = {k: baseline.minutes_before(k) for k in baseline.kinds}
    after: dict[str, np.ndarray] = {}
    for kind, (mins, _) in recomputed.items():
        full = np.full(len(people), np.inf)
        full[state.rows] = mins
        after[kind] = full
    T = baseline.minutes
    areas = _areas_table(baseline, people, before, after, baseline.total, T)
    groups = group_table(
        before,
        after,
        baseline.residents[baseline.groups],
        people[baseline.groups],
        within=T,
    )
    ranking, ranked = (
        baseline.disadvantage(rules.equity_gap.indicator)
        if rules.equity_gap.enabled
        else (None, {})
    )
    ranked_by = _ranked_words(ranked)
    equity = equity_table(
        before,
        after,
        baseline.residents[baseline.total].to_numpy(dtype=float),
        people[baseline.total].to_numpy(dtype=float),
        areas,
        ranking,
        groups=rules.equity_gap.groups,
    )
    found, districts = _evaluate(rules, baseline, people, before, after, areas, equity, ranked_by)
    violations = pd.DataFrame(found, columns=[*VIOLATION_KEYS, "protects", "residents", "outline"])
    violations["residents"] = violations["residents"].astype(float)
    verdict = "fail" if len(violations) else "pass"
    total = groups[groups["group"] == baseline.total].set_index("kind")
    edit = state.edit
    summary: dict[str, Any] = {
        "plan": plan.source,
        "rules": rules.source,
        "verdict": verdict,
        "violations": len(violations),
        "rules_broken": sorted(set(violations["rule"])),
        "features": {str(k): int(v) for k, v in plan.features["action"].value_counts().items()},
        "minutes": T,
        "speed_kmh": baseline.speed_kmh,
        "closed_streets": 0 if edit is None else len(edit.closed),
        "new_paths": len(plan.of("add_path")),
        "new_residents": float(
            people[baseline.total].to_numpy(dtype=float)[len(baseline.residents) :].sum()
        ),
        "gain": {k: float(v) for k, v in total["gain"].items()},
        "lose": {k: float(v) for k, v in total["lose"].items()},
        "gap_change": (
            {
                r.kind: float(r.gap_change) if np.isfinite(r.gap_change) else None
                for r in _rows(equity)
            }
            if "gap_change" in equity.columns
            else {}
        ),
        "equity_ranked_by": ranked,
        "equity_gap_protects": _equity_rule(rules.equity_gap, baseline).protects,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    logger.info("plan %s: %s (%d violations)", plan.source, verdict, len(violations))
    return PlanCheck(
        verdict=verdict,
        violations=violations,
        areas=areas,
        groups=groups,
        equity=equity,
        districts=districts,
        summary=summary,
        features=plan.features,
        state=state,
        minutes_after=after,
    )
