"""The rules' findings in words: the change of the equity gap, with its direction stated.

The rules themselves, and their file, are read by :func:`geoseg.io.read_rules`
(:mod:`geoseg.io.rules`).
"""

from __future__ import annotations

__all__ = ["equity_gap_sentence"]


def _minutes(value: float) -> str:
    return f"{abs(value):.1f} min"


def equity_gap_sentence(
    before: float, after: float, *, tolerance: float, groups: int = 5, ranked_by: str = ""
) -> str:
    """The change of the equity gap in words, with its direction stated the way it reads.

    Parameters
    ----------
    before, after
        The gap (mean walk in the most disadvantaged group of areas minus that in the least
        disadvantaged group, minutes) before and after the plan.
    tolerance
        The rule's ``tolerance_minutes``.
    groups
        The number of groups of areas (5: fifths).
    ranked_by
        What ranks the areas, in words ("Median income (tkr), lower is worse"); named after
        "the most disadvantaged fifth of areas" when given.

    Returns
    -------
    str
        E.g. "the most disadvantaged fifth of areas walks 7.1 min less than the least
        disadvantaged fifth before the plan and 4.7 min less after: the difference narrows, but
        the disadvantaged areas lose 2.3 min relative to the others (allowed 0.05)".

    Notes
    -----
    The gap is signed (:func:`geoseg.access.equity.quintile_gap`); the rule protects the
    disadvantaged areas, so any rise of the gap is a loss for them, whether the distance
    between the two groups widens (a positive gap growing) or narrows (a negative gap
    shrinking towards zero).
    """
    part = {4: "quarter", 5: "fifth", 10: "tenth"}.get(int(groups), f"1/{int(groups)}")

    def state(gap: float) -> str:
        if abs(gap) < 0.05:
            return "as long as"
        return f"{_minutes(gap)} {'more' if gap > 0 else 'less'} than"

    change = after - before
    if abs(after) > abs(before) + 1e-9:
        distance = "the difference widens"
    elif abs(after) < abs(before) - 1e-9:
        distance = "the difference narrows"
    else:
        distance = "the difference stays the same"
    if change > 1e-9:
        effect = f"the disadvantaged areas lose {_minutes(change)} relative to the others"
    elif change < -1e-9:
        effect = f"the disadvantaged areas gain {_minutes(change)} relative to the others"
    else:
        effect = "neither group gains on the other"
    joiner = ", but " if change > 1e-9 and abs(after) < abs(before) else "; "
    after_state = state(after).removesuffix(" than").removesuffix(" as")
    by = f" (ranked by {ranked_by})" if ranked_by else ""
    return (
        f"the most disadvantaged {part} of areas{by} walks {state(before)} the least "
        "disadvantaged "
        f"{part} before the plan and {after_state} after: {distance}{joiner}{effect} "
        f"(allowed {tolerance:g} min)"
    )
