"""``geoseg example-city``: generate the fictional example city at any size."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option

__all__ = ["example_city"]


@click.command("example-city")
@click.option(
    "--areas",
    type=int,
    default=100,
    show_default=True,
    help="Number of areas (8 to 10,000; islands included).",
)
@click.option(
    "--seed",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed; the same areas and seed give byte-identical files.",
)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the project into (created when missing; must be empty).",
)
@overwrite_option()
def example_city(areas: int, seed: int, out: Path, overwrite: bool) -> None:
    """Generate a fictional example city: boundaries, registers, services, streets, grid.

    Writes a complete project (geoseg.toml and its data files) that every other command can
    analyse. The data are invented and marked as fictional on every map and in the report.

    \b
    Examples:
        geoseg example-city --out exempelstad
        geoseg example-city --areas 1000 --seed 7 --out big_city
        geoseg run big_city/geoseg.toml
    """
    from geoseg.example import generate_city

    path = generate_city(out, areas=areas, seed=seed, overwrite=overwrite)
    click.echo(f"wrote {path}")
