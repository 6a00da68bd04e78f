"""``geoseg access``: walking time from residents to services, per area."""

from __future__ import annotations

from pathlib import Path

import click

from geoseg.cli._common import (
    config_argument_path,
    emit,
    format_option,
    level_option,
    load_at_level,
    output_option,
    overwrite_option,
    prepare_outputs,
    unsuppressed_option,
)

__all__ = ["access"]


@click.command()
@click.argument(
    "config", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind", "kinds", multiple=True, help="Service kind (repeatable); default every kind."
)
@click.option("--minutes", type=float, help="Walking-time threshold; default the project's (15).")
@click.option(
    "--speed-kmh",
    type=float,
    help="Walking speed in km/h; default the project's (4.8; about 3.6 for older residents).",
)
@click.option(
    "--group",
    default=None,
    help="Register group to summarise (e.g. age_0_5); default the project's total.",
)
@level_option()
@format_option(extra=("gpkg",))
@output_option()
@overwrite_option()
@unsuppressed_option()
def access(
    config: Path | None,
    kinds: tuple[str, ...],
    minutes: float | None,
    speed_kmh: float | None,
    group: str | None,
    level: str | None,
    fmt: str,
    output: Path | None,
    overwrite: bool,
    unsuppressed: bool,
) -> None:
    """Minutes residents walk to each kind of service, per area, over the street network.

    Without CONFIG, runs ./geoseg.toml when present, else the embedded example city. Residents
    below the project's disclosure threshold are suppressed with the shares resting on them
    (raw numbers only with --unsuppressed, which marks the output NOT FOR PUBLICATION).

    \b
    Examples:
        geoseg access
        geoseg access geoseg.toml --kind family_centre --minutes 10 --format json
        geoseg access --speed-kmh 3.6 --group age_65_plus --format csv -o older.csv
    """
    from geoseg.access import access_for_project
    from geoseg.access.pipeline import JSON_KEYS
    from geoseg.errors import InputError
    from geoseg.io import project_inputs
    from geoseg.io.results import write_gpkg
    from geoseg.publish.disclosure import Disclosure, gate_access

    data = load_at_level(config_argument_path(config), level)
    inputs = project_inputs(data.project)
    prepare_outputs([output], inputs=inputs, overwrite=overwrite)
    settings = data.project.access
    result = access_for_project(
        data,
        kinds=list(kinds) or None,
        minutes=settings.minutes if minutes is None else minutes,
        speed_kmh=settings.speed_kmh if speed_kmh is None else speed_kmh,
    )
    chosen = group or data.project.registers.total or "pop_total"
    available = sorted(set(result.summary["group"]))
    if chosen not in available:
        msg = (
            f"--group {chosen!r} is not a register group here; choose one of {', '.join(available)}"
        )
        raise InputError(msg)
    disclosure = Disclosure.of(data.project, unsuppressed=unsuppressed)
    table = gate_access(result.records(chosen), disclosure)

    def write_layer(path: Path) -> None:
        areas = data.areas.geometry.rename_axis("id").reset_index()
        areas["id"] = areas["id"].astype(str)
        layer = areas.merge(table, on="id", how="inner")
        write_gpkg(path, {"access": layer}, metadata=disclosure.metadata())

    emit(
        table,
        fmt,
        inputs=inputs,
        output=output,
        json_columns=JSON_KEYS,
        overwrite=overwrite,
        gdf_writer=write_layer,
        notice=disclosure.notice(),
    )
