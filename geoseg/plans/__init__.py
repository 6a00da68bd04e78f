"""Plan checks: who gains and who loses walking access under a proposed plan.

Typical use::

    from geoseg.io import load_project, read_plan, read_rules
    from geoseg.plans import check_plan, compute_baseline

    data = load_project("geoseg.toml")
    baseline = compute_baseline(data)                 # once
    plan = read_plan("plan.geojson", baseline=baseline)
    result = check_plan(baseline, plan, rules=read_rules("rules.toml"))
    result.verdict, result.violations, result.areas
    suggest_sites(baseline, kind="family_centre", count=2).table   # where to build next

Plan files and rules files are read by :mod:`geoseg.io` (:func:`geoseg.io.read_plan`,
:func:`geoseg.io.read_rules`; also importable from here).
"""

from __future__ import annotations

from geoseg.io.plans import ACTIONS, read_plan
from geoseg.io.plans import Plan as Plan  # documented under geoseg.io
from geoseg.io.rules import Rules as Rules  # documented under geoseg.io
from geoseg.io.rules import default_rules, read_rules
from geoseg.plans.baseline import Baseline, KindBaseline, compute_baseline
from geoseg.plans.compare import AREA_KEYS, VIOLATION_KEYS, PlanCheck, check_plan
from geoseg.plans.plan_context import FAR_CLOSURE_M, plan_problems
from geoseg.plans.rules import equity_gap_sentence
from geoseg.plans.sites import SITE_KEYS, SiteSuggestions, site_candidates, suggest_sites

__all__ = [
    "ACTIONS",
    "AREA_KEYS",
    "FAR_CLOSURE_M",
    "SITE_KEYS",
    "VIOLATION_KEYS",
    "Baseline",
    "KindBaseline",
    "PlanCheck",
    "SiteSuggestions",
    "check_plan",
    "compute_baseline",
    "default_rules",
    "equity_gap_sentence",
    "plan_problems",
    "read_plan",
    "read_rules",
    "site_candidates",
    "suggest_sites",
]
