"""Shared machinery of geoseg's maps: the base map, value tables, classes, legends, saving.

Every map function in :mod:`geoseg.publish.maps` builds on :func:`base_map`, which draws
nothing from the internet: the areas (and optional water) come from the data, so the map reads
without tiles.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.errors import InputError, format_codes
from geoseg.i18n import tr
from geoseg.io.indicators import WORSE
from geoseg.publish._html import format_number, js_json
from geoseg.publish.disclosure import suppress_counts, suppressed_label
from geoseg.publish.maps._context import (
    AreaLabels,
    add_streets,
    add_water,
    area_label_points,
    content_key,
    remembered,
)
from geoseg.publish.maps._elements import DataBlock, Fit, GeoLayer, Legend, Note, Tables
from geoseg.publish.maps._geometry import area_codes, feature_collection, prepare_layer
from geoseg.publish.maps._palettes import (
    MISSING_COLOUR,
    SUPPRESSED_COLOUR,
    SUPPRESSED_FILL,
    WATER_COLOUR,
)
from geoseg.publish.maps._style import MapStyle

__all__ = [
    "AREA_HOVER",
    "AREA_STYLE",
    "MapContext",
    "base_map",
    "classify",
    "finish",
    "format_share",
    "select_kind",
    "unique_codes",
    "values_by_code",
]

logger = logging.getLogger(__name__)

AREA_STYLE = {"color": "#4d4d4d", "weight": 0.6, "fillOpacity": 0.8, "className": "geoseg-area"}
AREA_HOVER = {"weight": 2.5, "color": "#000000"}
SCHEMES = ("quantiles", "natural_breaks", "equal_interval")
#: The style of an area whose value is suppressed: hatched, with a dashed outline.
SUPPRESSED_STYLE = {"fillColor": SUPPRESSED_FILL, "fillOpacity": 1.0, "dashArray": "3"}


class MapContext:
    """What a map function needs after :func:`base_map`: the map, shared geometry and labels."""

    def __init__(
        self,
        m: folium.Map,
        data: DataBlock,
        codes: list[str],
        names: dict[str, str],
        style: MapStyle,
        water: GeoLayer | None = None,
        streets: Sequence[GeoLayer] = (),
    ) -> None:
        self.map = m
        self.data = data
        self.codes = codes
        self.names = names
        self.style = style
        self.lang = style.lang
        self.threshold = style.threshold
        self.water = water
        #: layers drawn under and over the areas (water, streets), copied to a second map
        self.context = [x for x in (water, *streets) if x is not None]

    def area_rows(self, code: str, *, service: str = "", year: object = None) -> list[list[Any]]:
        """Tooltip rows naming an area (name, code), then the service kind and year if given."""
        rows: list[list[Any]] = [
            [tr("name", self.lang), self.names.get(code, "")],
            [tr("code", self.lang), code],
        ]
        if service:
            rows.append([tr("service", self.lang), service])
        if year is not None:
            rows.append([tr("year", self.lang), str(year)])
        return rows

    def suppressed_text(self) -> str:
        return suppressed_label(self.threshold, lang=self.lang)

    def suppressed_row(self, label: str) -> list[Any]:
        """A tooltip row whose value is suppressed (the ``1`` marks it for styling)."""
        return [label, self.suppressed_text(), 1]

    def no_data_row(self, label: str) -> list[Any]:
        """A tooltip row for a value the data do not have."""
        return [label, tr("no_data", self.lang)]

    def legend(
        self,
        title: str,
        entries: list[dict[str, Any]],
        *,
        suppressed: bool,
        missing: bool,
        layer: GeoLayer | None = None,
    ) -> dict[str, Any]:
        """A legend: ``entries`` followed by suppressed / no data entries when they occur."""
        out: dict[str, Any] = {
            "title": title,
            "entries": entries
            + status_entries(self.lang, self.threshold, suppressed=suppressed, missing=missing),
        }
        if layer is not None:
            out["layer"] = layer
        return out

    def context_legend(self) -> list[dict[str, Any]]:
        """The legend block of what the map is drawn over (water), when there is any."""
        if self.water is None:
            return []
        entry = {"color": WATER_COLOUR, "label": tr("water", self.lang), "border": "#7fa9c9"}
        return [{"title": "", "entries": [entry]}]


def base_map(
    areas: gpd.GeoDataFrame,
    *,
    title: str | None,
    style: MapStyle | None,
) -> MapContext:
    """Create a map fitted to ``areas`` with their geometry, water, streets, names and title."""
    style = style or MapStyle()
    if not isinstance(style, MapStyle):
        msg = "style must be a geoseg.publish.maps.MapStyle (e.g. MapStyle(lang='sv'))"
        raise InputError(msg)
    if not isinstance(areas, gpd.GeoDataFrame):
        msg = "areas must be a GeoDataFrame indexed by area code (see geoseg.io.read_boundaries)."
        raise InputError(msg)
    lang = style.lang
    codes = area_codes(areas)
    name_column = style.name_column
    if name_column in areas.columns:
        names = {
            c: ("" if pd.isna(n) else str(n))
            for c, n in zip(codes, areas[name_column], strict=True)
        }
    else:
        logger.info("areas have no %r column; tooltips show codes only", name_column)
        names = {}

    def build() -> tuple[tuple[float, ...], str]:
        geoms = prepare_layer(areas, what="areas", tolerance=style.tolerance, coverage=True)
        bounds = tuple(float(v) for v in geoms.total_bounds)
        return bounds, js_json(feature_collection(geoms, codes))

    # the same areas on every map of a run: simplified and encoded once
    bounds, encoded = remembered(("areas", content_key(areas), style.tolerance), build)
    west, south, east, north = bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=style.tiles,
        zoom_start=11,
        control_scale=True,
        zoom_snap=0.1,
        zoom_delta=0.5,
    )
    m.add_child(Fit([[south, west], [north, east]]))
    # what the saved page declares about itself: its language, title, size and area names
    m.geoseg_page = {  # type: ignore[attr-defined]
        "lang": lang,
        "title": title or tr("areas", lang),
        "names": names,
        "width": style.width,
        "height": style.height,
        "background": style.background,
    }
    water = None
    if style.water is not None and len(style.water):
        water = add_water(m, areas, style.water, lang=lang, tolerance=style.tolerance)
    block = DataBlock(encoded=encoded)
    m.add_child(block)
    streets: list[GeoLayer] = []
    if style.streets is not None and len(style.streets):
        streets = add_streets(m, style.streets, lang=lang)
    if style.labels and names:
        m.add_child(AreaLabels(area_label_points(areas, names)))
    if style.fictional:
        m.add_child(Note(tr("fictional", lang), position="bottomleft", cls="geoseg-fictional"))
    return MapContext(m, block, codes, names, style, water, streets)


def check_worse(worse: str) -> str:
    """Return ``worse`` if it is an indicator direction (``higher``, ``lower``, ``none``)."""
    if worse not in WORSE:
        msg = (
            f"worse must be one of {', '.join(WORSE)} (the indicator's unfavourable end), "
            f"got {worse!r}"
        )
        raise InputError(msg)
    return worse


def unique_codes(df: pd.DataFrame, what: str, *, hint: str = "") -> None:
    """Refuse a table in which an area code appears on more than one row."""
    dup = df.index[df.index.duplicated()].unique()
    if len(dup):
        msg = f"{what}: area code(s) {', '.join(map(str, dup[:10]))} appear more than once{hint}"
        raise InputError(msg)


def format_share(value: Any, *, lang: str) -> str:
    """A share (0-1) as a whole percentage, e.g. ``"42 %"``."""
    return f"{format_number(100 * float(value), lang=lang, digits=0)} %"


def select_kind(df: pd.DataFrame, kind: str | None, what: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of one service kind and that kind (the only one present when ``kind`` is None)."""
    if "kind" not in df.columns:
        return df, kind
    kinds = sorted(map(str, pd.unique(df["kind"].dropna())))
    if kind is None:
        if len(kinds) > 1:
            msg = f"{what}: several kinds ({', '.join(kinds)}); pass kind=... to choose one"
            raise InputError(msg)
        return df, (str(df["kind"].iloc[0]) if len(df) else None)
    sel = df[df["kind"].astype(str) == kind]
    if sel.empty:
        msg = f"{what}: no rows of kind {kind!r} (kinds: {', '.join(kinds) or 'none'})"
        raise InputError(msg)
    return sel, kind


