"""``geoseg maps``: publish the maps, index page and report of a project."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option

__all__ = ["maps"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "maps_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Maps folder (default: the project's OUTPUT/maps; ./maps for the example city).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), help="Language of labels.")
@click.option("--no-access", is_flag=True, help="Skip the walking-access maps (faster).")
@click.option(
    "--level",
    metavar="NAME",
    help="Area level to map, a [levels] key of the project (default: [project] level, else "
    "the [areas] level).",
)
@overwrite_option()
def maps(
    config: Path | None,
    maps_dir: Path | None,
    lang: str | None,
    no_access: bool,
    level: str | None,
    overwrite: bool,
) -> None:
    """Write every map, maps/index.html and the report (offline, self-contained HTML).

    The analyses the maps show are computed first; no table is written besides the maps.

    \b
    Examples:
        geoseg maps                       # the example city, into ./maps
        geoseg maps geoseg.toml --lang en --out published/
        geoseg maps goteborg.toml --level primaromrade
    """
    import tempfile

    from geoseg.pipeline import run_project

    stages = ["segregation", "hotspots", "trends", "maps"] + ([] if no_access else ["access"])
    if maps_dir is None:  # not inside the temporary results folder, which is removed
        from geoseg.io import read_config

        if config is None:
            maps_dir = Path("maps")
        else:
            project = read_config(config)
            chosen = level or project.project.level
            base = next((k for k, v in project.levels.items() if v.is_base), None)
            below = project.output
            if chosen is not None and chosen != base and chosen in project.levels:
                from geoseg.io.paths import slug

                below = below / slug(chosen)
            maps_dir = below / "maps"
    with tempfile.TemporaryDirectory(prefix="geoseg-maps-") as tmp:
        result = run_project(
            config,
            output=Path(tmp),
            maps=maps_dir,
            stages=stages,
            lang=lang,
            overwrite=overwrite,
            level=level,
        )
    click.echo(f"maps: {result.maps / 'index.html'}")
