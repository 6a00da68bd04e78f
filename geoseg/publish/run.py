"""Publish a run: one HTML map per result, ``index.html`` linking them, and ``report.html``."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.indicators import indicator_for, indicator_label, indicator_values
from geoseg.io import (
    check_targets,
    project_inputs,
    remove_stale_temporaries,
    slugs,
    variable_slugs,
)
from geoseg.io.results import MANIFEST, check_output_folder, write_manifest
from geoseg.publish.disclosure import (
    Disclosure,
    gate_emerging,
    gate_hotspots,
    gate_indicators,
)
from geoseg.publish.index import write_index
from geoseg.publish.pdf import find_browser, print_pdf

__all__ = ["population", "publish"]

logger = logging.getLogger(__name__)


def _title(lang: str, en: str, sv: str) -> str:
    return sv if lang == "sv" else en


def publish(
    result: Any,
    data: Any,
    access: Any,
    *,
    maps_dir: Path,
    lang: str,
    overwrite: bool = False,
    disclosure: Disclosure | None = None,
    before_writing: Callable[[], object] | None = None,
) -> list[Path]:
    """Write every map of a run, ``index.html`` and ``report.html`` into ``maps_dir``.

    Every file name is a slug of the data it shows and is checked (inside ``maps_dir``, not an
    input, not a file geoseg did not write unless ``overwrite``) before anything is written;
    ``before_writing`` is then called (the run writes its tables there), and the maps follow.
    Every value shown passes through the disclosure gate (``disclosure``, default the project's
    ``[disclosure]``).
    """
    from geoseg.i18n import group_label, kind_label
    from geoseg.publish import maps as gm
    from geoseg.publish.maps._elements import Note
    from geoseg.settings import demand_group

    project = data.project
    fictional = project.project.fictional
    disclosure = disclosure or Disclosure.of(project)
    threshold = disclosure.effective
    meta = disclosure.metadata()
    reg = project.registers
    areas = data.areas.copy()
    name_col = project.areas.name
    if name_col and name_col in areas and name_col != "name":
        areas["name"] = areas[name_col]
    if "name" not in areas:
        areas["name"] = areas.index.astype(str)
    streets = None
    if access is not None and data.has_network:  # read by the access stage already
        streets = gm.street_lines(data.network(), areas=areas)
    style = gm.MapStyle(
        lang=lang, fictional=fictional, threshold=threshold, water=data.water, streets=streets
    )
    planned: list[tuple[str, str, Any]] = []

    definitions = project.indicators
    indicators = indicator_values(
        data.register, definitions, id_column=reg.id, year_column=reg.year
    )
    pop = population(data.register, reg)
    if pop is not None and len(indicators):
        # the residents of the area that year: an amount of few persons is hidden too
        key: Any
        if isinstance(pop.index, pd.MultiIndex):
            key = pd.MultiIndex.from_arrays(
                [indicators["code"].astype(str), pd.to_numeric(indicators["year"])]
            )
        else:
            key = pd.Index(indicators["code"].astype(str))
        indicators["population"] = pop.reindex(key).to_numpy(dtype=float)
    indicators = gate_indicators(indicators, disclosure)
    if "suppressed" not in indicators:
        indicators["suppressed"] = False
    ind_names = slugs(indicators["indicator"])
    for ind, rows in indicators.groupby("indicator", sort=False):
        label = definitions[str(ind)].label(lang)
        worse = definitions[str(ind)].worse
        table = rows
        planned.append(
            (
                f"indicator_{ind_names[ind]}.html",
                label,
                lambda t=table, lab=label, w=worse: gm.choropleth_map(
                    areas,
                    t,
                    column="value",
                    label=lab,
                    worse=w,
                    code_column="code",
                    suppressed="suppressed",
                    title=lab,
                    style=style,
                ),
            )
        )

    if reg.multigroup and len(reg.multigroup) >= 2:
        from geoseg.segregation import location_quotient

        latest = _latest(data.register, reg.year)
        lq = location_quotient(latest.set_index(reg.id), groups=list(reg.multigroup))
        lq_title = _title(
            lang, "Location quotients (latest year)", "Lokaliseringskvoter (senaste år)"
        )
        # a quotient rests on the area's total and on each group's count
        counted = latest.set_index(reg.id)
        persons = [c for c in [reg.total, *reg.multigroup] if c and c in counted]
        few = (counted[persons].reindex(lq.index) < threshold).any(axis=1)
        lq = lq.assign(suppressed=few.to_numpy())
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

    hotspots = None
    if result.hotspots is not None and len(result.hotspots):
        hotspots = gate_hotspots(result.hotspots, disclosure, population=pop)
        latest_hot = hotspots
        latest_year = None
        if latest_hot["year"].notna().any():  # a single-year register has no year
            latest_year = latest_hot["year"].max()
            latest_hot = latest_hot[latest_hot["year"] == latest_year]
        when = "" if latest_year is None else f" ({latest_year})"
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
                    lambda h=hs, t=title, y=latest_year, lab=what, ind=found: gm.lisa_map(
                        areas,
                        h,
                        alpha=project.hotspots.alpha,
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

    follow_up = getattr(result, "follow_up", None)
    gated_emerging = None
    if follow_up is not None and pop is not None and "id" in follow_up.emerging:
        # an area that had fewer residents than the threshold in some year shows no pattern:
        # the maps mark it as suppressed, the report's counts of categories leave it out
        gated_emerging = gate_emerging(follow_up.emerging, disclosure, population=pop)
        em = gated_emerging
        if "suppressed" in em:
            em = em[~em["suppressed"].to_numpy(dtype=bool)].drop(columns="suppressed")
        follow_up = dataclasses.replace(follow_up, emerging=em)
    if follow_up is not None:
        planned += _follow_up_maps(
            follow_up, definitions, areas, style, lang, emerging=gated_emerging
        )

    if access is not None:
        summary = access.summary
        kind_names = slugs(summary["kind"])
        for kind, rows in summary.groupby("kind"):
            group = None
            if "group" in rows:  # the kind's target group (children 0-5 for family centres)
                present = set(rows["group"].astype(str))
                group = demand_group(str(kind), project.services.kinds, total=reg.total)
                group = group if group in present else (reg.total or rows["group"].iloc[0])
            services = access.services[access.services["kind"] == kind]
            iso = result.isochrones
            what = kind_label(str(kind), lang)
            if group and group != reg.total and group_label(group, lang):
                what += f" ({group_label(group, lang).lower()})"
            title = _title(lang, f"Walking time: {what}", f"Gångtid: {what}")
            method = getattr(access, "method", None)  # straight-line fallback: say so
            if method is not None:
                detour = f"{access.detour:g}"
                title += _title(
                    lang,
                    f" (straight-line distance x {detour}, no street network)",
                    f" (fågelvägen x {detour}, inget gatunät)",
                )
            planned.append(
                (
                    f"access_{kind_names[kind]}.html",
                    title,
                    lambda r=rows, s=services, k=kind, t=title, i=iso, g=group: gm.access_map(
                        areas,
                        r,
                        kind=k,
                        group=g,
                        services=s,
                        isochrones=i,
                        minutes=project.access.minutes,
                        title=t,
                        style=style,
                    ),
                )
            )

    names = [file for file, _, _ in planned] + ["index.html", "report.html", "report.pdf", MANIFEST]
    inputs = project_inputs(project)
    # every target is checked (inside the folder, not an input, ours or --overwrite) first
    check_targets([maps_dir / n for n in names], root=maps_dir, inputs=inputs, overwrite=True)
    check_output_folder(maps_dir, names, overwrite=overwrite)
    logger.info("writing into %s: %s", maps_dir, ", ".join(names))
    if before_writing is not None:
        before_writing()
    maps_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(maps_dir, names)
    notice = disclosure.notice(lang)
    written: list[Path] = []
    entries = []
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
    entries.append({"file": "report.html", "title": _title(lang, "Report", "Rapport")})

    report_path = maps_dir / "report.html"
    from geoseg.publish.report import write_report

    latest_ind = _latest(indicators, "year") if len(indicators) else indicators
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
    tabs, masks = _main_tables(main_table, main_mask, definitions, areas, lang)
    hot = None
    if hotspots is not None:
        latest = hotspots
        if latest["year"].notna().any():
            latest = latest[latest["year"] == latest["year"].max()]
        hot = {
            indicator_label(str(v), definitions, lang): rows.set_index("id")
            for v, rows in latest.groupby("variable")
        }
    acc_table = None
    if access is not None:
        acc_table = access.summary
        if "group" in acc_table:
            acc_table = acc_table[acc_table["group"] == (reg.total or acc_table["group"].iloc[0])]
    written.append(
        write_report(
            report_path,
            title=project.project.name,
            lang=lang,
            fictional=fictional,
            segregation=result.indices,
            trend=result.trend,
            indicators=indicators,
            definitions=definitions,
            group_labels=_group_labels(result.indices, definitions, lang),
            tables=tabs,
            table_masks=masks,
            hotspots=hot,
            follow_up=follow_up,
            labels=_follow_up_labels(follow_up, definitions, lang),
            breaks=_breaks(project),
            access=acc_table,
            areas=areas,
            maps=[(e["file"], e["title"]) for e in entries if e["file"] != "report.html"],
            sources=_sources(project, data, lang),
            methods={
                **(_follow_up_methods(follow_up, lang) or {}),
                **(_access_methods(result, project, lang) or {}),
            },
            minutes=project.access.minutes,
            threshold=threshold,
            root=maps_dir,
            inputs=inputs,
            metadata=meta,
        )
    )
    if find_browser() is None:
        logger.warning("report.pdf not written: no Chromium found to print the report")
    else:
        pdf = print_pdf(report_path, maps_dir / "report.pdf", root=maps_dir, inputs=inputs)
        written.append(pdf)
        entries.append(
            {"file": "report.pdf", "title": _title(lang, "Report (PDF, A4)", "Rapport (PDF, A4)")}
        )
    written.append(
        write_index(
            maps_dir,
            entries,
            title=project.project.name,
            lang=lang,
            fictional=fictional,
            definitions=definitions,
            inputs=inputs,
            metadata=meta,
        )
    )
    write_manifest(maps_dir, written, project=project.path, metadata=meta)
    return written


def _breaks(project: Any) -> list[Any]:
    """The project's series breaks for the report's charts (crosswalk files are not read)."""
    from geoseg.trends import SeriesBreak

    return [
        SeriesBreak(
            b.year,
            b.indicators if b.indicators == "all" else tuple(b.indicators),
            b.reason,
            None,
        )
        for b in project.series.breaks
        if b.crosswalk is None
    ]


def _follow_up_labels(follow_up: Any, definitions: Any, lang: str) -> dict[str, str]:
    """Readable names of the indicators and hotspot variables of the follow-up."""
    if follow_up is None:
        return {}
    names: dict[str, str] = {}
    for frame, key in ((follow_up.areas, "indicator"), (follow_up.emerging, "variable")):
        if len(frame) and key in frame:
            for name in pd.unique(frame[key]):
                names[str(name)] = indicator_label(str(name), definitions, lang)
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
                note=rows["series_note"].fillna(""),
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
                        code_column="code",
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


def _access_methods(result: Any, project: Any, lang: str) -> dict[str, str] | None:
    """The report's line on walking access measured without a street network, or skipped."""
    if not getattr(result, "access_note", None):
        return None
    acc = project.access
    if acc.fallback == "straight_line":
        text = tr("access_straight", lang, detour=f"{acc.detour:g}", speed=f"{acc.speed_kmh:g}")
    else:
        text = tr("access_skipped", lang)
    return {tr("walking_access", lang): text}


