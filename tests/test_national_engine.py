"""The national task graph's engine, the national task and the CLI's national options."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.io.national import read_national
from geoseg.national import NATIONAL_TASK, NationalResult, TaskResult, run_nation
from geoseg.national.engine import run_dask, run_serial

#: A graph of two municipalities: 9901 with two year tasks, 9902 run as one task.
SPECS: list[dict[str, Any]] = [
    {"name": "9901", "size": 2.0, "years": [{"name": "9901:2020"}, {"name": "9901:2021"}]},
    {"name": "9902", "size": 1.0, "years": []},
]


def _year(spec: dict[str, Any]) -> TaskResult:
    return TaskResult(name=spec["name"], status="done")


def _municipality(spec: dict[str, Any], *years: TaskResult) -> TaskResult:
    from distributed import get_worker

    # the memory limit of the worker that ran the task, as its "worker"
    limit = get_worker().memory_manager.memory_limit
    return TaskResult(name=spec["name"], status="done", years=list(years), worker=str(limit))


def _nation(*munis: TaskResult) -> TaskResult:
    return TaskResult(name=NATIONAL_TASK, status="done", error=",".join(t.name for t in munis))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_names_each_task_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    ran = run_serial(SPECS, task=_plain, year_task=_year, national_task=_nation)
    shown = terminal.getvalue()
    assert "5/5" in shown  # two year tasks, two municipalities, the national task
    for name in ("9901:2020", "9901:2021", "9901", "9902", NATIONAL_TASK):
        assert name in shown, name
    assert ran.national is not None and ran.national.error == "9901,9902"
    not_a_terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", not_a_terminal)
    run_serial(SPECS, task=_plain, year_task=_year, national_task=_nation)
    assert not_a_terminal.getvalue() == ""


def _plain(spec: dict[str, Any], *years: TaskResult) -> TaskResult:
    return TaskResult(name=spec["name"], status="done", years=list(years))


@pytest.mark.slow  # starts a local Dask cluster
def test_dask_workers_get_the_memory_limit_and_show_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    ran = run_dask(
        SPECS, workers=2, scheduler=None, memory_limit="300MB", processes=False, retries=0,
        task=_municipality, year_task=_year, national_task=_nation,
    )  # fmt: skip
    assert {t.worker for t in ran.tasks.values()} == {str(300 * 10**6)}
    assert [y.name for y in ran.tasks["9901"].years] == ["9901:2020", "9901:2021"]
    # the national task took the municipalities in the national file's order
    assert ran.national is not None and ran.national.error == "9901,9902"
    assert "5/5" in terminal.getvalue()


def test_cli_passes_scheduler_workers_and_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geoseg.national

    seen: dict[str, Any] = {}

    def fake(config: Path, **options: Any) -> NationalResult:
        seen.update(options, config=config)
        failed = TaskResult(name=NATIONAL_TASK, status="failed", error="national level: bad")
        done = TaskResult(name="9901", status="done")
        return NationalResult(output=tmp_path, tasks=[done], national=failed)

    monkeypatch.setattr(geoseg.national, "run_national", fake)
    path = tmp_path / "national.toml"
    path.write_text('[national]\nmunicipalities = "*/geoseg.toml"\n', "utf-8")
    res = CliRunner().invoke(
        main,
        ["run", str(path), "--scheduler", "tcp://10.1.2.3:8786", "--workers", "3",
         "--memory-limit", "2GB", "--force"],
    )  # fmt: skip
    assert seen["config"] == path
    assert seen["scheduler"] == "tcp://10.1.2.3:8786"
    assert (seen["workers"], seen["memory_limit"], seen["force"]) == (3, "2GB", True)
    # a failed national level is reported with its problem, and the run fails
    assert res.exit_code == 2
    assert "national: failed (0.0 s): national level: bad" in res.output
    assert "Error: the national level failed" in res.output


def _register(rng: np.random.Generator, code: str, years: list[int]) -> pd.DataFrame:
    rows = []
    for year in years:
        for k in range(4):
            pop = int(rng.integers(200, 900))
            q = rng.multinomial(pop, [0.2] * 5)
            rows.append(
                {
                    "municipality": code,
                    "area_code": f"{code}{k:04d}",
                    "year": year,
                    "population": pop,
                    "pop_total": pop,
                    "renters": int(rng.integers(0, pop)),
                    "graduates": int(rng.integers(0, pop)),
                    **{f"q{j + 1}": int(v) for j, v in enumerate(q)},
                }
            )
    return pd.DataFrame(rows)


def test_national_task_uses_the_indicators_the_national_file_declares(tmp_path: Path) -> None:
    """Another country's index: two indicators of its own, its own cuts and income groups."""
    path = tmp_path / "national.toml"
    path.write_text(
        "[national]\n"
        '[national.municipalities]\n"0101" = "a/geoseg.toml"\n"0202" = "b/geoseg.toml"\n'
        '[national.index]\nindicators = ["renting", "degree"]\ncuts = [-1.0, -0.5, 0.5, 1.0]\n'
        '[national.income]\ngroups = ["q1", "q2", "q3", "q4", "q5"]\nlow = "q1"\nhigh = "q5"\n'
        '[indicators.renting]\nnumerator = "renters"\ndenominator = "pop_total"\n'
        'kind = "share"\nworse = "higher"\n'
        '[indicators.degree]\nnumerator = "graduates"\ndenominator = "pop_total"\n'
        'kind = "share"\nworse = "lower"\n',
        "utf-8",
    )
    nat = read_national(path)
    rng = np.random.default_rng(5)
    regs = [_register(rng, "0101", [2020, 2021, 2022]), _register(rng, "0202", [2020, 2021, 2022])]
    munis = [TaskResult(name=r["municipality"][0], status="done", register=r) for r in regs]
    failed = TaskResult(name="0303", status="failed", error="0303: no areas")
    result = run_nation(nat, munis[0], failed, munis[1])
    assert result.status == "done" and result.parts is not None
    areas = result.parts["areas"]
    # by hand: shares, standard scores over all areas of the year (population sd), oriented
    # so that higher is better, their mean, and the types cut at the declared points
    reg = pd.concat(regs, ignore_index=True)
    renting = reg["renters"] / reg["pop_total"] * 100
    degree = reg["graduates"] / reg["pop_total"] * 100

    def z(v: pd.Series) -> pd.Series:
        g = v.groupby(reg["year"])
        return (v - g.transform("mean")) / g.transform(lambda s: np.std(s.to_numpy()))

    index = (-z(renting) + z(degree)) / 2
    np.testing.assert_allclose(areas["renting"], renting, rtol=1e-12)
    np.testing.assert_allclose(areas["z_degree"], z(degree), rtol=1e-12)
    np.testing.assert_allclose(areas["socioeconomic_index"], index, rtol=1e-12, atol=1e-15)
    assert "low_economic_standard" not in areas.columns  # not the Swedish defaults
    scaled = z(index)
    expected = 1 + np.searchsorted([-1.0, -0.5, 0.5, 1.0], scaled.to_numpy(), side="right")
    assert areas["area_type"].tolist() == expected.tolist()
    by = result.parts["municipalities"]
    assert sorted(by["municipality"].unique()) == ["0101", "0202"]  # the failed one left out
    trend = result.parts["trend"]
    assert set(trend["measure"]) == {
        "inequality_index", "segregation_index", *(f"area_type_{k}" for k in range(1, 6))
    }  # fmt: skip
    # an indicator column no municipality sent: the national task fails with the fix
    broken = [TaskResult(name="0101", status="done", register=regs[0].drop(columns="renters"))]
    bad = run_nation(nat, *broken)
    assert bad.status == "failed"
    assert bad.error is not None and bad.error.startswith("national level: ")
    assert "'renters'" in bad.error and "declare indicators" in bad.error


