"""Generate a fictional nation: many example municipalities of varied size and a national file.

Each municipality is an example city (:func:`geoseg.example.generate_city`) with few areas,
its area codes prefixed with its four-digit municipality code (county ``99`` and below, which
no real Swedish county uses), registers extended with income fifths and education, and its own
project file. The municipalities lie side by side on a grid (each moved from the example
city's place by whole kilometres), and their streets are written once more together as one
national OSM extract, ``network/national_streets.osm.pbf``, which every municipality's project
file names: each task reads it clipped to its own areas plus a buffer of the longest walking
threshold. Each municipality keeps its own extract (``network/example_streets.osm.pbf``) too.
The national project file ``national.toml`` lists them (see ``docs/config.md``).
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import rasterio
from pyproj import Transformer

from geoseg.errors import InputError
from geoseg.example._land import _frame
from geoseg.example._network import Network, write_pbf
from geoseg.example.city import _check_target, _csv_text, _write_gpkg, generate_city
from geoseg.io import write_bytes, write_text, write_with
from geoseg.settings import random_generator, task_seed

__all__ = [
    "MAX_MUNICIPALITIES",
    "NATIONAL_EXTRACT",
    "generate_nation",
    "municipality_code",
    "municipality_sizes",
    "nation_toml",
]

logger = logging.getLogger(__name__)

MAX_MUNICIPALITIES = 990
#: Income fifths added to every municipality's register (persons per fifth of the income scale).
INCOME_GROUPS = ("income_q1", "income_q2", "income_q3", "income_q4", "income_q5")
#: The national OSM extract, relative to the nation's folder.
NATIONAL_EXTRACT = "network/national_streets.osm.pbf"
#: Metres of open land between neighbouring municipalities' frames.
GAP_M = 2_000.0


def municipality_code(i: int) -> str:
    """The fictional four-digit code of the ``i``-th municipality (0-based): 9901, 9902, ..."""
    return f"{99 - i // 99:02d}{i % 99 + 1:02d}"


def municipality_sizes(
    municipalities: int, *, seed: int = 2026, min_areas: int = 8, max_areas: int = 40
) -> list[int]:
    """Areas per municipality of a generated nation (the same draw as :func:`generate_nation`).

    A Pareto tail between ``min_areas`` and ``max_areas``: a few large cities and many small
    towns. With ``min_areas=10, max_areas=150``, 290 municipalities hold 6,032 areas (about
    Sweden's 5,984 DeSO).
    """
    rng = random_generator(np.random.SeedSequence([seed, municipalities]))
    raw = min_areas + np.floor(rng.pareto(1.2, size=municipalities) * min_areas / 2)
    return [int(v) for v in np.clip(raw, min_areas, max_areas)]


def _offsets(sizes: list[int]) -> list[tuple[float, float]]:
    """Whole-kilometre shifts that lay the municipalities side by side on a square grid."""
    cell = math.ceil((_frame(max(sizes))[4] + GAP_M) / 1000.0) * 1000.0
    cols = math.ceil(math.sqrt(len(sizes)))
    return [((i % cols) * cell, (i // cols) * cell) for i in range(len(sizes))]


def _read_streets(path: Path) -> Network:
    """The example city's streets read back from its PBF (node ids 1..n in order)."""
    lon: list[float] = []
    lat: list[float] = []
    ways: list[tuple[np.ndarray, dict[str, str]]] = []
    for obj in osmium.FileProcessor(str(path)):
        if isinstance(obj, osmium.osm.Node):
            lon.append(obj.location.lon)
            lat.append(obj.location.lat)
        elif isinstance(obj, osmium.osm.Way):
            refs = np.fromiter((n.ref for n in obj.nodes), dtype=np.int64) - 1
            ways.append((refs, {t.k: t.v for t in obj.tags}))
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    x, y = to_m.transform(np.asarray(lon), np.asarray(lat))
    return Network(np.asarray(x), np.asarray(y), ways)


def _shift_city(folder: Path, dx: float, dy: float) -> Network:
    """Move a generated city's water, services, grid and streets by (dx, dy) metres."""
    water = gpd.read_file(folder / "boundaries" / "example_water.gpkg", layer="water")
    water["geometry"] = water.geometry.translate(dx, dy)
    _write_gpkg(water, folder / "boundaries" / "example_water.gpkg", "water", overwrite=True)
    svc_path = folder / "services" / "example_services.csv"
    svc = pd.read_csv(svc_path, sep=";", decimal=",", dtype={"service_id": str})
    svc["x"] = svc["x"] + int(dx)
    svc["y"] = svc["y"] + int(dy)
    write_bytes(svc_path, _csv_text(svc).encode("utf-8"), root=folder)
    grid_path = folder / "population" / "example_population.tif"
    with rasterio.open(grid_path) as src:
        profile, band, tags = src.profile, src.read(1), src.tags(1)
    t = profile["transform"]
    profile["transform"] = rasterio.Affine(t.a, t.b, t.c + dx, t.d, t.e, t.f + dy)

    def write_grid(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(band, 1)
            dst.update_tags(1, **tags)

    write_with(grid_path, write_grid, root=folder, overwrite=True)
    net = _read_streets(folder / "network" / "example_streets.osm.pbf")
    net = Network(net.x + dx, net.y + dy, net.ways)
    pbf = folder / "network" / "example_streets.osm.pbf"
    write_with(pbf, lambda tmp: write_pbf(net, tmp), root=folder, overwrite=True)
    # the city's XML copy of its streets would still lie at the old place
    (folder / "network" / "example_streets.osm.bz2").unlink(missing_ok=True)
    return net


def _national_network(nets: list[Network]) -> Network:
    """Every municipality's streets in one network (unique node and way ids)."""
    start = np.cumsum([0, *(len(n.x) for n in nets)])
    ways = [(refs + start[i], tags) for i, n in enumerate(nets) for refs, tags in n.ways]
    return Network(np.concatenate([n.x for n in nets]), np.concatenate([n.y for n in nets]), ways)


def _largest_remainder(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    exact = total[:, None] * shares
    counts = np.floor(exact).astype(np.int64)
    short = total.astype(np.int64) - counts.sum(axis=1)
    order = np.argsort(-(exact - counts), axis=1, kind="stable")
    for row in np.nonzero(short > 0)[0]:
        counts[row, order[row, : short[row]]] += 1
    return counts


def _extend_register(reg: pd.DataFrame) -> pd.DataFrame:
    """Add income fifths and education counts derived from each area's income and poverty."""
    out = reg.copy()
    pop = out["pop_total"].to_numpy(dtype=float)
    income = out["median_income_tkr"].to_numpy(dtype=float)
    x = (income - 300.0) / 60.0
    k = np.arange(5) - 2.0
    w = np.exp(0.6 * np.outer(x, k))
    shares = w / w.sum(axis=1, keepdims=True)
    counts = _largest_remainder(pop, shares)
    for j, col in enumerate(INCOME_GROUPS):
        out[col] = counts[:, j]
    age = out["age_20_64"].to_numpy(dtype=float)
    base = np.round(age * 0.88).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        poor = np.where(pop > 0, out["low_economic_standard"].to_numpy(dtype=float) / pop, 0.0)
    out["age_25_64"] = base
    out["education_compulsory_25_64"] = np.round(base * np.clip(0.06 + 0.6 * poor, 0, 0.9))
    out["education_compulsory_25_64"] = out["education_compulsory_25_64"].astype(np.int64)
    return out


def _municipality_toml(text: str, *, code: str, seed: int, permutations: int) -> str:
    text = text.replace('name = "Exempelstad (fiktiv)"', f'name = "Exempelkommun {code} (fiktiv)"')
    text = text.replace("seed = 12345", f"seed = {seed}")
    text = text.replace("permutations = 999", "permutations = 99")
    text = text.replace("permutations = 99\n", f"permutations = {permutations}\n")
    text = text.replace(
        'path = "network/example_streets.osm.pbf"', f'path = "../{NATIONAL_EXTRACT}"'
    )
    extra = '  "income_q1", "income_q2", "income_q3", "income_q4", "income_q5",\n'
    extra += '  "age_25_64", "education_compulsory_25_64",\n'
    return text.replace(
        '  "dwellings_owner_occupied",\n', '  "dwellings_owner_occupied",\n' + extra
    )


def nation_toml(codes: list[str], *, seed: int) -> str:
    """The generated nation's project file (``national.toml``), following ``docs/config.md``."""
    rows = "\n".join(f'"{c}" = "{c}/geoseg.toml"' for c in codes)
    return f"""# National project file of the fictional nation "Exempelland".
# Generated by `geoseg example-nation --municipalities {len(codes)} --seed {seed}`;
# every value is invented.

[national]
name = "Exempelland (fiktivt)"
fictional = true
seed = {seed}
lang = "sv"
output = "output"

[national.municipalities]
{rows}

[national.index]
indicators = ["low_economic_standard", "employment", "low_education"]
cuts = [-1.5, -1.0, 0.0, 1.0]

[national.income]
groups = ["income_q1", "income_q2", "income_q3", "income_q4", "income_q5"]
low = "income_q1"
high = "income_q5"

[indicators.low_economic_standard]
numerator = "low_economic_standard"
denominator = "pop_total"
kind = "share"
label_sv = "Låg ekonomisk standard"
label_en = "Low economic standard"
worse = "higher"
target_area = "work"

[indicators.employment]
numerator = "employed_20_64"
denominator = "age_20_64"
kind = "share"
label_sv = "Förvärvsarbetande 20–64 år"
label_en = "In employment, aged 20–64"
worse = "lower"
target_area = "work"

[indicators.low_education]
numerator = "education_compulsory_25_64"
denominator = "age_25_64"
kind = "share"
label_sv = "Högst förgymnasial utbildning 25–64 år"
label_en = "At most compulsory education, aged 25–64"
worse = "higher"
target_area = "work"
"""


def generate_nation(
    out_dir: str | Path,
    *,
    municipalities: int = 12,
    seed: int = 2026,
    min_areas: int = 8,
    max_areas: int = 40,
    permutations: int = 99,
    overwrite: bool = False,
) -> Path:
    """Write a fictional nation: one example municipality per folder and ``national.toml``.

    Parameters
    ----------
    out_dir
        Folder to write into; created when missing; must be empty unless ``overwrite``.
    municipalities
        Number of municipalities (1 to :data:`MAX_MUNICIPALITIES`).
    seed
        Seed of every random choice; each municipality's own seed is derived from this seed
        and its code (:func:`geoseg.settings.task_seed`), not from its position.
    min_areas, max_areas
        Areas per municipality: drawn from a Pareto distribution (many small towns, a few
        large cities) between these bounds (``min_areas`` at least 8).
    permutations
        Permutations of the segregation indices' and hotspots' inference in every
        municipality's project file.
    overwrite
        Write into a non-empty folder, replacing the generator's own files.

    Returns
    -------
    pathlib.Path
        The national project file ``out_dir/national.toml``.

    Raises
    ------
    geoseg.errors.InputError
        Arguments out of range, or ``out_dir`` not empty without ``overwrite``.
    """
    problems = []
    if not isinstance(municipalities, int) or not 1 <= municipalities <= MAX_MUNICIPALITIES:
        problems.append(
            f"municipalities must be between 1 and {MAX_MUNICIPALITIES}, got {municipalities!r}"
        )
    if not isinstance(seed, int) or seed < 0:
        problems.append(f"seed must be a whole number >= 0, got {seed!r}")
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 0:
        problems.append(f"permutations must be a whole number >= 0, got {permutations!r}")
    if not 8 <= min_areas <= max_areas:
        problems.append(f"need 8 <= min_areas <= max_areas, got {min_areas} and {max_areas}")
    if problems:
        msg = "example nation: " + "; ".join(problems) + "; fix the arguments and run again."
        raise InputError(msg)
    out = Path(out_dir)
    _check_target(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    sizes = municipality_sizes(municipalities, seed=seed, min_areas=min_areas, max_areas=max_areas)
    codes = [municipality_code(i) for i in range(municipalities)]
    nets = []
    for code, n_areas, (dx, dy) in zip(codes, sizes, _offsets(sizes), strict=True):
        folder = out / code
        mseed = task_seed(seed, code)
        path = generate_city(folder, areas=n_areas, seed=mseed, overwrite=overwrite)
        nets.append(_shift_city(folder, dx, dy))
        areas_path = folder / "boundaries" / "example_areas.gpkg"
        areas = gpd.read_file(areas_path, layer="areas")
        areas["code"] = code + areas["code"].astype(str)
        areas["geometry"] = areas.geometry.translate(dx, dy)
        areas["district_code"] = code + areas["district_code"].astype(str)
        _write_gpkg(areas, areas_path, "areas", overwrite=True)
        dist_path = folder / "boundaries" / "example_districts.gpkg"
        districts = gpd.read_file(dist_path, layer="districts")
        districts["district_code"] = code + districts["district_code"].astype(str)
        districts["geometry"] = districts.geometry.translate(dx, dy)
        _write_gpkg(districts, dist_path, "districts", overwrite=True)
        reg_path = folder / "registers" / "example_registers.csv"
        reg = pd.read_csv(
            reg_path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"area_code": str}
        )
        reg["area_code"] = code + reg["area_code"]
        reg = _extend_register(reg)
        write_bytes(reg_path, ("\ufeff" + _csv_text(reg)).encode("utf-8"), root=folder)
        toml = _municipality_toml(
            path.read_text("utf-8"), code=code, seed=mseed, permutations=permutations
        )
        write_text(path, toml, root=folder)
        logger.info("example nation: municipality %s, %d areas", code, n_areas)
    national_net = _national_network(nets)
    del nets
    (out / "network").mkdir(exist_ok=True)
    write_with(out / NATIONAL_EXTRACT, lambda tmp: write_pbf(national_net, tmp), root=out)
    national = write_text(out / "national.toml", nation_toml(codes, seed=seed), root=out)
    logger.info(
        "example nation: %d municipalities, %d areas in %.1f s",
        municipalities,
        sum(sizes),
        time.perf_counter() - t0,
    )
    return national
