"""The results folder as a versioned layout: what ``geoseg run`` saves and publishing reads back.

A results folder holds the published (disclosure-gated) tables of a run as CSV, the per-area
layers and the drawing layers (areas, water, services, isochrones) in ``results.gpkg``, and the
settings, labels and indicator definitions of the run in :data:`SETTINGS_FILE`. Its manifest
(:data:`geoseg.io.results.MANIFEST`) names the layout's version (:data:`RESULTS_FORMAT`) and the
files of the run. :func:`write_results` writes such a folder and :func:`read_results` reads it
back, column types included, so that maps and report can be redrawn without recomputing
anything (:func:`geoseg.publish.redraw`).
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.io._atomic import check_targets, write_text, write_with
from geoseg.io.paths import remove_stale_temporaries
from geoseg.io.results import (
    MANIFEST,
    SETTINGS_FILE,
    check_output_folder,
    write_gpkg,
    write_manifest,
)

__all__ = [
    "GPKG",
    "RESULTS_FORMAT",
    "SETTINGS_FILE",
    "TABLE_FILES",
    "ResultsFolderError",
    "SavedResults",
    "read_results",
    "write_results",
]

logger = logging.getLogger(__name__)

#: Version of the results-folder layout written by this geoseg (in the manifest's
#: ``format_version``). Raise it when a table, column or setting that publishing reads changes.
RESULTS_FORMAT = 1
#: Settings, labels and indicator definitions of the run (JSON).
#: GeoPackage of per-area results and of the layers the maps draw.
GPKG = "results.gpkg"
#: The tables of :class:`SavedResults` and their CSV files.
TABLE_FILES = {
    "indices": "segregation_indices.csv",
    "trend": "segregation_trend.csv",
    "indicators": "indicator_values.csv",
    "location_quotients": "location_quotients.csv",
    "hotspots": "hotspots.csv",
    "hotspot_counts": "hotspot_counts.csv",
    "hotspot_changes": "hotspot_changes.csv",
    "emerging": "emerging_hotspots.csv",
    "area_trends": "area_trends.csv",
    "gap_trends": "gap_trends.csv",
    "gap_series": "gap_series.csv",
    "access": "access_areas.csv",
    "access_totals": "access_totals.csv",
    "equity": "access_equity.csv",
}
#: Layers of :data:`GPKG` that the maps draw (the other layers are for GIS users).
DRAWING_LAYERS = ("areas", "water", "streets", "services", "isochrones")


class ResultsFolderError(InputError):
    """A folder cannot be read as a results folder (not written by geoseg, or another layout)."""


@dataclass
class SavedResults:
    """Everything publishing needs from a run, as saved in a results folder.

    Attributes
    ----------
    settings
        JSON-ready settings of the run: ``title``, ``fictional``, ``lang``, ``disclosure``
        (threshold, allow_small_counts, unsuppressed), ``segregation`` (indices,
        permutations, seed), ``hotspots`` (alpha, correction, permutations, seed, weights),
        ``access`` (minutes, speed_kmh, fallback, detour, method, note), ``breaks``,
        ``indicators`` (definitions), ``sources``, ``inputs``, ``notes``, ``maps``.
    areas
        Areas indexed by code with a ``name`` column, in the analysis CRS.
    water, streets, services, isochrones
        Drawing layers (``None`` when the run had none); ``streets`` is the light street layer
        the maps draw for orientation (simplified lines, not the routing network).
    indices, trend, indicators, location_quotients, hotspots, hotspot_counts, hotspot_changes,
    emerging, area_trends, gap_trends, gap_series, access, access_totals, equity
        The published tables (``None`` when the run did not compute them); every count below
        the disclosure threshold is already suppressed and marked (column ``suppressed``).
    """

    settings: dict[str, Any]
    areas: gpd.GeoDataFrame
    water: gpd.GeoDataFrame | None = None
    streets: gpd.GeoDataFrame | None = None
    services: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    indices: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    location_quotients: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    hotspot_counts: pd.DataFrame | None = None
    hotspot_changes: pd.DataFrame | None = None
    emerging: pd.DataFrame | None = None
    area_trends: pd.DataFrame | None = None
    gap_trends: pd.DataFrame | None = None
    gap_series: pd.DataFrame | None = None
    access: pd.DataFrame | None = None
    access_totals: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by attribute name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in TABLE_FILES and getattr(self, f.name) is not None
        }


# --------------------------------------------------------------------------- column types


def _column_type(s: pd.Series) -> str:
    """A name for the column's type that :func:`_restore` can rebuild from CSV text.

    Text and flag columns record how a missing value was held (``?`` for ``None``, ``?nan``
    for NaN), because CSV writes every missing value as an empty field.
    """
    gaps = s[s.isna()]
    mark = "" if not len(gaps) else "?" if all(v is None for v in gaps) else "?nan"
    if s.dtype == object:
        kinds = {type(v) for v in s.dropna()}
        if kinds <= {str}:
            return f"str{mark}"
        if kinds <= {bool, np.bool_}:
            return f"bool{mark or '?nan'}"
        return "object"
    if pd.api.types.is_string_dtype(s.dtype):
        return f"text{'?' if len(gaps) else ''}:{s.dtype}"
    return str(s.dtype)


def _to_float(text: str) -> float:
    return math.nan if text == "" else float(text)


def _text(values: list[Any], kind: str, index: pd.Index) -> pd.Series:
    """Text values (missing ones as ``None``) in the type ``kind`` names."""
    if kind.startswith("text"):
        head, name = kind.split(":", 1)
        dtype: Any = name
        out = pd.Series(values, index=index, dtype=object)
        return out.astype(dtype) if head.endswith("?") or not out.isna().any() else out
    gap = None if kind.endswith("?") else math.nan
    return pd.Series([gap if v is None else v for v in values], index=index, dtype=object)


def _restore(s: pd.Series, kind: str) -> pd.Series:
    """Column ``s`` read as text, converted back to the type ``kind`` it was written with."""
    missing = "?" in kind
    if kind.startswith(("str", "text")):
        values = [None if missing and t == "" else t for t in s]
        return _text(values, kind, s.index)
    if kind.startswith("bool?"):
        gap = None if kind.endswith("?") else math.nan
        words = {"True": True, "False": False}
        return pd.Series([words.get(t, gap) for t in s], index=s.index, dtype=object)
    if kind == "bool":
        return s == "True"
    if kind == "boolean":
        return s.map({"True": True, "False": False, "": None}).astype("boolean")
    dtype: Any = kind
    if kind.startswith("float"):
        return s.map(_to_float).astype(dtype)
    if kind.startswith("int") or kind.startswith("uint"):
        return s.map(int).astype(dtype)
    if kind[:1] in ("I", "U") and kind[1:].startswith("nt"):  # nullable Int64, UInt8, ...
        return s.map(lambda t: None if t == "" else int(t)).astype(dtype)
    numbers = pd.to_numeric(s.mask(s == ""), errors="coerce")
    if numbers.notna().sum() == (s != "").sum():
        return numbers
    return pd.Series([None if t == "" else t for t in s], index=s.index, dtype=object)


def _read_table(path: Path, types: Mapping[str, str]) -> pd.DataFrame:
    text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    missing = [c for c in types if c not in text.columns]
    if missing:
        msg = (
            f"{path}: column(s) {', '.join(missing)} missing; the results folder was changed "
            "after geoseg wrote it. Run `geoseg run` again."
        )
        raise ResultsFolderError(msg)
    return pd.DataFrame({c: _restore(text[c], kind) for c, kind in types.items()})


# --------------------------------------------------------------------------- writing


def write_results(
    folder: str | Path,
    saved: SavedResults,
    *,
    project: Path,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    inputs: Iterable[str | Path] = (),
    overwrite: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a results folder: the tables as CSV, ``results.gpkg``, the settings and manifest.

    Parameters
    ----------
    folder
        The results folder (created when missing).
    saved
        What to save; its tables must already have passed the disclosure gate.
    project
        The project file, recorded in the manifest.
    layers
        Further GeoPackage layers (per-area results for GIS users), written before the
        drawing layers (:data:`DRAWING_LAYERS`).
    inputs
        Files the run read: never written over.
    overwrite
        Replace files that an earlier geoseg run did not write.
    metadata
        The disclosure metadata, stored in the manifest and the GeoPackage.

    Returns
    -------
    list of Path
        The files written, the manifest last.
    """
    out = Path(folder)
    tables = {TABLE_FILES[k]: t for k, t in saved.tables().items()}
    names = [*tables, GPKG, SETTINGS_FILE, MANIFEST]
    inputs = list(inputs)
    # every target is checked (inside the folder, not an input, ours or --overwrite) first
    check_targets([out / n for n in names], root=out, inputs=inputs, overwrite=True)
    check_output_folder(out, names, overwrite=overwrite)
    logger.info("writing into %s: %s", out, ", ".join(names))
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out, names)
    written: list[Path] = []
    types: dict[str, dict[str, str]] = {}
    for name, table in tables.items():
        types[name] = {str(c): _column_type(table[c]) for c in table.columns}
        text = table.to_csv(index=False)
        written.append(write_text(out / name, text, root=out, inputs=inputs))
    all_layers = dict(layers or {})
    areas = saved.areas[["name", "geometry"]].copy()
    areas.insert(0, "code", areas.index.astype(str))
    drawing: dict[str, Any] = {"areas": areas}
    for key in ("water", "streets", "services", "isochrones"):
        layer = getattr(saved, key)
        if layer is not None and len(layer):
            drawing[key] = layer
    for key, layer in drawing.items():
        if key in all_layers:
            msg = f"results layer {key!r} is reserved for the drawing layers"
            raise InputError(msg)
        all_layers[key] = layer
    layer_types = {
        key: {str(c): _column_type(layer[c]) for c in layer.columns if c != "geometry"}
        for key, layer in drawing.items()
    }
    meta = dict(metadata or {})
    written.append(
        write_with(
            out / GPKG,
            lambda tmp: write_gpkg(tmp, all_layers, metadata=meta, exact=list(drawing)),
            root=out,
            inputs=inputs,
        )
    )
    document = {
        "format_version": RESULTS_FORMAT,
        "settings": _relative_paths(saved.settings, out),
        "tables": types,
        "layers": layer_types,
        "areas_index": saved.areas.index.name,
    }
    text = json.dumps(document, indent=1, ensure_ascii=False, default=_jsonable)
    written.append(write_text(out / SETTINGS_FILE, text, root=out, inputs=inputs))
    write_manifest(
        out,
        written,
        project=project,
        metadata=meta,
        extra={"kind": "results", "format_version": RESULTS_FORMAT},
    )
    written.append(out / MANIFEST)
    return written


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, tuple | set):
        return list(value)
    msg = f"cannot save {type(value).__name__} in {SETTINGS_FILE}"
    raise TypeError(msg)


