"""Matplotlib figures for the common views: index trends, access inequality, plans, hotspots.

Each function takes a result of geoseg's analyses as it is returned and gives back a
:class:`matplotlib.figure.Figure`, so a notebook shows it and a script saves it with
``fig.savefig(...)``. Matplotlib is imported when a function is called, never at
``import geoseg``; without it the functions raise :class:`geoseg.errors.GeoSegError` naming the
``plot`` extra (``pip install "geoseg[plot]"``).

The figures are for analysts: unlike the published maps and report they do not suppress small
counts, so check the disclosure rules before sharing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoseg.errors import GeoSegError, InputError
from geoseg.i18n import check_lang, kind_label, tr

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geoseg.plans import Baseline, PlanCheck

__all__ = ["plot_hotspots", "plot_index_trends", "plot_lorenz", "plot_plan_minutes"]

#: Colours of the cluster quadrants (1 HH, 2 LH, 3 LL, 4 HL) and of "not significant" (0),
#: the conventional LISA palette (GeoDa).
CLUSTER_COLOURS = {
    1: "#d7191c",
    2: "#abd9e9",
    3: "#2c7bb6",
    4: "#fdae61",
    0: "#eeeeee",
}
_CLUSTER_KEYS = {1: "hh", 2: "lh", 3: "ll", 4: "hl", 0: "ns"}


def _pyplot() -> Any:
    """Import matplotlib's pyplot, or explain which extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        msg = (
            "geoseg's plots need matplotlib, which is not installed; install the plot extra: "
            'python -m pip install "geoseg[plot]" (or: python -m pip install matplotlib).'
        )
        raise GeoSegError(msg) from exc
    return plt


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Any, Axes]:
    """A new figure and axes, or the figure of the given axes."""
    plt = _pyplot()
    if ax is not None:
        return ax.figure, ax
    fig, new_ax = plt.subplots(figsize=size, layout="constrained")
    return fig, new_ax


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        msg = (
            f"{what} has no column(s) {', '.join(missing)}; it has {', '.join(map(str, table))}. "
            "Pass the table as geoseg returned it."
        )
        raise InputError(msg)


def _index_label(name: str, labels: Mapping[str, str] | None) -> str:
    if labels and name in labels:
        return labels[name]
    return name.replace("_", " ").capitalize()


