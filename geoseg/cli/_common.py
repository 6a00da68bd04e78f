"""Shared pieces of the CLI commands: options, project loading and result output."""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from geoseg.errors import InputError
from geoseg.io import check_targets, remove_stale_temporaries, write_text, write_with
from geoseg.settings import DEFAULT_SEED

__all__ = [
    "areas_register_options",
    "config_argument_path",
    "deliver",
    "emit",
    "folder_project",
    "format_option",
    "level_option",
    "load_at_level",
    "output_option",
    "overwrite_option",
    "prepare_outputs",
    "project_level",
    "records",
    "resolve_format",
    "seed_option",
    "unsuppressed_option",
]

FORMATS = ("table", "csv", "json")


#: The format a file suffix of ``-o`` stands for.
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".gpkg": "gpkg", ".txt": "table"}


def format_option(*, extra: Sequence[str] = (), default: str = "table") -> Callable[[Any], Any]:
    """``--format`` with ``table|csv|json`` plus ``extra`` choices (such as ``gpkg``).

    When ``--format`` is not given, the suffix of ``-o/--output`` chooses it (``.csv``,
    ``.json``, ``.gpkg``, ``.txt`` for a table), else ``default``; a ``--format`` that
    contradicts the suffix is refused (:func:`resolve_format`).
    """
    choices = [*FORMATS, *extra]
    option = click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=None,
        help=(
            f"Output format (default: from the suffix of -o, .csv, .json"
            f"{', .gpkg' if 'gpkg' in extra else ''}; else {default})."
        ),
    )

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            kwargs["fmt"] = resolve_format(
                kwargs.get("fmt"), kwargs.get("output"), choices=choices, default=default
            )
            return f(*args, **kwargs)

        return option(command)

    return decorate


def resolve_format(
    fmt: str | None, output: Path | None, *, choices: Sequence[str], default: str = "table"
) -> str:
    """The output format: ``fmt`` if given, else the one of ``output``'s suffix, else
    ``default``; a ``fmt`` contradicting a known suffix raises :class:`InputError`."""
    implied = SUFFIX_FORMATS.get(Path(output).suffix.lower()) if output is not None else None
    if implied is not None and implied not in choices:
        implied = None
    if fmt is None:
        return implied or default
    if implied is not None and implied != fmt:
        msg = (
            f"--format {fmt} contradicts the output file {output} (a {implied} file name); "
            f"drop --format, or give -o a name ending in the suffix of {fmt}."
        )
        raise InputError(msg)
    return fmt


def output_option(
    help: str = "Write to this file instead of standard output.",
) -> Callable[[Any], Any]:
    """``-o/--output`` path option."""
    return click.option(
        "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help=help
    )


def overwrite_option() -> Callable[[Any], Any]:
    """``--overwrite`` flag: without it, existing outputs are never replaced."""
    return click.option("--overwrite", is_flag=True, help="Replace existing output files.")


def unsuppressed_option() -> Callable[[Any], Any]:
    """``--unsuppressed``: raw numbers, small counts included; outputs say not for publication."""
    return click.option(
        "--unsuppressed",
        is_flag=True,
        help="Do NOT suppress counts below the disclosure threshold (internal work only); "
        "every output is stamped NOT FOR PUBLICATION.",
    )


def seed_option() -> Callable[[Any], Any]:
    """``--seed`` of the random generator (default :data:`geoseg.settings.DEFAULT_SEED`)."""
    return click.option(
        "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed."
    )


