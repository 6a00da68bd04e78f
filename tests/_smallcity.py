"""A small generated example city for the safety tests, and scanners of published files."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner

from geoseg.cli import main

__all__ = [
    "gpkg_tables",
    "make_city",
    "quick_config",
    "snapshot",
    "tooltips",
]


def make_city(folder: Path, *, areas: int = 12) -> Path:
    """Generate the example city with ``areas`` areas into ``folder``; return its project file."""
    res = CliRunner().invoke(main, ["-q", "example-city", "--areas", str(areas), "-o", str(folder)])
    assert res.exit_code == 0, res.output
    config = folder / "geoseg.toml"
    quick_config(config)
    return config


def quick_config(config: Path) -> None:
    """Fewer permutations, so that a whole run takes seconds (results stay seeded)."""
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^permutations = \d+$", "permutations = 19", text)
    config.write_text(text, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def tooltips(html: str) -> list[dict[str, Any]]:
    """The per-feature tooltip data (``{key: [style, rows]}``) of every layer of a map page."""
    out = []
    decoder = json.JSONDecoder()
    for m in re.finditer(r"geoseg\.layer\(\w+,\s*", html):
        obj, _ = decoder.raw_decode(html, m.end())
        out.append(obj)
    return out


def gpkg_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Every feature and attribute table of a GeoPackage, read with sqlite (no geometry)."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        return {n: pd.read_sql_query(f'SELECT * FROM "{n}"', con) for n in names}
    finally:
        con.close()
