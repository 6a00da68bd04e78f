"""Plan change maps: how a proposed plan changes walking time to a kind of service."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg._html import format_number
from geoseg.errors import InputError
from geoseg.maps._common import (
    MapContext,
    apply_suppression,
    area_layer,
    base_map,
    feature_layer,
    finish,
    format_share,
    select_kind,
    values_by_code,
)
from geoseg.maps._i18n import tr
from geoseg.maps._palettes import MISSING_COLOUR, OKABE_ITO, diverging
from geoseg.maps.access import kind_label
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["plan_map"]

_COLUMNS = ("before_minutes", "after_minutes", "change_minutes", "before_share", "after_share")


def plan_map(
    areas: gpd.GeoDataFrame,
    change: pd.DataFrame,
    *,
    kind: str | None = None,
    features: gpd.GeoDataFrame | None = None,
    no_change: float = 0.5,
    palette: str = "PuOr",
    threshold: float = SUPPRESSION_THRESHOLD,
    title: str | None = None,
    lang: str = "en",
    fictional: bool = False,
    water: gpd.GeoDataFrame | None = None,
    tiles: str | None = None,
    tolerance: float | None = 5.0,
    name_column: str = "name",
) -> folium.Map:
    """Map the change in walking time a plan brings, with the plan's features drawn.

    Parameters
    ----------
    change
        Per-area comparison (area code in ``id`` or the index) with ``kind``,
        ``before_minutes``, ``after_minutes``, ``change_minutes`` (after - before) and optionally
        ``before_share``, ``after_share`` and ``residents``.
    features
        The plan's features (``action``, ``name``, geometry) drawn on top.
    no_change
        Changes smaller than this many minutes (either way) count as no change.
    palette
        Diverging palette: shorter walks on one side, longer on the other, neutral in between.

    Notes
    -----
    Before and after walking times as computed by :mod:`geoseg.plans` over the street network;
    classes are symmetric around zero so that gains and losses of equal size look alike in
    strength.
    """
    ctx = base_map(
        areas,
        title=title,
        lang=lang,
        fictional=fictional,
        tiles=tiles,
        water=water,
        tolerance=tolerance,
        threshold=threshold,
        name_column=name_column,
    )
    what = "plan change"
    df, kind = select_kind(values_by_code(change, codes=ctx.codes, what=what), kind, what)
    missing = [c for c in _COLUMNS[:3] if c not in df.columns]
    if missing:
        msg = f"plan change: column(s) {', '.join(missing)} missing; columns: {list(df.columns)}"
        raise InputError(msg)
    cols = [c for c in _COLUMNS if c in df.columns]
    counts = ["residents"] if "residents" in df.columns else []
    df, mask = apply_suppression(
        df,
        columns=[c for c in cols if "share" in c],
        counts=counts,
        suppressed=None,
        threshold=threshold,
        what="plan change",
    )
    delta = df["change_minutes"].to_numpy(dtype=float, na_value=np.nan)
    finite = delta[np.isfinite(delta)]
    span = max(float(np.max(np.abs(finite))) if len(finite) else 0.0, no_change * 2)
    edges = [-span, -(span + no_change) / 2, -no_change, no_change, (span + no_change) / 2, span]
    colours = diverging(palette, 5, reverse=True)
    pos = {c: i for i, c in enumerate(df.index)}
    kind_name = kind_label(kind, lang) if kind else ""
    info: dict[str, list[Any]] = {}
    any_missing = any_supp = False
    for code in ctx.codes:
        rows = ctx.area_rows(code, service=kind_name)
        i = pos.get(code)
        if i is None or not np.isfinite(delta[i]):
            rows.append(ctx.no_data_row(tr("change_minutes", lang)))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            any_missing = True
            continue
        cls = int(np.clip(np.searchsorted(edges[1:-1], delta[i], side="left"), 0, 4))
        if abs(delta[i]) < no_change:
            cls = 2
        for col in cols:
            if col in mask.columns and bool(mask[col].iloc[i]):
                rows.append(ctx.suppressed_row(tr(col, lang)))
                any_supp = True
                continue
            val = df[col].iloc[i]
            if "share" in col:
                text = format_share(val, lang=lang)
            elif col == "change_minutes":
                text = ("+" if val > 0 else "") + format_number(val, lang=lang, digits=1)
            else:
                text = format_number(val, lang=lang, digits=1)
            rows.append([tr(col, lang), text])
        info[code] = [{"fillColor": colours[cls]}, rows]
    area_layer(ctx, info, name=tr("plan_change", lang, kind=kind_name.lower() or "?"))
    if features is not None and len(features):
        _feature_layer(ctx, features)
    f = lambda v: format_number(v, lang=lang, digits=1)  # noqa: E731
    entries = [
        {
            "color": colours[0],
            "label": f"{f(-span)} – {f(-(span + no_change) / 2)} ({tr('shorter', lang)})",
        },
        {"color": colours[1], "label": f"{f(-(span + no_change) / 2)} – {f(-no_change)}"},
        {"color": colours[2], "label": tr("no_change", lang)},
        {"color": colours[3], "label": f"{f(no_change)} – {f((span + no_change) / 2)}"},
        {
            "color": colours[4],
            "label": f"{f((span + no_change) / 2)} – {f(span)} ({tr('longer', lang)})",
        },
    ]
    title_text = tr("change_minutes", lang)
    finish(ctx, [ctx.legend(title_text, entries, suppressed=any_supp, missing=any_missing)])
    return ctx.map


def _feature_layer(ctx: MapContext, features: gpd.GeoDataFrame) -> None:
    lang = ctx.lang
    actions = (
        sorted(map(str, pd.unique(features["action"].dropna())))
        if "action" in features.columns
        else []
    )
    colour_of = {a: OKABE_ITO[(n + 5) % len(OKABE_ITO)] for n, a in enumerate(actions)}
    info: dict[str, list[Any]] = {}
    for i in range(len(features)):
        row = features.iloc[i]
        action = str(row["action"]) if "action" in features.columns else ""
        rows = [[tr("plan_features", lang), "" if pd.isna(row.get("name")) else str(row["name"])]]
        if action:
            rows.append([tr("action", lang), action])
        colour = colour_of.get(action, "#000000")
        info[str(i)] = [{"color": "#000000", "fillColor": colour}, rows]
    style = {"weight": 2, "fillOpacity": 0.9, "className": "geoseg-plan"}
    feature_layer(
        ctx,
        features,
        info,
        name=tr("plan_features", lang),
        style=style,
        what="plan features",
        tolerance=None,
        radius=8,
    )