def areas_register_options(contents: str, *, project: bool = False) -> Callable[[Any], Any]:
    """The ``AREAS`` argument with ``--id``, ``--register`` and ``--register-id``.

    ``contents`` says what the register holds per area and year (e.g. ``"counts"``), for help.
    With ``project``, ``--project CONFIG`` and ``--level NAME`` are offered instead of the
    files (AREAS, ``--id`` and ``--register`` become optional; see :func:`project_level`).
    """
    decorators = [
        click.argument(
            "areas",
            required=not project,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
        ),
        click.option("--id", "id_column", required=not project, help="Area code column of AREAS."),
        click.option(
            "--register",
            "register_path",
            required=not project,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Register table (CSV, Excel or PxWeb JSON-stat) with {contents} per area "
            "and year.",
        ),
        click.option("--register-id", help="Area code column of the register (default: --id)."),
    ]
    if project:
        decorators += [
            click.option(
                "--project",
                "project_path",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="A project file instead of AREAS and --register: its areas and register, "
                "at --level.",
            ),
            click.option(
                "--level",
                metavar="NAME",
                help="With --project: the area level (a [levels] key; default [project] level, "
                "else the [areas] level).",
            ),
        ]

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def project_level(
    project: Path | None,
    level: str | None,
    *,
    areas: Path | None,
    id_column: str | None,
    register: Path | None,
) -> Any:
    """The loaded project at ``level`` when ``--project`` is given, else ``None``.

    Without ``--project``, AREAS, ``--id`` and ``--register`` must all be given; with it, none
    of them. The notes of the move to the level go to standard error.
    """
    files = [areas is not None, id_column is not None, register is not None]
    if project is None:
        if level is not None:
            msg = "--level needs --project CONFIG (the project file that declares the levels)."
            raise click.UsageError(msg)
        if not all(files):
            msg = "give AREAS with --id and --register, or --project CONFIG."
            raise click.UsageError(msg)
        return None
    if any(files):
        msg = "give either --project CONFIG or AREAS with --id and --register, not both."
        raise click.UsageError(msg)
    from geoseg.io import load_project
    from geoseg.levels import project_at_level

    view = project_at_level(load_project(project), level)
    for note in view.notes:
        click.echo(f"warning: {note}", err=True)
    return view.data


def level_option() -> Callable[[Any], Any]:
    """``--level NAME``: the area level of a project, as ``geoseg run --level``."""
    return click.option(
        "--level",
        metavar="NAME",
        help="The area level (a [levels] key; default [project] level, else the [areas] "
        "level), as `geoseg run --level`.",
    )


def load_at_level(project: Any, level: str | None) -> Any:
    """A project file (path or :class:`geoseg.io.Project`) loaded and moved to ``level``
    (``None``: its ``[project] level``, else its ``[areas]`` level), as ``geoseg run`` does;
    the notes of the move go to standard error."""
    from geoseg.io import load_project
    from geoseg.levels import project_at_level

    view = project_at_level(load_project(project), level)
    for note in view.notes:
        click.echo(f"warning: {note}", err=True)
    return view.data


def folder_project(command: str, *, national: bool = False) -> Path | None:
    """The project file of the working folder, for a command given none.

    ``./geoseg.toml`` (and, when the command runs national projects, ``./national.toml``) is
    used and named on standard error; ``None`` when the folder has none (the command then runs
    the embedded example city). A ``./national.toml`` the command cannot run is named in a
    warning, so that the example city is not taken for it silently.
    """
    names = ("geoseg.toml", "national.toml") if national else ("geoseg.toml",)
    for name in names:
        if Path(name).is_file():
            click.echo(f"geoseg {command}: no project file given; using ./{name}", err=True)
            return Path(name)
    if Path("national.toml").is_file():
        click.echo(
            f"warning: geoseg {command} does not run national projects; ./national.toml in "
            "this folder is not read and the embedded example city is used (run it with: "
            "geoseg run national.toml)",
            err=True,
        )
    return None


