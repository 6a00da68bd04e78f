"""The rules a plan is checked against (:func:`geoseg.plans.check_plan`), read from a TOML file
with documented defaults.

Each rule names what it protects (``protects``), so that a failed check explains itself::

    [max_minutes_increase]
    protects = "No area walks much farther to any kind of service"
    minutes = 5.0

Every rule can be switched off with ``enabled = false``. A missing file section keeps the
default; unknown sections or keys are errors (a typo must not silently disable a rule).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geoseg.errors import PlanError

__all__ = [
    "EquityGapRule",
    "FamilyCentreRule",
    "MaxIncreaseRule",
    "MeetingPlaceRule",
    "Rules",
    "default_rules",
    "read_rules",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaxIncreaseRule:
    """No area's mean walking time to any kind may grow by more than ``minutes``.

    Residents who could reach a service before and can reach none after also break the rule
    (their mean would otherwise hide them). ``kinds`` limits the rule (empty: every kind);
    ``group`` is the register group whose mean is compared.
    """

    protects: str = "Access to the city's resources: no area walks much farther to any service"
    enabled: bool = True
    minutes: float = 5.0
    kinds: tuple[str, ...] = ()
    group: str = "pop_total"


@dataclass(frozen=True)
class FamilyCentreRule:
    """Share of children within ``minutes`` of a ``kind`` service, per district.

    A district breaks the rule when, after the plan, its share is below ``min_share`` **and**
    lower than before: a plan is not blamed for a district that was already below the target
    and that it does not make worse, but it may never push a district below the target or
    worsen one that is already below it.
    """

    protects: str = "A good start in life: young children near a family centre in every district"
    enabled: bool = True
    kind: str = "family_centre"
    group: str = "age_0_5"
    minutes: float = 10.0
    min_share: float = 0.5


@dataclass(frozen=True)
class EquityGapRule:
    """The most disadvantaged areas must not lose walking access relative to the least.

    Areas are ranked once, on the baseline, by the share of residents with ``indicator`` (low
    economic standard) and cut into ``groups`` groups of equal numbers of areas; the gap is the
    resident-weighted mean walking time in the most disadvantaged group minus that in the least
    disadvantaged group (:func:`geoseg.access.equity.quintile_gap`): positive when the
    disadvantaged areas walk farther. The plan breaks the rule for a kind when the gap grows by
    more than ``tolerance_minutes``, that is when the disadvantaged areas lose ground: a gap
    that was in their favour (negative) and shrinks breaks it too, although the distance
    between the two groups narrows (:func:`geoseg.plans.equity_gap_sentence` says which case
    it is).
    """

    protects: str = (
        "An equal city: the areas with the most low-income residents must not lose walking "
        "access relative to the richest areas"
    )
    enabled: bool = True
    indicator: str = "low_economic_standard"
    groups: int = 5
    tolerance_minutes: float = 0.05
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingPlaceRule:
    """No area may lose its last meeting place within ``minutes``.

    An area has a meeting place within ``minutes`` when at least ``min_share`` of its residents
    reach one in that time (default: half of them, the area's typical resident). The rule breaks
    when an area had one before the plan and has none after.
    """

    protects: str = "Participation and trust: a meeting place within reach of every area"
    enabled: bool = True
    kind: str = "meeting_place"
    minutes: float = 15.0
    min_share: float = 0.5


@dataclass(frozen=True)
class Rules:
    """All rules of a plan check (see each rule's class for its meaning and defaults)."""

    max_minutes_increase: MaxIncreaseRule = field(default_factory=MaxIncreaseRule)
    family_centre_share: FamilyCentreRule = field(default_factory=FamilyCentreRule)
    equity_gap: EquityGapRule = field(default_factory=EquityGapRule)
    meeting_place: MeetingPlaceRule = field(default_factory=MeetingPlaceRule)
    source: str = "default rules"


_SECTIONS: dict[str, type] = {
    "max_minutes_increase": MaxIncreaseRule,
    "family_centre_share": FamilyCentreRule,
    "equity_gap": EquityGapRule,
    "meeting_place": MeetingPlaceRule,
}


def default_rules() -> Rules:
    """The default rules (documented in each rule class)."""
    return Rules()


def _convert(section: str, key: str, value: Any, default: Any, problems: list[str]) -> Any:
    where = f"[{section}] {key}"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(f"{where} must be true or false, got {value!r}")
        return value
    if isinstance(default, float | int):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where} must be a number, got {value!r}")
            return default
        if value < 0:
            problems.append(f"{where} must not be negative, got {value!r}")
        if key in {"min_share"} and value > 1:
            problems.append(f"{where} is a share between 0 and 1, got {value!r}")
        if key == "groups" and (int(value) != value or value < 2):
            problems.append(f"{where} must be a whole number of at least 2, got {value!r}")
        return type(default)(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where} must be a list of service kinds, got {value!r}")
            return default
        return tuple(value)
    if not isinstance(value, str) or (key != "protects" and not value):
        problems.append(f"{where} must be a non-empty text, got {value!r}")
    return value


def read_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read a rules file; keys it leaves out keep their defaults.

    Parameters
    ----------
    path
        A TOML file with any of the sections ``[max_minutes_increase]``,
        ``[family_centre_share]``, ``[equity_gap]``, ``[meeting_place]``; ``None`` returns the
        defaults.

    Raises
    ------
    PlanError
        The file cannot be read, or has unknown sections, unknown keys or values of the wrong
        type (all listed at once).
    """
    if path is None:
        return default_rules()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{p}: rules file not found; pass an existing file to --rules or leave it out."
        raise PlanError(msg) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{p}: not a valid TOML rules file ({exc}); see data/plans/rules.toml."
        raise PlanError(msg) from None
    problems: list[str] = []
    built: dict[str, Any] = {}
    for section, value in raw.items():
        cls = _SECTIONS.get(section)
        if cls is None:
            problems.append(f"unknown section [{section}]; the rules are {', '.join(_SECTIONS)}")
            continue
        if not isinstance(value, dict):
            problems.append(f"[{section}] must be a table of settings")
            continue
        defaults = cls()
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, v in value.items():
            if key not in names:
                problems.append(
                    f"[{section}] has unknown key {key!r}; known keys: {', '.join(sorted(names))}"
                )
                continue
            kwargs[key] = _convert(section, key, v, getattr(defaults, key), problems)
        built[section] = dataclasses.replace(defaults, **kwargs)
    if problems:
        n = len(problems)
        msg = f"{p}: {n} problem{'s' if n != 1 else ''} in the rules file:\n  - " + "\n  - ".join(
            problems
        )
        raise PlanError(msg)
    logger.info("plan rules from %s", p)
    return Rules(**built, source=str(p))
