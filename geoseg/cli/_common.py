"""Shared pieces of the CLI commands: options, project loading and result output."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from geoseg.errors import InputError
from geoseg.io import write_text, write_with
from geoseg.settings import DEFAULT_SEED

__all__ = [
    "areas_register_options",
    "config_argument_path",
    "deliver",
    "emit",
    "format_option",
    "output_option",
    "overwrite_option",
    "records",
    "seed_option",
]

FORMATS = ("table", "csv", "json")


def format_option(*, extra: Sequence[str] = (), default: str = "table") -> Callable[[Any], Any]:
    """``--format`` with ``table|csv|json`` plus ``extra`` choices (such as ``gpkg``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([*FORMATS, *extra]),
        default=default,
        show_default=True,
        help="Output format.",
    )


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


def seed_option() -> Callable[[Any], Any]:
    """``--seed`` of the random generator (default :data:`geoseg.settings.DEFAULT_SEED`)."""
    return click.option(
        "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed."
    )


def areas_register_options(contents: str) -> Callable[[Any], Any]:
    """The ``AREAS`` argument with ``--id``, ``--register`` and ``--register-id``.

    ``contents`` says what the register holds per area and year (e.g. ``"counts"``), for help.
    """
    decorators = [
        click.argument("areas", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--id", "id_column", required=True, help="Area code column of AREAS."),
        click.option(
            "--register",
            "register_path",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Register table (CSV, Excel or PxWeb JSON-stat) with {contents} per area "
            "and year.",
        ),
        click.option("--register-id", help="Area code column of the register (default: --id)."),
    ]

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def config_argument_path(config: Path | None) -> Path:
    """The project file to use: the given one, or the embedded example city's."""
    if config is not None:
        return config
    from geoseg.example import example_config

    return example_config()


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
        return df.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def emit(
    df: pd.DataFrame,
    fmt: str,
    *,
    output: Path | None = None,
    json_columns: Sequence[str] | None = None,
    overwrite: bool = False,
    gdf_writer: Callable[[Path], object] | None = None,
) -> None:
    """Print or write a result table as ``table``, ``csv``, ``json`` or ``gpkg``."""
    if fmt == "gpkg":
        if output is None or gdf_writer is None:
            msg = "--format gpkg needs -o/--output FILE.gpkg"
            raise InputError(msg)
        write_with(output, gdf_writer, overwrite=overwrite)
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "json":
        text = json.dumps(records(df, json_columns), ensure_ascii=False, indent=1)
    elif fmt == "csv":
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        text = buf.getvalue()
    else:
        text = _table(df)
    deliver(text, output, overwrite=overwrite)


def deliver(text: str, output: Path | None, *, overwrite: bool = False) -> None:
    """Print ``text`` or write it to ``output`` (atomically), ending it with a newline."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text(output, text, overwrite=overwrite)
        click.echo(f"wrote {output}", err=True)
