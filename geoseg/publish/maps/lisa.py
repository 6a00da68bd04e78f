"""LISA cluster maps: local Moran's I hotspots and coldspots with their significance."""

from __future__ import annotations

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
    apply_suppression,
    area_layer,
    base_map,
    check_worse,
    finish,
    table_rows,
    unique_codes,
    values_by_code,
)
from geoseg.publish.maps._palettes import MISSING_COLOUR, cluster_colours
from geoseg.publish.maps._style import MapStyle

__all__ = ["QUADRANT_KEYS", "cluster_words", "lisa_map"]

#: Quadrant number (1 HH, 2 LH, 3 LL, 4 HL) to label key; 0 is "not significant".
QUADRANT_KEYS = {1: "hh", 2: "lh", 3: "ll", 4: "hl", 0: "ns"}
_REQUIRED = ("value", "I", "quadrant")
#: The quadrants whose own value is high.
_HIGH = (1, 4)


def _lower_first(label: str) -> str:
    """``"Low income"`` -> ``"low income"``; an acronym (``"SCB"``) stays as written."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def cluster_words(quadrant: int, label: str, *, lang: str, worse: str, share: bool) -> str:
    """A LISA quadrant in words from the variable's label.

    For example "Cluster of high share of low economic standard (unfavourable)" / "Kluster med
    hög andel låg ekonomisk standard (ogynnsamt)"; 0 is "Not significant". ``worse`` adds
    whether the cluster's end is the unfavourable one.
    """
    q = int(quadrant)
    if q == 0:
        return tr("ns", lang)
    form = "share" if share else "value"
    words = tr(
        f"clu_{QUADRANT_KEYS[q]}_{form}", lang, label=_lower_first(label) if share else label
    )
    if worse in ("higher", "lower"):
        bad = (q in _HIGH) == (worse == "higher")
        words += f" ({tr('unfavourable' if bad else 'favourable', lang)})"
    return words


def lisa_map(
    areas: gpd.GeoDataFrame,
    hotspots: pd.DataFrame,
    *,
    alpha: float | None = None,
    p_column: str = "p_adjusted",
    label: str = "value",
    worse: str = "none",
    share: bool = False,
    year: int | None = None,
    digits: int = 2,
    suppressed: str | pd.Series | None = None,
    title: str | None = None,
    style: MapStyle | None = None,
) -> folium.Map:
    """Map local Moran's I clusters: HH, LH, LL, HL where significant, grey where not.

    Parameters
    ----------
    hotspots
        Indexed by area code (or with a ``code`` / ``id`` column) with ``value``, ``I``,
        ``quadrant`` (1 HH, 2 LH, 3 LL, 4 HL) and the p-value column ``p_column`` (default
        ``p_adjusted``, the FDR-adjusted pseudo p-value; ``p_value`` is used if absent).
    alpha
        An area is significant when its p-value is at most ``alpha``. ``None`` (default) uses
        the results' ``significant`` column when present (the analysis's own decision), else
        0.05.
    label
        What ``value`` measures (the indicator's label), e.g. "Low economic standard"; the
        clusters are described with it ("Cluster of high share of low economic standard").
    worse
        The variable's unfavourable end (``"higher"``, ``"lower"``, ``"none"``; the indicator
        definition's ``worse``): the unfavourable cluster is dark red on every hotspot map, the
        favourable one dark purple; without a worse end, high is brown and low teal.
    share
        The value is a share (the words read "high share of ...").
    year
        Shown in the tooltips when given.
    suppressed
        Rows whose value must not be published (a boolean column or Series): the value and
        cluster are hidden and the area marked.

    title, style
        As in :func:`geoseg.publish.maps.choropleth_map`.

    Notes
    -----
    Local Moran's I, :math:`I_i = z_i \\sum_j w_{ij} z_j / (\\sum_k z_k^2 / n)` (Anselin 1995,
    "Local indicators of spatial association - LISA", *Geographical Analysis* 27), with
    conditional permutation pseudo p-values and Benjamini-Hochberg FDR adjustment as computed by
    :mod:`geoseg.hotspots`. Colours: the red arm of ColorBrewer RdBu for the unfavourable end
    and the purple arm of PuOr for the favourable one (dark for clusters, light for outliers),
    which stay distinguishable with colour-vision deficiencies.
    """
    check_worse(worse)
    ctx = base_map(areas, title=title, style=style)
    lang, threshold = ctx.lang, ctx.threshold
    colours = cluster_colours(worse)
    words = {q: cluster_words(q, label, lang=lang, worse=worse, share=share) for q in range(5)}
    df = values_by_code(hotspots, codes=ctx.codes, what="hotspot results")
    if p_column not in df.columns and "p_value" in df.columns:
        p_column = "p_value"
    missing = [c for c in (*_REQUIRED, p_column) if c not in df.columns]
    if missing:
        msg = (
            f"hotspot results: column(s) {', '.join(missing)} missing (columns: "
            f"{', '.join(map(str, df.columns))}); pass the output of geoseg.hotspots."
        )
        raise InputError(msg)
    unique_codes(df, "hotspot results")
    df, mask = apply_suppression(
        df,
        columns=["value", "I", p_column],
        counts=[],
        suppressed=suppressed,
        threshold=threshold,
        what="hotspot results",
    )
    quadrant = pd.to_numeric(df["quadrant"], errors="coerce").fillna(0).astype(int).to_numpy()
    pvals = df[p_column].to_numpy(dtype=float, na_value=np.nan)
    if alpha is None and "significant" in df.columns:
        flags = df["significant"].fillna(False).astype(bool).to_numpy()
        significant = flags & np.isin(quadrant, [1, 2, 3, 4])
    else:
        alpha = 0.05 if alpha is None else alpha
        significant = (pvals <= alpha) & np.isin(quadrant, [1, 2, 3, 4])
    cluster = np.where(significant, quadrant, 0)
    pos = {c: i for i, c in enumerate(df.index)}
    info: dict[str, list[Any]] = {}
    classes: dict[str, str] = {}
    present: set[int] = set()
    any_supp = any_missing = False
    for code in ctx.codes:
        rows = ctx.area_rows(code, year=year)
        i = pos.get(code)
        if i is None:
            rows.append(ctx.no_data_row(label))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            classes[code] = tr("no_data", lang)
            any_missing = True
            continue
        if bool(mask["value"].iloc[i]):
            rows.append(ctx.suppressed_row(label))
            info[code] = [dict(SUPPRESSED_STYLE), rows]
            classes[code] = ctx.suppressed_text()
            any_supp = True
            continue
        c = int(cluster[i])
        present.add(c)
        rows += [
            [label, format_number(df["value"].iloc[i], lang=lang, digits=digits)],
            [tr("local_moran", lang), format_number(df["I"].iloc[i], lang=lang, digits=3)],
            [
                tr(p_column if p_column in ("p_value", "p_adjusted") else "p_value", lang),
                format_number(pvals[i], lang=lang, digits=3),
            ],
            [tr("cluster", lang), words[c]],
        ]
        area_style: dict[str, Any] = {"fillColor": colours[c]}
        if c:
            area_style.update({"weight": 1.5, "color": "#1a1a1a"})
        info[code] = [area_style, rows]
        classes[code] = words[c]
    table = table_rows(ctx, info, label, classes)
    area_layer(ctx, info, name=tr("cluster", lang), table=table)
    entries = [{"color": colours[c], "label": words[c]} for c in (1, 4, 2, 3, 0)]
    title_text = tr("local_moran", lang)
    if alpha is not None:
        title_text += f" (p ≤ {format_number(alpha, lang=lang, digits=2)})"
    finish(ctx, [ctx.legend(title_text, entries, suppressed=any_supp, missing=any_missing)])
    return ctx.map
