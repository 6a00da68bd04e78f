"""Publish a run: one HTML map per result, ``index.html`` linking them, and ``report.html``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import follow_up_note_text, series_note_text, tr
from geoseg.indicators import indicator_for, indicator_label
from geoseg.io import (
    SavedResults,
    check_targets,
    remove_stale_temporaries,
    slugs,
    variable_slugs,
)
from geoseg.io.indicators import Indicator
from geoseg.io.results import MANIFEST, check_output_folder, write_manifest
from geoseg.publish.disclosure import ACCESS_DEPENDENT, Disclosure
from geoseg.publish.gather import population
from geoseg.publish.index import write_index
from geoseg.publish.pdf import start_pdf
from geoseg.years import latest_year

__all__ = ["population", "publish"]

logger = logging.getLogger(__name__)


def _title(lang: str, en: str, sv: str) -> str:
    return sv if lang == "sv" else en


def publish(
    saved: SavedResults,
    *,
    maps_dir: Path,
    lang: str | None = None,
    overwrite: bool = False,
    before_writing: Callable[[], object] | None = None,
) -> list[Path]:
    """Write every map of a run, ``index.html`` and ``report.html`` into ``maps_dir``.

    ``saved`` is what the run published (:func:`geoseg.publish.gather.publishable`, or
    :func:`geoseg.io.read_results` of its results folder): nothing is computed again. Every
    file name is a slug of the data it shows and is checked (inside ``maps_dir``, not an
    input, not a file geoseg did not write unless ``overwrite``) before anything is written;
    ``before_writing`` is then called (the run writes its tables there; the report is already
    written and being printed to PDF), and the maps follow.
    Every value shown has passed the disclosure gate of the run (its threshold is in
    ``saved.settings``), and the maps and report apply it again to the counts they show.
    """
    from geoseg.i18n import group_label, kind_label
    from geoseg.publish import maps as gm
    from geoseg.publish.maps._elements import Note

    settings = saved.settings
    lang = lang or settings["lang"]
    fictional = bool(settings["fictional"])
    disclosure = Disclosure(
        threshold=settings["disclosure"]["threshold"],
        allow_small_counts=settings["disclosure"]["allow_small_counts"],
        unsuppressed=settings["disclosure"]["unsuppressed"],
    )
    threshold = disclosure.effective
    meta = disclosure.metadata()
    acc = settings["access"]
    areas = saved.areas
    style = gm.MapStyle(
        lang=lang,
        fictional=fictional,
        threshold=threshold,
        water=saved.water,
        streets=None if saved.streets is None else saved.streets.geometry,
    )
    planned: list[tuple[str, str, Any]] = []

    definitions = {k: Indicator(**v) for k, v in settings["indicators"].items()}
    indicators = saved.indicators if saved.indicators is not None else pd.DataFrame()
    ind_names = slugs(indicators["indicator"]) if len(indicators) else {}
    for ind, rows in indicators.groupby("indicator", sort=False):
        label = definitions[str(ind)].label(lang)
        worse = definitions[str(ind)].worse
        # the legend and the tooltips say what the numbers are: per cent, per 1 000, tkr
        unit = _unit(definitions[str(ind)])
        valued = f"{label} ({unit})" if unit else label
        table = rows
        planned.append(
            (
                f"indicator_{ind_names[ind]}.html",
                label,
                lambda t=table, lab=label, val=valued, w=worse: gm.choropleth_map(
                    areas,
                    t,
                    column="value",
                    label=val,
                    worse=w,
                    id_column="code",
                    suppressed="suppressed",
                    title=lab,
                    style=style,
                ),
            )
        )

    if saved.location_quotients is not None:
        lq = saved.location_quotients.set_index("code")
        lq_title = _title(
            lang, "Location quotients (latest year)", "Lokaliseringskvoter (senaste år)"
        )
        planned.append(
            (
                "segregation_location_quotient.html",
                lq_title,
                lambda: gm.local_index_map(
                    areas,
                    lq,
                    columns=list(lq.columns.drop("suppressed")),
                    centers=dict.fromkeys(lq.columns.drop("suppressed"), 1.0),
                    suppressed="suppressed",
                    title=lq_title,
                    style=style,
                ),
            )
        )

    hotspots = saved.hotspots
    if hotspots is not None:
        latest_hot, latest = latest_year(hotspots)  # a single-year register: all rows
        when = "" if latest is None else f" ({latest})"
        var_names = variable_slugs(latest_hot["variable"])
        for var, rows in latest_hot.groupby("variable"):
            hs = rows.set_index("id")
            safe = var_names[var]
            what = indicator_label(str(var), definitions, lang)
            found = indicator_for(str(var), definitions)
            title = _title(
                lang,
                f"Clusters of high and low values: {what}{when}",
                f"Kluster av höga och låga värden: {what}{when}",
            )
            planned.append(
                (
                    f"hotspots_{safe}.html",
                    title,
                    lambda h=hs, t=title, y=latest, lab=what, ind=found: gm.lisa_map(
                        areas,
                        h,
                        alpha=settings["hotspots"]["alpha"],
                        year=y,
                        title=t,
                        label=lab,
                        worse=ind.worse if ind else "none",
                        share=bool(ind and ind.kind == "share"),
                        suppressed="suppressed",
                        style=style,
                    ),
                )
            )

    follow_up = _follow_up(saved)
    if follow_up is not None:
        # the maps mark areas with few residents as suppressed; the report leaves them out
        planned += _follow_up_maps(
            follow_up, definitions, areas, style, lang, emerging=saved.emerging
        )

    access = _below_threshold(saved.access) if saved.access is not None else None
    if access is not None:
        everyone = settings.get("total")
        by_group = access
        summary = access
        if "group" in summary and len(summary):
            everyone = everyone or summary["group"].iloc[0]
            summary = summary[summary["group"] == everyone]
        access = summary  # the report speaks of all residents
        kind_names = slugs(by_group["kind"])
        services = saved.services
        targets = acc.get("groups", {})
        for kind, rows in by_group.groupby("kind"):
            points = None if services is None else services[services["kind"] == kind]
            group = None
            if "group" in rows:  # the kind's target group (children 0-5 for family centres)
                present = set(rows["group"].astype(str))
                group = targets.get(str(kind))
                group = group if group in present else everyone
            what = kind_label(str(kind), lang)
            if group and group != everyone and group_label(group, lang):
                what += f" ({group_label(group, lang).lower()})"
            title = _title(lang, f"Walking time: {what}", f"Gångtid: {what}")
            if acc.get("method") is not None:  # straight-line fallback: say so
                detour = f"{acc['detour']:g}"
                title += _title(
                    lang,
                    f" (straight-line distance x {detour}, no street network)",
                    f" (fågelvägen x {detour}, inget gatunät)",
                )
            planned.append(
                (
                    f"access_{kind_names[kind]}.html",
                    title,
                    lambda r=rows, s=points, k=kind, t=title, g=group: gm.access_map(
                        areas,
                        r,
                        kind=k,
                        group=g,
                        services=s,
                        isochrones=saved.isochrones,
                        minutes=acc["minutes"],
                        title=t,
                        style=style,
                    ),
                )
            )

    names = [file for file, _, _ in planned] + ["index.html", "report.html", "report.pdf", MANIFEST]
    inputs = [Path(p) for p in settings.get("inputs", [])]
    # every target is checked (inside the folder, not an input, ours or --overwrite) first
    check_targets([maps_dir / n for n in names], root=maps_dir, inputs=inputs, overwrite=True)
    check_output_folder(maps_dir, names, overwrite=overwrite)
    logger.info("writing into %s: %s", maps_dir, ", ".join(names))
    maps_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(maps_dir, names)
    report_path = maps_dir / "report.html"
    write_the_report = _report_writer(
        saved,
        report_path,
        lang=lang,
        definitions=definitions,
        indicators=indicators,
        follow_up=follow_up,
        access=access,
        threshold=threshold,
        inputs=inputs,
        meta=meta,
    )
    # The report lists the maps, which are known before they are drawn: it is written first
    # and printed to PDF by Chromium (another process, on another core) while the maps are
    # drawn. A map that turns out to be empty is left out; the report is then written and
    # printed again, so that it lists exactly the maps written.
    titles = [(file, title) for file, title, _ in planned]
    report = write_the_report(titles)
    printing = start_pdf(report_path, maps_dir / "report.pdf", root=maps_dir, inputs=inputs)
    notice = disclosure.notice(lang)
    written: list[Path] = []
    entries = []
    try:
        if before_writing is not None:
            before_writing()
        for file, title, build in planned:
            try:
                m = build()
            except InputError as exc:
                logger.warning("map %s skipped: %s", file, exc)
                continue
            if notice:
                m.add_child(Note(notice, position="topright", cls="geoseg-disclosure"))
            written.append(
                gm.save_map(
                    m,
                    maps_dir / file,
                    back="index.html",
                    root=maps_dir,
                    inputs=inputs,
                    metadata=meta,
                )
            )
            entries.append({"file": file, "title": title})
    except BaseException:
        if printing is not None:
            printing.cancel()
            with contextlib.suppress(Exception):
                printing.result()
        raise
    drawn = [(e["file"], e["title"]) for e in entries]
    if drawn != titles:
        if printing is not None:
            with contextlib.suppress(Exception):  # the report changes: printed again below
                printing.result()
        report = write_the_report(drawn)
        printing = start_pdf(report_path, maps_dir / "report.pdf", root=maps_dir, inputs=inputs)
    entries.append({"file": "report.html", "title": _title(lang, "Report", "Rapport")})
    written.append(report)
    if printing is None:
        logger.warning("report.pdf not written: no Chromium found to print the report")
    else:
        written.append(printing.result())
        entries.append(
            {"file": "report.pdf", "title": _title(lang, "Report (PDF, A4)", "Rapport (PDF, A4)")}
        )
    written.append(
        write_index(
            maps_dir,
            entries,
            title=settings["title"],
            lang=lang,
            fictional=fictional,
            definitions=definitions,
            inputs=inputs,
            metadata=meta,
        )
    )
    write_manifest(maps_dir, written, project=Path(settings["project"]), metadata=meta)
    return written


def _report_writer(
    saved: SavedResults,
    report_path: Path,
    *,
    lang: str,
    definitions: dict[str, Indicator],
    indicators: pd.DataFrame,
    follow_up: Any,
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


def _breaks(settings: dict[str, Any]) -> list[Any]:
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


def _follow_up(saved: SavedResults) -> Any:
    """The follow-up over the years as published (emerging hotspots of areas with few residents
    left out), or ``None`` when the run had none."""
    from geoseg.trends import ProjectTrends

    if saved.area_trends is None and saved.emerging is None:
        return None
    emerging = saved.emerging if saved.emerging is not None else pd.DataFrame()
    if "suppressed" in emerging:
        # an area that had fewer residents than the threshold in some year shows no pattern
        keep = ~emerging["suppressed"].fillna(False).to_numpy(dtype=bool)
        emerging = emerging[keep].drop(columns="suppressed")
    empty = pd.DataFrame()
    return ProjectTrends(
        emerging=emerging,
        areas=saved.area_trends if saved.area_trends is not None else empty,
        gaps=saved.gap_trends if saved.gap_trends is not None else empty,
        gap_series=saved.gap_series if saved.gap_series is not None else empty,
        notes=list(saved.settings.get("notes", [])),
    )


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


def _follow_up_maps(
    follow_up: Any,
    definitions: Any,
    areas: Any,
    style: Any,
    lang: str,
    *,
    emerging: Any = None,
) -> list[tuple[str, str, Any]]:
    """Planned maps of the follow-up: one emerging hotspot map per variable, one trend map per
    indicator (change per year, diverging around no change). ``emerging``: the gated emerging
    hotspots with their ``suppressed`` marks (default ``follow_up.emerging``)."""
    from geoseg.i18n import tr
    from geoseg.publish import maps as gm

    labels = _follow_up_labels(follow_up, definitions, lang)
    planned: list[tuple[str, str, Any]] = []
    if emerging is None:
        emerging = follow_up.emerging
    if len(emerging):
        var_names = variable_slugs(emerging["variable"])
        for var, rows in emerging.groupby("variable", sort=False):
            safe = var_names[var]
            label = labels.get(str(var), str(var))
            title = f"{tr('emerging_hotspots', lang)}: {label}"
            by_code = rows.set_index("id")
            worse = _worse(var, definitions)
            planned.append(
                (
                    f"emerging_hotspots_{safe}.html",
                    title,
                    lambda r=by_code, lab=label, t=title, w=worse: gm.emerging_map(
                        areas,
                        r,
                        label=lab,
                        worse=w,
                        title=t,
                        suppressed="suppressed" if "suppressed" in r.columns else None,
                        style=style,
                    ),
                )
            )
    trends = follow_up.areas
    if len(trends):
        words = {
            "increasing": tr("trend_increasing", lang),
            "decreasing": tr("trend_decreasing", lang),
            "no trend": tr("trend_none", lang),
        }
        ind_names = slugs(trends["indicator"])
        for ind, rows in trends.groupby("indicator", sort=False):
            if not rows["slope"].notna().any():
                continue  # no area has three comparable years: nothing to map
            label = labels.get(str(ind), str(ind))
            title = f"{tr('trend_slope', lang)}: {label}"
            table = rows.assign(
                direction_text=rows["direction"].map(words),
                note=[
                    series_note_text(n, lang) for n in rows["series_note"].fillna("").astype(str)
                ],
            )
            worse = _worse(ind, definitions)
            tips = {
                "direction_text": tr("trend_direction", lang),
                "mk_p_adjusted": tr("p_adjusted", lang),
                "years": tr("trend_years", lang),
                "note": tr("trend_note", lang),
            }
            planned.append(
                (
                    f"trend_{ind_names[ind]}.html",
                    title,
                    lambda t=table, lab=label, ti=title, tp=tips, w=worse: gm.choropleth_map(
                        areas,
                        t,
                        column="slope",
                        label=lab,
                        worse=w,
                        id_column="code",
                        diverging_center=0.0,
                        digits=2,
                        suppressed="suppressed",
                        tooltip_columns=tp,
                        title=ti,
                        style=style,
                    ),
                )
            )
    return planned


def _worse(variable: Any, definitions: Any) -> str:
    """The unfavourable end of a result variable's indicator (``"none"`` when unknown)."""
    ind = indicator_for(str(variable), definitions)
    return ind.worse if ind is not None else "none"


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
    title = _title(lang, "Indicators by area, latest year", "Indikatorer per område, senaste år")
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

    out = [
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
