"""Helpers shared by several test modules (not fixtures of pytest's: plain functions)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from geoseg.errors import GeoSegError

__all__ = ["example_inputs", "expect_error", "write_features"]


def expect_error(func: Callable[..., Any], path: Path, **kwargs: Any) -> GeoSegError:
    """Call ``func(path)``; it must raise a GeoSegError naming the file and leave it unchanged."""
    before = path.read_bytes()
    with pytest.raises(GeoSegError) as info:
        func(path, **kwargs)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    return info.value


def write_features(
    path: Path, rows: Iterable[Mapping[str, Any]], crs: str | None = "EPSG:3006"
) -> Path:
    """Write ``rows`` (dicts with an optional ``geometry``) to a GeoPackage at ``path``."""
    rows = list(rows)
    gdf = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r.get("geometry") for r in rows],
        crs=crs,
    )
    gdf.to_file(path, driver="GPKG")
    return path


def example_inputs(example_data: Path) -> list[str]:
    """Command-line arguments naming the example city's areas and register with their ids."""
    return [
        str(example_data / "boundaries" / "example_areas.gpkg"),
        "--id",
        "code",
        "--register",
        str(example_data / "registers" / "example_registers.csv"),
        "--register-id",
        "area_code",
    ]