def plot_index_trends(
    indices: pd.DataFrame,
    *,
    index: str | Sequence[str] | None = None,
    group: str | None = None,
    level: str | None = None,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Segregation indices over the years, with their confidence intervals.

    Parameters
    ----------
    indices
        The tidy table of :func:`geoseg.segregation.compute_indices` (columns ``year``,
        ``index``, ``value`` and, when intervals were asked for, ``ci_low`` and ``ci_high``;
        ``group`` and ``level`` when present).
    index
        The index or indices to draw (default: every index in the table).
    group, level
        Keep only the rows of this group and this level (default: the table's first group
        and level, so that each line is one series).
    labels
        Legend label per index name (default: the name in words, "Dissimilarity").
    lang
        ``"en"`` or ``"sv"`` axis labels.
    ax
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One line per index (markers at the years) and, where the table has intervals, a
        shaded band from ``ci_low`` to ``ci_high``.

    Raises
    ------
    InputError
        Columns are missing, or nothing is left to draw.
    """
    check_lang(lang)
    _require(indices, ["year", "index", "value"], "the index table")
    rows = indices
    for column, wanted in (("group", group), ("level", level)):
        if column in rows.columns and len(rows):
            keep = wanted if wanted is not None else rows[column].iloc[0]
            rows = rows[rows[column].isna() if pd.isna(keep) else rows[column] == keep]
    names = [index] if isinstance(index, str) else list(index or rows["index"].unique())
    rows = rows[rows["index"].isin(names)]
    if rows.empty:
        msg = f"no rows to draw for index {', '.join(names)} (group {group!r}, level {level!r})."
        raise InputError(msg)
    fig, ax = _figure(ax, (7.0, 4.0))
    for name in names:
        series = rows[rows["index"] == name].sort_values("year")
        if series.empty:
            continue
        years = series["year"].to_numpy()
        (line,) = ax.plot(
            years,
            series["value"].to_numpy(dtype=float),
            marker="o",
            label=_index_label(name, labels),
        )
        if {"ci_low", "ci_high"} <= set(series.columns) and series["ci_low"].notna().any():
            ax.fill_between(
                years,
                series["ci_low"].to_numpy(dtype=float),
                series["ci_high"].to_numpy(dtype=float),
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    ax.set_xlabel(tr("year", lang))
    ax.set_ylabel(tr("value", lang))
    ax.set_xticks(sorted(rows["year"].unique()))
    ax.legend()
    return fig


def plot_lorenz(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    label: str | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """The Lorenz curve of walking times (or any non-negative values) across residents.

    Parameters
    ----------
    values
        One value per person or per area, such as ``mean_minutes`` of
        :func:`geoseg.access.access_for_project`'s summary.
    weights
        Persons per value (for areas: their residents); default one each.
    label
        Legend label of the curve.
    lang
        ``"en"`` or ``"sv"`` axis labels.
    ax
        Draw into these axes instead of a new figure (call again to compare groups).

    Returns
    -------
    matplotlib.figure.Figure
        The curve of :func:`geoseg.access.lorenz` (cumulative share of residents against
        cumulative share of the values, from the smallest value up) and the line of equality.
        The further the curve sags below that line, the more unequal the values; twice the
        area between them is the Gini coefficient (:func:`geoseg.access.access_gini`).
    """
    from geoseg.access import access_gini, lorenz

    check_lang(lang)
    p, share = lorenz(values, weights)
    fig, ax = _figure(ax, (4.5, 4.5))
    if not any(line.get_gid() == "equality" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", gid="equality", label="_equality")
    g = access_gini(values, weights)
    text = label if label is not None else tr("lorenz", lang)
    ax.plot(p, share, label=f"{text} (Gini {g:.2f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(tr("share_of_residents", lang))
    ax.set_ylabel(tr("share_of_minutes", lang))
    ax.legend(loc="upper left")
    return fig


def plot_plan_minutes(
    check: PlanCheck,
    baseline: Baseline,
    *,
    kind: str,
    group: str | None = None,
    bins: int | Sequence[float] | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Walking times to one service kind before and after a plan, as two histograms.

    Parameters
    ----------
    check
        The result of :func:`geoseg.plans.check_plan`.
    baseline
        The :func:`geoseg.plans.compute_baseline` the plan was checked against.
    kind
        The service kind (``"family_centre"``, ...).
    group
        Count persons of this group column (``"age_0_5"``, ...); default the project's total.
    bins
        Histogram bins in minutes (default: one-minute bins up to the longest walk).
    lang
        ``"en"`` or ``"sv"`` labels.
    ax
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Persons per bin of walking minutes before (filled bars) and after the plan (outline),
        with the threshold minutes marked. Residents who cannot reach the kind at all are
        counted in the legend, not in the bars. New housing is counted after the plan only.

    Raises
    ------
    InputError
        The kind or the group is not in the plan check.
    """
    check_lang(lang)
    if kind not in check.minutes_after:
        msg = (
            f"the plan check has no service kind {kind!r}; it has {', '.join(check.minutes_after)}."
        )
        raise InputError(msg)
    column = group or baseline.total
    people = check.state.people
    if column not in baseline.residents.columns or column not in people.columns:
        msg = f"no group column {column!r}; choose one of {', '.join(baseline.groups)}."
        raise InputError(msg)
    before = np.asarray(baseline.minutes_before(kind), dtype=float)
    w_before = baseline.residents[column].to_numpy(dtype=float)
    after = np.asarray(check.minutes_after[kind], dtype=float)
    w_after = people[column].to_numpy(dtype=float)
    finite = np.concatenate([before[np.isfinite(before)], after[np.isfinite(after)]])
    edges: Any = bins
    if edges is None:
        top = float(np.ceil(finite.max())) if finite.size else 1.0
        edges = np.arange(0.0, top + 1.0, 1.0)
    fig, ax = _figure(ax, (7.0, 4.0))
    for minutes, weights, key, style in (
        (before, w_before, "before", {"alpha": 0.5}),
        (after, w_after, "after", {"histtype": "step", "linewidth": 1.5}),
    ):
        ok = np.isfinite(minutes)
        unreachable = float(weights[~ok].sum())
        label = tr(f"plan_{key}", lang)
        if unreachable > 0:
            label += f" ({tr('unreachable', lang).lower()}: {unreachable:,.0f})"
        ax.hist(minutes[ok], bins=edges, weights=weights[ok], label=label, **style)
    ax.axvline(
        baseline.minutes,
        color="0.3",
        linestyle=":",
        label=tr("within_minutes", lang, m=f"{baseline.minutes:g}"),
    )
    ax.set_xlabel(
        tr("walk_access", lang, kind=kind_label(kind, lang).lower())
        + f" ({tr('minutes', lang).lower()})"
    )
    ax.set_ylabel(tr("residents", lang))
    ax.legend()
    return fig


def plot_hotspots(
    areas: gpd.GeoDataFrame,
    lisa: pd.DataFrame,
    *,
    title: str | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """A map of local Moran's I clusters: hotspots, coldspots and spatial outliers.

    Parameters
    ----------
    areas
        The area polygons (GeoDataFrame indexed by area code).
    lisa
        The result of :func:`geoseg.hotspots.local_moran` (or its bivariate and rate forms)
        indexed by area code; its ``cluster`` column (0 not significant, 1 HH, 2 LH, 3 LL,
        4 HL) colours the areas.
    title
        Title of the map.
    lang
        ``"en"`` or ``"sv"`` legend.
    ax
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Areas joined to ``lisa`` by their index and filled by cluster (GeoDa's colours); areas
        without a result are drawn as outlines. The legend counts the areas of each cluster.
    """
    check_lang(lang)
    _require(lisa, ["cluster"], "the local Moran's I result")
    from matplotlib.patches import Patch

    clusters = lisa["cluster"].reindex(areas.index)
    fig, ax = _figure(ax, (7.0, 7.0))
    missing = clusters.isna()
    if missing.any():
        areas[missing.to_numpy()].plot(ax=ax, facecolor="none", edgecolor="0.6", linewidth=0.4)
    handles = []
    for code in (1, 3, 2, 4, 0):
        chosen = (clusters == code).to_numpy()
        if chosen.any():
            areas[chosen].plot(
                ax=ax, color=CLUSTER_COLOURS[code], edgecolor="white", linewidth=0.4, gid=str(code)
            )
        handles.append(
            Patch(
                facecolor=CLUSTER_COLOURS[code],
                edgecolor="0.6",
                label=f"{tr(_CLUSTER_KEYS[code], lang)} ({int(chosen.sum())})",
            )
        )
    ax.legend(
        handles=handles,
        title=tr("cluster", lang),
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize="small",
    )
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return fig
