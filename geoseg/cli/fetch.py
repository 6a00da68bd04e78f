"""``geoseg fetch scb``: fetch a table from SCB's statistical database as a tidy CSV."""

from __future__ import annotations

import re
from pathlib import Path

import click

from geoseg.cli._common import emit, overwrite_option

__all__ = ["fetch"]

_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")


def _split(values: tuple[str, ...]) -> list[str]:
    """``--region a,b --region c`` -> ``[a, b, c]``."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _years(values: tuple[str, ...]) -> list[str]:
    """Years from ``2020,2021`` and ``2020-2023``."""
    out: list[str] = []
    for v in _split(values):
        m = _RANGE.fullmatch(v)
        if m and int(m.group(1)) <= int(m.group(2)):
            out.extend(str(y) for y in range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            out.append(v)
    return out


def _variables(values: tuple[str, ...]) -> dict[str, list[str]]:
    from geoseg.errors import InputError

    out: dict[str, list[str]] = {}
    for item in values:
        key, sep, codes = item.partition("=")
        if not sep or not key.strip() or not codes.strip():
            msg = f"--var {item!r}: write VARIABLE=CODE[,CODE...], such as --var Kon=1,2"
            raise InputError(msg)
        out.setdefault(key.strip(), []).extend(c.strip() for c in codes.split(",") if c.strip())
    return out


@click.group()
def fetch() -> None:
    """Fetch register tables from statistical databases (SCB's Statistikdatabasen).

    \b
    Examples:
        geoseg fetch scb TAB638 --info
        geoseg fetch scb TAB638 --region 1480 --years 2020-2023 \\
            --var ContentsCode=BE0101N1 -o population.csv
    """


@fetch.command("scb")
@click.argument("table_id")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Region code(s), repeatable or comma separated; * and ? patterns (1480R*).",
)
@click.option(
    "--years", "years", multiple=True, help="Years: 2020,2021 or 2020-2023 [default: all]."
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="KEY=VALUES",
    help="Codes of another variable, such as ContentsCode=BE0101N1 or Kon=1,2 (repeatable).",
)
@click.option("--info", is_flag=True, help="List the table's variables and codes; fetch nothing.")
@click.option("--id-column", default="region", show_default=True, help="Name of the code column.")
@click.option(
    "--max-cells",
    type=click.IntRange(min=1),
    default=None,
    help="Cells per request at most; larger queries are split [default: 100000].",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of cached answers [default: $GEOSEG_CACHE_DIR/scb or ~/.cache/geoseg/scb].",
)
@click.option("--refresh", is_flag=True, help="Fetch again even when the answer is cached.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "table"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
@overwrite_option()
def scb(
    table_id: str,
    regions: tuple[str, ...],
    years: tuple[str, ...],
    variables: tuple[str, ...],
    info: bool,
    id_column: str,
    max_cells: int | None,
    cache_dir: Path | None,
    refresh: bool,
    no_cache: bool,
    lang: str,
    fmt: str,
    output: Path | None,
    overwrite: bool,
) -> None:
    """Fetch TABLE_ID from SCB's statistical database (Statistikdatabasen) as a tidy table.

    TABLE_ID is the table id shown on statistikdatabasen.scb.se (PxWeb API v2, such as
    TAB638) or the path of a table in API v1 (BE/BE0101/BE0101A/BefolkningNy). The result has
    one row per region, year and value of the other variables: the region code, region_name,
    year, a column of codes per other variable, and value. Answers are cached; requests are
    spaced to stay within SCB's limit of 30 calls per 10 seconds, and split to stay under the
    cell limit. Name the same query in a project file with source = "scb:TABLE_ID" (see
    docs/config.md).

    \b
    Examples:
        geoseg fetch scb TAB638 --info
        geoseg fetch scb TAB638 --region 1480 --years 2020-2023 \\
            --var ContentsCode=BE0101N1 -o population.csv
    """
    from geoseg.io.scb import MAX_CELLS, ScbClient, fetch_scb

    client = ScbClient(
        cache_dir=cache_dir,
        use_cache=not no_cache,
        refresh=refresh,
        max_cells=max_cells or MAX_CELLS,
        lang=lang,
    )
    if info:
        meta = client.metadata(table_id)
        click.echo(f"{meta.table_id} (API {meta.api}): {meta.title}")
        for d in meta.dimensions:
            role = f", {d.role}" if d.role else ""
            elim = ", may be left out" if d.elimination else ""
            click.echo(f"  {d.code} ({d.label}{role}{elim}): {len(d.values)} values")
            for code, text in list(zip(d.values, d.texts, strict=True))[:12]:
                click.echo(f"    {code}  {text}")
            if len(d.values) > 12:
                click.echo(f"    ... and {len(d.values) - 12} more")
        return
    if output is not None and output.exists() and not overwrite:
        from geoseg.errors import InputError

        msg = f"{output} exists; choose another file or pass --overwrite."
        raise InputError(msg)
    frame = fetch_scb(
        table_id,
        regions=_split(regions),
        years=_years(years) or None,
        select=_variables(variables),
        id_column=id_column,
        client=client,
    )
    emit(frame, fmt, inputs=[], output=output, overwrite=overwrite)
    click.echo(
        f"{len(frame)} rows from SCB table {table_id} ({client.requests_made} requests)", err=True
    )
