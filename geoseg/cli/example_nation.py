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
    "--max-areas",
    type=int,
    default=40,
    show_default=True,
    help="Areas in the largest municipality (the smallest have 8).",
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
    municipalities: int, max_areas: int, seed: int, out: Path, overwrite: bool
) -> None:
    """Generate a fictional nation: one example municipality per folder and national.toml.

    Municipality codes are four digits (9901, 9902, ...) and every area code starts with its
    municipality's code. The data are invented and marked as fictional.

    \b
    Examples:
        geoseg example-nation --municipalities 12 --out exempelland
        geoseg run exempelland/national.toml --workers 2
    """
    from geoseg.example.nation import generate_nation

    path = generate_nation(
        out, municipalities=municipalities, seed=seed, max_areas=max_areas, overwrite=overwrite
    )
    click.echo(f"wrote {path}")