# --------------------------------------------------------------------------- reading


def _manifest(folder: Path) -> dict[str, Any]:
    """The folder's manifest, or one clear error saying why it is not a results folder."""
    if not folder.is_dir():
        msg = f"{folder}: no such folder; give the results folder that `geoseg run` wrote."
        raise ResultsFolderError(msg)
    path = folder / MANIFEST
    if not path.is_file():
        msg = (
            f"{folder}: not a results folder written by geoseg (no {MANIFEST}); give the "
            "folder `geoseg run` wrote its tables into (the project's [project] output)."
        )
        raise ResultsFolderError(msg)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{path}: unreadable manifest ({exc}); run `geoseg run` again to rewrite it."
        raise ResultsFolderError(msg) from exc
    if not isinstance(doc, dict):
        msg = f"{path}: not a geoseg manifest; run `geoseg run` again to rewrite it."
        raise ResultsFolderError(msg)
    version = doc.get("format_version")
    if doc.get("kind") not in (None, "results") and version is None:
        msg = f"{folder}: not a results folder (its manifest is of kind {doc.get('kind')!r})."
        raise ResultsFolderError(msg)
    if version is None:
        hint = (
            " It looks like a maps folder; give the results folder instead."
            if "index.html" in doc.get("files", [])
            else ""
        )
        msg = (
            f"{folder}: written by an older geoseg (results layout without a format version; "
            f"this geoseg reads format {RESULTS_FORMAT}).{hint} Run `geoseg run` again to "
            "write the results in the current layout."
        )
        raise ResultsFolderError(msg)
    if version != RESULTS_FORMAT:
        newer = isinstance(version, int) and version > RESULTS_FORMAT
        fix = (
            "upgrade geoseg to redraw it"
            if newer
            else "run `geoseg run` again to write the current layout"
        )
        msg = (
            f"{folder}: results format {version!r}, but this geoseg reads format "
            f"{RESULTS_FORMAT}; {fix}."
        )
        raise ResultsFolderError(msg)
    return doc


