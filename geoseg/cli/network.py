"""``geoseg network``: convert and clip a street network (OSM extract, GraphML, download)."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option
from geoseg.settings import ANALYSIS_CRS, DEFAULT_MINUTES, WALK_SPEED_KMH

__all__ = ["network"]

#: Default band kept around --clip-to: the distance walked in the default time threshold.
DEFAULT_BUFFER_M = DEFAULT_MINUTES * 60.0 * WALK_SPEED_KMH / 3.6


@click.command()
@click.argument(
    "source", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--place", help="Download the walking network of this place through OSMnx (online).")
@click.option("--crs", default=ANALYSIS_CRS, show_default=True, help="Projected CRS, metres.")
@click.option(
    "--network-type",
    type=click.Choice(["walk", "bike"]),
    default="walk",
    show_default=True,
    help="Which ways of an OSM extract are kept (OSMnx's filter of the same name).",
)
@click.option(
    "--clip-to",
    "clip_to",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Keep only the streets near these polygons (any vector file: the project's areas).",
)
@click.option(
    "--layer", help="Layer of the --clip-to file, when it has several layers with geometry."
)
@click.option(
    "--buffer",
    "buffer_m",
    type=click.FloatRange(min=0),
    default=None,
    help=(
        "Metres kept around the --clip-to polygons "
        f"[default: {DEFAULT_BUFFER_M:g}, the walk in {DEFAULT_MINUTES:g} minutes]."
    ),
)
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
    help="File to write: .npz (network arrays, read in milliseconds) or .graphml.",
)
@overwrite_option()
def network(
    source: Path | None,
    place: str | None,
    crs: str,
    network_type: str,
    clip_to: Path | None,
    layer: str | None,
    buffer_m: float | None,
    cache_folder: Path | None,
    output: Path,
    overwrite: bool,
) -> None:
    """Read a street network, optionally clip it to an area, and save it.

    SOURCE is an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2, .osm.gz: a Geofabrik or
    BBBike download or a file cut with `osmium extract`), a GraphML file or saved arrays
    (.npz). Ways cut at the extract's edge keep their parts inside it. The output (.npz) can
    be named as [network] path in a project file.

    \b
    Examples:
        geoseg network sweden-latest.osm.pbf --clip-to data/boundaries/example_areas.gpkg \\
            --buffer 2000 -o city.npz
        geoseg network data/network/example_streets.osm.pbf -o streets.graphml
        geoseg network --place "Göteborg, Sweden" -o goteborg.npz
    """
    from geoseg.errors import InputError
    from geoseg.io import read_layer, read_network, write_network

    if (source is None) == (place is None):
        msg = "give either an OSM/GraphML SOURCE file or --place NAME, not both or neither"
        raise InputError(msg)
    if buffer_m is not None and clip_to is None:
        msg = "--buffer needs --clip-to (the polygons the band is drawn around)"
        raise InputError(msg)
    suffix = output.suffix.lower()
    if suffix not in (".npz", ".graphml"):
        msg = f"{output}: give an output file ending in .npz (network arrays) or .graphml"
        raise InputError(msg)
    if output.exists() and not overwrite:
        msg = f"{output}: exists; choose another file or pass --overwrite."
        raise InputError(msg)
    area = None if clip_to is None else read_layer(clip_to, layer=layer, crs=crs)
    net = read_network(
        source,
        place=place,
        crs=crs,
        network_type=network_type,
        clip=area,
        buffer_m=DEFAULT_BUFFER_M if buffer_m is None else buffer_m,
        cache_folder=cache_folder,
    )
    inputs = [p for p in (source, clip_to) if p is not None]
    write_network(net, output, overwrite=overwrite, inputs=inputs)
    km = float(net.edge_length.sum()) / 1000.0
    info = net.info
    text = f"wrote {output}: {net.n_nodes} nodes, {net.n_edges} edges, {km:.1f} km of streets"
    if info.get("ways_cut"):
        text += f"; {info['ways_cut']} ways cut at the extract's edge kept their inside parts"
    if info.get("clipped"):
        text += f"; clipped to {clip_to} plus {float(info.get('buffer_m') or 0):g} m"
    click.echo(text, err=True)