def values_by_code(
    data: pd.DataFrame | pd.Series,
    *,
    codes: Sequence[str],
    what: str,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Return ``data`` as a DataFrame indexed by area code (text), without modifying it.

    The code is taken from ``id_column`` if given, else from a ``code`` or ``id`` column, else
    from the index. Codes that are not among the areas are reported (they cannot be drawn).
    """
    df = data.to_frame() if isinstance(data, pd.Series) else data.copy()
    col = id_column
    if col is None:
        col = next((c for c in ("code", "id", "area_code") if c in df.columns), None)
    if col is not None:
        if col not in df.columns:
            msg = f"{what}: column {col!r} with area codes not found; columns: {list(df.columns)}"
            raise InputError(msg)
        df.index = pd.Index(df[col].astype(str), name="code")
    else:
        df.index = pd.Index([str(c) for c in df.index], name="code")
    unknown = sorted(set(df.index) - set(codes))
    if unknown:
        logger.warning(
            "%s: %d code(s) not among the areas are not drawn: %s",
            what,
            len(unknown),
            format_codes(unknown),
        )
    return df


def apply_suppression(
    df: pd.DataFrame,
    *,
    columns: Sequence[str],
    counts: Sequence[str],
    suppressed: str | pd.Series | None,
    threshold: float,
    what: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppress small counts in ``df`` and return it with a per-cell mask over ``columns``.

    ``counts`` are count columns checked against ``threshold``; values in ``columns`` on those
    rows are suppressed too. ``suppressed`` marks rows already suppressed upstream (a boolean
    column name or a boolean Series aligned with ``df``'s rows).
    """
    counts = [c for c in counts]
    cols = list(dict.fromkeys([*columns, *counts]))
    out = df
    mask = pd.DataFrame(False, index=df.index, columns=cols)
    if counts:
        out, m = suppress_counts(
            df, counts, threshold=threshold, dependent=[c for c in columns if c not in counts]
        )
        for c in m.columns:
            mask[c] = m[c].to_numpy()
    if suppressed is not None:
        if isinstance(suppressed, str):
            if suppressed not in df.columns:
                msg = f"{what}: column {suppressed!r} (suppression marks) not found"
                raise InputError(msg)
            flags = df[suppressed].fillna(False).astype(bool).to_numpy()
        else:
            if len(suppressed) != len(df):
                msg = f"{what}: the suppression mask has {len(suppressed)} rows, the data {len(df)}"
                raise InputError(msg)
            flags = np.asarray(suppressed, dtype=bool)
        if flags.any():
            out = out.copy()
            for c in cols:
                mask[c] = mask[c].to_numpy() | flags
                numeric = pd.api.types.is_numeric_dtype(out[c])
                out[c] = (out[c].astype(float) if numeric else out[c]).mask(flags)
            logger.info("%s: %d row(s) marked as suppressed upstream", what, int(flags.sum()))
    return out, mask


def classify(
    values: np.ndarray, *, scheme: str, k: int, breaks: Sequence[float] | None = None
) -> np.ndarray:
    """Return the upper class bounds for ``values`` (finite values only).

    Notes
    -----
    ``quantiles``: the linearly interpolated quantiles at ``1/k, 2/k, ..., 1`` (repeated
    bounds merged), as mapclassify's ``Quantiles``; ``equal_interval`` as in mapclassify;
    ``natural_breaks`` is Fisher's exact optimal partition (Fisher 1958, "On grouping for
    maximum homogeneity", JASA 53), computed by ``mapclassify.FisherJenks`` so that the
    classes are deterministic. mapclassify is imported only for these two: importing it
    compiles its numba code, which takes seconds.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if breaks is not None:
        b = np.sort(np.asarray(list(breaks), dtype=float))
        if len(v) and v.max() > b[-1]:
            b = np.append(b, v.max())
        return b
    if scheme not in SCHEMES:
        msg = f"unknown classification scheme {scheme!r}; choose one of {', '.join(SCHEMES)}"
        raise InputError(msg)
    if len(v) == 0:
        return np.array([])
    k = int(max(1, min(k, len(np.unique(v)))))
    if k == 1:
        return np.array([v.max()])
    if scheme == "quantiles":
        return np.unique(np.quantile(v, np.arange(1, k + 1) / k))
    import mapclassify

    name = {"natural_breaks": "fisher_jenks", "equal_interval": "equal_interval"}[scheme]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bins = np.asarray(mapclassify.classify(v, name, k=k).bins, dtype=float)
    return np.unique(bins)


def bin_index(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Return the class of each value: the first bin whose upper bound is >= the value."""
    idx = np.searchsorted(bins, values, side="left")
    return np.minimum(idx, len(bins) - 1)


def bin_entries(
    bins: np.ndarray, colours: Sequence[str], lowest: float, *, lang: str, digits: int
) -> list[dict[str, Any]]:
    """Legend entries ``lower – upper`` for each class."""
    entries = []
    lo = lowest
    for b, colour in zip(bins, colours, strict=True):
        label = (
            f"{format_number(lo, lang=lang, digits=digits)} – "
            f"{format_number(b, lang=lang, digits=digits)}"
        )
        entries.append({"color": colour, "label": label})
        lo = b
    return entries


def status_entries(
    lang: str, threshold: float, *, suppressed: bool, missing: bool
) -> list[dict[str, Any]]:
    """Legend entries for suppressed values and areas without data, when present."""
    out: list[dict[str, Any]] = []
    if suppressed:
        label = suppressed_label(threshold, lang=lang)
        out.append({"color": SUPPRESSED_COLOUR, "label": label, "hatch": True})
    if missing:
        out.append({"color": MISSING_COLOUR, "label": tr("no_data", lang)})
    return out


def finish(ctx: MapContext, legends: list[dict[str, Any]], *, layer_control: bool = True) -> None:
    """Add the legend (with water, when drawn) and the layer control (last, so that it sees
    every layer)."""
    legends = [*legends, *ctx.context_legend()]
    if legends:
        ctx.map.add_child(Legend(legends))
    ctx.map.add_child(Tables())
    switchable = [c for c in ctx.map._children.values() if isinstance(c, GeoLayer) and c.control]
    if layer_control and len(switchable) > 1:  # one layer alone needs no switch
        folium.LayerControl(collapsed=False).add_to(ctx.map)


def area_layer(
    ctx: MapContext,
    info: dict[str, list[Any]],
    *,
    name: str,
    show: bool = True,
    overlay: bool = False,
    table: dict[str, Any] | None = None,
) -> GeoLayer:
    """Add a layer of all areas coloured and labelled by ``info`` (``{code: [style, rows]}``).

    ``table`` is the layer's data table on the page: ``{"value": header, "rows": [[code,
    value text, class text, suppressed], ...]}`` (see :func:`table_rows`).
    """
    layer = GeoLayer(
        ctx.data,
        info,
        name=name,
        style=AREA_STYLE | {"fillOpacity": ctx.style.opacity},
        hover=AREA_HOVER,
        missing={"fillColor": MISSING_COLOUR},
        overlay=overlay,
        show=show,
        table=table,
    )
    ctx.map.add_child(layer)
    return layer


def table_rows(
    ctx: MapContext,
    info: dict[str, list[Any]],
    value_label: str | Sequence[str],
    classes: dict[str, str],
) -> dict[str, Any]:
    """The data table of an area layer: each area's values (the tooltip rows named by
    ``value_label``, the suppression mark where suppressed) and its class in words."""
    labels = [value_label] if isinstance(value_label, str) else list(value_label)
    rows = []
    for code in ctx.codes:
        cells = info.get(code, [{}, []])[1]
        values = []
        for label in labels:
            hit = next((r for r in cells if r[0] == label), None)
            text = tr("no_data", ctx.lang) if hit is None else str(hit[1])
            values.append([text, bool(hit is not None and len(hit) > 2 and hit[2])])
        rows.append([code, values, classes.get(code, "")])
    return {"values": labels, "rows": rows}


def feature_layer(
    ctx: MapContext,
    gdf: gpd.GeoDataFrame,
    info: dict[str, list[Any]],
    *,
    name: str,
    style: dict[str, Any],
    what: str,
    tolerance: float | None = None,
    radius: float | None = None,
    show: bool = True,
    interactive: bool = True,
) -> GeoLayer:
    """Add an overlay of other features (services, isochrones, plan features).

    ``info`` is keyed by ``str(position)`` of the rows of ``gdf``.
    """
    geoms = prepare_layer(gdf, what=what, tolerance=tolerance, coverage=False)
    block = DataBlock(feature_collection(geoms, [str(i) for i in range(len(gdf))]))
    ctx.map.add_child(block)
    layer = GeoLayer(
        block,
        info,
        name=name,
        style=style,
        overlay=True,
        show=show,
        interactive=interactive,
        radius=radius,
        hover={"weight": 3} if interactive else None,
    )
    ctx.map.add_child(layer)
    return layer
