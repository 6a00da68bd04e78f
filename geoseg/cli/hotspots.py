"""``geoseg hotspots``: local Moran's I clusters of one variable or rate for one year."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from geoseg.cli._common import (
    areas_register_options,
    emit,
    format_option,
    output_option,
    overwrite_option,
    prepare_outputs,
    project_level,
    seed_option,
    unsuppressed_option,
)
from geoseg.settings import DEFAULT_PERMUTATIONS, SUPPRESSION_THRESHOLD

__all__ = ["JSON_COLUMNS", "hotspots"]

logger = logging.getLogger(__name__)

#: Keys of each JSON record.
JSON_COLUMNS = ["id", "value", "I", "quadrant", "p_value", "p_adjusted", "label"]
_TABLE_COLUMNS = [*JSON_COLUMNS, "significant", "suppressed"]


@click.command()
@areas_register_options("values", project=True)
@click.option("--variable", help="Column to analyse (e.g. median_income_tkr).")
@click.option(
    "--rate",
    help="Rate NUMERATOR:DENOMINATOR of two count columns, analysed after empirical Bayes "
    "standardisation (e.g. foreign_born:pop_total).",
)
@click.option("--year", type=int, help="Year to analyse (default: the latest in the register).")
@click.option(
    "--year-column", default="year", show_default=True, help="Year column of the register."
)
@click.option(
    "--weights",
    "weights_spec",
    default="queen",
    show_default=True,
    help="Spatial weights: queen, rook, knn:K, distance:METRES or kernel:BANDWIDTH.",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=1),
    default=DEFAULT_PERMUTATIONS,
    show_default=True,
    help="Conditional permutations per area.",
)
@seed_option()
@click.option(
    "--alpha",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Significance level for the adjusted p-values.",
)
@click.option(
    "--correction",
    type=click.Choice(["fdr", "bonferroni", "none"]),
    default="fdr",
    show_default=True,
    help="Multiple-testing correction (fdr = Benjamini-Hochberg).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "sv"]),
    default="en",
    show_default=True,
    help="Language of the cluster labels (en: High-High ...; sv: Hög-Hög ...).",
)
@click.option(
    "--population",
    "population_column",
    default="pop_total",
    show_default=True,
    help="Register column with the residents of each area: an area with fewer than the "
    "disclosure threshold has its value, statistic and cluster suppressed.",
)
@click.option(
    "--threshold",
    type=click.IntRange(min=0),
    default=SUPPRESSION_THRESHOLD,
    show_default=True,
    help="Disclosure threshold (values below 3 need --allow-small-counts).",
)
@click.option("--allow-small-counts", is_flag=True, help="Accept a disclosure threshold below 3.")
@format_option(extra=("gpkg",))
@output_option()
@overwrite_option()
@unsuppressed_option()
def hotspots(
    areas: Path | None,
    id_column: str | None,
    register_path: Path | None,
    register_id: str | None,
    project_path: Path | None,
    level: str | None,
    variable: str | None,
    rate: str | None,
    year: int | None,
    year_column: str,
    weights_spec: str,
    permutations: int,
    seed: int,
    alpha: float,
    correction: str,
    lang: str,
    fmt: str,
    population_column: str,
    threshold: int,
    allow_small_counts: bool,
    output: Path | None,
    overwrite: bool,
    unsuppressed: bool,
) -> None:
    """Find clusters (High-High, Low-Low, High-Low, Low-High) of one register variable or rate
    with local Moran's I, conditional permutation p-values and a multiple-testing correction.

    Areas without a neighbour are joined to their two nearest areas (reported on standard
    error); areas without a value are left out (reported) and the weights are built on the rest.

    \b
    Example:
        geoseg hotspots data/boundaries/example_areas.gpkg --id code \\
            --register data/registers/example_registers.csv --register-id area_code \\
            --variable median_income_tkr --year 2023 --weights queen \\
            --permutations 999 --seed 12345 --lang sv --format json
        geoseg hotspots --project goteborg.toml --level primaromrade \\
            --rate pop_foreign_born:pop_total
    """
    from geoseg.errors import InputError
    from geoseg.hotspots import parse_weights_spec
    from geoseg.io.results import write_gpkg
    from geoseg.publish.disclosure import Disclosure, gate_hotspots

    disclosure = Disclosure(
        threshold=threshold, allow_small_counts=allow_small_counts, unsuppressed=unsuppressed
    )

    if (variable is None) == (rate is None):
        msg = "give exactly one of --variable COLUMN or --rate NUMERATOR:DENOMINATOR."
        raise click.UsageError(msg)
    numerator = denominator = None
    if rate is not None:
        numerator, _, denominator = rate.partition(":")
        if not numerator or not denominator:
            msg = f"--rate {rate!r}: write NUMERATOR:DENOMINATOR, e.g. foreign_born:pop_total."
            raise InputError(msg)
    parse_weights_spec(weights_spec)  # fail on a bad spec before reading any file
    columns: list[str] = [variable] if variable else [str(numerator), str(denominator)]
    data = project_level(
        project_path, level, areas=areas, id_column=id_column, register=register_path
    )
    inputs: list[Path] = []
    if data is not None:
        from geoseg.io import project_inputs

        inputs = project_inputs(data.project)
        prepare_outputs([output], inputs=inputs, overwrite=overwrite)
        table, chosen_year, population = _from_project(data, columns, year, population_column)
    else:
        assert areas is not None and id_column is not None and register_path is not None
        inputs = [areas, register_path]
        prepare_outputs([output], inputs=inputs, overwrite=overwrite)
        table, chosen_year = _load(
            areas,
            id_column,
            register_path,
            register_id or id_column,
            columns,
            counts=rate is not None,
            year=year,
            year_column=year_column,
        )
    result = _compute(
        table,
        variable=variable,
        numerator=numerator,
        denominator=denominator,
        weights_spec=weights_spec,
        options={
            "permutations": permutations,
            "seed": seed,
            "alpha": alpha,
            "correction": correction,
            "lang": lang,
        },
    )
    if chosen_year is not None:
        logger.info("hotspots for year %s", chosen_year)

    if data is None:
        assert register_path is not None and id_column is not None
        population = _population(
            register_path, register_id or id_column, population_column, year_column, chosen_year
        )
    gated = gate_hotspots(
        result.drop(columns=["id"], errors="ignore").rename_axis("id").reset_index(),
        disclosure,
        population=population,
    )

    def write_layer(path: Path) -> None:
        write_gpkg(path, {"hotspots": gated}, metadata=disclosure.metadata())

    plain = gated.drop(columns="geometry")
    columns = JSON_COLUMNS if fmt == "json" else _TABLE_COLUMNS
    emit(
        plain.loc[:, columns],
        fmt,
        inputs=inputs,
        output=output,
        json_columns=JSON_COLUMNS,
        overwrite=overwrite,
        gdf_writer=write_layer,
        notice=disclosure.notice(),
    )


def _from_project(
    data: Any, columns: list[str], year: int | None, population_column: str
) -> tuple[Any, int | None, Any]:
    """The chosen year's values of a loaded project joined onto its areas, and its residents."""
    import pandas as pd

    from geoseg.errors import InputError
    from geoseg.io import join_register

    reg = data.project.registers
    table = data.placed_register
    missing = [c for c in columns if c not in table.columns]
    if missing:
        msg = (
            f"{data.project.path}: the register has no column {', '.join(map(repr, missing))}; "
            f"columns: {', '.join(map(repr, table.columns))}"
        )
        raise InputError(msg)
    chosen: int | None = None
    if reg.year and reg.year in table.columns:
        years = sorted(int(y) for y in table[reg.year].dropna().unique())
        chosen = years[-1] if year is None else year
        if chosen not in years:
            msg = f"--year {year} is not in the register (years: {', '.join(map(str, years))})."
            raise InputError(msg)
        table = table[table[reg.year].astype(int) == chosen]
    rows = table.loc[:, [reg.id, *dict.fromkeys(columns)]]
    joined = join_register(data.areas, rows, id_column=reg.id, how="left")
    joined = joined.dropna(subset=columns)
    persons = population_column if population_column in table.columns else reg.total
    population = None
    if persons is not None and persons in table.columns:
        population = pd.Series(
            table[persons].to_numpy(dtype=float), index=table[reg.id].astype(str).to_numpy()
        )
    return joined, chosen, population