def test_generated_nation_sizes_are_seeded_and_skewed() -> None:
    from geoseg.example.nation import municipality_sizes

    sizes = municipality_sizes(290, seed=2026, min_areas=10, max_areas=150)
    assert sizes == municipality_sizes(290, seed=2026, min_areas=10, max_areas=150)
    assert sizes != municipality_sizes(290, seed=2027, min_areas=10, max_areas=150)
    assert min(sizes) >= 10 and max(sizes) <= 150
    # many small towns, a few large cities: the median near the smallest, a long tail
    median = float(np.median(sizes))
    assert median <= 2 * 10
    assert max(sizes) >= 5 * median
    assert sum(s >= 75 for s in sizes) < 0.1 * len(sizes)
    assert 5_500 < sum(sizes) < 6_500  # about Sweden's 5,984 DeSO


@pytest.mark.slow  # generates two small nations
def test_generated_nation_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    from geoseg.example.nation import generate_nation

    a = generate_nation(tmp_path / "a", municipalities=2, seed=3, max_areas=8).parent
    b = generate_nation(tmp_path / "b", municipalities=2, seed=3, max_areas=8).parent
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert len(files) > 10
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # clearly fictional: the national file says so, and so does the index page it leads to
    nat = read_national(a / "national.toml")
    assert nat.fictional and "fiktiv" in nat.name


@pytest.mark.parametrize(("lang", "said"), [("en", "could not be computed"), ("sv", "kunde inte")])
def test_index_page_says_the_national_level_failed(tmp_path: Path, lang: str, said: str) -> None:
    from geoseg.national.page import index_page

    (tmp_path / "national_tasks.csv").write_text("task\n", encoding="utf-8")
    done = TaskResult(name="0101", status="done")
    ok = index_page([done], name="Land", folder=tmp_path, lang=lang)
    assert said not in ok
    bad = TaskResult(name=NATIONAL_TASK, status="failed", error="national level: <b>'renters'</b>")
    page = index_page([done], name="Land", folder=tmp_path, lang=lang, national=bad)
    assert said in page
    assert "national level: &lt;b&gt;&#x27;renters&#x27;&lt;/b&gt;" in page  # escaped
    # only the tables that were written are linked
    assert 'href="national_tasks.csv"' in page
    assert 'href="national_areas.csv"' not in page
