"""``geoseg trends``: emerging hotspots, area trends and gaps between areas over the years."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import (
    config_argument_path,
    emit,
    format_option,
    output_option,
    overwrite_option,
    prepare_outputs,
)

__all__ = ["JSON_COLUMNS", "trends"]

#: Keys of each JSON record, per table.
JSON_COLUMNS = {
    "emerging": [
        "variable",
        "id",
        "category",
        "label",
        "years_hot",
        "years_cold",
        "trend_tau",
        "trend_p",
        "series_note",
    ],
    "areas": [
        "indicator",
        "code",
        "first_year",
        "last_year",
        "slope",
        "slope_low",
        "slope_high",
        "mk_p",
        "mk_p_adjusted",
        "direction",
        "series_note",
        "suppressed",
    ],
    "gaps": [
        "indicator",
        "measure",
        "first_year",
        "last_year",
        "gap_first",
        "gap_last",
        "slope",
        "slope_low",
        "slope_high",
        "mk_p",
        "verdict",
        "series_note",
    ],
}


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--table",
    "which",
    type=click.Choice(list(JSON_COLUMNS)),
    default="emerging",
    show_default=True,
    help="emerging: each area's emerging hotspot category per [hotspots] variable; areas: "
    "each area's trend per indicator; gaps: has the gap between areas grown?",
)
@click.option(
    "--variable",
    "variables",
    multiple=True,
    help="Only this hotspot variable or indicator (repeatable; e.g. median_income_tkr).",
)
@click.option(
    "--time-window",
    type=click.IntRange(min=0),
    help="Earlier years in each Gi* neighbourhood (default: [trends] time_window, 1).",
)
@click.option(
    "--method",
    type=click.Choice(["theil_sen", "ols"]),
    help="Slope estimator (default: [trends] method, theil_sen).",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=1),
    help="Conditional permutations per area-year (default: [hotspots] permutations).",
)
@click.option("--seed", type=int, help="Random seed (default: [hotspots] seed).")
@click.option(
    "--level",
    metavar="NAME",
    help="The area level (a [levels] key; default [project] level, else the [areas] level), "
    "as `geoseg run --level`.",
)
@click.option("--lang", type=click.Choice(["en", "sv"]), help="Language of the labels.")
@format_option()
@output_option()
@overwrite_option()
def trends(
    config: Path | None,
    which: str,
    variables: tuple[str, ...],
    time_window: int | None,
    method: str | None,
    permutations: int | None,
    seed: int | None,
    level: str | None,
    lang: str | None,
    fmt: str,
    output: Path | None,
    overwrite: bool,
) -> None:
    """Follow a project over the years: emerging hot and cold spots (space-time Gi* and the
    Mann-Kendall trend of each area's z-scores, in Esri's categories), each area's trend of
    each indicator (slope with its 95 % interval, Mann-Kendall p-value adjusted for multiple
    testing), and whether the gap between the best and the worst areas grows.

    Needs at least three consecutive years in the register; series breaks declared in the
    project file ([[series.breaks]]) are respected. Without CONFIG, uses
    ./geoseg.toml when present, else the example city.

    \b
    Examples:
        geoseg trends                                  # emerging hotspots of the example city
        geoseg trends geoseg.toml --table areas --variable foreign_born --format csv -o t.csv
        geoseg trends --table gaps --format json
        geoseg trends goteborg.toml --level stadsomrade --table gaps
    """
    from geoseg.indicators import indicator_values
    from geoseg.io import load_project, project_inputs, read_config
    from geoseg.publish.disclosure import Disclosure, gate_emerging, gate_gaps
    from geoseg.publish.gather import published_indicators
    from geoseg.publish.run import population
    from geoseg.stages import series_breaks
    from geoseg.trends import trends_for_project

    project = read_config(config_argument_path(config))
    inputs = project_inputs(project)
    prepare_outputs([output], inputs=inputs, overwrite=overwrite)
    if time_window is not None:
        project.trends.time_window = time_window
    if method is not None:
        project.trends.method = method
    if permutations is not None:
        project.hotspots.permutations = permutations
    if seed is not None:
        project.hotspots.seed = seed
    if lang is not None:
        project.project.lang = lang
    from geoseg.levels import project_at_level

    view = project_at_level(load_project(project), level)
    for note in view.notes:
        click.echo(f"warning: {note}", err=True)
    data = view.data
    result = trends_for_project(data, breaks=series_breaks(project), strict=True)
    disclosure = Disclosure.of(project)
    reg = data.project.registers
    pop = population(data.register, reg)
    emerging = gate_emerging(result.emerging, disclosure, population=pop)
    gaps = result.gaps
    if which == "gaps":
        # each year's gap over the values the indicator table would publish (as `geoseg run`)
        values = indicator_values(
            data.register, data.project.indicators, id_column=reg.id, year_column=reg.year
        )
        shown = published_indicators(values, pop, disclosure)
        gaps, _ = gate_gaps(result, shown, disclosure)
    # area trends are suppressed where they rest on small bases (geoseg.trends)
    table = {"emerging": emerging, "areas": result.areas, "gaps": gaps}[which]
    key = "variable" if which == "emerging" else "indicator"
    if variables and len(table):
        known = sorted(set(table[key].astype(str)))
        unknown = [v for v in variables if v not in known]
        if unknown:
            from geoseg.errors import InputError

            msg = (
                f"--variable {', '.join(unknown)}: not among the {key}s of this table "
                f"({', '.join(known)})."
            )
            raise InputError(msg)
        table = table[table[key].isin(variables)]
    columns = JSON_COLUMNS[which]
    shown = table.reindex(columns=columns) if fmt != "csv" else table
    emit(shown, fmt, output=output, json_columns=columns, overwrite=overwrite, inputs=inputs)