def _population(
    register_path: Path, register_id: str, column: str, year_column: str, year: int | None
) -> Any:
    """Residents per area (code as text) from the register's ``column``, or ``None``."""
    import pandas as pd

    from geoseg.errors import GeoSegError
    from geoseg.io import read_register

    try:
        reg = read_register(
            register_path, id_column=register_id, year_column=year_column, count_columns=[column]
        )
    except GeoSegError as exc:
        logger.warning(
            "no population column %r usable for disclosure control (%s); only the counts of a "
            "rate are checked",
            column,
            exc,
        )
        return None
    if year is not None and year_column in reg.columns:
        reg = reg[reg[year_column] == year]
    pop = pd.Series(reg[column].to_numpy(), index=reg[register_id].astype(str).to_numpy())
    return pop[~pop.index.duplicated()]


def _load(
    areas_path: Path,
    id_column: str,
    register_path: Path,
    register_id: str,
    columns: list[str],
    *,
    counts: bool,
    year: int | None,
    year_column: str,
) -> tuple[Any, int | None]:
    """Read both files and join the chosen year's values onto the areas."""
    from geoseg.errors import InputError, format_codes
    from geoseg.io import join_register, read_boundaries, read_register
    from geoseg.years import latest_year

    gdf = read_boundaries(areas_path, id_column=id_column)
    register = read_register(
        register_path,
        id_column=register_id,
        year_column=year_column,
        count_columns=columns if counts else None,
        amount_columns=None if counts else columns,
    )
    chosen: int | None = None
    if year_column in register.columns:
        years = sorted(int(y) for y in register[year_column].dropna().unique())
        latest = latest_year(register, year_column=year_column)[1]
        chosen = year if year is not None or latest is None else int(latest)
        if chosen not in years:
            msg = (
                f"{register_path}: --year {year} is not in column '{year_column}' "
                f"(years: {', '.join(map(str, years))})."
            )
            raise InputError(msg)
        register = register[register[year_column] == chosen]
    elif year is not None:
        msg = (
            f"{register_path}: --year {year} given but the register has no column "
            f"'{year_column}'; name it with --year-column or leave out --year."
        )
        raise InputError(msg)
    rows = register.loc[:, [register_id, *dict.fromkeys(columns)]]
    joined = join_register(gdf, rows, id_column=register_id, how="left")
    absent = joined.index[joined[columns].isna().any(axis=1)]
    if len(absent) == len(joined):
        msg = (
            f"{register_path}: no area of {areas_path} has a value of "
            f"{', '.join(columns)}{f' in {chosen}' if chosen is not None else ''}; check "
            f"--id/--register-id (codes such as {format_codes(gdf.index[:3])})."
        )
        raise InputError(msg)
    if len(absent):
        logger.warning(
            "%d area(s) without a value of %s are left out: %s",
            len(absent),
            ", ".join(columns),
            format_codes(absent),
        )
        joined = joined.drop(index=absent)
    return joined, chosen


def _compute(
    table: Any,
    *,
    variable: str | None,
    numerator: str | None,
    denominator: str | None,
    weights_spec: str,
    options: dict[str, Any],
) -> Any:
    """Build the weights and run local Moran's I (plain or empirical Bayes rate)."""
    from geoseg.errors import format_codes
    from geoseg.hotspots import build_weights, local_moran, local_moran_rate

    if variable is not None or denominator is None:
        weights = build_weights(table, weights_spec)
        return local_moran(table, variable, weights=weights, **options)
    empty = table.index[table[denominator] <= 0]
    if len(empty):
        logger.warning(
            "%d area(s) with %s = 0 have no rate and are left out: %s",
            len(empty),
            denominator,
            format_codes(empty),
        )
        table = table.drop(index=empty)
    weights = build_weights(table, weights_spec)
    return local_moran_rate(table, str(numerator), denominator, weights=weights, **options)
