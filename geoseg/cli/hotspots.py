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
    from geoseg.hotspots.inputs import local_moran_for, residents, year_values
    from geoseg.io import project_inputs, read_boundaries, read_register
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
    if data is not None:
        reg = data.project.registers
        inputs = project_inputs(data.project)
        prepare_outputs([output], inputs=inputs, overwrite=overwrite)
        gdf, register, source = data.areas, data.placed_register, data.project.path
        reg_id, year_col = reg.id, reg.year
        if population_column not in register.columns and reg.total:
            population_column = reg.total
        people: Any = register
    else:
        assert areas is not None and id_column is not None and register_path is not None
        inputs = [areas, register_path]
        prepare_outputs([output], inputs=inputs, overwrite=overwrite)
        reg_id, year_col, source = register_id or id_column, year_column, register_path
        gdf = read_boundaries(areas, id_column=id_column)
        register = read_register(
            register_path,
            id_column=reg_id,
            year_column=year_column,
            count_columns=columns if rate is not None else None,
            amount_columns=None if rate is not None else columns,
        )
        people = None
    table, chosen_year = year_values(
        gdf,
        register,
        columns,
        id_column=reg_id,
        year=year,
        year_column=year_col,
        source=source,
    )
    result = local_moran_for(
        table,
        str(variable or numerator),
        denominator=denominator,
        weights=weights_spec,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
        correction=correction,
        lang=lang,
    )
    if chosen_year is not None:
        logger.info("hotspots for year %s", chosen_year)
    if data is None:  # read again with the population as a count (may be absent)
        assert register_path is not None
        people = _population_register(register_path, reg_id, population_column, year_column)
    population = None
    if people is not None:
        population = residents(
            people, population_column, id_column=reg_id, year=chosen_year, year_column=year_col
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


def _population_register(
    register_path: Path, register_id: str, column: str, year_column: str
) -> Any:
    """The register read again with ``column`` as a count, or ``None`` (with a warning)."""
    from geoseg.errors import GeoSegError
    from geoseg.io import read_register

    try:
        return read_register(
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
