"""Per-area significance of local segregation indices by conditional randomization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.segregation import _engine
from geoseg.segregation._registry import get_index
from geoseg.segregation._replicates import rng_from
from geoseg.segregation.local import local_table
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED

__all__ = ["local_test"]


def local_test(
    data: pd.DataFrame,
    *,
    index: str,
    groups: Sequence[str],
    total: str | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Per-area permutation p-values of a local index.

    Parameters
    ----------
    data
        One row per area.
    index
        ``"location_quotient"``, ``"local_entropy"``, ``"local_diversity"``,
        ``"local_simpsons_concentration"`` or ``"local_simpsons_interaction"``.
    groups
        Group count columns (exhaustive unless ``total`` is given, which only
        ``location_quotient`` accepts).
    total
        Optional total column for the location quotient.
    permutations
        Number of simulated compositions per area.
    alternative
        ``"two-sided"`` (default), ``"greater"`` (for the location quotient: the group is
        over-represented; for local entropy: the area is more mixed than chance) or ``"less"``.
    seed
        Seed or NumPy Generator.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``data``. For the one-value-per-area indices: columns ``value`` and
        ``p_value``. For the location quotient: two-level columns ``(group, "value")`` and
        ``(group, "p_value")``. Areas with no population get NaN.

    Notes
    -----
    Conditional randomization (Anselin 1995, "Local indicators of spatial association - LISA",
    Geographical Analysis 27(2), applied to composition): each area keeps its population and
    its residents are redrawn ``permutations`` times from the city's composition,
    ``Multinomial(t_i, P)`` (counts rounded to whole persons); the city's shares used by the
    location quotient are held at their observed values. ``p_greater = (1 + #{sim >= obs}) /
    (k + 1)``; the two-sided p-value doubles the smaller tail. The p-values are not adjusted for
    multiple testing (use, for example, a false discovery rate on the returned column).
    """
    spec = get_index(index)
    if spec.kind != "local" or spec.spatial:
        msg = (
            f"local_test works on the aspatial local indices; {index!r} is not one of them "
            "(location_quotient, local_entropy, local_diversity, local_simpsons_concentration, "
            "local_simpsons_interaction)"
        )
        raise InputError(msg)
    if total is not None and index != "location_quotient":
        msg = f"{index}: groups must be exhaustive; total= is only for location_quotient"
        raise InputError(msg)
    if alternative not in ("two-sided", "greater", "less"):
        msg = f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}"
        raise InputError(msg)
    rng = rng_from(seed)
    groups = list(groups)
    X, _cols = local_table(data, groups, total)
    opts: dict = {}
    if index == "location_quotient":
        opts["city_shares"] = X.sum(axis=0) / X.sum()
    obs = _engine.evaluate(spec, (X[None],), options=opts)[0]
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    P = X_int.sum(axis=0) / X_int.sum()
    k = int(permutations)
    ge = np.zeros(obs.shape)
    le = np.zeros(obs.shape)
    for sl in _engine.chunks(k, X.size):
        kc = sl.stop - sl.start
        sims = rng.multinomial(ti, P, size=(kc, len(ti))).astype(float)
        vals = _engine.evaluate(spec, (sims,), options=opts)
        tol = 1e-12 * np.abs(obs)
        ge += (vals >= obs - tol).sum(axis=0)
        le += (vals <= obs + tol).sum(axis=0)
    p_ge, p_le = (1.0 + ge) / (k + 1.0), (1.0 + le) / (k + 1.0)
    if alternative == "greater":
        p = p_ge
    elif alternative == "less":
        p = p_le
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(p_ge, p_le))
    p = np.where(np.isnan(obs), np.nan, p)
    if obs.ndim == 1:
        return pd.DataFrame({"value": obs, "p_value": p}, index=data.index)
    frames = {}
    for j, g in enumerate(groups):
        frames[(g, "value")] = obs[:, j]
        frames[(g, "p_value")] = p[:, j]
    return pd.DataFrame(
        np.column_stack(list(frames.values())),
        index=data.index,
        columns=pd.MultiIndex.from_tuples(list(frames)),
    )
