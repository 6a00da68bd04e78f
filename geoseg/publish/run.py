"""Publish a run: one HTML map per result, ``index.html`` linking them, and ``report.html``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import series_note_text, tr
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
from geoseg.publish._run_report import (
    _below_threshold,
    _follow_up_labels,
    _report_writer,
    _unit,
)
from geoseg.publish.disclosure import Disclosure
from geoseg.publish.gather import population
from geoseg.publish.index import about_run, write_index
from geoseg.publish.pdf import start_pdf
from geoseg.years import latest_year

__all__ = ["population", "publish"]

logger = logging.getLogger(__name__)


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
    meta = disclosure.metadata(lang)
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
        lq_title = tr("title_lq", lang)
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
            title = tr("title_clusters", lang, what=what, when=when)
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
            title = tr("title_walking", lang, what=what)
            if acc.get("method") is not None:  # straight-line fallback: say so
                detour = f"{acc['detour']:g}"
                title += tr("title_straight_line", lang, detour=detour)
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
    entries.append({"file": "report.html", "title": tr("title_report", lang)})
    written.append(report)
    if printing is None:
        logger.warning("report.pdf not written: no Chromium found to print the report")
    else:
        written.append(printing.result())
        entries.append({"file": "report.pdf", "title": tr("title_report_pdf", lang)})
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
            about=about_run(settings, lang=lang, areas=len(areas)),
        )
    )
    write_manifest(maps_dir, written, project=Path(settings["project"]), metadata=meta)
    return written


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
