"""``geoseg indices``: segregation indices for every year and group of a register."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import (
    areas_register_options,
    emit,
    format_option,
    project_level,
    seed_option,
)

__all__ = ["indices"]

JSON_COLUMNS = ["year", "group", "index", "value", "p_value", "ci_low", "ci_high"]


@click.command()
@areas_register_options("counts", project=True)
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="Group count column (repeat for several groups; with --project default: the "
    "project's groups).",
)
@click.option(
    "--total", help="Total population column (with --project default: the project's total)."
)
@click.option(
    "--year-column",
    default=None,
    help="Year column of the register (default: 'year', when present).",
)
@click.option(
    "--index",
    "index_names",
    multiple=True,
    help="Index to compute (repeat; default: every index).",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Simulated tables for p-values (evenness null; 0 = none).",
)
@seed_option()
@format_option()
def indices(
    areas: Path | None,
    id_column: str | None,
    register_path: Path | None,
    register_id: str | None,
    project_path: Path | None,
    level: str | None,
    groups: tuple[str, ...],
    total: str | None,
    year_column: str | None,
    index_names: tuple[str, ...],
    permutations: int,
    seed: int,
    fmt: str,
) -> None:
    """Compute segregation indices per year: single-group indices for each --group against
    --total, multigroup indices for all groups together, spatial indices on AREAS.

    \b
    Example:
        geoseg indices data/boundaries/example_areas.gpkg --id code \\
            --register data/registers/example_registers.csv --register-id area_code \\
            --group foreign_born --group born_sweden --total pop_total \\
            --index dissimilarity --index multigroup_gini --permutations 999 --format json
        geoseg indices --project goteborg.toml --level stadsomrade --format csv
    """
    from geoseg.io import check_register_against_areas, read_boundaries, read_register
    from geoseg.segregation.trend import indices_with_unplaced

    data = project_level(
        project_path, level, areas=areas, id_column=id_column, register=register_path
    )
    if data is not None:
        reg = data.project.registers
        groups = groups or tuple(reg.groups)
        total = total or reg.total
    if not groups or total is None:
        msg = "give --group (one or more) and --total (or a project that names them)."
        raise click.UsageError(msg)
    if data is not None:
        year = reg.year if reg.year and reg.year in data.register.columns else None
        table = indices_with_unplaced(
            data.register,
            data.areas,
            groups=list(groups),
            total=total,
            index=list(index_names) or None,
            id_column=reg.id,
            year_column=year,
            permutations=permutations,
            seed=seed,
        )
        emit(table.drop(columns="level"), fmt, json_columns=JSON_COLUMNS, inputs=())
        return
    assert areas is not None and id_column is not None and register_path is not None
    register_id = register_id or id_column
    gdf = read_boundaries(areas, id_column=id_column)
    register = read_register(
        register_path,
        id_column=register_id,
        year_column=year_column or "year",
        count_columns=[*groups, total],
        total_column=total,
    )
    year = year_column or "year"
    # refuses a register of another area system; codes without a polygon count in the
    # aspatial indices only (reported on standard error)
    check_register_against_areas(
        register,
        gdf,
        id_column=register_id,
        source=str(register_path),
        year_column=year if year in register.columns else None,
        persons=total,
        areas_source=str(areas),
    )
    table = indices_with_unplaced(
        register,
        gdf,
        groups=list(groups),
        total=total,
        index=list(index_names) or None,
        id_column=register_id,
        year_column=year if year in register.columns else None,
        permutations=permutations,
        seed=seed,
    )
    emit(table.drop(columns="level"), fmt, json_columns=JSON_COLUMNS, inputs=())
