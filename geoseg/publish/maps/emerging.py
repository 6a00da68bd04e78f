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
    SUPPRESSED_STYLE,
    apply_suppression,
    area_layer,
    base_map,
    check_worse,
    finish,
    table_rows,
    unique_codes,
    values_by_code,
)
from geoseg.publish.maps._palettes import MISSING_COLOUR, emerging_colours
from geoseg.publish.maps._style import MapStyle

__all__ = ["CATEGORY_COLOURS", "emerging_map"]

#: Fill colour of each category when high values are unfavourable (or neither end is): hot
#: spots in warm colours (the strongest patterns, intensifying and persistent, darkest), cold
#: spots in cool ones, no pattern grey; any two categories differ by a CIEDE2000 colour
#: difference above 15, and stay apart for protanopia, deuteranopia and tritanopia. When low
#: values are unfavourable the warm and cool sets swap (:func:`emerging_map`).
CATEGORY_COLOURS: dict[str, str] = emerging_colours("higher", list(CATEGORIES))


def emerging_map(
    areas: gpd.GeoDataFrame,
    emerging: pd.DataFrame,
    *,
    label: str = "value",
    suppressed: str | pd.Series | None = None,
    worse: str = "none",
    title: str | None = None,
    style: MapStyle | None = None,
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
    worse
        The variable's unfavourable end (``"higher"``, ``"lower"`` or ``"none"``): hot spots
        (high values) take warm colours and cold spots cool ones, except when low values are
        unfavourable (``"lower"``), where the sets swap, so that an unfavourable pattern is
        warm on every map. Each of the 16 patterns has a colour of its own
        (:data:`CATEGORY_COLOURS`).
    title, style
        As in :func:`geoseg.publish.maps.choropleth_map`.

    Notes
    -----
    Categories of Esri's Emerging Hot Spot Analysis as computed by
    :func:`geoseg.hotspots.emerging_hotspots` (space-time Getis-Ord Gi* and the Mann-Kendall
    trend of each area's z-scores); the tooltip gives the years as a hot and a cold spot and
    the trend's p-value.
    """
    check_worse(worse)
    ctx = base_map(areas, title=title, style=style)
    lang = ctx.lang
    colours = emerging_colours(worse, list(CATEGORIES))
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
        threshold=ctx.threshold,
        what="emerging hotspots",
    )
    hidden = mask["category"].to_numpy(dtype=bool)
    words = dict(zip(CATEGORIES, category_labels(list(CATEGORIES), lang=lang), strict=True))
    unknown = sorted(set(df["category"][~hidden].astype(str)) - set(CATEGORIES))
    if unknown:
        msg = f"emerging hotspots: unknown categories {unknown}; known: {', '.join(CATEGORIES)}."
        raise InputError(msg)
    pos = {c: i for i, c in enumerate(df.index)}
    info: dict[str, list[Any]] = {}
    classes: dict[str, str] = {}
    heads = [tr("ehsa_category", lang)]  # the table's value columns (years hot and cold)
    present: set[str] = set()
    any_missing = any_supp = False
    for code in ctx.codes:
        rows = ctx.area_rows(code)
        i = pos.get(code)
        if i is None:
            rows.append(ctx.no_data_row(tr("ehsa_category", lang)))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            classes[code] = tr("no_data", lang)
            any_missing = True
            continue
        if hidden[i]:
            rows.append(ctx.suppressed_row(tr("ehsa_category", lang)))
            info[code] = [dict(SUPPRESSED_STYLE), rows]
            classes[code] = ctx.suppressed_text()
            any_supp = True
            continue
        row = df.iloc[i]
        category = str(row["category"])
        present.add(category)
        span = f"{int(row['first_year'])}–{int(row['last_year'])}"
        heads = [tr("ehsa_years_hot", lang, span=span), tr("ehsa_years_cold", lang, span=span)]
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
        area_style: dict[str, Any] = {"fillColor": colours[category]}
        if category != "no_pattern":
            area_style.update({"weight": 1.5, "color": "#1a1a1a"})
        info[code] = [area_style, rows]
        classes[code] = words[category]
    table = table_rows(ctx, info, heads, classes)
    area_layer(ctx, info, name=tr("emerging_hotspots", lang), table=table)
    entries = [
        {"color": colours[c], "label": words[c]}
        for c in CATEGORIES
        if c in present or c == "no_pattern"
    ]
    heading = f"{tr('emerging_hotspots', lang)}. {tr('hot_high', lang, label=label)}"
    if worse in ("higher", "lower"):
        heading += f" ({tr('unfavourable' if worse == 'higher' else 'favourable', lang)})"
    finish(ctx, [ctx.legend(heading, entries, suppressed=any_supp, missing=any_missing)])
    return ctx.map
