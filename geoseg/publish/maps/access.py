"""Walking-access maps: areas by walking time to a kind of service, services, isochrones."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import group_label, kind_label, tr
from geoseg.publish._html import format_number
from geoseg.publish.maps._common import (
    MapContext,
    apply_suppression,
    area_layer,
    base_map,
    bin_entries,
    bin_index,
    feature_layer,
    finish,
    format_share,
    select_kind,
    table_rows,
    unique_codes,
    values_by_code,
)
from geoseg.publish.maps._palettes import (
    MISSING_COLOUR,
    OKABE_ITO,
    UNREACHABLE_COLOUR,
    direction_sequential,
)
from geoseg.publish.maps._style import MapStyle
from geoseg.settings import DEFAULT_MINUTES, demand_group

__all__ = ["access_map"]

logger = logging.getLogger(__name__)

DEFAULT_BREAKS = (5.0, 10.0, 15.0, 20.0, 30.0)


def _select_group(
    df: pd.DataFrame, kind: str | None, group: str | None
) -> tuple[pd.DataFrame, str | None]:
    """The rows of one target group: ``group``, else the kind's demand group, else the only one."""
    if "group" not in df.columns:
        return df, group
    present = sorted(map(str, pd.unique(df["group"].dropna())))
    if group is None:
        wanted = demand_group(kind) if kind else None
        if wanted in present:
            group = wanted
        elif len(present) == 1:
            group = present[0]
        else:
            msg = (
                f"access results: several groups ({', '.join(present)}); pass group=... "
                "(the register column of the persons the service is for)"
            )
            raise InputError(msg)
    if group not in present:
        msg = f"access results: no rows of group {group!r} (groups: {', '.join(present)})"
        raise InputError(msg)
    return df[df["group"].astype(str) == group], group


