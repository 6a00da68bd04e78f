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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.publish.gap_gate import gate_gaps
from geoseg.publish.secondary import secondary_suppression
from geoseg.settings import SUPPRESSION_THRESHOLD

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

#: Lowest threshold accepted without ``allow_small_counts = true``.
MIN_THRESHOLD = 3

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


def suppress_counts(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    threshold: float = SUPPRESSION_THRESHOLD,
    keep_zeros: bool = False,
    dependent: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace counts below ``threshold`` by missing values and return which cells were replaced.

    Parameters
    ----------
    df
        Table holding count columns (any index; it is kept).
    columns
        Names of the count columns to check.
    threshold
        Counts strictly below this value are suppressed. ``0`` turns suppression off (a warning is
        logged, because published output then may disclose small counts).
    keep_zeros
        If true, a count of exactly zero is published (some statistical offices allow this);
        by default zero is suppressed like any other count below the threshold, because "nobody
        in this area belongs to the group" is itself a disclosure.
    dependent
        Columns derived from the counts (shares, rates, ratios) that are suppressed on every row
        where any of ``columns`` is suppressed, so that a small count cannot be recovered from
        a share.

    Returns
    -------
    (DataFrame, DataFrame)
        A copy of ``df`` with suppressed cells set to ``NaN`` (their columns become float), and a
        boolean mask with the same index and the columns ``columns + dependent``, true where a
        cell was suppressed. Missing counts stay missing and are not marked.

    Notes
    -----
    Threshold rule for frequency tables as in the Swedish statistical offices' practice of not
    publishing cells under a minimum count; see Hundepool et al., *Statistical Disclosure
    Control* (Wiley, 2012), ch. 5 (threshold rule).
    """
    columns = list(columns)
    dependent = [c for c in dependent if c not in columns]
    missing = [c for c in [*columns, *dependent] if c not in df.columns]
    if missing:
        known = ", ".join(map(str, df.columns))
        msg = (
            f"suppress_counts: column(s) {', '.join(missing)} not found in the table "
            f"(columns: {known}); pass the names of existing count columns."
        )
        raise InputError(msg)
    if threshold < 0 or not np.isfinite(threshold):
        msg = f"suppress_counts: threshold must be a number >= 0, got {threshold!r}."
        raise InputError(msg)
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        msg = (
            f"suppress_counts: count column(s) {', '.join(bad)} are not numeric; convert them "
            "to numbers before publishing."
        )
        raise InputError(msg)

    out = df.copy()
    mask = pd.DataFrame(False, index=df.index, columns=[*columns, *dependent])
    if threshold == 0:
        logger.warning(
            "small-count suppression is off (threshold 0): published output may disclose "
            "small counts in %s",
            ", ".join(columns),
        )
        return out, mask
    for c in columns:
        values = df[c].to_numpy(dtype=float, na_value=np.nan)
        small = (values < threshold) & ~np.isnan(values)
        if keep_zeros:
            small &= values != 0
        mask[c] = small
    row_hit = mask[columns].to_numpy().any(axis=1) if columns else np.zeros(len(df), bool)
    for c in dependent:
        notna = df[c].notna().to_numpy()
        mask[c] = row_hit & notna
    for c in mask.columns:
        if mask[c].any():
            out[c] = out[c].astype(float).mask(mask[c])
    n_cells = int(mask.to_numpy().sum())
    if n_cells:
        logger.info(
            "suppressed %d value(s) below the disclosure threshold %g in %d row(s) (columns: %s)",
            n_cells,
            threshold,
            int(row_hit.sum()),
            ", ".join(c for c in mask.columns if mask[c].any()),
        )
    elif columns:
        logger.info(
            "no counts below the disclosure threshold %g in %s", threshold, ", ".join(columns)
        )
    return out, mask


def suppressed_label(threshold: float = SUPPRESSION_THRESHOLD, *, lang: str = "en") -> str:
    """Return the mark shown in place of a suppressed value, e.g. ``"<5, suppressed"``.

    Examples
    --------
    >>> suppressed_label(5, lang="sv")
    '<5, dold'
    """
    word = tr("suppressed", lang)
    limit = int(threshold) if float(threshold).is_integer() else threshold
    return f"<{limit}, {word}"


@dataclass(frozen=True)
class Disclosure:
    """How one published output treats small counts.

    Parameters
    ----------
    threshold
        Counts of persons strictly below it are suppressed (default 5).
    allow_small_counts
        Must be true for a threshold below :data:`MIN_THRESHOLD` (3); the threshold is then
        printed in the output's metadata like any other.
    unsuppressed
        Publish raw numbers: nothing is suppressed and every output says it is not for
        publication. Only an explicit ``--unsuppressed`` on the command line sets it.

    Raises
    ------
    InputError
        A negative or non-finite threshold, or one below 3 without ``allow_small_counts``.
    """

    threshold: float = SUPPRESSION_THRESHOLD
    allow_small_counts: bool = False
    unsuppressed: bool = False

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int | float) or not np.isfinite(t) or t < 0:
            msg = f"[disclosure] threshold must be a number >= 0, got {t!r}."
            raise InputError(msg)
        if t < MIN_THRESHOLD and not self.allow_small_counts:
            msg = (
                f"[disclosure] threshold {t:g} is below {MIN_THRESHOLD}: published output would "
                "disclose very small counts. Raise it, or add `allow_small_counts = true` to "
                "[disclosure] if your statistical office permits it."
            )
            raise InputError(msg)

    @classmethod
    def of(cls, project: Any, *, unsuppressed: bool = False) -> Disclosure:
        """The rule of a project (:class:`geoseg.io.Project` or its ``[disclosure]`` section)."""
        section = getattr(project, "disclosure", project)
        return cls(
            threshold=getattr(section, "threshold", SUPPRESSION_THRESHOLD),
            allow_small_counts=bool(getattr(section, "allow_small_counts", False)),
            unsuppressed=unsuppressed,
        )

    @property
    def effective(self) -> float:
        """The threshold applied: 0 when suppression is switched off."""
        return 0.0 if self.unsuppressed else float(self.threshold)

    @property
    def for_publication(self) -> bool:
        """Whether the output may be published (suppression was applied)."""
        return not self.unsuppressed

    def metadata(self) -> dict[str, Any]:
        """Key-value pairs every output carries: threshold, exception, publication status."""
        t = self.threshold
        meta: dict[str, Any] = {
            "disclosure_threshold": int(t) if float(t).is_integer() else t,
            "small_counts_allowed": self.allow_small_counts,
            "suppression": "off" if self.unsuppressed else "on",
            "for_publication": self.for_publication,
        }
        note = self.notice()
        if note:
            meta["notice"] = note
        return meta

    def notice(self, lang: str = "en") -> str | None:
        """A warning to show on the output, or ``None`` when the default rule applies."""
        if self.unsuppressed:
            return (
                "EJ FÖR PUBLICERING: små antal är inte dolda"
                if lang == "sv"
                else "NOT FOR PUBLICATION: small counts are not suppressed"
            )
        if self.threshold < MIN_THRESHOLD:
            t = f"{self.threshold:g}"
            return (
                f"Antal under {t} döljs (lägre gräns än {MIN_THRESHOLD}, uttryckligen tillåten)"
                if lang == "sv"
                else f"Counts below {t} are suppressed (below {MIN_THRESHOLD}, explicitly allowed)"
            )
        return None


def _blank(out: pd.DataFrame, column: str, rows: np.ndarray) -> None:
    """Set ``column`` missing on ``rows`` whatever its type (numbers become float)."""
    if not rows.any():
        return
    col = out[column]
    if pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col):
        out[column] = col.astype("Int64").mask(rows)  # whole numbers stay whole
    elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        out[column] = col.astype(float).mask(rows)
    else:
        out[column] = out[column].astype(object).mask(rows, None)


def gate_table(
    df: pd.DataFrame,
    disclosure: Disclosure,
    *,
    counts: Sequence[str] = (),
    dependent: Sequence[str] = (),
    base: pd.Series | np.ndarray | None = None,
    mark: str | None = "suppressed",
) -> pd.DataFrame:
    """Return a copy of ``df`` fit for publication under ``disclosure``.

    Parameters
    ----------
    df
        Any table; columns named in ``counts`` or ``dependent`` that it lacks are ignored.
    counts
        Person-count columns: a value below the threshold is suppressed (zero included).
    dependent
        Columns derived from the counts of the same row (shares, rates, an area's value):
        suppressed on every row where a count is, whatever their type.
    base
        Optional number of persons behind each row (e.g. the area's population that year): rows
        where it is below the threshold are suppressed entirely (counts and dependent columns).
    mark
        Name of a boolean column added to say which rows were suppressed (``None``: none).

    Returns
    -------
    DataFrame
        The published table; with ``disclosure.unsuppressed`` an unchanged copy (a warning is
        logged).
    """
    out = df.copy()
    counts = [c for c in counts if c in out.columns]
    dependent = [c for c in dependent if c in out.columns and c not in counts]
    if disclosure.unsuppressed:
        logger.warning("suppression of small counts is off: this output is not for publication")
        return out
    t = disclosure.effective
    rows = np.zeros(len(out), dtype=bool)
    for c in counts:
        values = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        small = (values < t) & ~np.isnan(values)
        rows |= small
        _blank(out, c, small)
    if base is not None:
        b = np.asarray(pd.to_numeric(pd.Series(np.asarray(base)), errors="coerce"), dtype=float)
        if len(b) != len(out):
            msg = f"gate_table: base has {len(b)} values for {len(out)} rows"
            raise InputError(msg)
        few = (b < t) & ~np.isnan(b)
        rows |= few
        for c in counts:
            _blank(out, c, few)
    for c in dependent:
        _blank(out, c, rows)
    if mark is not None:
        out[mark] = rows
    if rows.any():
        logger.info(
            "suppressed %d row(s) below the disclosure threshold %g (columns: %s)",
            int(rows.sum()),
            t,
            ", ".join([*counts, *dependent]),
        )
    return out


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
            _blank(out, c, extra)
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
            _blank(out, c, rows)
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
    _blank(out, "residents", small)
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
