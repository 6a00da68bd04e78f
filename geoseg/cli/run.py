"""``geoseg run``: the whole job on a project (the example city by default)."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import overwrite_option

__all__ = ["run"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder (default: the project's; ./output for the example city).",
)
@click.option(
    "--maps",
    "maps_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Maps folder (default: OUTPUT/maps; ./maps for the example city).",
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(["segregation", "hotspots", "trends", "access", "maps"]),
    help="Run only these stages (repeatable; default all).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), help="Language of maps and report.")
@overwrite_option()
def run(
    config: Path | None,
    output: Path | None,
    maps_dir: Path | None,
    stages: tuple[str, ...],
    lang: str | None,
    overwrite: bool,
) -> None:
    """Run segregation, hotspots, trends, access, maps and report on a project.

    Without CONFIG, runs on the embedded example city (fictional) and writes ./output and
    ./maps; open maps/index.html in a browser. Files a previous run wrote are replaced; other
    files are never replaced without --overwrite.

    \b
    Examples:
        geoseg run
        geoseg run geoseg.toml --lang en
        geoseg run geoseg.toml --stage segregation --stage hotspots
    """
    from geoseg.pipeline import STAGES, run_project

    result = run_project(
        config,
        output=output,
        maps=maps_dir,
        stages=stages or STAGES,
        lang=lang,
        overwrite=overwrite,
    )
    for line in result.warnings:
        click.echo(f"warning: {line}", err=True)
    click.echo(f"results: {result.output}")
    if "maps" in (stages or STAGES):
        click.echo(f"maps:    {result.maps / 'index.html'}")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    click.echo(f"timings: {timing}", err=True)