def access_map(
    areas: gpd.GeoDataFrame,
    access: pd.DataFrame,
    *,
    kind: str | None = None,
    group: str | None = None,
    services: gpd.GeoDataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    measure: str = "mean_minutes",
    minutes: float = DEFAULT_MINUTES,
    breaks: Sequence[float] = DEFAULT_BREAKS,
    year: int | None = None,
    show_isochrones: bool = False,
    title: str | None = None,
    style: MapStyle | None = None,
) -> folium.Map:
    """Map walking time to one kind of service per area, with the services and isochrones.

    Parameters
    ----------
    access
        Per-area access results (area code in an ``id`` column or the index) with ``kind``,
        ``residents``, ``mean_minutes``, ``median_minutes``, ``share_within``, ``fca_ratio``.
    kind
        The service kind to map (required when ``access`` holds several).
    group
        The target group (a ``group`` value of ``access``, a register column) whose walk is
        mapped; default the kind's demand group (:func:`geoseg.settings.demand_group`: children
        0-5 for family centres) when ``access`` has it, else its only group.
    services
        Service points (``service_id``, ``kind``, ``name``, ``capacity``), drawn as markers.
    isochrones
        Walking-time polygons (``service_id``, ``kind``, ``minutes``), one toggleable layer per
        ``minutes`` value (hidden at start unless ``show_isochrones``).
    measure
        The column that colours the areas (``mean_minutes`` or ``median_minutes``).
    minutes
        The walking-time threshold behind ``share_within`` (for its label).
    breaks
        Upper class bounds in minutes; times above the last bound form one more class. Longer
        walks are darker red (the unfavourable end).
    title, style
        As in :func:`geoseg.publish.maps.choropleth_map`.

    Notes
    -----
    Times are network walking times (shortest paths over the street network, Dijkstra 1959)
    averaged over residents; ``fca_ratio`` is the two-step floating catchment area ratio (Luo &
    Wang 2003), both as computed by :mod:`geoseg.access`. ``residents`` is a count and is
    suppressed below ``threshold`` together with the share within the threshold.
    """
    ctx = base_map(areas, title=title, style=style)
    lang, threshold = ctx.lang, ctx.threshold
    what = "access results"
    df, kind = select_kind(values_by_code(access, codes=ctx.codes, what=what), kind, what)
    df, group = _select_group(df, kind, group)
    if measure not in df.columns:
        msg = f"access results: column {measure!r} not found; columns: {list(df.columns)}"
        raise InputError(msg)
    unique_codes(df, what)
    shown = [
        c
        for c in ("residents", "mean_minutes", "median_minutes", "share_within", "fca_ratio")
        if c in df.columns
    ]
    counts = ["residents"] if "residents" in df.columns else []
    dependent = [c for c in ("share_within", "fca_ratio") if c in df.columns]
    df, mask = apply_suppression(
        df,
        columns=dependent,
        counts=counts,
        suppressed=None,
        threshold=threshold,
        what="access results",
    )
    bins = np.asarray(sorted(float(b) for b in breaks), dtype=float)
    finite = df[measure].to_numpy(dtype=float, na_value=np.nan)
    top = np.nanmax(finite[np.isfinite(finite)]) if np.isfinite(finite).any() else bins[-1]
    if top > bins[-1]:
        bins = np.append(bins, top)
    colours = direction_sequential("higher", len(bins))
    kind_name = kind_label(kind, lang) if kind else ""
    who = (group_label(group, lang) or group) if group else ""
    labels = {
        "residents": f"{tr('residents', lang)}: {who.lower()}" if who else tr("residents", lang),
        "mean_minutes": tr("mean_minutes", lang),
        "median_minutes": tr("median_minutes", lang),
        "share_within": tr("share_within", lang, m=format_number(minutes, lang=lang, digits=0)),
        "fca_ratio": tr("fca_ratio", lang),
    }
    pos = {c: i for i, c in enumerate(df.index)}
    # plain arrays: a DataFrame lookup per area and column costs more than the whole map
    column = {c: df[c].to_numpy() for c in {measure, *shown}}
    hidden = {c: mask[c].to_numpy(dtype=bool) for c in shown if c in mask.columns}
    entries = bin_entries(bins, colours, 0.0, lang=lang, digits=0)
    info: dict[str, list[Any]] = {}
    classes: dict[str, str] = {}
    any_missing = any_unreachable = any_supp = False
    for code in ctx.codes:
        rows = ctx.area_rows(code, service=kind_name, year=year)
        i = pos.get(code)
        if i is None:
            info[code] = [{"fillColor": MISSING_COLOUR}, [*rows, ctx.no_data_row(labels[measure])]]
            classes[code] = tr("no_data", lang)
            any_missing = True
            continue
        v = float(column[measure][i]) if pd.notna(column[measure][i]) else np.nan
        if np.isfinite(v):
            cls = int(bin_index(np.array([v]), bins)[0])
            area_style = {"fillColor": colours[cls]}
            classes[code] = entries[cls]["label"]
        elif np.isinf(v) or ("residents" in df.columns and np.isnan(v)):
            area_style = {"fillColor": UNREACHABLE_COLOUR}
            classes[code] = tr("unreachable", lang)
            any_unreachable = True
        else:
            area_style = {"fillColor": MISSING_COLOUR}
            classes[code] = tr("no_data", lang)
            any_missing = True
        for col in shown:
            if col in hidden and hidden[col][i]:
                rows.append(ctx.suppressed_row(labels[col]))
                any_supp = True
                continue
            val = column[col][i]
            if col in ("mean_minutes", "median_minutes") and not np.isfinite(float(val)):
                text = tr("unreachable", lang)
            elif col == "share_within":
                text = format_share(val, lang=lang)
            elif col == "residents":
                text = format_number(round(float(val)), lang=lang)
            else:
                text = format_number(val, lang=lang, digits=2 if col == "fca_ratio" else 1)
            rows.append([labels[col], text])
        info[code] = [area_style, rows]
    name = tr("walk_access", lang, kind=kind_name.lower() or "?")
    if who:
        name += f" ({who.lower()})"
    table = table_rows(
        ctx, info, [labels[c] for c in (measure, "residents") if c in shown], classes
    )
    area_layer(ctx, info, name=name, table=table)
    legends = []
    if isochrones is not None and len(isochrones):
        legends += _isochrone_layers(
            ctx, isochrones, kind=kind, show=show_isochrones, tolerance=ctx.style.tolerance
        )
    if services is not None and len(services):
        _service_layer(ctx, services, kind=kind)
    if any_unreachable:
        entries.append({"color": UNREACHABLE_COLOUR, "label": tr("unreachable", lang)})
    heading = f"{labels[measure]}: {who.lower()}" if who else labels[measure]
    legend = ctx.legend(heading, entries, suppressed=any_supp, missing=any_missing)
    finish(ctx, [legend, *legends])
    return ctx.map