def config_argument_path(config: Path | None, command: str = "") -> Path:
    """The project file to use: the given one, the working folder's ``geoseg.toml``, or the
    embedded example city's."""
    if config is not None:
        return config
    from geoseg.example import example_config

    ctx = click.get_current_context(silent=True)
    local = folder_project(command or (ctx.info_name if ctx and ctx.info_name else "run"))
    return local if local is not None else example_config()


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return _clean(value.item())
        except (ValueError, AttributeError):
            return value
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(df: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """JSON-ready records: NaN becomes null, NumPy scalars become Python numbers."""
    frame = df if columns is None else df.loc[:, list(columns)]
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _table(df: pd.DataFrame) -> str:
    with pd.option_context(
        "display.max_rows", 200, "display.width", 160, "display.max_columns", 20
    ):
        return df.to_string(index=False, float_format=_number)


def _number(v: float) -> str:
    """Four significant digits, but whole numbers from 10,000 on (persons, never 1.116e+04)."""
    return f"{v:.0f}" if abs(v) >= 1e4 and v == v and abs(v) != float("inf") else f"{v:.4g}"


def prepare_outputs(
    targets: Sequence[Path | None], *, inputs: Sequence[Path], overwrite: bool
) -> list[Path]:
    """Check every file a command will write, then name them all on standard error.

    Nothing is written here. A target that is an input is refused whatever ``overwrite`` says;
    an existing target is refused unless ``overwrite``; two targets may not be the same file.

    Returns
    -------
    list of Path
        The targets that are set, in order.
    """
    paths = [Path(t) for t in targets if t is not None]
    seen: dict[Path, Path] = {}
    for t in paths:
        key = t.resolve()
        if key in seen:
            msg = f"{t}: two outputs of this command would be the same file; choose another name."
            raise InputError(msg)
        seen[key] = t
        check_targets([t], root=t.parent, inputs=inputs, overwrite=overwrite)
        remove_stale_temporaries(t.parent, [t.name])  # left by an interrupted earlier write
    if paths:
        click.echo(f"will write: {', '.join(map(str, paths))}", err=True)
    return paths


def emit(
    df: pd.DataFrame,
    fmt: str,
    *,
    inputs: Sequence[Path],
    output: Path | None = None,
    json_columns: Sequence[str] | None = None,
    overwrite: bool = False,
    gdf_writer: Callable[[Path], object] | None = None,
    notice: str | None = None,
) -> None:
    """Print or write a result table as ``table``, ``csv``, ``json`` or ``gpkg``.

    ``df`` must already have passed the disclosure gate (:mod:`geoseg.publish.disclosure`).
    ``inputs`` are the files the command read: ``output`` is never one of them. ``notice``
    (e.g. "NOT FOR PUBLICATION ...") is stamped on the output: the first line of a table, a
    ``#`` comment line before a CSV, and ``{"notice": ..., "records": [...]}`` around JSON.
    """
    if fmt == "gpkg":
        if output is None or gdf_writer is None:
            msg = "--format gpkg needs -o/--output FILE.gpkg"
            raise InputError(msg)
        write_with(output, gdf_writer, root=output.parent, overwrite=overwrite, inputs=inputs)
        click.echo(f"wrote {output}", err=True)
        return
    if notice:
        click.echo(f"warning: {notice}", err=True)
    if fmt == "json":
        rec: Any = records(df, json_columns)
        if notice:
            rec = {"notice": notice, "for_publication": False, "records": rec}
        text = json.dumps(rec, ensure_ascii=False, indent=1)
    elif fmt == "csv":
        buf = io.StringIO()
        if notice:
            buf.write(f"# {notice}\n")
        df.to_csv(buf, index=False)
        text = buf.getvalue()
    else:
        text = (f"{notice}\n" if notice else "") + _table(df)
    deliver(text, output, overwrite=overwrite, inputs=inputs)


def deliver(
    text: str, output: Path | None, *, inputs: Sequence[Path], overwrite: bool = False
) -> None:
    """Print ``text`` or write it to ``output`` (atomically), ending it with a newline.

    ``inputs`` are the files the command read: ``output`` is never one of them.
    """
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text(output, text, root=output.parent, overwrite=overwrite, inputs=inputs)
        click.echo(f"wrote {output}", err=True)
