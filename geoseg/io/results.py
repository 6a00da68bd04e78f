"""The output folders geoseg writes: which files it owns, and refusal to replace others.

A folder that geoseg wrote holds a manifest (:data:`MANIFEST`) listing its files; a later run
may replace those freely and refuses to replace anything else unless ``overwrite`` is given.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geoseg.errors import InputError
from geoseg.io._atomic import write_text

__all__ = [
    "ALWAYS_WRITTEN",
    "GPKG_DATE",
    "MANIFEST",
    "MAP_PAGES",
    "MAP_PREFIXES",
    "RESULT_TABLES",
    "SETTINGS_FILE",
    "check_output_folder",
    "owned_files",
    "planned_files",
    "write_gpkg",
    "write_manifest",
]

#: File listing what a run wrote; a folder holding it may be rewritten by the next run.
MANIFEST = "geoseg-run.json"


#: The tables a run may write into its results folder, by stage (besides ``results.gpkg`` and
#: the manifest, always written).
RESULT_TABLES: dict[str, tuple[str, ...]] = {
    "segregation": ("segregation_indices.csv", "segregation_trend.csv"),
    "hotspots": ("hotspots.csv", "hotspot_counts.csv", "hotspot_changes.csv"),
    "trends": ("emerging_hotspots.csv", "area_trends.csv", "gap_trends.csv", "gap_series.csv"),
    "access": ("access_areas.csv", "access_equity.csv", "access_totals.csv"),
}
#: The settings a results folder is redrawn from (``geoseg maps``).
SETTINGS_FILE = "run_settings.json"
#: Files every run writes into its results folder, whatever its stages (the indicators are
#: computed in every run).
ALWAYS_WRITTEN = (
    "indicator_values.csv",
    "location_quotients.csv",
    "results.gpkg",
    SETTINGS_FILE,
    MANIFEST,
)
#: The pages of the maps folder, and the prefixes of its map files (``indicator_<slug>.html``).
MAP_PAGES = ("index.html", "report.html", "report.pdf")
MAP_PREFIXES = (
    "indicator_",
    "trend_",
    "hotspots_",
    "emerging_hotspots_",
    "access_",
    "segregation_",
)


def planned_files(
    output: Path, maps: Path | None, *, stages: Sequence[str]
) -> dict[Path, list[str]]:
    """The names a run may write, per folder, known before it computes anything.

    The results folder gets the tables of ``stages`` (:data:`RESULT_TABLES`) and the files of
    every run (:data:`ALWAYS_WRITTEN`: indicator tables, ``results.gpkg``, the saved settings and
    the manifest); the maps folder (when ``"maps"`` is a stage) its pages
    (:data:`MAP_PAGES`), the manifest and every map name the run may draw: the map files are
    named after the data, so each existing file with a map prefix (:data:`MAP_PREFIXES`) and
    the ``.html`` suffix counts as one the run may replace.
    """
    tables = [n for stage in stages for n in RESULT_TABLES.get(stage, ())]
    plan: dict[Path, list[str]] = {Path(output): [*tables, *ALWAYS_WRITTEN]}
    if maps is not None and "maps" in stages:
        folder = Path(maps)
        existing = (
            sorted(
                p.name
                for p in folder.iterdir()
                if p.name.startswith(MAP_PREFIXES) and p.name.endswith(".html")
            )
            if folder.is_dir()
            else []
        )
        names = [*MAP_PAGES, *existing, MANIFEST]
        same = next((f for f in plan if f.resolve() == folder.resolve()), None)
        if same is None:
            plan[folder] = names
        else:
            plan[same] = list(dict.fromkeys([*plan[same], *names]))
    return plan


def owned_files(folder: Path) -> set[str]:
    """Names of the files in ``folder`` that an earlier geoseg run wrote (from its manifest)."""
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        return set()
    try:
        return set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError):
        return set()


def check_output_folder(folder: Path, names: Sequence[str], *, overwrite: bool) -> None:
    """Refuse to replace files that an earlier geoseg run did not write, unless ``overwrite``.

    Raises
    ------
    InputError
        Naming the folder and the first files that would be replaced.
    """
    ours = owned_files(folder)
    clash = [n for n in names if (Path(folder) / n).exists() and n not in ours]
    if clash and not overwrite:
        shown = ", ".join(clash[:5])
        msg = (
            f"{folder}: {len(clash)} file(s) not written by geoseg would be replaced ({shown}); "
            "choose another folder or pass --overwrite."
        )
        raise InputError(msg)


def write_manifest(
    folder: Path,
    files: Sequence[Path],
    *,
    project: Path,
    metadata: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Record which files of ``folder`` geoseg wrote, so that the next run may replace them.

    ``metadata`` (for example the disclosure threshold of the published files) is stored too,
    and ``extra`` top-level keys (a results folder's ``kind`` and ``format_version``).
    """
    folder = Path(folder)
    names = sorted({p.name for p in files if Path(p).parent.resolve() == folder.resolve()})
    # the project file by its name: the manifest names no folder of the user, and the same run
    # into two folders writes the same manifest
    manifest: dict[str, Any] = {"files": [*names, MANIFEST], "project": Path(project).name}
    if metadata:
        manifest["metadata"] = dict(metadata)
    manifest.update(extra or {})
    write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False), root=folder)


#: GeoPackage ``last_change`` of every table geoseg writes: fixed, so that identical runs
#: give identical files (override with the ``SOURCE_DATE_EPOCH`` environment variable).
GPKG_DATE = "2000-01-01T00:00:00.000Z"


def _gpkg_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return GPKG_DATE


def write_gpkg(
    path: Path,
    layers: dict[str, Any],
    *,
    metadata: dict[str, Any] | None = None,
    exact: Collection[str] = (),
) -> None:
    """Write GeoDataFrames as layers of one GeoPackage, reproducibly.

    ``last_change`` in ``gpkg_contents`` is set to a fixed date, and ``metadata`` is stored as a
    ``geoseg_metadata`` table (key, value), so that identical inputs give identical bytes.
    Layers named in ``exact`` keep each geometry's type (a polygon is not made a one-part
    multipolygon when the layer mixes both), so that they read back as written.
    """
    for layer, gdf in layers.items():
        options = {"promote_to_multi": False} if layer in exact else {}
        gdf.to_file(path, layer=layer, driver="GPKG", index=False, **options)
    con = sqlite3.connect(path)
    try:
        if metadata:
            con.execute("CREATE TABLE geoseg_metadata (key TEXT PRIMARY KEY, value TEXT)")
            con.executemany(
                "INSERT INTO geoseg_metadata VALUES (?, ?)",
                [(str(k), str(v)) for k, v in metadata.items()],
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES ('geoseg_metadata', 'attributes', 'geoseg_metadata', "
                "'how the published layers were made (disclosure threshold, status)')"
            )
        con.execute("UPDATE gpkg_contents SET last_change = ?", (_gpkg_date(),))
        con.commit()
    finally:
        con.close()
