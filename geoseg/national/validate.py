"""Checking a national project before it runs: the national file and every municipality.

``geoseg validate national.toml`` calls :func:`validate_national`: it refuses what
``geoseg run national.toml`` would refuse (a bad national file, an output folder that cannot be
written) and names every municipality whose tasks would fail, with the same message and fix.
"""

from __future__ import annotations

from pathlib import Path

from geoseg.errors import GeoSegError, InputError, ValidationError
from geoseg.national.run import _register_columns, check_national_output
from geoseg.national.tasks import _check_areas, _check_register_codes, _read_task_register

__all__ = ["validate_national"]


def _municipality(code: str, config: Path, columns: list[str]) -> str:
    """One line on a municipality whose inputs its tasks accept; raises what they would."""
    from geoseg.io import load_project, read_config

    if not config.is_file():
        msg = (
            f"municipality {code}: project file {config} not found; create it (geoseg "
            "example-city writes one) or correct its path in the national file"
        )
        raise InputError(msg)
    project = read_config(config)
    _check_areas(project, code)
    data = load_project(project)  # every input, as the municipality's run reads it
    register = _read_task_register(project, columns, code)
    _check_register_codes(project, register["area_code"], code)
    years = sorted({int(y) for y in register["year"]})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return f"municipality {code}: {len(data.areas)} areas, register years {span}"


def validate_national(
    config: str | Path, *, output: str | Path | None = None, overwrite: bool = False
) -> list[str]:
    """Check a national project file, its output folder and every municipality's inputs.

    Parameters
    ----------
    config
        The national project file.
    output, overwrite
        As :func:`geoseg.national.run_national` will get them: the national results folder
        is checked as the run checks it.

    Returns
    -------
    list of str
        One line per municipality (its areas and register years).

    Raises
    ------
    geoseg.errors.ConfigError
        The national file has problems.
    geoseg.errors.ValidationError
        The output folder cannot be written, or municipalities have inputs their tasks would
        refuse: every one is listed, each with the task's message and fix.
    """
    from geoseg.io.national import read_national

    nat = read_national(config)
    out = Path(output) if output is not None else nat.output
    check_national_output(out, overwrite=overwrite)
    columns = _register_columns(nat)
    lines: list[str] = []
    problems: list[str] = []
    for code, path in nat.municipalities.items():
        try:
            lines.append(_municipality(code, Path(path), columns))
        except ValidationError as exc:  # each problem of the municipality's inputs on its line
            problems.extend(f"{code}: {exc.source}: {problem}" for problem in exc.problems)
        except GeoSegError as exc:
            msg = str(exc)
            problems.append(msg if msg.startswith(f"municipality {code}") else f"{code}: {msg}")
    if problems:
        raise ValidationError(str(nat.path), problems)
    return lines
