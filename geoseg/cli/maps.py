"""``geoseg maps``: redraw the maps, index page and report from a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option

__all__ = ["maps"]


@click.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "maps_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Maps folder (default: the run's maps folder inside RESULTS, else RESULTS/maps; "
        "pages in another language than those already there go to maps_<lang>)."
    ),
)
@click.option("--lang", type=click.Choice(["sv", "en"]), help="Language of labels.")
@overwrite_option()
def maps(results: Path, maps_dir: Path | None, lang: str | None, overwrite: bool) -> None:
    """Redraw every map, maps/index.html and the report from a results folder, in seconds.

    RESULTS is the folder `geoseg run` wrote its tables into. Nothing is computed again
    (no indices, permutations, routing or OSM reading): the saved tables, layers and settings
    are drawn, through the same disclosure gate as the run's.

    \b
    Examples:
        geoseg run geoseg.toml            # writes output/ and output/maps/
        geoseg maps output --lang en      # in English, into output/maps_en/
        geoseg maps output --lang en --overwrite   # in English, replacing output/maps/
        geoseg maps output --out published/
    """
    from geoseg.errors import InputError
    from geoseg.publish.redraw import redraw

    if results.is_file():
        msg = (
            f"{results}: `geoseg maps` redraws from a results folder, not a project file; run "
            f"`geoseg run {results}` first, then `geoseg maps <its output folder>`."
        )
        raise InputError(msg)
    written = redraw(results, maps_dir=maps_dir, lang=lang, overwrite=overwrite)
    index = next((p for p in written if p.name == "index.html"), None)
    click.echo(f"maps: {index if index is not None else results}")
