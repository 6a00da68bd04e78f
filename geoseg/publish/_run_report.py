"""The report of a results folder: its tables, labels, methods and sources prepared for
:func:`geoseg.publish.write_report`, written before the maps are drawn (see
:func:`geoseg.publish.run.publish`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.i18n import follow_up_note_text, tr
from geoseg.indicators import indicator_label
from geoseg.io import SavedResults
from geoseg.io.indicators import Indicator
from geoseg.publish.disclosure import ACCESS_DEPENDENT
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.trends import ProjectTrends, SeriesBreak

__all__: list[str] = []


def _report_writer(
    saved: SavedResults,
    report_path: Path,
    *,
    lang: str,
    definitions: dict[str, Indicator],
    indicators: pd.DataFrame,
    follow_up: ProjectTrends | None,
    access: pd.DataFrame | None,
    threshold: float,
    inputs: list[Path],
    meta: dict[str, Any],
) -> Callable[[list[tuple[str, str]]], Path]:
    """A function that writes ``report.html`` with the given ``(file, title)`` map links.

    Everything but the list of maps is prepared once, so the report can be written before the
    maps are drawn and written again should a map be left out.
    """
    from geoseg.publish.report import write_report

    settings = saved.settings
    acc = settings["access"]
    latest_ind = latest_year(indicators)[0] if len(indicators) else indicators
    main_table = pd.DataFrame()
    main_mask = pd.DataFrame()
    if len(latest_ind):
        main_table = latest_ind.pivot_table(
            index="code", columns="indicator", values="value", dropna=False, sort=False
        )
        main_mask = (
            latest_ind.pivot_table(
                index="code", columns="indicator", values="suppressed", aggfunc="max", sort=False
            )
            .reindex(index=main_table.index, columns=main_table.columns)
            .fillna(False)
            .astype(bool)
        )
    tabs, masks = _main_tables(main_table, main_mask, definitions, saved.areas, lang)
    hot = None
    if saved.hotspots is not None:
        latest, _ = latest_year(saved.hotspots)
        hot = {
            indicator_label(str(v), definitions, lang): rows.set_index("id")
            for v, rows in latest.groupby("variable")
        }
    totals = None
    if saved.access_totals is not None:
        totals = _below_threshold(saved.access_totals)

    def write(maps: list[tuple[str, str]]) -> Path:
        return write_report(
            report_path,
            title=settings["title"],
            lang=lang,
            fictional=bool(settings["fictional"]),
            segregation=_level_labels(saved.indices, settings, lang),
            trend=_level_labels(saved.trend, settings, lang),
            indicators=indicators,
            definitions=definitions,
            group_labels=_group_labels(saved.indices, definitions, lang),
            tables=tabs,
            table_masks=masks,
            hotspots=hot,
            follow_up=follow_up,
            labels=_follow_up_labels(follow_up, definitions, lang),
            breaks=_breaks(settings),
            access=access,
            access_totals=totals,
            areas=saved.areas,
            maps=maps,
            sources=_sources(settings.get("sources", {}), lang),
            methods={
                **(_follow_up_methods(follow_up, lang) or {}),
                **(_access_methods(acc, lang) or {}),
            },
            minutes=acc["minutes"],
            threshold=threshold,
            root=report_path.parent,
            inputs=inputs,
            metadata=meta,
        )

    return write


def _breaks(settings: dict[str, Any]) -> list[SeriesBreak]:
    """The run's series breaks without a crosswalk, for the report's charts."""
    from geoseg.trends import SeriesBreak

    return [
        SeriesBreak(
            b["year"],
            b["indicators"] if b["indicators"] == "all" else tuple(b["indicators"]),
            b["reason"],
            None,
        )
        for b in settings.get("breaks", [])
    ]


def _below_threshold(table: pd.DataFrame) -> pd.DataFrame:
    """A gated table whose suppressed ``residents`` (and the shares resting on them) read 0:
    below any threshold, so that the maps and the report mark them as suppressed, as they do
    for the run's own counts (the true values are not in the results)."""
    if "suppressed" not in table or "residents" not in table:
        return table
    flags = table["suppressed"].fillna(False).to_numpy(dtype=bool)
    if not flags.any():
        return table
    out = table.copy()
    for col in ACCESS_DEPENDENT:
        if col in out:
            out[col] = out[col].mask(flags, 0.0)
    residents = out["residents"].mask(flags, 0)
    if residents.notna().all():
        residents = residents.astype("int64" if _whole(residents) else float)
    out["residents"] = residents
    return out


def _whole(values: pd.Series) -> bool:
    v = values.to_numpy(dtype=float)
    return bool(np.all(np.mod(v, 1) == 0))


def _follow_up_labels(follow_up: Any, definitions: Any, lang: str) -> dict[str, str]:
    """Readable names of the indicators and hotspot variables of the follow-up."""
    if follow_up is None:
        return {}
    names: dict[str, str] = {}
    for frame, key in ((follow_up.areas, "indicator"), (follow_up.emerging, "variable")):
        if len(frame) and key in frame:
            for name in pd.unique(frame[key]):
                names[str(name)] = indicator_label(str(name), definitions, lang)

    def named(variable: str) -> str:  # a variable a note names, e.g. one left out
        names.setdefault(variable, indicator_label(variable, definitions, lang))
        return variable

    for note in follow_up.notes:
        follow_up_note_text(str(note), lang, label=named)
    return names


