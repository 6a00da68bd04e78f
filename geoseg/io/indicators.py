"""Indicator definitions: what a map, a report table or a hotspot variable shows, and how.

A project declares its indicators in the project file, one table each::

    [indicators.foreign_born]
    numerator = "foreign_born"
    denominator = "pop_total"
    kind = "share"                 # share (per cent), rate (per 1,000) or amount
    label_sv = "Utrikes födda"
    label_en = "Foreign-born"
    worse = "none"                 # higher, lower or none: which end is unfavourable
    target_area = "living"         # start, work, living or participation

Maps, the report, hotspot labels and plan rules take their labels, units and direction from
these definitions; a project without them gets defaults from its register's groups and amounts,
labelled with the column names (:func:`default_indicators`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INDICATOR_KINDS",
    "TARGET_AREAS",
    "WORSE",
    "Indicator",
    "default_indicators",
    "indicator_problems",
    "parse_indicators",
]

#: How an indicator's value is formed: a share in per cent of the denominator, a rate per 1,000
#: of the denominator, or an amount read as it is (a median income, a turnout).
INDICATOR_KINDS = ("share", "rate", "amount")
#: Which end of an indicator is unfavourable.
WORSE = ("higher", "lower", "none")
#: The equality programme's four target areas (målområden), in the programme's order.
TARGET_AREAS = ("start", "work", "living", "participation")

_KEYS = (
    "numerator",
    "denominator",
    "kind",
    "unit",
    "label_sv",
    "label_en",
    "worse",
    "target_area",
)


@dataclass(frozen=True)
class Indicator:
    """One declared indicator.

    Attributes
    ----------
    name
        Its key in the project file, used in result tables and file names (as a slug).
    numerator, denominator
        Register columns: the persons (or dwellings) counted and the base they are a share or
        rate of; for ``kind="amount"`` the numerator is the amount column and the denominator,
        when given, the persons it rests on (used for disclosure control).
    kind
        ``"share"`` (per cent), ``"rate"`` (per 1,000) or ``"amount"``.
    unit
        Shown after values ("%", "per 1 000", "tkr"); defaults follow ``kind``.
    label_sv, label_en
        What people read.
    worse
        ``"higher"``, ``"lower"`` or ``"none"``.
    target_area
        One of :data:`TARGET_AREAS`, or ``None``.
    """

    name: str
    numerator: str
    denominator: str | None = None
    kind: str = "share"
    unit: str = ""
    label_sv: str = ""
    label_en: str = ""
    worse: str = "none"
    target_area: str | None = None

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``"sv"`` or ``"en"``), falling back to the other one."""
        first, second = (
            (self.label_sv, self.label_en)
            if lang == "sv"
            else (
                self.label_en,
                self.label_sv,
            )
        )
        return first or second or self.name

    @property
    def columns(self) -> list[str]:
        """Register columns the indicator reads (a denominator may be ``"a + b + c"``)."""
        exprs = [c for c in (self.numerator, self.denominator) if c]
        return [part.strip() for expr in exprs for part in expr.split("+")]

    @property
    def count_columns(self) -> list[str]:
        """Register columns the indicator reads as counts of persons (or dwellings): the
        numerator and denominator of a share or rate, the denominator of an amount."""
        exprs = [self.denominator or ""]
        if self.kind != "amount":
            exprs.insert(0, self.numerator)
        return [part.strip() for expr in exprs if expr for part in expr.split("+")]


def _default_unit(kind: str) -> str:
    return {"share": "%", "rate": "per 1 000"}.get(kind, "")


def parse_indicators(table: Any, problems: list[str]) -> dict[str, Indicator]:
    """Build the ``[indicators]`` section; append every problem found to ``problems``.

    Parameters
    ----------
    table
        The TOML table: indicator name -> table of keys (see the module docstring).
    problems
        Receives one sentence per problem (unknown keys, wrong types, bad choices).

    Returns
    -------
    dict
        Indicator name -> :class:`Indicator`, in the file's order.
    """
    out: dict[str, Indicator] = {}
    if not isinstance(table, dict):
        problems.append("[indicators] must be a table of indicator tables")
        return out
    for name, spec in table.items():
        where = f"[indicators.{name}]"
        if not isinstance(spec, dict):
            problems.append(f'{where} must be a table with at least numerator = "COLUMN"')
            continue
        unknown = [k for k in spec if k not in _KEYS]
        if unknown:
            problems.append(
                f"{where} unknown key(s) {', '.join(map(repr, unknown))}; known keys: "
                f"{', '.join(_KEYS)}"
            )
        bad = [k for k in _KEYS if k in spec and not isinstance(spec[k], str)]
        for key in bad:
            problems.append(f"{where} {key} must be a text, got {spec[key]!r}")
        values = {k: spec[k] for k in _KEYS if k in spec and k not in bad}
        found = []  # every problem of this indicator at once
        if "numerator" not in values:
            found.append(f'{where} needs numerator = "COLUMN" (the register column)')
        kind = values.get("kind", "share")
        if kind not in INDICATOR_KINDS:
            found.append(f"{where} kind must be one of {', '.join(INDICATOR_KINDS)}, got {kind!r}")
        elif kind in ("share", "rate") and not values.get("denominator"):
            found.append(f'{where} a {kind} needs denominator = "COLUMN"')
        worse = values.get("worse", "none")
        if worse not in WORSE:
            found.append(f"{where} worse must be one of {', '.join(WORSE)}, got {worse!r}")
        target = values.get("target_area")
        if target is not None and target not in TARGET_AREAS:
            found.append(
                f"{where} target_area must be one of {', '.join(TARGET_AREAS)}, got {target!r}"
            )
        if found:
            problems.extend(found)
            continue
        out[str(name)] = Indicator(
            name=str(name),
            numerator=values["numerator"],
            denominator=values.get("denominator") or None,
            kind=kind,
            unit=values.get("unit", _default_unit(kind)),
            label_sv=values.get("label_sv", ""),
            label_en=values.get("label_en", ""),
            worse=worse,
            target_area=target,
        )
    return out


def default_indicators(
    *, groups: Iterable[str], total: str | None, amounts: Iterable[str]
) -> dict[str, Indicator]:
    """Indicators for a project that declares none: each group as a share of the total, and
    each amount as it is, labelled with the column names."""
    out: dict[str, Indicator] = {}
    if total:
        for group in groups:
            if group != total:
                out[group] = Indicator(group, group, total, "share", "%", group, group)
    for amount in amounts:
        out.setdefault(amount, Indicator(amount, amount, total, "amount", "", amount, amount))
    return out


def indicator_problems(
    indicators: Mapping[str, Indicator], columns: Iterable[str], *, source: str
) -> list[str]:
    """Sentences naming every indicator column missing from a register's ``columns``."""
    have = set(columns)
    problems = []
    for ind in indicators.values():
        missing = [c for c in ind.columns if c not in have]
        if missing:
            problems.append(
                f"{source}: indicator {ind.name!r} reads column(s) {', '.join(missing)}, which "
                "the register does not have; correct [indicators."
                f"{ind.name}] or the register"
            )
    return problems
