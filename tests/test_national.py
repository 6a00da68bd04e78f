"""National runs: a generated nation on a 2-worker Dask cluster equals the serial run."""

from __future__ import annotations

import functools
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pymannkendall as mk
import pytest
from click.testing import CliRunner
from scipy.stats import theilslopes

from geoseg.cli import main
from geoseg.example.nation import generate_nation
from geoseg.io.frames import tables_from_bytes
from geoseg.national import run_nation, run_national, task_seed
from geoseg.segregation import area_types, inequality_index, socioeconomic_index

STAGES = ("segregation",)
#: The register columns the example nation's national measures read.
NATIONAL_COLUMNS = [
    "low_economic_standard", "pop_total", "employed_20_64", "age_20_64",
    "education_compulsory_25_64", "age_25_64",
    "income_q1", "income_q2", "income_q3", "income_q4", "income_q5",
]  # fmt: skip


#: The indices the national runs compute: the tested ones of a run's trend, and one whose
#: p-values on these small municipalities lie off the floor of the permutation test, so that
#: a different seed shows (every index of the registry, the example's default, makes a run of
#: four municipalities eight times slower and adds nothing to what these tests check).
INDICES = '["dissimilarity", "isolation", "multigroup_dissimilarity", "multigroup_diversity"]'


def _few_indices(land: Path) -> None:
    """Let every municipality's project compute :data:`INDICES` only."""
    for toml in sorted(land.glob("*/geoseg.toml")):
        text = toml.read_text("utf-8")
        assert "[indices]\nnames = []\n" in text
        toml.write_text(text.replace("[indices]\nnames = []\n", f"[indices]\nnames = {INDICES}\n"))


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    path = generate_nation(out / "land", municipalities=4, seed=7, max_areas=10)
    _few_indices(path.parent)
    return path


def _copy(nation: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "land"
    shutil.copytree(nation.parent, dst)
    return dst / "national.toml"


def _files(folder: Path) -> dict[str, bytes]:
    """Every result file's bytes, except timings and the hash manifest."""
    skip = {"national_tasks.csv", "geoseg-run.json", "national-tasks.json"}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip and p.suffix in (".csv", ".html")
    }


def test_validate_accepts_the_nation_run_accepts(nation: Path, tmp_path: Path) -> None:
    path = _copy(nation, tmp_path)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    codes = sorted(read_national_codes(path))
    said = [line for line in res.output.splitlines() if line.startswith("municipality ")]
    assert [line.split(":")[0] for line in said] == [f"municipality {c}" for c in codes]
    assert all("register years 2018–2023" in line for line in said)
    # a national results folder ([national] output) that is a file: refused by both alike
    (path.parent / "taken").write_text("mine", encoding="utf-8")
    text = path.read_text("utf-8")
    assert 'output = "output"' in text
    path.write_text(text.replace('output = "output"', 'output = "taken"'), "utf-8")
    res = CliRunner().invoke(main, ["validate", str(path)])
    ran = CliRunner().invoke(main, ["run", str(path)])
    assert res.exit_code == ran.exit_code == 2, (res.output, ran.output)
    assert "the national results folder is a file" in res.output
    assert "the national results folder is a file" in ran.output
    assert (path.parent / "taken").read_text(encoding="utf-8") == "mine"


def read_national_codes(path: Path) -> list[str]:
    import tomllib

    return list(tomllib.loads(path.read_text("utf-8"))["national"]["municipalities"])


def test_generated_nation_codes_and_sizes(nation: Path) -> None:
    folders = sorted(p for p in nation.parent.iterdir() if p.is_dir() and p.name != "network")
    assert [f.name for f in folders] == ["9901", "9902", "9903", "9904"]
    assert (nation.parent / "network" / "national_streets.osm.pbf").is_file()
    hulls = []
    for folder in folders:
        areas = gpd.read_file(folder / "boundaries" / "example_areas.gpkg")
        hulls.append(areas.union_all())
        assert 8 <= len(areas) <= 10
        assert areas["code"].str.startswith(folder.name).all()
        reg = pd.read_csv(
            folder / "registers" / "example_registers.csv",
            sep=";",
            decimal=",",
            encoding="utf-8-sig",
            dtype={"area_code": str},
        )
        assert reg["area_code"].str.startswith(folder.name).all()
        quint = reg[[f"income_q{k}" for k in range(1, 6)]].sum(axis=1)
        assert (quint == reg["pop_total"]).all()
    # side by side: every two municipalities more than the walking buffer (1,200 m) apart
    gaps = [a.distance(b) for i, a in enumerate(hulls) for b in hulls[i + 1 :]]
    assert min(gaps) > 1200