def _service_layer(ctx: MapContext, services: gpd.GeoDataFrame, *, kind: str | None) -> None:
    lang = ctx.lang
    pts = services
    if kind is not None and "kind" in services.columns:
        pts = services[services["kind"].astype(str) == kind]
    if pts.empty:
        logger.warning("services: none of kind %r to draw", kind)
        return
    info: dict[str, list[Any]] = {}
    for i in range(len(pts)):
        row = pts.iloc[i]
        rows = [[tr("service", lang), "" if pd.isna(row.get("name")) else str(row.get("name"))]]
        if "kind" in pts.columns:
            rows.append([tr("kind", lang), kind_label(str(row["kind"]), lang)])
        if "capacity" in pts.columns and pd.notna(row.get("capacity")):
            rows.append([tr("capacity", lang), format_number(row["capacity"], lang=lang, digits=0)])
        info[str(i)] = [{}, rows]
    style = {
        "color": "#000000",
        "weight": 1.5,
        "fillColor": OKABE_ITO[0],
        "fillOpacity": 1.0,
        "className": "geoseg-service",
    }
    name = f"{tr('services', lang)}: {kind_label(kind, lang)}" if kind else tr("services", lang)
    feature_layer(ctx, pts, info, name=name, style=style, what="services", tolerance=None, radius=6)


def _isochrone_layers(
    ctx: MapContext, iso: gpd.GeoDataFrame, *, kind: str | None, show: bool, tolerance: float | None
) -> list[dict[str, Any]]:
    lang = ctx.lang
    if "minutes" not in iso.columns:
        msg = f"isochrones: column 'minutes' missing (columns: {list(iso.columns)})"
        raise InputError(msg)
    sel = iso
    if kind is not None and "kind" in iso.columns:
        sel = iso[iso["kind"].astype(str) == kind]
    levels = sorted(pd.unique(sel["minutes"].dropna()))
    legends = []
    dashes = ["", "6 4", "2 4", "10 3 2 3"]
    for n, level in enumerate(levels):
        part = sel[sel["minutes"] == level]
        label = tr("within_minutes", lang, m=format_number(level, lang=lang, digits=0))
        colour = OKABE_ITO[(n + 1) % len(OKABE_ITO)]
        style = {
            "color": colour,
            "weight": 2,
            "fillColor": colour,
            "fillOpacity": 0.12,
            "dashArray": dashes[n % len(dashes)],
            "className": "geoseg-isochrone",
        }
        info: dict[str, list[Any]] = {str(i): [{}, []] for i in range(len(part))}
        layer = feature_layer(
            ctx,
            part,
            info,
            name=label,
            style=style,
            what="isochrones",
            tolerance=tolerance,
            show=show,
            interactive=False,
        )
        legends.append(
            {
                "title": "",
                "layer": layer,
                "entries": [{"color": colour, "label": label, "line": True}],
            }
        )
    return legends
