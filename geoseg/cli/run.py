"""``geoseg run``: the whole job on a project (the example city by default)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from geoseg.cli._common import folder_project, overwrite_option, unsuppressed_option
from geoseg.settings import STAGES

__all__ = ["run"]


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
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
    type=click.Choice(STAGES),
    help="Run only these stages (repeatable; default all).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), help="Language of maps and report.")
@click.option(
    "--level",
    metavar="NAME",
    help="Area level to analyse, a [levels] key of the project (default: [project] level, "
    "else the [areas] level); results go to OUTPUT/NAME unless -o is given.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="National project: Dask workers of the local cluster (default 2; 0 runs serially). "
    "City project: 2 (default, or $GEOSEG_WORKERS) runs hotspots, trends and access in a second "
    "process beside segregation; 1 runs the stages one after another.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="National project: an existing Dask scheduler, e.g. tcp://host:8786.",
)
@click.option(
    "--memory-limit",
    metavar="SIZE",
    help="National project: memory limit per local worker, e.g. 2GB (default: Dask's).",
)
@click.option(
    "--force",
    is_flag=True,
    help="National project: rerun municipalities whose inputs are unchanged.",
)
@overwrite_option()
@unsuppressed_option()
def run(
    config: Path | None,
    output: Path | None,
    maps_dir: Path | None,
    stages: tuple[str, ...],
    lang: str | None,
    level: str | None,
    workers: int | None,
    scheduler: str | None,
    memory_limit: str | None,
    force: bool,
    overwrite: bool,
    unsuppressed: bool,
) -> None:
    """Run segregation, hotspots, trends, access, maps and report on a project.

    Without CONFIG, runs the project file of the working folder (./geoseg.toml or
    ./national.toml), or else the embedded example city (fictional), and writes ./output and
    ./maps; open maps/index.html in a browser. Files a previous run wrote are replaced; other
    files are never replaced without --overwrite.

    \b
    Examples:
        geoseg run
        geoseg run geoseg.toml --lang en
        geoseg run geoseg.toml --stage segregation --stage hotspots
        geoseg run goteborg.toml --level stadsomrade
        geoseg run national.toml --workers 2
    """
    from geoseg.io.national import is_national
    from geoseg.pipeline import run_project

    if config is None:
        config = folder_project("run", national=True)
    if config is not None and is_national(config):
        _run_national(
            config, output, stages, lang, workers, scheduler, memory_limit, force, overwrite
        )
        return

    result = run_project(
        config,
        output=output,
        maps=maps_dir,
        stages=stages or STAGES,
        lang=lang,
        overwrite=overwrite,
        unsuppressed=unsuppressed,
        level=level,
        workers=workers if workers is not None or os.environ.get("GEOSEG_WORKERS") else 2,
    )
    if logging.getLogger("geoseg").getEffectiveLevel() > logging.WARNING:
        # each warning was logged as it arose; repeated only when the log is silenced (-qq)
        for line in result.warnings:
            click.echo(f"warning: {line}", err=True)
    click.echo(f"results: {result.output}")
    if "maps" in (stages or STAGES):
        click.echo(f"maps:    {result.maps / 'index.html'}")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    click.echo(f"timings: {timing}", err=True)
    cpu = ", ".join(f"{k} {v:.1f} s" for k, v in result.cpu_timings.items())
    click.echo(f"cpu timings: {cpu}", err=True)


def _run_national(
    config: Path,
    output: Path | None,
    stages: tuple[str, ...],
    lang: str | None,
    workers: int | None,
    scheduler: str | None,
    memory_limit: str | None,
    force: bool,
    overwrite: bool,
) -> None:
    from geoseg.national import run_national

    result = run_national(
        config,
        output=output,
        workers=workers,
        scheduler=scheduler,
        memory_limit=memory_limit,
        stages=stages or None,
        lang=lang,
        overwrite=overwrite,
        force=force,
    )
    for task in result.tasks:
        years = [y.status for y in task.years]
        counts = ", ".join(f"{years.count(s)} {s}" for s in sorted(set(years)))
        line = f"{task.name}: {task.status} ({task.seconds:.1f} s" + (
            f"; year tasks: {counts})" if years else ")"
        )
        click.echo(line if task.error is None else f"{line}: {task.error}", err=True)
    nat = result.national
    if nat is not None:
        line = f"{nat.name}: {nat.status} ({nat.seconds:.1f} s)"
        click.echo(line if nat.error is None else f"{line}: {nat.error}", err=True)
    click.echo(f"results: {result.output}")
    click.echo(f"index:   {result.output / 'index.html'}")
    if result.failed:
        names = ", ".join(t.name for t in result.failed)
        click.echo(f"Error: {len(result.failed)} municipality task(s) failed: {names}", err=True)
    if nat is not None and nat.status == "failed":
        click.echo(f"Error: the national level failed: {nat.error}", err=True)
    if result.failed or (nat is not None and nat.status == "failed"):
        raise SystemExit(2)