@pytest.mark.slow  # a Dask or process-pool run of the example nation
def test_dask_run_equals_serial_run(
    nation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the serial run: asked for two workers where Dask is not installed
    with monkeypatch.context() as m, caplog.at_level("WARNING", logger="geoseg.national"):
        m.setitem(sys.modules, "distributed", None)
        serial = run_national(nation, output=tmp_path / "serial", workers=2, stages=STAGES)
    assert "dask is not installed (pip install geoseg[dask]); running serially" in caplog.text
    assert all(t.worker.startswith("pid ") for t in [*serial.tasks, *serial.year_tasks])
    dask = run_national(nation, output=tmp_path / "dask", workers=2, processes=False, stages=STAGES)
    assert [t.status for t in serial.tasks] == ["done"] * 4
    assert [t.status for t in dask.tasks] == ["done"] * 4
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    assert len(a) > 10 and a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    # the national measures are a task of the graph: on a worker of the cluster in the Dask
    # run, in this process in the serial run, with the same tables
    assert serial.national is not None and dask.national is not None
    assert serial.national.status == dask.national.status == "done"
    assert serial.national.worker.startswith("pid ")
    assert not dask.national.worker.startswith("pid ")
    for table in ("areas", "municipalities", "trend"):
        pd.testing.assert_frame_equal(
            getattr(dask, table), getattr(serial, table), check_exact=True
        )
    for folder in ("serial", "dask"):
        tasks = pd.read_csv(tmp_path / folder / "national_tasks.csv", dtype=str)
        assert tasks["task"].tolist()[-1] == "national"
        assert tasks["status"].tolist()[-1] == "done"
    # the national level equals the measures computed directly on all registers
    areas = serial.areas
    assert areas is not None and serial.municipalities is not None
    assert areas["area_type"].between(1, 5).all()
    reg = pd.concat(t.register for t in serial.tasks if t.register is not None)
    reg = reg.reset_index(drop=True)
    idx = socioeconomic_index(
        reg, _nation_indicators(nation), id_column="area_code", year_column="year"
    )
    np.testing.assert_allclose(areas["socioeconomic_index"], idx["socioeconomic_index"])
    types = area_types(idx["socioeconomic_index"], years=reg["year"])
    assert areas["area_type"].tolist() == types.tolist()
    groups = [f"income_q{k}" for k in range(1, 6)]
    ineq = inequality_index(reg, groups=groups, by=["municipality", "year"])
    got = serial.municipalities.set_index(["municipality", "year"])["inequality_index"]
    np.testing.assert_allclose(got.loc[ineq.index], ineq)
    # trends of the three national measures (the two indices and the area-type shares) per
    # municipality: Theil-Sen slopes as scipy's, Mann-Kendall p-values as pymannkendall's
    trend = serial.trend
    assert trend is not None
    measures = ["inequality_index", "segregation_index", *(f"area_type_{k}" for k in range(1, 6))]
    assert trend["measure"].tolist() == measures * 4
    assert trend["municipality"].tolist() == [c for c in ("9901", "9902", "9903", "9904")
                                              for _ in measures]  # fmt: skip
    per_year = serial.municipalities.set_index(["municipality", "year"]).sort_index()
    for row in trend.itertuples():
        series = per_year.loc[row.municipality, row.measure]
        assert (row.first_year, row.last_year, row.years) == (2018, 2023, 6)
        assert row.value_first == series.iloc[0] and row.value_last == series.iloc[-1]
        assert row.change == pytest.approx(series.iloc[-1] - series.iloc[0], abs=1e-15)
        fit = theilslopes(series.to_numpy(), series.index.to_numpy(dtype=float))
        assert row.slope == pytest.approx(fit.slope, abs=1e-12)
        assert row.slope_low == pytest.approx(fit.low_slope, abs=1e-12)
        assert row.mk_p == pytest.approx(mk.original_test(series.to_numpy()).p, abs=1e-9)
    assert set(trend["direction"]) <= {"increasing", "decreasing", "no trend"}
    # areas below the disclosure threshold: nothing but their codes is published
    published = pd.read_csv(
        tmp_path / "serial" / "national_areas.csv", dtype={"area_code": str, "municipality": str}
    )
    assert published["area_code"].tolist() == areas["area_code"].tolist()
    small = (areas["population"] < 5).to_numpy()
    assert small.any()
    assert not (published["population"] < 5).any()
    values = [c for c in published.columns if c not in ("municipality", "area_code", "year")]
    assert published.loc[small, values].isna().all().all()
    assert published.loc[~small, "area_type"].notna().all()
    page = (tmp_path / "serial" / "index.html").read_text("utf-8")
    for code in ("9901", "9902", "9903", "9904"):
        assert f'href="municipalities/{code}/maps/index.html"' not in page  # no maps stage
        assert code in page


def _nation_indicators(nation: Path) -> dict:
    from geoseg.io.national import read_national

    return read_national(nation).indicators


def test_bad_municipalities_fail_alone(nation: Path, tmp_path: Path) -> None:
    path = _copy(nation, tmp_path)
    land = path.parent
    # 9902: no areas
    areas = gpd.read_file(land / "9902" / "boundaries" / "example_areas.gpkg")
    areas.iloc[:0].to_file(land / "9902" / "boundaries" / "example_areas.gpkg", layer="areas")
    # 9906: unreadable boundaries
    shutil.copytree(land / "9904", land / "9906")
    (land / "9906" / "boundaries" / "example_areas.gpkg").write_bytes(b"not a geopackage")
    # 9904: a register row of an area outside the municipality
    register = land / "9904" / "registers" / "example_registers.csv"
    text = register.read_text("utf-8-sig")
    assert text.count("\n99040101;2018;") == 1
    register.write_text(text.replace("\n99040101;2018;", "\n99990101;2018;"), "utf-8-sig")
    # 9903 listed under a code its areas do not start with; 9905 has no project file
    text = path.read_text("utf-8").replace('"9903" = ', '"9913" = ')
    text = text.replace(
        '"9904" = "9904/geoseg.toml"',
        '"9904" = "9904/geoseg.toml"\n"9905" = "9905/geoseg.toml"\n"9906" = "9906/geoseg.toml"',
    )
    path.write_text(text, "utf-8")
    checked = CliRunner().invoke(main, ["validate", str(path)])
    result = run_national(path, workers=2, processes=False, stages=STAGES)
    status = {t.name: t.status for t in result.tasks}
    # validate refused first, naming every municipality run fails, with run's own message
    assert checked.exit_code == 2, checked.output
    assert "Traceback" not in checked.output and "5 problems found" in checked.output
    for failed in result.failed:
        assert failed.error is not None and failed.error in checked.output
    assert "municipality 9901" not in checked.output
    assert status == {
        "9901": "done", "9902": "failed", "9913": "failed", "9904": "failed", "9905": "failed",
        "9906": "failed",
    }  # fmt: skip
    errors = {t.name: t.error or "" for t in result.failed}
    assert "has no areas" in errors["9902"] and "remove it from the national file" in errors["9902"]
    assert "do not start with the municipality code 9913" in errors["9913"]
    assert "99030101" in errors["9913"]
    assert "not found" in errors["9905"] and "9905/geoseg.toml" in errors["9905"]
    assert "cannot read the area boundaries" in errors["9906"] and "[areas] path" in errors["9906"]
    assert "1 area code(s) in the register" in errors["9904"]
    assert "do not start with the municipality code 9904: 99990101" in errors["9904"]
    assert "keep only the municipality's own areas in its register" in errors["9904"]
    assert result.municipalities is not None
    assert sorted(result.municipalities["municipality"].unique()) == ["9901"]
    tasks = pd.read_csv(land / "output" / "national_tasks.csv", dtype=str, keep_default_na=False)
    whole = tasks[(tasks["year"] == "") & (tasks["task"] != "national")]
    assert whole.set_index("municipality")["status"].to_dict() == status
    assert tasks[tasks["task"] == "national"]["status"].tolist() == ["done"]
    # 9901's year tasks ran; the bad municipalities' year tasks (where planned) failed alike
    years = tasks[tasks["year"] != ""]
    assert set(years.loc[years["municipality"] == "9901", "status"]) == {"done"}
    assert len(years[years["municipality"] == "9901"]) == 6
    bad = years[years["municipality"].isin(["9902", "9913", "9904"])]
    assert len(bad) and set(bad["status"]) == {"failed"}
    assert bad["error"].str.contains("municipality 99").all()


def test_rerun_skips_unchanged_municipalities(nation: Path, tmp_path: Path) -> None:
    path = _copy(nation, tmp_path)
    first = run_national(path, workers=0, stages=STAGES)
    before = _files(path.parent / "output")
    second = run_national(path, workers=0, stages=STAGES)
    assert [t.status for t in second.tasks] == ["skipped"] * 4
    assert _files(path.parent / "output") == before
    toml = path.parent / "9903" / "geoseg.toml"
    toml.write_text(
        toml.read_text("utf-8").replace("permutations = 99\n", "permutations = 49\n", 1)
    )
    third = run_national(path, workers=0, stages=STAGES)
    assert {t.name: t.status for t in third.tasks} == {
        "9901": "skipped", "9902": "skipped", "9903": "done", "9904": "skipped"
    }  # fmt: skip
    assert [t.status for t in first.tasks] == ["done"] * 4


def test_task_seed_depends_on_seed_and_name_only() -> None:
    names = ["9901", "9902", "9903"]
    forward = [task_seed(5, n) for n in names]
    backward = [task_seed(5, n) for n in reversed(names)][::-1]
    assert forward == backward
    assert len(set(forward)) == 3
    assert task_seed(6, "9901") != task_seed(5, "9901")
    assert all(0 <= s < 2**31 for s in forward)


def test_cli_example_nation_and_run(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["example-nation", "--municipalities", "2", "--max-areas", "8",
                               "--seed", "3", "--out", str(tmp_path / "n")])  # fmt: skip
    assert res.exit_code == 0, res.output
    _few_indices(tmp_path / "n")
    res = runner.invoke(
        main,
        ["run", str(tmp_path / "n" / "national.toml"), "--workers", "0", "--stage", "segregation"],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "n" / "output" / "national_municipalities.csv").is_file()
    assert "9901: done" in res.output and "9902: done" in res.output
    assert res.output.count("year tasks: 6 done)") == 2


@pytest.mark.slow
def test_process_cluster_equals_serial_with_maps(nation: Path, tmp_path: Path) -> None:
    serial = run_national(nation, output=tmp_path / "serial", workers=0)
    dask = run_national(nation, output=tmp_path / "dask", workers=2, processes=True)
    assert [t.status for t in dask.tasks] == ["done"] * 4
    assert len({t.worker for t in dask.tasks}) >= 1
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    for name in ("national_areas.csv", "national_municipalities.csv", "national_trend.csv"):
        assert a[name] == b[name]
    for code in ("9901", "9902", "9903", "9904"):
        for table in ("segregation_indices.csv", "hotspots.csv", "access_areas.csv"):
            key = f"municipalities/{code}/{table}"
            assert a[key] == b[key], key
    page = (tmp_path / "dask" / "index.html").read_text("utf-8")
    assert 'href="municipalities/9901/maps/index.html"' in page
    assert serial.seconds > 0


def test_national_file_problems_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "national.toml"
    path.write_text(
        '[national]\nfoo = 1\n[national.municipalities]\n"../x" = "x/geoseg.toml"\n'
        '"0114" = "a/geoseg.toml"\n[national.index]\nindicators = ["nope"]\n'
        '[national.income]\ngroups = ["q1", "q5"]\nlow = "q9"\n',
        "utf-8",
    )
    res = CliRunner().invoke(main, ["run", str(path), "--workers", "0"])
    assert res.exit_code == 2
    for part in ("unknown key(s) foo", "'../x'", "[indicators.nope]", "low must be one of"):
        assert part in res.output, part
    assert "Traceback" not in res.output


@pytest.mark.slow  # a Dask or process-pool run of the example nation
def test_existing_scheduler(nation: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        result = run_national(
            nation, output=tmp_path / "out", scheduler=cluster.scheduler_address, stages=STAGES
        )
        addresses = {w.address for w in cluster.workers.values()}
    assert [t.status for t in result.tasks] == ["done"] * 4
    assert {t.worker for t in result.tasks} == addresses
    # the national measures too are computed on the cluster
    assert result.national is not None and result.national.status == "done"
    assert result.national.worker in addresses
    assert result.municipalities is not None and len(result.municipalities) == 4 * 6


def _matched(net, ref) -> tuple[np.ndarray, np.ndarray]:
    """The CSR graph of ``net`` with its nodes reordered to match ``ref``'s by position."""
    key = {(round(x, 2), round(y, 2)): i for i, (x, y) in enumerate(zip(net.x, net.y, strict=True))}
    order = np.array([key[(round(x, 2), round(y, 2))] for x, y in zip(ref.x, ref.y, strict=True)])
    return net.graph[order][:, order].toarray(), ref.graph.toarray()


def test_national_extract_clipped_equals_municipality_extract(nation: Path, tmp_path: Path) -> None:
    from scipy.sparse.csgraph import dijkstra

    from geoseg.io import read_config, read_network
    from geoseg.pipeline import run_project

    land = nation.parent
    project = read_config(land / "9902" / "geoseg.toml")
    extract = (land / "network" / "national_streets.osm.pbf").resolve()
    assert Path(project.network.path).resolve() == extract
    areas = gpd.read_file(project.areas.path)
    buffer_m = project.access.minutes * 60 * project.access.speed_kmh / 3.6
    cache = tmp_path / "cache"
    whole = read_network(project.network.path, clip=None, cache_folder=cache)
    national = read_network(
        project.network.path, clip=areas.geometry, buffer_m=buffer_m, cache_folder=cache
    )
    own = read_network(
        land / "9902" / "network" / "example_streets.osm.pbf",
        clip=areas.geometry,
        buffer_m=buffer_m,
        cache_folder=cache,
    )
    # the national extract holds every municipality; its clip holds exactly 9902's streets
    assert whole.n_nodes > 3 * own.n_nodes
    assert national.n_nodes == own.n_nodes
    got, want = _matched(national, own)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # no route lost: shortest paths on the clipped national network equal those on the
    # municipality's own extract (scipy's Dijkstra on both, from 20 nodes)
    sources = np.linspace(0, own.n_nodes - 1, 20).astype(int)
    np.testing.assert_allclose(
        dijkstra(got, indices=sources, directed=False),
        dijkstra(want, indices=sources, directed=False),
        rtol=1e-9,
    )
    # and the whole job's walking access is the same from either extract
    own_toml = land / "9902" / "own.toml"
    own_toml.write_text(
        (land / "9902" / "geoseg.toml")
        .read_text("utf-8")
        .replace('"../network/national_streets.osm.pbf"', '"network/example_streets.osm.pbf"'),
        "utf-8",
    )
    try:
        a = run_project(land / "9902" / "geoseg.toml", output=tmp_path / "a", stages=["access"])
        b = run_project(own_toml, output=tmp_path / "b", stages=["access"])
    finally:
        own_toml.unlink()
    assert a.access is not None and set(a.access["id"]) == set(areas["code"])
    assert a.access["share_unreachable"].notna().sum() > len(areas)
    pd.testing.assert_frame_equal(a.access, b.access)
    own_access = (tmp_path / "b" / "access_areas.csv").read_bytes()
    assert (tmp_path / "a" / "access_areas.csv").read_bytes() == own_access
    # a national run reads the shared extract once and every task clips its arrays: the same
    result = run_national(nation, output=tmp_path / "nat", workers=0, stages=("access",))
    assert [t.status for t in result.tasks] == ["done"] * 4
    (arrays,) = (tmp_path / "nat" / "network").glob("national_streets-walk-*.npz")
    assert arrays in result.files
    got_access = tmp_path / "nat" / "municipalities" / "9902" / "access_areas.csv"
    assert got_access.read_bytes() == own_access


def _extract_without(src: Path, dst: Path, areas: gpd.GeoDataFrame) -> None:
    """Copy an OSM extract, leaving out every node within 3 km of ``areas`` (and their ways)."""
    import osmium

    west, south, east, north = areas.buffer(3000).to_crs(4326).total_bounds
    dropped: set[int] = set()
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node():
                loc = obj.location
                if west <= loc.lon <= east and south <= loc.lat <= north:
                    dropped.add(obj.id)
                else:
                    writer.add_node(obj)
            elif obj.is_way() and not any(n.ref in dropped for n in obj.nodes):
                writer.add_way(obj)


def test_national_extract_missing_a_municipality(nation: Path, tmp_path: Path) -> None:
    path = _copy(nation, tmp_path)
    land = path.parent
    extract = land / "network" / "national_streets.osm.pbf"
    areas = gpd.read_file(land / "9903" / "boundaries" / "example_areas.gpkg")
    _extract_without(extract, tmp_path / "cut.osm.pbf", areas)
    shutil.move(tmp_path / "cut.osm.pbf", extract)
    result = run_national(path, workers=0, stages=("segregation", "access"))
    status = {t.name: t.status for t in result.tasks}
    assert status == {"9901": "done", "9902": "done", "9903": "failed", "9904": "done"}
    error = result.failed[0].error or ""
    assert error.startswith("9903: ") and "national_streets.osm.pbf" in error
    assert "none of its streets lies within" in error
    assert "of the region around the areas" in error
    assert sorted(result.municipalities["municipality"].unique()) == ["9901", "9902", "9904"]
    for code in ("9901", "9902", "9904"):
        assert (land / "output" / "municipalities" / code / "access_areas.csv").is_file()


def test_task_seeds_follow_national_seed_not_order_or_file(nation: Path, tmp_path: Path) -> None:
    from geoseg.io.national import read_national

    first = run_national(nation, output=tmp_path / "first", workers=0, stages=STAGES)
    nat = read_national(nation)
    assert [t.seed for t in first.tasks] == [task_seed(nat.seed, c) for c in nat.municipalities]
    path = _copy(nation, tmp_path)
    land = path.parent
    # the municipalities listed in reverse order, and 9902's own seeds changed
    text = path.read_text("utf-8")
    head, rows = text.split("[national.municipalities]\n")
    listed, rest = rows.split("\n\n", 1)
    lines = listed.splitlines()
    path.write_text(
        head + "[national.municipalities]\n" + "\n".join(reversed(lines)) + "\n\n" + rest,
        "utf-8",
    )
    toml = land / "9902" / "geoseg.toml"
    mseed = task_seed(nat.seed, "9902")
    toml.write_text(toml.read_text("utf-8").replace(f"seed = {mseed}", "seed = 1"), "utf-8")
    second = run_national(path, output=tmp_path / "second", workers=0, stages=STAGES)
    assert [t.name for t in second.tasks] == ["9904", "9903", "9902", "9901"]
    a, b = _files(tmp_path / "first"), _files(tmp_path / "second")
    key = "municipalities/9902/segregation_indices.csv"
    assert key in a and a[key] == b[key]
    assert a["national_municipalities.csv"] == b["national_municipalities.csv"]
    # without a national seed, 9902 runs with the seed of its own file: other p-values
    path.write_text(path.read_text("utf-8").replace("seed = 7\n", "", 1), "utf-8")
    third = run_national(path, output=tmp_path / "third", workers=0, stages=STAGES)
    assert {t.seed for t in third.tasks} == {None}
    c = _files(tmp_path / "third")
    assert c[key] != a[key]
    assert (
        c["municipalities/9901/segregation_indices.csv"]
        == a["municipalities/9901/segregation_indices.csv"]
    )


def test_index_page_in_the_project_language_and_escaped(nation: Path, tmp_path: Path) -> None:
    path = _copy(nation, tmp_path)
    text = path.read_text("utf-8").replace(
        'name = "Exempelland (fiktivt)"', 'name = "<script>alert(1)</script> & Co"'
    )
    extra = '[national.municipalities]\n"9905" = "9905/geoseg.toml"'
    path.write_text(text.replace("[national.municipalities]", extra), "utf-8")
    sv = run_national(path, workers=0, stages=STAGES)
    page = (path.parent / "output" / "index.html").read_text("utf-8")
    assert '<html lang="sv">' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    for word in ("Kommun", "per kommun", "Fiktivt exempelland", "4 av 5 kommuner klara"):
        assert word in page, word
    assert "misslyckades: municipality 9905: project file" in page
    assert [t.status for t in sv.tasks].count("failed") == 1
    en = run_national(path, workers=0, stages=STAGES, lang="en")
    page = (path.parent / "output" / "index.html").read_text("utf-8")
    assert '<html lang="en">' in page
    for word in ("Municipality", "per municipality", "4 of 5 municipalities finished"):
        assert word in page, word
    assert "Kommun" not in page
    assert [t.status for t in en.tasks].count("failed") == 1


def test_inequality_index_ignores_repeated_row_labels() -> None:
    from segregation.multigroup import MultiDissim

    rng = np.random.default_rng(3)
    groups = [f"income_q{k}" for k in range(1, 6)]
    parts = []
    for code in ("9901", "9902"):
        part = pd.DataFrame(rng.integers(5, 200, size=(6, 5)), columns=groups)
        part.insert(0, "municipality", code)
        parts.append(part)  # both parts carry row labels 0..5
    table = pd.concat(parts)
    got = inequality_index(table, groups=groups, by="municipality")
    for code, part in zip(("9901", "9902"), parts, strict=True):
        expected = MultiDissim(part.reset_index(drop=True), groups).statistic
        assert got[code] == pytest.approx(expected, abs=1e-12)


@pytest.mark.slow  # a 12-municipality nation on a 2-worker process cluster
def test_twelve_municipalities_on_two_workers_equal_serial(tmp_path: Path) -> None:
    national = generate_nation(tmp_path / "land", municipalities=12, seed=11, max_areas=12)
    stages = ("segregation", "access")
    serial = run_national(national, output=tmp_path / "serial", workers=0, stages=stages)
    dask = run_national(national, output=tmp_path / "dask", workers=2, stages=stages)
    assert [t.status for t in serial.tasks] == ["done"] * 12
    assert [t.status for t in dask.tasks] == ["done"] * 12
    assert len({t.worker for t in dask.tasks}) == 2  # both worker processes ran tasks
    assert len(dask.year_tasks) == 12 * 6
    assert [y.name for y in dask.year_tasks] == [y.name for y in serial.year_tasks]
    assert len({y.worker for y in dask.year_tasks}) == 2
    # each worker process runs its numeric libraries on one thread (no two workers fighting
    # over the same cores); the serial run in this process is left as it is
    assert {t.blas_threads for t in [*dask.tasks, *dask.year_tasks]} == {1}
    # the national measures are computed in one of the worker processes too
    assert dask.national is not None and dask.national.status == "done"
    assert dask.national.worker in {t.worker for t in dask.tasks}
    assert dask.national.blas_threads == 1
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    assert len(a) > 12 * 3 and a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def _drop_year(register: Path, year: int) -> None:
    """Remove every row of ``year`` from a generated register (``;``-separated text)."""
    lines = register.read_text("utf-8-sig").splitlines(keepends=True)
    kept = [ln for ln in lines if ln.split(";")[1] != str(year)]
    assert len(kept) < len(lines)
    register.write_text("".join(kept), "utf-8-sig")


def _year_rows(folder: Path, table: str, years: set[int]) -> list[str]:
    """The lines of a results table whose ``year`` column is in ``years``."""
    frame = pd.read_csv(folder / table, dtype=str, keep_default_na=False)
    return frame[frame["year"].astype(int).isin(years)].to_csv(index=False).splitlines()


def test_year_tasks_equal_the_whole_job_of_each_municipality(nation: Path, tmp_path: Path) -> None:
    from geoseg.io.national import read_national
    from geoseg.pipeline import run_project

    stages = ("segregation", "hotspots", "trends")
    result = run_national(nation, output=tmp_path / "nat", workers=0, stages=stages)
    seed = read_national(nation).seed
    years = [f"9902:{y}" for y in range(2018, 2024)]
    assert [y.name for y in result.tasks[1].years] == years
    for y in result.year_tasks:
        assert y.status == "done" and y.seed == task_seed(seed, y.name.split(":")[0])
    assert len(result.year_tasks) == 4 * 6
    for code in ("9902", "9904"):
        # the oracle: the ordinary whole job of the municipality, all years in one process
        run_project(
            nation.parent / code / "geoseg.toml",
            output=tmp_path / "whole" / code,
            stages=stages,
            seed=task_seed(seed, code),
        )
        want = _files(tmp_path / "whole" / code)
        got = _files(tmp_path / "nat" / "municipalities" / code)
        assert len(want) >= 5 and want.keys() == got.keys()
        for name in want:
            assert got[name] == want[name], (code, name)


def test_rerun_skips_unchanged_tasks_per_year(nation: Path, tmp_path: Path) -> None:
    stages = ("segregation", "hotspots")
    path = _copy(nation, tmp_path)
    land = path.parent
    out = land / "output"
    first = run_national(path, workers=0, stages=stages)
    before = {t: _year_rows(out / "municipalities" / "9903", t, set(range(2019, 2024)))
              for t in ("segregation_indices.csv", "hotspots.csv")}  # fmt: skip
    # 9903 loses its first year: its other years are unchanged and not recomputed
    _drop_year(land / "9903" / "registers" / "example_registers.csv", 2018)
    # 9901's saved results of 2019 are damaged and its services changed: 2019 is recomputed
    (out / "tasks" / "9901" / "2019.npz").write_bytes(b"not geoseg's")
    services = land / "9901" / "services" / "example_services.csv"
    services.write_text(services.read_text("utf-8") + "\n", "utf-8")
    second = run_national(path, workers=0, stages=stages)
    status = {t.name: t.status for t in [*second.tasks, *second.year_tasks]}
    assert status == {
        "9901": "done", "9902": "skipped", "9903": "done", "9904": "skipped",
        "9901:2018": "skipped", "9901:2019": "done", "9901:2020": "skipped",
        "9901:2021": "skipped", "9901:2022": "skipped", "9901:2023": "skipped",
        "9903:2019": "skipped", "9903:2020": "skipped", "9903:2021": "skipped",
        "9903:2022": "skipped", "9903:2023": "skipped",
    }  # fmt: skip
    for table, rows in before.items():
        assert _year_rows(out / "municipalities" / "9903", table, set(range(2018, 2024))) == rows
    # the saved year results equal a fresh computation of every task
    fresh = run_national(path, output=tmp_path / "fresh", workers=0, stages=stages, force=True)
    assert {y.status for y in fresh.year_tasks} == {"done"}
    a, b = _files(out), _files(tmp_path / "fresh")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    assert [t.status for t in first.tasks] == ["done"] * 4
    # the saved results are tables that load without pickle, byte for byte those of the
    # fresh run (the same tables, dtypes, index and attrs give the same file)
    saved = sorted(p for p in (tmp_path / "fresh" / "tasks").rglob("*") if p.is_file())
    assert [p.suffix for p in saved] == [".npz"] * 23  # 9903 has lost 2018
    for fresh_file in saved:
        path = out / fresh_file.relative_to(tmp_path / "fresh")
        assert path.read_bytes() == fresh_file.read_bytes(), path
        parts = tables_from_bytes(path.read_bytes())
        assert list(parts) == ["indices", "hotspots"]
        assert parts["indices"]["year"].unique().tolist() == [int(path.stem)]
        assert set(parts["hotspots"]) == {"median_income_tkr", "low_economic_standard/pop_total"}
        with np.load(path, allow_pickle=False) as npz:
            assert all(npz[n].dtype.kind != "O" for n in npz.files if n.endswith(".npy"))


def _year_or_crash(spec: dict) -> object:
    """A year task that crashes (not bad input: a bug or a lost worker) for 9902's 2020."""
    from geoseg.national import run_year

    if spec["name"] == "9902:2020":
        raise RuntimeError("worker lost")
    return run_year(spec)


@pytest.mark.parametrize("engine", ["serial", "dask"])
def test_a_crashed_year_task_fails_its_municipality_alone(
    nation: Path, tmp_path: Path, engine: str
) -> None:
    from geoseg.io.national import read_national
    from geoseg.national.engine import run_dask, run_serial
    from geoseg.national.plan import plan_tasks

    nat = read_national(nation)
    specs = plan_tasks(
        nat, tmp_path, columns=NATIONAL_COLUMNS, stages=list(STAGES),
        lang=None, overwrite=False, previous={}, force=False,
    )  # fmt: skip
    nation_task = functools.partial(run_nation, nat)
    if engine == "serial":
        ran = run_serial(specs, year_task=_year_or_crash, national_task=nation_task)
    else:
        ran = run_dask(
            specs, workers=2, scheduler=None, memory_limit=None, processes=False, retries=1,
            year_task=_year_or_crash, national_task=nation_task,
        )  # fmt: skip
    results = ran.tasks
    # the national task ran on the municipalities that finished, as it would without 9902
    assert ran.national is not None and ran.national.status == "done"
    assert ran.national.parts is not None
    munis = ran.national.parts["municipalities"]
    assert sorted(munis["municipality"].unique()) == ["9901", "9903", "9904"]
    alone = run_nation(nat, *(results[c] for c in ("9901", "9903", "9904")))
    assert alone.parts is not None
    pd.testing.assert_frame_equal(munis, alone.parts["municipalities"], check_exact=True)
    assert {n: r.status for n, r in results.items()} == {
        "9901": "done", "9902": "failed", "9903": "done", "9904": "done"
    }  # fmt: skip
    bad = results["9902"]
    assert bad.error == "9902:2020: RuntimeError: worker lost"
    years = {y.name: y.status for y in bad.years}
    assert years["9902:2020"] == "failed" and len(years) == 6
    assert [s for n, s in years.items() if n != "9902:2020"] == ["done"] * 5
    for code in ("9901", "9903", "9904"):
        assert (tmp_path / "municipalities" / code / "segregation_indices.csv").is_file()
    assert not (tmp_path / "municipalities" / "9902" / "segregation_indices.csv").exists()


def test_each_warning_once_per_municipality(
    nation: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A warning every year task logs reaches the user once, with its municipality's code."""
    import logging

    path = _copy(nation, tmp_path)
    # the municipality's own run logs the contiguity warnings of its hotspots once per year
    with caplog.at_level(logging.WARNING, logger="geoseg"):
        from geoseg import run_project

        run_project(path.parent / "9901" / "geoseg.toml", output=tmp_path / "plain",
                    stages=["hotspots"])  # fmt: skip
    plain = [r.getMessage() for r in caplog.records if "queen weights" in r.getMessage()]
    assert plain, "the example municipality has areas without a neighbour"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="geoseg"):
        run_national(path, workers=0, stages=("segregation", "hotspots"))
    said = [r.getMessage() for r in caplog.records]
    for message in dict.fromkeys(plain):
        assert said.count(f"municipality 9901: {message}") == 1
    assert not [m for m in said if m.startswith("queen weights")]  # none without its code
    tasks = pd.read_csv(path.parent / "output" / "national_tasks.csv", dtype=str,
                        keep_default_na=False)  # fmt: skip
    years = tasks[(tasks["municipality"] == "9901") & (tasks["year"] != "")]
    assert len(years) == 6
    for cell in years["warnings"]:
        assert set(cell.split(" | ")) == set(plain)


def test_national_reads_each_register_with_its_own_options(nation: Path, tmp_path: Path) -> None:
    """A municipality whose register needs ``where`` (a table of several row sets) counts in the
    national measures exactly as the same register delivered without the extra rows."""
    path = _copy(nation, tmp_path)
    plain = run_national(path, workers=0, stages=STAGES)
    assert not plain.failed
    # the same register with a second, doubled set of rows, told apart by a column
    muni = path.parent / "9902"
    csv = muni / "registers" / "example_registers.csv"
    table = pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    doubled = table.copy()
    doubled["pop_total"] = (doubled["pop_total"].astype(int) * 2).astype(str)
    mixed = pd.concat([table.assign(set="totalt"), doubled.assign(set="dubbel")])
    mixed.to_csv(csv, sep=";", index=False, encoding="utf-8-sig")
    toml = muni / "geoseg.toml"
    text = toml.read_text("utf-8")
    assert 'total = "pop_total"\n' in text
    toml.write_text(
        text.replace('total = "pop_total"\n', 'total = "pop_total"\nwhere = { set = "totalt" }\n')
    )
    shutil.rmtree(path.parent / "output")
    mixed_run = run_national(path, workers=0, stages=STAGES)
    assert not mixed_run.failed, [t.error for t in mixed_run.failed]
    assert mixed_run.municipalities is not None and plain.municipalities is not None
    pd.testing.assert_frame_equal(mixed_run.municipalities, plain.municipalities)
    assert mixed_run.areas is not None and plain.areas is not None
    pd.testing.assert_frame_equal(mixed_run.areas, plain.areas)
