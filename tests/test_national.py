"""National runs: a generated nation on a 2-worker Dask cluster equals the serial run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.example.nation import generate_nation
from geoseg.national import run_national, task_seed
from geoseg.segregation import area_types, inequality_index, socioeconomic_index

STAGES = ("segregation",)


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    return generate_nation(out / "land", municipalities=4, seed=7, max_areas=10)


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


def test_generated_nation_codes_and_sizes(nation: Path) -> None:
    folders = sorted(p for p in nation.parent.iterdir() if p.is_dir())
    assert [f.name for f in folders] == ["9901", "9902", "9903", "9904"]
    for folder in folders:
        areas = gpd.read_file(folder / "boundaries" / "example_areas.gpkg")
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


@pytest.mark.slow  # a Dask or process-pool run of the example nation
def test_dask_run_equals_serial_run(nation: Path, tmp_path: Path) -> None:
    serial = run_national(nation, output=tmp_path / "serial", workers=0, stages=STAGES)
    dask = run_national(nation, output=tmp_path / "dask", workers=2, processes=False, stages=STAGES)
    assert [t.status for t in serial.tasks] == ["done"] * 4
    assert [t.status for t in dask.tasks] == ["done"] * 4
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    assert len(a) > 10 and a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
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
    # 9904: unreadable boundaries
    (land / "9904" / "boundaries" / "example_areas.gpkg").write_bytes(b"not a geopackage")
    # 9903 listed under a code its areas do not start with; 9905 has no project file
    text = path.read_text("utf-8").replace('"9903" = ', '"9913" = ')
    text = text.replace(
        '"9904" = "9904/geoseg.toml"', '"9904" = "9904/geoseg.toml"\n"9905" = "9905/geoseg.toml"'
    )
    path.write_text(text, "utf-8")
    result = run_national(path, workers=2, processes=False, stages=STAGES)
    status = {t.name: t.status for t in result.tasks}
    assert status == {
        "9901": "done", "9902": "failed", "9913": "failed", "9904": "failed", "9905": "failed"
    }  # fmt: skip
    errors = {t.name: t.error or "" for t in result.failed}
    assert "has no areas" in errors["9902"] and "remove it from the national file" in errors["9902"]
    assert "do not start with the municipality code 9913" in errors["9913"]
    assert "99030101" in errors["9913"]
    assert "not found" in errors["9905"] and "9905/geoseg.toml" in errors["9905"]
    assert "cannot read the area boundaries" in errors["9904"] and "[areas] path" in errors["9904"]
    assert result.municipalities is not None
    assert sorted(result.municipalities["municipality"].unique()) == ["9901"]
    tasks = pd.read_csv(land / "output" / "national_tasks.csv", dtype=str)
    assert tasks.set_index("municipality")["status"].to_dict() == status


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


@pytest.mark.slow  # a Dask or process-pool run of the example nation
def test_without_dask_runs_serially(
    nation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = run_national(nation, output=tmp_path / "out", workers=2, stages=STAGES)
    assert [t.status for t in result.tasks] == ["done"] * 4
    assert all(t.worker.startswith("pid ") for t in result.tasks)


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
    res = runner.invoke(
        main,
        ["run", str(tmp_path / "n" / "national.toml"), "--workers", "0", "--stage", "segregation"],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "n" / "output" / "national_municipalities.csv").is_file()
    assert "9901: done" in res.output and "9902: done" in res.output


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