def _follow_up_methods(follow_up: Any, lang: str) -> dict[str, str]:
    """Methods of the follow-up for the report's methods table."""
    if follow_up is None:
        return {}
    return {
        tr("emerging_hotspots", lang): (
            "Getis-Ord Gi* over space and time (Ord & Getis 1995), Mann-Kendall trend of each "
            "area's z-scores; categories of Esri's Emerging Hot Spot Analysis"
        ),
        "Mann-Kendall": ("S = Σᵢ<ⱼ sign(xⱼ − xᵢ), normal approximation (Mann 1945; Kendall 1975)"),
        "Theil-Sen": "slope = median of (yⱼ − yᵢ)/(tⱼ − tᵢ) (Theil 1950; Sen 1968)",
    }


def _access_methods(acc: dict[str, Any], lang: str) -> dict[str, str] | None:
    """The report's line on walking access measured without a street network, or skipped."""
    if not acc.get("note"):
        return None
    if acc["fallback"] == "straight_line":
        text = tr(
            "access_straight", lang, detour=f"{acc['detour']:g}", speed=f"{acc['speed_kmh']:g}"
        )
    else:
        text = tr("access_skipped", lang)
    return {tr("walking_access", lang): text}


def _main_tables(
    indicators: pd.DataFrame,
    mask: pd.DataFrame,
    definitions: Any,
    areas: pd.DataFrame,
    lang: str,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The report's main table (every declared indicator of the latest year, by area name) and
    its mask of suppressed cells, in the same layout."""
    from geoseg.i18n import tr

    if indicators.empty:
        return {}, {}
    name = tr("name", lang)
    table = pd.DataFrame({name: [str(areas["name"].get(c, c)) for c in indicators.index]})
    marks = pd.DataFrame({name: False}, index=table.index)
    for col in indicators.columns:
        ind = definitions[str(col)]
        unit = _unit(ind)
        head = f"{ind.label(lang)} ({unit})" if unit else ind.label(lang)
        table[head] = indicators[col].to_numpy(dtype=float)
        marks[head] = mask[col].to_numpy(dtype=bool) if col in mask else False
    order = table[name].sort_values(kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    marks = marks.loc[order].reset_index(drop=True)
    title = tr("indicators_latest", lang)
    return {title: table}, {title: marks}


def _unit(ind: Any) -> str:
    """The unit an indicator's values are in: % of a share, per 1 000 of a rate, else its own."""
    return str({"share": "%", "rate": "per 1 000"}.get(ind.kind, ind.unit) or "")


def _level_labels(table: Any, settings: dict[str, Any], lang: str) -> Any:
    """``table`` with its ``level`` keys replaced by the levels' labels in ``lang``.

    The results store the key of the level (``[levels]``); a key without a label, or a
    results folder of an older run holding labels already, is shown as it is.
    """
    levels = settings.get("levels") or {}
    if table is None or "level" not in table or not levels:
        return table
    names = {}
    for key, spec in levels.items():
        own = spec.get("label_sv") if lang == "sv" else spec.get("label_en")
        names[str(key)] = own or spec.get("label_en") or spec.get("label_sv") or str(key)
    out = table.copy()
    out["level"] = [names.get(str(v), v) if isinstance(v, str) else v for v in out["level"]]
    return out


def _group_labels(indices: Any, definitions: Any, lang: str) -> dict[str, str]:
    """Readable names of the register groups in the segregation table."""
    from geoseg.i18n import group_label

    if indices is None or not len(indices) or "group" not in indices:
        return {}
    out: dict[str, str] = {}
    for group in pd.unique(indices["group"].dropna().astype(str)):
        parts = group.split("+")
        words = [indicator_label(p, definitions, lang) for p in parts]
        words = [
            (group_label(p, lang) or w) if w == p else w for w, p in zip(words, parts, strict=True)
        ]
        words = [
            w.replace("_", " ").capitalize() if w == p else w
            for w, p in zip(words, parts, strict=True)
        ]
        out[group] = (
            words[0]
            if len(words) == 1
            else f"{tr('groups_all', lang, n=len(words))}: " + ", ".join(words)
        )
    return out


def _sources(facts: dict[str, Any], lang: str) -> list[str]:
    """Each input in words: what it is, its file (and the register's years)."""
    from geoseg.i18n import kind_label, tr

    out = [tr("src_attribution", lang, a=facts["attribution"])] if facts.get("attribution") else []
    out += [
        tr("src_boundaries", lang, f=facts.get("boundaries", "")),
        tr("src_register", lang, y=facts.get("years", ""), f=facts.get("register", "")),
    ]
    if "services" in facts:
        kinds = ", ".join(kind_label(k, lang).lower() for k in facts.get("service_kinds", []))
        out.append(tr("src_services", lang, k=kinds, f=facts["services"]))
    if "network" in facts:
        out.append(tr("src_network", lang, f=facts["network"]))
    if "population" in facts:
        out.append(tr("src_population", lang, f=facts["population"]))
    return out
