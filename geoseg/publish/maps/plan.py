"""Plan change maps: how a proposed plan changes walking time to one or more kinds of service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geoseg.errors import InputError
from geoseg.i18n import action_label, kind_label, tr
from geoseg.publish._html import format_number
from geoseg.publish.maps._common import (
    MapContext,
    apply_suppression,
    area_layer,
    base_map,
    feature_layer,
    finish,
    format_share,
    select_kind,
    table_rows,
    values_by_code,
)
from geoseg.publish.maps._elements import GeoLayer
from geoseg.publish.maps._palettes import MISSING_COLOUR, NO_CHANGE_COLOUR, direction_diverging
from geoseg.publish.maps._style import MapStyle

__all__ = ["plan_map"]

_COLUMNS = ("before_minutes", "after_minutes", "change_minutes", "before_share", "after_share")


def plan_map(
    areas: gpd.GeoDataFrame,
    change: pd.DataFrame,
    *,
    kind: str | Sequence[str] | None = None,
    features: gpd.GeoDataFrame | None = None,
    no_change: float = 0.5,
    title: str | None = None,
    style: MapStyle | None = None,
) -> folium.Map:
    """Map the change in walking time a plan brings, with the plan's features drawn.

    Parameters
    ----------
    change
        Per-area comparison (area code in ``id`` or the index) with ``kind``,
        ``before_minutes``, ``after_minutes``, ``change_minutes`` (after - before) and optionally
        ``before_share``, ``after_share``, ``residents`` and ``suppressed`` (rows already gated
        by :func:`geoseg.publish.disclosure.gate_plan`, shown with the suppression mark).
    kind
        Which service kind(s) to draw. A single kind draws one layer of areas. A sequence of
        kinds draws one layer per kind, in the order given; the layer control shows them as
        radio buttons (one kind at a time) and only the first is shown when the map opens.
        ``None`` draws the only kind in ``change`` or, when there are several, every kind,
        ordered by total absolute ``change_minutes`` (largest first; ties alphabetically).
        A kind not present in ``change`` raises :class:`~geoseg.errors.InputError`.
    features
        The plan's features (``action``, ``name``, geometry) drawn on top, once.
    no_change
        Changes smaller than this many minutes (either way) count as no change (light grey,
        distinct from white "no data").
    title, style
        As in :func:`geoseg.publish.maps.choropleth_map`. Longer walks are red (the
        unfavourable side), shorter ones purple.

    Notes
    -----
    Before and after walking times as computed by :mod:`geoseg.plans` over the street network;
    classes are symmetric around zero so that gains and losses of equal size look alike in
    strength. With several kinds the classes are shared by all of them (the largest change of
    any drawn kind sets the outer bound), so a colour means the same change in every layer and
    one legend serves all; small counts are suppressed kind by kind.
    """
    ctx = base_map(areas, title=title, style=style)
    lang = ctx.lang
    what = "plan change"
    parts = _select_kinds(values_by_code(change, codes=ctx.codes, what=what), kind, what)
    columns = parts[0][1].columns
    missing = [c for c in _COLUMNS[:3] if c not in columns]
    if missing:
        msg = f"plan change: column(s) {', '.join(missing)} missing; columns: {list(columns)}"
        raise InputError(msg)
    delta = np.concatenate(
        [p["change_minutes"].to_numpy(dtype=float, na_value=np.nan) for _, p in parts]
    )
    finite = delta[np.isfinite(delta)]
    span = max(float(np.max(np.abs(finite))) if len(finite) else 0.0, no_change * 2)
    edges = [-span, -(span + no_change) / 2, -no_change, no_change, (span + no_change) / 2, span]
    colours = direction_diverging("higher", 5)
    colours[2] = NO_CHANGE_COLOUR
    f = lambda v: format_number(v, lang=lang, digits=1)  # noqa: E731
    class_names = [
        f"{f(-span)} – {f(-(span + no_change) / 2)} ({tr('shorter', lang)})",
        f"{f(-(span + no_change) / 2)} – {f(-no_change)}",
        tr("no_change", lang),
        f"{f(no_change)} – {f((span + no_change) / 2)}",
        f"{f((span + no_change) / 2)} – {f(span)} ({tr('longer', lang)})",
    ]
    any_missing = any_supp = False
    for pos, (k, part) in enumerate(parts):
        kind_name = kind_label(k, lang) if k else ""
        info, classes, supp, miss = _kind_info(
            ctx,
            part,
            kind_name=kind_name,
            edges=edges,
            colours=colours,
            names=class_names,
            no_change=no_change,
        )
        any_supp, any_missing = any_supp or supp, any_missing or miss
        name = tr("plan_change", lang, kind=kind_name.lower() or "?")
        shown = [c for c in ("change_minutes", "before_share", "after_share") if c in part]
        table = table_rows(ctx, info, [tr(c, lang) for c in shown], classes)
        area_layer(ctx, info, name=name, show=pos == 0, overlay=False, table=table)
    if features is not None and len(features):
        drawn = _feature_layer(ctx, features)
        if len(parts) > 1:
            ctx.map.add_child(_KeepOnTop(drawn))
    entries = [{"color": c, "label": label} for c, label in zip(colours, class_names, strict=True)]
    title_text = tr("change_minutes", lang)
    legends = [ctx.legend(title_text, entries, suppressed=any_supp, missing=any_missing)]
    if features is not None and len(features):
        legends.append(_feature_legend(ctx, features))
    finish(ctx, legends)
    return ctx.map


def _select_kinds(
    df: pd.DataFrame, kind: str | Sequence[str] | None, what: str
) -> list[tuple[str | None, pd.DataFrame]]:
    """The ``(kind, rows)`` pairs to draw, in drawing order (see :func:`plan_map`'s ``kind``)."""
    if kind is None or isinstance(kind, str):
        present = _present_kinds(df)
        if kind is not None or len(present) <= 1:
            sel, one = select_kind(df, kind, what)
            return [(one, sel)]
        mag = (
            pd.to_numeric(df["change_minutes"], errors="coerce").abs()
            if "change_minutes" in df.columns
            else pd.Series(0.0, index=df.index)
        )
        totals = mag.groupby(df["kind"].astype(str).to_numpy()).sum()
        wanted = sorted(present, key=lambda k: -float(totals.get(k, 0.0)))
    else:
        wanted = list(dict.fromkeys(str(k) for k in kind))
        if not wanted:
            msg = f"{what}: kind is an empty sequence; give at least one kind (or None for all)"
            raise InputError(msg)
        if "kind" not in df.columns:
            if len(wanted) == 1:
                return [(wanted[0], df)]
            msg = f"{what}: kinds {', '.join(wanted)} asked for, but the table has no 'kind' column"
            raise InputError(msg)
        present = _present_kinds(df)
        unknown = [k for k in wanted if k not in present]
        if unknown:
            msg = (
                f"{what}: no rows of kind(s) {', '.join(map(repr, unknown))} "
                f"(kinds: {', '.join(present) or 'none'})"
            )
            raise InputError(msg)
    col = df["kind"].astype(str)
    return [(k, df[col == k]) for k in wanted]


def _present_kinds(df: pd.DataFrame) -> list[str]:
    """The service kinds in ``df``'s ``kind`` column, sorted (none without the column)."""
    if "kind" not in df.columns:
        return []
    return sorted(map(str, pd.unique(df["kind"].dropna())))


def _kind_info(
    ctx: MapContext,
    df: pd.DataFrame,
    *,
    kind_name: str,
    edges: Sequence[float],
    colours: Sequence[str],
    names: Sequence[str],
    no_change: float,
) -> tuple[dict[str, list[Any]], dict[str, str], bool, bool]:
    """The area layer info and class words of one kind's rows, and whether any were suppressed
    or missing."""
    lang = ctx.lang
    cols = [c for c in _COLUMNS if c in df.columns]
    counts = ["residents"] if "residents" in df.columns else []
    df, mask = apply_suppression(
        df,
        columns=[c for c in cols if "share" in c],
        counts=counts,
        # a table gated upstream (geoseg.publish.disclosure.gate_plan) marks its rows
        suppressed="suppressed" if "suppressed" in df.columns else None,
        threshold=ctx.threshold,
        what="plan change",
    )
    delta = df["change_minutes"].to_numpy(dtype=float, na_value=np.nan)
    pos = {c: i for i, c in enumerate(df.index)}
    info: dict[str, list[Any]] = {}
    classes: dict[str, str] = {}
    any_missing = any_supp = False
    for code in ctx.codes:
        rows = ctx.area_rows(code, service=kind_name)
        i = pos.get(code)
        if i is None or not np.isfinite(delta[i]):
            rows.append(ctx.no_data_row(tr("change_minutes", lang)))
            info[code] = [{"fillColor": MISSING_COLOUR}, rows]
            classes[code] = tr("no_data", lang)
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
        classes[code] = names[cls]
    return info, classes, any_supp, any_missing


class _KeepOnTop(MacroElement):
    """Bring ``layer`` back in front whenever another base layer (kind) is chosen.

    Leaflet draws a base layer picked in the layer control above the layers already shown, which
    would hide the plan's features under the areas of the kind just chosen.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("baselayerchange", function () {
            if ({{ this._parent.get_name() }}.hasLayer({{ this.layer_name }})) {
                {{ this.layer_name }}.bringToFront();
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, layer: GeoLayer) -> None:
        super().__init__()
        self._name = "geoseg_keep_on_top"
        self._layer = layer

    @property
    def layer_name(self) -> str:
        """The layer's variable name, read when the map is rendered (ids are set then)."""
        return self._layer.get_name()


#: How each plan action is drawn: fill, border, dashed border, fill opacity. An added service is
#: a filled disc, a removed one a hollow disc with a thick dashed border, so the two differ in
#: shape as well as in colour (Okabe-Ito bluish green and vermilion).
_ACTION_STYLE: dict[str, tuple[str, str, bool, float]] = {
    "add_service": ("#009E73", "#000000", False, 0.95),
    "remove_service": ("#FFFFFF", "#D55E00", True, 0.95),
    "add_path": ("#0072B2", "#0072B2", False, 0.9),
    "close_path": ("#D55E00", "#D55E00", True, 0.9),
    "add_housing": ("#CC79A7", "#000000", False, 0.7),
}


def _feature_layer(ctx: MapContext, features: gpd.GeoDataFrame) -> GeoLayer:
    lang = ctx.lang
    info: dict[str, list[Any]] = {}
    for i in range(len(features)):
        row = features.iloc[i]
        action = str(row["action"]) if "action" in features.columns else ""
        rows = [[tr("plan_features", lang), "" if pd.isna(row.get("name")) else str(row["name"])]]
        if action:
            rows.append([tr("action", lang), action_label(action, lang)])
        fill, border, dashed, opacity = _ACTION_STYLE.get(
            action, ("#000000", "#000000", False, 0.9)
        )
        style = {"color": border, "fillColor": fill, "fillOpacity": opacity}
        if dashed:
            style |= {"dashArray": "4 3", "weight": 3}
        info[str(i)] = [style, rows]
    style = {"weight": 2, "fillOpacity": 0.9, "className": "geoseg-plan"}
    return feature_layer(
        ctx,
        features,
        info,
        name=tr("plan_features", lang),
        style=style,
        what="plan features",
        tolerance=None,
        radius=8,
    )


def _feature_legend(ctx: MapContext, features: gpd.GeoDataFrame) -> dict[str, Any]:
    """A legend block naming each plan action drawn, with its marker's fill and border."""
    actions = [a for a in _ACTION_STYLE if "action" in features and (features["action"] == a).any()]
    entries = []
    for action in actions:
        fill, border, dashed, _ = _ACTION_STYLE[action]
        entry: dict[str, Any] = {
            "color": fill,
            "border": border,
            "label": action_label(action, ctx.lang),
        }
        if dashed:
            entry["dash"] = True
        entries.append(entry)
    return {"title": tr("plan_features", ctx.lang), "entries": entries}
