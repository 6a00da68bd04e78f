"""Emerging hotspot maps: each area's category over the years (new, persistent, ... hot spot)."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geoseg.errors import InputError
from geoseg.hotspots import CATEGORIES, category_labels
from geoseg.i18n import tr
from geoseg.publish._html import format_number
from geoseg.publish.maps._common import (
    apply_suppression,
    area_layer,
    base_map,
    finish,
    unique_codes,
    values_by_code,
)
from geoseg.publish.maps._palettes import MISSING_COLOUR, SUPPRESSED_COLOUR
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["CATEGORY_COLOURS", "emerging_map"]

#: Fill colour of each category: hot spots in reds and oranges (darkest for the long-standing
#: and intensifying ones), cold spots in the matching blues and purples, no pattern light grey.
CATEGORY_COLOURS: dict[str, str] = {
    "new_hot": "#fcbba1",
    "consecutive_hot": "#fb6a4a",
    "intensifying_hot": "#a50f15",
    "persistent_hot": "#cb181d",
    "diminishing_hot": "#ef3b2c",
    "sporadic_hot": "#fdae6b",
    "oscillating_hot": "#e6550d",
    "historical_hot": "#7f2704",
    "new_cold": "#c6dbef",
    "consecutive_cold": "#6baed6",
    "intensifying_cold": "#08306b",
    "persistent_cold": "#2171b5",
    "diminishing_cold": "#4292c6",
    "sporadic_cold": "#bcbddc",
    "oscillating_cold": "#756bb1",
    "historical_cold": "#3f007d",
    "no_pattern": "#e0e0e0",
}


def emerging_map(
    areas: gpd.GeoDataFrame,
    emerging: pd.DataFrame,
    *,
    label: str = "value",
    suppressed: str | pd.Series | None = None,
    title: str | None = None,
    lang: str = "en",
    fictional: bool = False,
    water: gpd.GeoDataFrame | None = None,
    threshold: float = SUPPRESSION_THRESHOLD,
    tiles: str | None = None,
    tolerance: float | None = 5.0,
    name_column: str = "name",
) -> folium.Map:
    """Map the emerging hotspot category of each area.

    Parameters
    ----------
    areas
        Areas indexed by code, projected CRS, with a ``name`` column.
    emerging
        :attr:`geoseg.hotspots.EmergingHotspots.areas` (indexed by area code or with an
        ``id`` column) with ``category``, ``years_hot``, ``years_cold``, ``years``,
        ``first_year``, ``last_year`` and ``trend_p``.
    label
        What was analysed (shown in the tooltip), e.g. "Median income (kSEK)".
    suppressed
        Rows whose pattern must not be published (a boolean column or Series, as
        :func:`geoseg.publish.disclosure.gate_emerging` marks them; default: its
        ``suppressed`` column when it has one): the area is drawn with the suppression mark and
        legend class of every other map, its category and years hidden.

    Other parameters are as in :func:`geoseg.publish.maps.choropleth_map`.

    Notes
    -----
    Categories of Esri's Emerging Hot Spot Analysis as computed by
    :func:`geoseg.hotspots.emerging_hotspots` (space-time Getis-Ord Gi* and the Mann-Kendall
    trend of each area's z-scores); the tooltip gives the years as a hot and a cold spot and
    the trend's p-value.
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
    df = values_by_code(emerging, codes=ctx.codes, what="emerging hotspots")
    need = ["category", "years_hot", "years_cold", "years", "first_year", "last_year", "trend_p"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        msg = (
            f"emerging hotspots: column(s) {', '.join(missing)} missing (columns: "
            f"{', '.join(map(str, df.columns))}); pass geoseg.hotspots.emerging_hotspots().areas."
        )
        raise InputError(msg)
    unique_codes(df, "emerging hotspots")
    if suppressed is None and "suppressed" in df.columns:
        suppressed = "suppressed"
    df, mask = apply_suppression(
        df,
        columns=["category"],
        counts=[],
        suppressed=suppressed,
        threshold=threshold,
        what="emerging hotspots",
    )
    hidden = mask["category"].to_numpy(dtype=bool)
    words = dict(zip(CATEGORIES, category_labels(list(CATEGORIES), language=lang), strict=True))
    unknown = sorted(set(df["category"][~hidden].astype(str)) - set(CATEGORIES))
    if unknown:
        msg = f"emerging hotspots: unknown categories {unknown}; known: {', '.join(CATEGORIES)}."
        raise InputError(msg)
    pos = {c: i for i, c in enumerate(df.index)}
    info: dict[str, list[Any]] = {}
    present: set[str] = set()
    any_missing = any_supp = False
    for code in ctx.codes:
        rows = ctx.area_rows(code)
        i = pos.get(code)
        if i is None:
            rows.append(ctx.no_data_row(tr("ehsa_category", lang)))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            any_missing = True
            continue
        if hidden[i]:
            rows.append(ctx.suppressed_row(tr("ehsa_category", lang)))
            info[code] = [{"fillColor": SUPPRESSED_COLOUR, "dashArray": "3"}, rows]
            any_supp = True
            continue
        row = df.iloc[i]
        category = str(row["category"])
        present.add(category)
        span = f"{int(row['first_year'])}–{int(row['last_year'])}"
        rows += [
            [tr("ehsa_variable", lang), label],
            [tr("ehsa_category", lang), words[category]],
            [tr("ehsa_years_hot", lang, span=span), f"{int(row['years_hot'])}/{int(row['years'])}"],
            [
                tr("ehsa_years_cold", lang, span=span),
                f"{int(row['years_cold'])}/{int(row['years'])}",
            ],
            [tr("ehsa_trend_p", lang), format_number(float(row["trend_p"]), lang=lang, digits=3)],
        ]
        style: dict[str, Any] = {"fillColor": CATEGORY_COLOURS[category]}
        if category != "no_pattern":
            style.update({"weight": 1.5, "color": "#1a1a1a"})
        info[code] = [style, rows]
    area_layer(ctx, info, name=tr("emerging_hotspots", lang))
    entries = [
        {"color": CATEGORY_COLOURS[c], "label": words[c]}
        for c in CATEGORIES
        if c in present or c == "no_pattern"
    ]
    finish(
        ctx,
        [
            ctx.legend(
                tr("emerging_hotspots", lang), entries, suppressed=any_supp, missing=any_missing
            )
        ],
    )
    return ctx.map
