"""Per-area significance of local segregation indices by conditional randomization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.segregation import _engine
from geoseg.segregation._inputs import spatial_context
from geoseg.segregation.local import local_table
from geoseg.segregation.registry import IndexSpec, get_index
from geoseg.settings import DEFAULT_PERMUTATIONS, DEFAULT_SEED, random_generator
from geoseg.stats import CORRECTIONS, adjust_pvalues

__all__ = ["CORRECTIONS", "local_test"]

#: Multiple-testing corrections accepted by :func:`local_test` (as in :mod:`geoseg.hotspots`).


_ASPATIAL = (
    "location_quotient",
    "local_entropy",
    "local_diversity",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
)
_SPATIAL = ("local_relative_centralization", "local_distortion")


def _check(spec: IndexSpec, total: str | None, alternative: str, correction: str) -> None:
    if spec.kind != "local" and not spec.options.get("local"):
        msg = (
            f"local_test works on local indices; {spec.name!r} is not one of them "
            f"({', '.join(_ASPATIAL + _SPATIAL)})"
        )
        raise InputError(msg)
    if total is not None and spec.name not in ("location_quotient", _SPATIAL[0]):
        msg = (
            f"{spec.name}: groups must be exhaustive; total= is only for location_quotient and "
            "local_relative_centralization"
        )
        raise InputError(msg)
    if alternative not in ("two-sided", "greater", "less"):
        msg = f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}"
        raise InputError(msg)
    if correction not in CORRECTIONS:
        msg = f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}"
        raise InputError(msg)


def _context(
    spec: IndexSpec, data: pd.DataFrame, areas: Any, options: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Geometry context (spatial indices) and core options."""
    prep_opts, core_opts = _engine.split_options(spec, options)
    if not spec.spatial:
        return {}, core_opts
    if areas is None and hasattr(data, "geometry"):
        areas = data
    return spatial_context(spec, areas, data.index, prep_opts), core_opts


def local_test(
    data: pd.DataFrame,
    *,
    index: str,
    groups: Sequence[str],
    total: str | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    correction: Literal["fdr", "bonferroni", "none"] = "fdr",
    areas: Any = None,
    options: dict[str, Any] | None = None,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Per-area permutation p-values of a local index, with a multiple-testing adjustment.

    Parameters
    ----------
    data
        One row per area, indexed by area code (a GeoDataFrame serves as its own ``areas``).
    index
        ``"location_quotient"``, ``"local_entropy"``, ``"local_diversity"``,
        ``"local_simpsons_concentration"``, ``"local_simpsons_interaction"`` or the spatial
        ``"local_relative_centralization"`` (one group against ``total``) and
        ``"local_distortion"`` (exhaustive groups).
    groups
        Group count columns (exhaustive unless ``total`` is given, which only
        ``location_quotient`` and ``local_relative_centralization`` accept).
    total
        Total column for the location quotient (optional) and the local relative
        centralization (required).
    permutations
        Number of simulated compositions per area.
    alternative
        ``"two-sided"`` (default), ``"greater"`` (for the location quotient: the group is
        over-represented; for local entropy: the area is more mixed than chance) or ``"less"``.
    correction
        Adjustment of the p-values for testing every area: ``"fdr"`` (Benjamini-Hochberg,
        the default, as in :mod:`geoseg.hotspots`), ``"bonferroni"`` or ``"none"``. The family
        is the areas of one index (of one group for the location quotient).
    areas
        GeoDataFrame of the areas (projected CRS) for the spatial local indices, indexed by
        area code; defaults to ``data`` when that is a GeoDataFrame.
    options
        Index options, such as ``{"k": 8}`` neighbours for ``local_relative_centralization``.
    seed
        Seed or NumPy Generator.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``data``. For the one-value-per-area indices: columns ``value``,
        ``p_value`` and ``p_adjusted``. For the location quotient: two-level columns
        ``(group, "value")``, ``(group, "p_value")`` and ``(group, "p_adjusted")``. Areas with
        no population (and, for spatial indices, areas where the index is undefined) get NaN.

    Notes
    -----
    Conditional randomization (Anselin 1995, "Local indicators of spatial association - LISA",
    Geographical Analysis 27(2), applied to composition): each area keeps its population and
    its residents are redrawn ``permutations`` times from the city's composition,
    ``Multinomial(t_i, P)`` (counts rounded to whole persons); the geometry is fixed, and the
    city's shares used by the location quotient are held at their observed values.
    ``p_greater = (1 + #{sim >= obs}) / (k + 1)``; the two-sided p-value doubles the smaller
    tail. ``p_adjusted`` applies Benjamini & Hochberg (1995), J. R. Stat. Soc. B 57(1), or
    Bonferroni across the areas. ``local_distortion`` costs ``permutations * n^2 * groups``
    operations: keep ``permutations`` modest on thousands of areas.
    """
    spec = get_index(index)
    _check(spec, total, alternative, correction)
    groups = list(groups)
    if index == _SPATIAL[0] and (total is None or len(groups) != 1):
        msg = f"{index}: give exactly one group column and total= (the whole population)"
        raise InputError(msg)
    rng = random_generator(seed)
    X, _cols = local_table(data, groups, total)
    ctx, opts = _context(spec, data, areas, options)
    if index == "location_quotient":
        opts["city_shares"] = X.sum(axis=0) / X.sum()
    obs = _engine.evaluate(spec, (X[None],), ctx=ctx, options=opts)[0]
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    P = X_int.sum(axis=0) / X_int.sum()
    k = int(permutations)
    ge = np.zeros(obs.shape)
    le = np.zeros(obs.shape)
    tol = 1e-12 * np.abs(obs)
    for sl in _engine.chunks(k, X.size):
        kc = sl.stop - sl.start
        sims = rng.multinomial(ti, P, size=(kc, len(ti))).astype(float)
        vals = _engine.evaluate(spec, (sims,), ctx=ctx, options=opts)
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
        adjusted = adjust_pvalues(p, correction=correction)
        return pd.DataFrame({"value": obs, "p_value": p, "p_adjusted": adjusted}, index=data.index)
    frames = {}
    for j, g in enumerate(groups):
        frames[(g, "value")] = obs[:, j]
        frames[(g, "p_value")] = p[:, j]
        frames[(g, "p_adjusted")] = adjust_pvalues(p[:, j], correction=correction)
    return pd.DataFrame(
        np.column_stack(list(frames.values())),
        index=data.index,
        columns=pd.MultiIndex.from_tuples(list(frames)),
    )
