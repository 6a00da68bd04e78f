"""``geoseg example-nation``: generate a fictional nation of example municipalities."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option

__all__ = ["example_nation"]


@click.command("example-nation")
@click.option(
    "--municipalities",
    type=int,
    default=12,
    show_default=True,
    help="Number of municipalities (a few large cities, many small towns).",
)
@click.option(
    "--min-areas",
    type=click.IntRange(min=8),
    default=8,
    show_default=True,
    help="Areas in the smallest municipalities.",
)
@click.option(
    "--max-areas",
    type=int,
    default=40,
    show_default=True,
    help="Areas in the largest municipality.",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=0),
    default=99,
    show_default=True,
    help="Permutations of the indices' and hotspots' inference in each municipality.",
)
@click.option(
    "--seed",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed; each municipality's seed derives from it and the municipality code.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the nation into (created when missing; must be empty).",
)
@overwrite_option()
def example_nation(
    municipalities: int,
    min_areas: int,
    max_areas: int,
    permutations: int,
    seed: int,
    out: Path,
    overwrite: bool,
) -> None:
    """Generate a fictional nation: one example municipality per folder and national.toml.

    Municipality codes are four digits (9901, 9902, ...) and every area code starts with its
    municipality's code. The municipalities lie side by side and share one national OSM
    extract (network/national_streets.osm.pbf), which each reads clipped to its own areas plus
    the longest walking distance. The data are invented and marked as fictional.

    \b
    Examples:
        geoseg example-nation --municipalities 12 --out exempelland
        geoseg example-nation --municipalities 290 --min-areas 10 --max-areas 150 \\
            --permutations 999 --out sverige-fiktivt
        geoseg run exempelland/national.toml --workers 2
    """
    from geoseg.example.nation import generate_nation

    path = generate_nation(
        out,
        municipalities=municipalities,
        seed=seed,
        min_areas=min_areas,
        max_areas=max_areas,
        permutations=permutations,
        overwrite=overwrite,
    )
    click.echo(f"wrote {path}")
