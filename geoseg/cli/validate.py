"""``geoseg validate``: check a project file, every input it names, and the output folders."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import config_argument_path, overwrite_option
from geoseg.settings import STAGES

__all__ = ["validate"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder `geoseg run -o` would write (default: the project's; ./output for "
    "the example city).",
)
@click.option(
    "--maps",
    "maps_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Maps folder `geoseg run --maps` would write (default: OUTPUT/maps).",
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(STAGES),
    help="The stages `geoseg run --stage` would run (repeatable; default all).",
)
@click.option(
    "--level",
    metavar="NAME",
    help="The area level `geoseg run --level` would analyse (default: [project] level, else "
    "the [areas] level).",
)
@overwrite_option()
def validate(
    config: Path | None,
    output: Path | None,
    maps_dir: Path | None,
    stages: tuple[str, ...],
    level: str | None,
    overwrite: bool,
) -> None:
    """Validate a project file (geoseg.toml), the files it names and the output folders.

    Every problem of every input is reported at once, and every check that `geoseg run` makes
    before computing: what validate accepts, run accepts, and what run would refuse, validate
    refuses with the same message. Give validate the -o, --maps, --stage, --level and
    --overwrite that run will get: the output folders are checked as run checks them (a
    folder that is an input or a file, files of the project that would be written over, files
    not written by geoseg that would be replaced without --overwrite). Exit code 0 when the
    project can be analysed (warnings, such as codes without a polygon and what run does with
    them, are listed), 2 when it cannot.

    \b
    Example:
        geoseg validate geoseg.toml
        geoseg validate geoseg.toml -o results --overwrite
        geoseg validate national.toml   # every municipality of a national project
        geoseg validate            # the embedded example city
    """
    from geoseg.io import describe_project, load_project, read_config
    from geoseg.io.national import is_national
    from geoseg.levels import describe_levels, project_at_level
    from geoseg.preflight import check_outputs, check_run, output_folders

    path = config_argument_path(config)
    if is_national(path):
        from geoseg.national import validate_national

        for line in validate_national(path, output=output, overwrite=overwrite):
            click.echo(line)
        click.echo(f"{path}: OK, every municipality ready for analysis")
        return
    chosen = list(stages or STAGES)
    project = read_config(path)
    out, maps = output_folders(
        project, output=output, maps=maps_dir, example=config is None, level=level
    )
    check_outputs(project, output=out, maps=maps, stages=chosen, overwrite=overwrite)
    data = load_project(project)
    lines = describe_project(data)
    lines.extend(describe_levels(data))
    # what run checks, at the level it runs at
    at_level = project_at_level(data, level).data
    lines.extend(f"warning: {note}" for note in check_run(at_level, stages=chosen, output=out))
    for line in lines:
        click.echo(line)
    click.echo(f"{path}: OK, ready for analysis (results: {out}, maps: {maps})")
