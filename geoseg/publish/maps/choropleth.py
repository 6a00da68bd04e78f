"""Choropleth maps of indicators per area and year, and of local segregation indices."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.publish._html import format_number
from geoseg.publish.maps._common import (
    SUPPRESSED_STYLE,
    MapContext,
    apply_suppression,
    area_layer,
    base_map,
    bin_entries,
    bin_index,
    check_worse,
    classify,
    finish,
    table_rows,
    unique_codes,
    values_by_code,
)
from geoseg.publish.maps._elements import Compare
from geoseg.publish.maps._palettes import (
    MISSING_COLOUR,
    direction_diverging,
    direction_sequential,
)
from geoseg.publish.maps._style import MapStyle
from geoseg.years import latest_year

__all__ = ["choropleth_map", "local_index_map"]

logger = logging.getLogger(__name__)


def _layer_info(
    ctx: MapContext,
    df: pd.DataFrame,
    mask: pd.DataFrame,
    *,
    column: str,
    label: str,
    bins: np.ndarray,
    colours: Sequence[str],
    names: Sequence[str],
    year: object,
    extra: Sequence[tuple[str, str]],
    digits: int,
) -> tuple[dict[str, list[Any]], dict[str, str], bool, bool]:
    """Tooltip info and class words of each area, and whether any was suppressed or missing."""
    lang = ctx.lang
    info: dict[str, list[Any]] = {}
    classes: dict[str, str] = {}
    any_supp = any_missing = False
    rows_by_code = {c: i for i, c in enumerate(df.index)}
    values = df[column].to_numpy(dtype=float, na_value=np.nan) if len(df) else np.array([])
    bins_of = bin_index(values, bins) if len(bins) else np.zeros(len(values), int)
    # plain arrays: a DataFrame lookup per area and column costs more than the whole map
    hidden = mask[column].to_numpy(dtype=bool)
    extras = [
        (
            col_label,
            df[col].to_numpy(),
            mask[col].to_numpy(dtype=bool) if col in mask.columns else None,
        )
        for col, col_label in extra
    ]
    for code in ctx.codes:
        rows = ctx.area_rows(code, year=year)
        i = rows_by_code.get(code)
        if i is None:
            rows.append(ctx.no_data_row(label))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            classes[code] = tr("no_data", lang)
            any_missing = True
            continue
        if hidden[i]:
            rows.append(ctx.suppressed_row(label))
            style = dict(SUPPRESSED_STYLE)
            classes[code] = ctx.suppressed_text()
            any_supp = True
        elif np.isfinite(values[i]):
            rows.append([label, format_number(values[i], lang=lang, digits=digits)])
            style = {"fillColor": colours[int(bins_of[i])]}
            classes[code] = names[int(bins_of[i])]
        else:
            rows.append(ctx.no_data_row(label))
            style = {"fillColor": MISSING_COLOUR}
            classes[code] = tr("no_data", lang)
            any_missing = True
        for col_label, col_values, col_hidden in extras:
            if col_hidden is not None and col_hidden[i]:
                rows.append(ctx.suppressed_row(col_label))
            else:
                rows.append([col_label, format_number(col_values[i], lang=lang, digits=digits)])
        info[code] = [style, rows]
    return info, classes, any_supp, any_missing


def choropleth_map(
    areas: gpd.GeoDataFrame,
    data: pd.DataFrame | pd.Series,
    *,
    column: str = "value",
    label: str | None = None,
    worse: str = "none",
    year: int | Sequence[int] | None = None,
    year_column: str = "year",
    id_column: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    diverging_center: float | None = None,
    digits: int = 1,
    count_columns: Sequence[str] = (),
    suppressed: str | pd.Series | None = None,
    tooltip_columns: Sequence[str] | dict[str, str] = (),
    title: str | None = None,
    style: MapStyle | None = None,
) -> folium.Map:
    """Map one indicator per area, one switchable layer per year, with a classed legend.

    Parameters
    ----------
    areas
        Areas indexed by code, projected CRS, with a ``name`` column.
    data
        Values per area: indexed by area code, or with a ``code`` / ``id`` column (or
        ``id_column``); with a ``year_column`` for several years (tidy table).
    column
        The value column to map. ``label`` is its name in the tooltip and legend.
    worse
        Which end of the variable is unfavourable (``"higher"``, ``"lower"`` or ``"none"``, the
        indicator definition's ``worse``): that end is drawn in dark red on every map.
    year
        The year(s) to draw; ``None`` draws every year in the data (the latest is shown first).
        With two years or more, the layer control switches between them and a button opens a
        second map beside the first, synced in view, to compare two years.
    scheme, k, breaks
        Classification: ``"quantiles"``, ``"natural_breaks"`` (Fisher-Jenks) or
        ``"equal_interval"`` with ``k`` classes, or explicit upper ``breaks``. The classes are
        computed once over all drawn years, so colours compare across years.
    diverging_center
        Draw classes symmetric around this value (a change, a quotient around 1), red on the
        unfavourable side.
    count_columns
        Count columns of ``data``; on rows where one is below ``threshold`` the value is hidden
        and marked (``"<5, suppressed"``). If ``column`` is itself a count, list it here.
    suppressed
        Rows already suppressed upstream: a boolean column of ``data`` or a boolean Series.
    tooltip_columns
        Further columns shown in the tooltip (a dict maps column to label).
    title
        The page's and map's title.
    style
        Language, disclosure threshold, water, streets and look shared by every map
        (:class:`~geoseg.publish.maps.MapStyle`; default ``MapStyle()``).

    Returns
    -------
    folium.Map
        Save it with :func:`geoseg.publish.maps.save_map` for an offline file.

    Notes
    -----
    Classification by quantiles, equal intervals or Fisher-Jenks natural breaks (Fisher 1958;
    Jenks 1977) via mapclassify (Rey et al., PySAL).
    """
    check_worse(worse)
    ctx = base_map(areas, title=title, style=style)
    lang, threshold = ctx.lang, ctx.threshold
    df = values_by_code(data, codes=ctx.codes, what="choropleth data", id_column=id_column)
    if column not in df.columns:
        msg = (
            f"choropleth data: value column {column!r} not found; columns: "
            f"{', '.join(map(str, df.columns))}; pass column=..."
        )
        raise InputError(msg)
    extra = (
        list(tooltip_columns.items())
        if isinstance(tooltip_columns, dict)
        else [(c, c) for c in tooltip_columns]
    )
    missing = [c for c, _ in extra if c not in df.columns]
    if missing:
        msg = f"choropleth data: tooltip column(s) {', '.join(missing)} not found"
        raise InputError(msg)
    label = label or column
    df, mask = apply_suppression(
        df,
        columns=[column, *(c for c, _ in extra)],
        counts=list(count_columns),
        suppressed=suppressed,
        threshold=threshold,
        what="choropleth data",
    )
    if year_column in df.columns:
        years = sorted(pd.unique(df[year_column].dropna()))
        if year is not None:
            wanted = [year] if np.isscalar(year) else list(year)  # type: ignore[arg-type]
            absent = [y for y in wanted if y not in years]
            if absent:
                msg = (
                    f"choropleth data: year(s) {', '.join(map(str, absent))} not in column "
                    f"{year_column!r} (years: {', '.join(map(str, years))})"
                )
                raise InputError(msg)
            years = sorted(wanted)
        keep = df[year_column].isin(years).to_numpy()
    else:
        years = [year] if year is not None and np.isscalar(year) else [None]
        keep = np.ones(len(df), bool)
    shown = df[keep]
    visible = shown[column].to_numpy(dtype=float, na_value=np.nan)
    visible = visible[~mask[column].to_numpy()[keep]]
    if diverging_center is not None:
        bins, colours, lowest = _diverging_bins(visible, diverging_center, k, worse)
    else:
        bins = classify(visible, scheme=scheme, k=k, breaks=breaks)
        colours = direction_sequential(worse, max(len(bins), 1))
        lowest = float(np.nanmin(visible)) if np.isfinite(visible).any() else 0.0
        if breaks is not None:
            lowest = min(lowest, 0.0)
    entries = bin_entries(bins, colours, lowest, lang=lang, digits=digits) if len(bins) else []
    class_names = [e["label"] for e in entries]
    any_supp = any_missing = False
    year_layers = []
    for pos, yr in enumerate(reversed(years)):
        part_mask = mask[keep]
        if yr is not None and year_column in shown.columns:
            sel = (shown[year_column] == yr).to_numpy()
            part, part_mask = shown[sel], part_mask[sel]
        else:
            part = shown
        unique_codes(
            part,
            "choropleth data",
            hint=f"{f' in {yr}' if yr is not None else ''}; give one row per area and year "
            f"(or a {year_column!r} column).",
        )
        info, classes, s, mis = _layer_info(
            ctx,
            part,
            part_mask,
            column=column,
            label=label,
            bins=bins,
            colours=colours,
            names=class_names,
            year=yr,
            extra=extra,
            digits=digits,
        )
        any_supp, any_missing = any_supp or s, any_missing or mis
        name = f"{label} {yr}" if yr is not None else label
        table = table_rows(ctx, info, label, classes)
        layer = area_layer(ctx, info, name=name, show=pos == 0, table=table)
        year_layers.append((layer, str(yr)))
    finish(ctx, [ctx.legend(label, entries, suppressed=any_supp, missing=any_missing)])
    if len(year_layers) > 1:
        words = {
            "button": tr("compare_years", lang),
            "year": tr("year", lang),
            "second": tr("compare_second", lang),
        }
        ctx.map.add_child(Compare(year_layers[::-1], ctx.context, words))
    return ctx.map


def _diverging_bins(
    values: np.ndarray, center: float, k: int, worse: str
) -> tuple[np.ndarray, list[str], float]:
    """Symmetric classes around ``center`` with an odd number of classes, red on the side of
    the ``worse`` end."""
    finite = values[np.isfinite(values)]
    span = float(np.max(np.abs(finite - center))) if len(finite) else 1.0
    span = span or 1.0
    k = max(3, k + (1 - k % 2))
    edges = np.linspace(center - span, center + span, k + 1)
    return edges[1:], direction_diverging(worse, k), float(edges[0])


def local_index_map(
    areas: gpd.GeoDataFrame,
    data: pd.DataFrame,
    *,
    columns: Sequence[str] | dict[str, str],
    year: int | None = None,
    year_column: str = "year",
    id_column: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    centers: dict[str, float] | None = None,
    digits: int = 2,
    suppressed: str | pd.Series | None = None,
    title: str | None = None,
    style: MapStyle | None = None,
) -> folium.Map:
    """Map local segregation indices per area: one switchable layer and legend per index.

    Parameters
    ----------
    data
        Local index values per area (indexed by code or with a ``code`` / ``id`` column); one
        column per index, optionally a ``year_column`` (then ``year`` picks one, default latest).
    columns
        The index columns to draw (a dict maps column to its label).
    centers
        Columns whose values have a natural centre (e.g. ``{"location_quotient": 1.0}``) are
        drawn with a diverging palette around it (teal below, brown above: a local index has
        no unfavourable end).

    Other parameters are as in :func:`choropleth_map`.

    Notes
    -----
    Local indices as computed by :mod:`geoseg.segregation` (e.g. location quotients, local
    entropy); classes by mapclassify, as in :func:`choropleth_map`.
    """
    ctx = base_map(areas, title=title, style=style)
    lang, threshold = ctx.lang, ctx.threshold
    df = values_by_code(data, codes=ctx.codes, what="local index data", id_column=id_column)
    pairs = list(columns.items()) if isinstance(columns, dict) else [(c, c) for c in columns]
    missing = [c for c, _ in pairs if c not in df.columns]
    if missing or not pairs:
        msg = (
            f"local index data: column(s) {', '.join(missing) or '(none given)'} not found; "
            f"columns: {', '.join(map(str, df.columns))}"
        )
        raise InputError(msg)
    if year_column in df.columns:
        yr = year if year is not None else latest_year(df, year_column=year_column)[1]
        sel = (df[year_column] == yr).to_numpy()
        if not sel.any():
            msg = f"local index data: no rows for year {yr} in column {year_column!r}"
            raise InputError(msg)
        df = df[sel]
        if isinstance(suppressed, pd.Series):
            suppressed = suppressed[sel]
    else:
        yr = year
    df, mask = apply_suppression(
        df,
        columns=[c for c, _ in pairs],
        counts=[],
        suppressed=suppressed,
        threshold=threshold,
        what="local index data",
    )
    legends = []
    for pos, (col, label) in enumerate(pairs):
        vals = df[col].to_numpy(dtype=float, na_value=np.nan)
        vals = vals[~mask[col].to_numpy()]
        if centers and col in centers:
            bins, colours, lowest = _diverging_bins(vals, centers[col], k, "none")
        else:
            bins = classify(vals, scheme=scheme, k=k)
            colours = direction_sequential("none", max(len(bins), 1))
            lowest = float(np.nanmin(vals)) if np.isfinite(vals).any() else 0.0
        entries = bin_entries(bins, colours, lowest, lang=lang, digits=digits) if len(bins) else []
        info, classes, s, mis = _layer_info(
            ctx,
            df,
            mask,
            column=col,
            label=label,
            bins=bins,
            colours=colours,
            names=[e["label"] for e in entries],
            year=yr,
            extra=[],
            digits=digits,
        )
        table = table_rows(ctx, info, label, classes)
        layer = area_layer(ctx, info, name=label, show=pos == 0, table=table)
        legends.append(ctx.legend(label, entries, suppressed=s, missing=mis, layer=layer))
    finish(ctx, legends)
    return ctx.map
