"""``geoseg validate``: check a project file and every input it names."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import config_argument_path

__all__ = ["validate"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
def validate(config: Path | None) -> None:
    """Validate a project file (geoseg.toml) and the files it names.

    Every problem of every input is reported at once, and every check that `geoseg run` makes
    before computing: what validate accepts, run accepts, and what run would refuse, validate
    refuses with the same message. Exit code 0 when the project can be analysed (warnings,
    such as codes without a polygon and what run does with them, are listed), 2 when it cannot.

    \b
    Example:
        geoseg validate geoseg.toml
        geoseg validate            # the embedded example city
    """
    from geoseg.io import describe_project, load_project
    from geoseg.levels import describe_levels, project_at_level
    from geoseg.preflight import check_run

    path = config_argument_path(config)
    data = load_project(path)
    lines = describe_project(data)
    lines.extend(describe_levels(data))
    # what run checks, at the level it runs at by default
    lines.extend(f"warning: {note}" for note in check_run(project_at_level(data).data))
    for line in lines:
        click.echo(line)
    click.echo(f"{path}: OK, ready for analysis")