def population(register: pd.DataFrame, reg: Any) -> pd.Series | None:
    """Residents per (area code, year) of a register, for the disclosure gate (or ``None``)."""
    total = reg.total if reg.total and reg.total in register else None
    if total is None:
        return None
    codes = register[reg.id].astype(str)
    if reg.year and reg.year in register:
        years = pd.to_numeric(register[reg.year], errors="coerce")
        index: pd.Index = pd.MultiIndex.from_arrays([codes, years])
    else:
        index = pd.Index(codes)
    pop = pd.Series(register[total].to_numpy(), index=index)
    return pop[~pop.index.duplicated()]


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
        unit = {"share": "%", "rate": "per 1 000"}.get(ind.kind, ind.unit)
        head = f"{ind.label(lang)} ({unit})" if unit else ind.label(lang)
        table[head] = indicators[col].to_numpy(dtype=float)
        marks[head] = mask[col].to_numpy(dtype=bool) if col in mask else False
    order = table[name].sort_values(kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    marks = marks.loc[order].reset_index(drop=True)
    title = _title(lang, "Indicators by area, latest year", "Indikatorer per område, senaste år")
    return {title: table}, {title: marks}


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


def _sources(project: Any, data: Any, lang: str) -> list[str]:
    """Each input in words: what it is, its file (and the register's years)."""
    from geoseg.i18n import kind_label, tr

    reg = project.registers
    years = ""
    if reg.year and reg.year in data.register:
        ys = sorted({int(y) for y in data.register[reg.year].dropna()})
        years = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0]) if ys else ""
    out = [
        tr("src_boundaries", lang, f=project.areas.path.name),
        tr("src_register", lang, y=years, f=reg.path.name),
    ]
    services = getattr(project, "services", None)
    if services is not None and services.path is not None:
        kinds = ", ".join(kind_label(k, lang).lower() for k in getattr(services, "kinds", {}) or {})
        out.append(tr("src_services", lang, k=kinds, f=services.path.name))
    network = getattr(project, "network", None)
    if network is not None and getattr(network, "path", None) is not None:
        out.append(tr("src_network", lang, f=network.path.name))
    population = getattr(project, "population", None)
    if population is not None and getattr(population, "grid", None) is not None:
        out.append(tr("src_population", lang, f=population.grid.name))
    return out


def _latest(table: pd.DataFrame, year_column: str | None) -> pd.DataFrame:
    if not year_column or year_column not in table or table[year_column].isna().all():
        return table
    return table[table[year_column] == table[year_column].max()]
