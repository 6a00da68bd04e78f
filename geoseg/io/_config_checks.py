"""Ranges and choices of the project file's built sections (all problems collected).

Runs after :func:`geoseg.io._config_tables.build_section`: the CRS is projected, the language,
corrections, fallbacks and network types are known ones, weights and rates are written as
documented, numbers lie in their ranges, and ``[services.osm]`` has an OSM extract to read.
"""

from __future__ import annotations

import re
from typing import Any

from geoseg.errors import GeoSegError
from geoseg.io import _config_sections as sections
from geoseg.io._validate import require_projected_crs
from geoseg.io.reshape import parse_formula

__all__ = ["check_sections"]

_LANGS = ("sv", "en")
_CORRECTIONS = ("fdr", "bonferroni", "none")
_FALLBACKS = ("none", "straight_line")
_NETWORK_TYPES = ("walk", "bike", "drive", "drive_service", "all", "all_public")
_WEIGHTS = re.compile(r"queen|rook|knn:[1-9]\d*|(distance|kernel):\d+(\.\d+)?")
_RATE = re.compile(r"[^:\s]+:[^:\s]+")


def check_sections(project: dict[str, Any], problems: list[str]) -> None:
    """Check ranges and choices of the built sections (all problems appended)."""
    proj: sections.ProjectSection = project["project"]
    try:
        require_projected_crs(proj.crs, what="[project] crs")
    except GeoSegError as exc:
        problems.append(str(exc))
    if proj.lang not in _LANGS:
        problems.append(f"[project] lang must be one of {', '.join(_LANGS)}, got {proj.lang!r}")
    reg: sections.RegistersConfig | None = project["registers"]
    if reg is not None and reg.sep is not None and len(reg.sep) != 1:
        problems.append(f"[registers] sep must be one character, got {reg.sep!r}")
    if reg is not None:
        for name, formula in reg.derive.items():
            try:
                parse_formula(formula)
            except GeoSegError as exc:
                problems.append(f"[registers] derive {name!r}: {exc}")
        areas: sections.AreasConfig | None = project["areas"]
        labelled = any(t.label for t in reg.table_specs())
        if labelled and areas is not None and areas.name is None:
            problems.append(
                "[registers] label matches region labels to the areas' names: set [areas] name"
            )
    area_cfg: sections.AreasConfig | None = project.get("areas")
    if area_cfg is not None and area_cfg.crs is not None:
        from pyproj import CRS

        try:
            CRS.from_user_input(area_cfg.crs)
        except Exception as exc:  # pyproj raises its own error type for unknown CRSs
            problems.append(f"[areas] crs {area_cfg.crs!r} is not a known CRS ({exc})")
    srv: sections.ServicesConfig = project["services"]
    if srv.crs is not None:
        from pyproj import CRS

        try:
            CRS.from_user_input(srv.crs)
        except Exception as exc:  # pyproj raises its own error type for unknown CRSs
            problems.append(f"[services] crs {srv.crs!r} is not a known CRS ({exc})")
    net: sections.NetworkConfig = project["network"]
    if srv.osm:
        _check_osm_services(srv, net, problems)
    if net.path is not None and net.place is not None:
        problems.append("[network] give either path or place, not both")
    if net.network_type not in _NETWORK_TYPES:
        problems.append(
            f"[network] network_type must be one of {', '.join(_NETWORK_TYPES)}, "
            f"got {net.network_type!r}"
        )
    if net.buffer_m is not None and not net.buffer_m >= 0:
        problems.append(f"[network] buffer_m must be >= 0, got {net.buffer_m}")
    pop: sections.PopulationConfig = project["population"]
    if pop.buildings is None:
        for key in ("buildings_layer", "buildings_weight"):
            if getattr(pop, key) is not None:
                problems.append(f"[population] {key} is set but buildings (the file) is not")
    ind: sections.IndicesConfig = project["indices"]
    hot: sections.HotspotsConfig = project["hotspots"]
    for label, value in (
        ("[indices] permutations", ind.permutations),
        ("[hotspots] permutations", hot.permutations),
        ("[indices] seed", ind.seed),
        ("[hotspots] seed", hot.seed),
        ("[disclosure] threshold", project["disclosure"].threshold),
    ):
        if value < 0:
            problems.append(f"{label} must be >= 0, got {value}")
    disc: sections.DisclosureConfig = project["disclosure"]
    if 0 <= disc.threshold < 3 and not disc.allow_small_counts:
        problems.append(
            f"[disclosure] threshold {disc.threshold} is below 3: published output would disclose "
            "very small counts; raise it, or add allow_small_counts = true if your statistical "
            "office permits it"
        )
    if not 0 < hot.alpha < 1:
        problems.append(f"[hotspots] alpha must lie between 0 and 1, got {hot.alpha}")
    if hot.correction not in _CORRECTIONS:
        problems.append(
            f"[hotspots] correction must be one of {', '.join(_CORRECTIONS)}, "
            f"got {hot.correction!r}"
        )
    if not _WEIGHTS.fullmatch(hot.weights):
        problems.append(
            f"[hotspots] weights must be queen, rook, knn:K, distance:METRES or kernel:METRES, "
            f"got {hot.weights!r}"
        )
    bad_rates = [r for r in hot.rates if not _RATE.fullmatch(r)]
    if bad_rates:
        problems.append(
            f"[hotspots] rates must be written NUMERATOR:DENOMINATOR, got {', '.join(bad_rates)}"
        )
    trends: sections.TrendsConfig = project["trends"]
    if trends.method not in ("theil_sen", "ols"):
        problems.append(f"[trends] method must be theil_sen or ols, got {trends.method!r}")
    if not 0 < trends.confidence < 1:
        problems.append(f"[trends] confidence must lie between 0 and 1, got {trends.confidence}")
    if trends.time_window < 0:
        problems.append(f"[trends] time_window must be >= 0 years, got {trends.time_window}")
    acc: sections.AccessConfig = project["access"]
    for label, value in (
        ("speed_kmh", acc.speed_kmh),
        ("minutes", acc.minutes),
        ("max_snap_m", acc.max_snap_m),
    ):
        if not value > 0:
            problems.append(f"[access] {label} must be > 0, got {value}")
    if acc.fallback not in _FALLBACKS:
        problems.append(
            f"[access] fallback must be one of {', '.join(_FALLBACKS)}, got {acc.fallback!r}"
        )
    if not 1 <= acc.detour <= 5:
        problems.append(
            f"[access] detour must lie between 1 and 5 (walking distance / straight-line "
            f"distance; 1.2-1.4 in cities), got {acc.detour:g}"
        )


def _check_osm_services(
    srv: sections.ServicesConfig, net: sections.NetworkConfig, problems: list[str]
) -> None:
    """``[services.osm]``: known kinds, valid tag filters, an OSM extract to read them from."""
    from geoseg.io.osm_services import expand_service_tags

    for kind in srv.osm:
        if kind not in srv.kinds:
            problems.append(
                f"[services.osm] {kind}: not a kind of [services.kinds]; add "
                f'{kind} = "<register column of its demand group>" to [services.kinds]'
            )
    try:
        expand_service_tags(srv.osm)
    except ValueError as exc:
        problems.extend(f"[services.osm] {line}" for line in str(exc).splitlines())
    name = "" if net.path is None else net.path.name.lower()
    if not name.endswith((".pbf", ".osm", ".xml", ".bz2", ".gz")):
        problems.append(
            "[services.osm] reads services from the OSM extract of [network] path; name an "
            ".osm.pbf / .osm / .osm.bz2 / .osm.gz file there"
        )
