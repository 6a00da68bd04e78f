"""``geoseg network``: convert or download a walking street network to GraphML."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option
from geoseg.settings import ANALYSIS_CRS

__all__ = ["network"]


@click.command()
@click.argument(
    "source", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--place", help="Download the walking network of this place through OSMnx (online).")
@click.option("--crs", default=ANALYSIS_CRS, show_default=True, help="Projected CRS, metres.")
@click.option(
    "--cache-folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="OSMnx cache folder for downloads (re-used on the next run).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="GraphML file to write.",
)
@overwrite_option()
def network(
    source: Path | None,
    place: str | None,
    crs: str,
    cache_folder: Path | None,
    output: Path,
    overwrite: bool,
) -> None:
    """Read an OSM file (or download a place) and save the projected walking network.

    \b
    Examples:
        geoseg network data/network/example_streets.osm.bz2 -o streets.graphml
        geoseg network --place "Göteborg, Sweden" -o goteborg.graphml
    """
    from geoseg.errors import InputError
    from geoseg.io import read_network, write_network

    if (source is None) == (place is None):
        msg = "give either an OSM/GraphML SOURCE file or --place NAME, not both or neither"
        raise InputError(msg)
    graph = read_network(source, place=place, crs=crs, cache_folder=cache_folder)
    write_network(graph, output, overwrite=overwrite, inputs=[source] if source else [])
    click.echo(
        f"wrote {output}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges",
        err=True,
    )