def read_results(folder: str | Path) -> SavedResults:
    """Read a results folder written by ``geoseg run`` (layout :data:`RESULTS_FORMAT`).

    Only files the run recorded in its manifest are read; tables get back the column types
    they were written with (area codes stay text).

    Raises
    ------
    ResultsFolderError
        The folder was not written by geoseg, was written in another layout version, or
        lacks a file its manifest lists.
    """
    folder = Path(folder)
    manifest = _manifest(folder)
    files = set(manifest.get("files", []))
    problems = [n for n in sorted(files) if not (folder / n).is_file()]
    if SETTINGS_FILE not in files or GPKG not in files:
        problems += [n for n in (SETTINGS_FILE, GPKG) if n not in files]
    if problems:
        msg = (
            f"{folder}: file(s) missing from the results folder: {', '.join(problems)}; "
            "run `geoseg run` again (with the maps stage's inputs) to write them."
        )
        raise ResultsFolderError(msg)
    try:
        doc = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{folder / SETTINGS_FILE}: unreadable ({exc}); run `geoseg run` again."
        raise ResultsFolderError(msg) from exc
    tables: dict[str, Any] = {}
    by_file = {v: k for k, v in TABLE_FILES.items()}
    for name, types in doc.get("tables", {}).items():
        if name in files and name in by_file:
            tables[by_file[name]] = _read_table(folder / name, types)
    layers: dict[str, gpd.GeoDataFrame] = {}
    for key, types in doc.get("layers", {}).items():
        gdf = gpd.read_file(folder / GPKG, layer=key)
        for c, kind in types.items():
            if kind.startswith(("str", "text")) and c in gdf:
                values = [None if pd.isna(v) else v for v in gdf[c]]
                gdf[c] = _text(values, kind, gdf.index)
        layers[key] = gdf[[*types, "geometry"]]
    areas = layers.get("areas")
    if areas is None:
        msg = f"{folder / GPKG}: layer 'areas' missing; run `geoseg run` again."
        raise ResultsFolderError(msg)
    areas = areas.set_index(areas["code"].astype(str)).drop(columns="code")
    areas.index.name = doc.get("areas_index")
    return SavedResults(
        settings=_absolute_paths(doc.get("settings", {}), folder),
        areas=areas,
        water=layers.get("water"),
        streets=layers.get("streets"),
        services=layers.get("services"),
        isochrones=layers.get("isochrones"),
        **tables,
    )


#: Settings that hold paths of the user's files: saved relative to the results folder, so that
#: the folder names no folder of the user and can be moved together with the project.
_PATH_SETTINGS = ("project", "inputs")


def _relative_paths(settings: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """``settings`` with the project and input paths relative to ``folder``."""
    out = dict(settings)
    base = Path(folder).resolve()

    def rel(p: Any) -> str:
        return Path(os.path.relpath(Path(p).resolve(), base)).as_posix()

    if out.get("project"):
        out["project"] = rel(out["project"])
    if out.get("inputs"):
        out["inputs"] = [rel(p) for p in out["inputs"]]
    maps = out.get("maps")
    if isinstance(maps, str) and Path(maps).is_absolute():
        out["maps"] = None  # outside the results folder: a redraw draws into <folder>/maps
    return out


def _absolute_paths(settings: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """The saved settings with the project and input paths resolved against ``folder``."""
    out = dict(settings)
    base = Path(folder).resolve()
    for key in _PATH_SETTINGS:
        value = out.get(key)
        if isinstance(value, str) and value:
            out[key] = str((base / value).resolve())
        elif isinstance(value, list):
            out[key] = [str((base / str(v)).resolve()) for v in value]
    return out
