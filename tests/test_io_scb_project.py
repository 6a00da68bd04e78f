"""A project whose register is fetched from SCB (``source = "scb:..."``) equals the same data in
a CSV; and, when SCB's database is reachable, a real fetch through API v2 and v1."""

from __future__ import annotations

import math
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import geoseg
from geoseg.cli import main
from geoseg.errors import ConfigError
from geoseg.io.scb import DEFAULT_V1_URL, DEFAULT_V2_URL, ScbClient, fetch_scb
from tests._pxweb_server import Cube, Dim, PxWebServer
from tests._smallcity import make_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_city(tmp_path_factory.mktemp("scbcity") / "city", areas=12)


def _cube_from(register: pd.DataFrame, codes: dict[str, str]) -> Cube:
    """The register as an SCB table: Region x ContentsCode x Tid, contents named by codes."""
    regions = list(dict.fromkeys(register["area_code"]))
    years = [str(y) for y in sorted(set(register["year"]))]
    cells: dict[tuple[str, ...], float | None] = {}
    for row in register.itertuples(index=False):
        for code, column in codes.items():
            v = float(getattr(row, column))
            cells[(row.area_code, code, str(row.year))] = None if math.isnan(v) else v
    return Cube(
        "Example register",
        [
            Dim("Region", "region", regions, [f"Område {r}" for r in regions], "geo"),
            Dim("ContentsCode", "tabellinnehåll", list(codes), list(codes.values()), "metric"),
            Dim("Tid", "år", years, None, "time"),
        ],
        cells,
    )


@pytest.fixture
def served(city: Path) -> Iterator[tuple[PxWebServer, dict[str, str]]]:
    register = geoseg.load_project(city).register
    columns = [c for c in register.columns if c not in ("area_code", "year")]
    codes = {f"K{i:02d}": c for i, c in enumerate(columns, start=1)}
    srv = PxWebServer(v2={"TAB9": _cube_from(register, codes)})
    yield srv, codes
    srv.close()


def _scb_project(city: Path, codes: dict[str, str], name: str = "scb.toml") -> Path:
    text = city.read_text(encoding="utf-8")
    categories = ", ".join(f'{k} = "{v}"' for k, v in codes.items())
    source = (
        'source = "scb:TAB9"\nregions = ["*"]\nyears = [2018, 2019, 2020, 2021, 2022, 2023]\n'
        f"categories = {{ {categories} }}\n"
    )
    text, n = re.subn(r'(?m)^path = "registers/example_registers.csv"\n', source, text)
    assert n == 1
    target = city.parent / name
    target.write_text(text, encoding="utf-8")
    return target


def test_scb_source_project_equals_the_csv_project(
    city: Path,
    served: tuple[PxWebServer, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv, codes = served
    monkeypatch.setenv("GEOSEG_SCB_URL", srv.v2_url)
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    from_csv = geoseg.load_project(city)
    from_scb = geoseg.load_project(_scb_project(city, codes))
    assert len(srv.data_requests()) == 1
    a = from_csv.register
    b = from_scb.register[list(a.columns)]
    pd.testing.assert_frame_equal(
        a.sort_values(["area_code", "year"]).reset_index(drop=True),
        b.sort_values(["area_code", "year"]).reset_index(drop=True),
    )
    reg = from_csv.project.registers
    options = {
        "groups": reg.groups,
        "total": reg.total,
        "areas": from_csv.areas,
        "id_column": reg.id,
        "multigroup": reg.multigroup,
    }
    want = geoseg.compute_indices(from_csv.register, **options)
    got = geoseg.compute_indices(from_scb.register, **options)
    assert len(want) > 10 and want["value"].notna().sum() > 10
    pd.testing.assert_frame_equal(got, want)
    # a second load reads the cache: no request reaches the server
    before = len(srv.requests)
    geoseg.load_project(_scb_project(city, codes, "scb2.toml"))
    assert len(srv.requests) == before


def test_validate_names_the_source(
    city: Path,
    served: tuple[PxWebServer, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv, codes = served
    monkeypatch.setenv("GEOSEG_SCB_URL", srv.v2_url)
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    res = CliRunner().invoke(main, ["validate", str(_scb_project(city, codes))])
    assert res.exit_code == 0, res.output
    assert "from scb:TAB9" in res.output


def test_source_needs_regions_and_a_table_id(city: Path) -> None:
    text = city.read_text(encoding="utf-8")
    bad = re.sub(
        r'(?m)^path = "registers/example_registers.csv"\n',
        'source = "scb:"\nselect = { Kon = ["1"] }\n',
        text,
    )
    target = city.parent / "bad.toml"
    target.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        geoseg.load_project(target)
    text = str(info.value)
    assert "write scb:TABLE_ID" in text and "needs regions" in text


def test_unknown_region_in_a_project_is_a_validation_error(
    city: Path,
    served: tuple[PxWebServer, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv, codes = served
    monkeypatch.setenv("GEOSEG_SCB_URL", srv.v2_url)
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    project = _scb_project(city, codes)
    project.write_text(
        project.read_text(encoding="utf-8").replace('regions = ["*"]', 'regions = ["9999"]'),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["validate", str(project)])
    assert res.exit_code == 2
    assert "9999" in res.output and "Traceback" not in res.output


def _scb_reachable() -> bool:
    """Whether a TCP connection to SCB's API can be opened (DNS and route), nothing more."""
    for host in ("statistikdatabasen.scb.se", "api.scb.se"):
        try:
            with socket.create_connection((host, 443), timeout=5):
                pass
        except OSError:
            return False
    return True


@pytest.mark.network
def test_real_fetch_population_of_goteborg(tmp_path: Path) -> None:
    if not _scb_reachable():
        pytest.skip("SCB's database cannot be reached from here (no network)")
    # errors past this point fail the test: only a missing network skips it
    client = ScbClient(base_url=DEFAULT_V2_URL, v1_url=DEFAULT_V1_URL, cache_dir=tmp_path)
    v2 = fetch_scb(
        "TAB638",
        regions=["1480"],
        years=["2020"],
        select={"ContentsCode": ["BE0101N1"]},
        client=client,
    )
    v1 = fetch_scb(
        "BE/BE0101/BE0101A/BefolkningNy",
        regions=["1480"],
        years=["2020"],
        select={"ContentsCode": ["BE0101N1"]},
        client=client,
    )
    # Göteborg's population on 31 December 2020 (SOURCE.md of gbg_regso_scb: 583 056)
    assert v2["value"].sum() == pytest.approx(583_056)
    assert v1["value"].sum() == pytest.approx(583_056)


#: SOURCE.md of gbg_regso_scb: foreign-born vs total over the 147 RegSO (D, xPx).
REFERENCE = {
    2020: (0.348976, 0.377734),
    2021: (0.351397, 0.383820),
    2022: (0.350398, 0.392235),
    2023: (0.353150, 0.397499),
}


def _cube_from_export(path: Path, variable: str, codes: dict[str, str], content: str) -> Cube:
    """An SCB RegSO export (categories in rows, a column per year) as the table it came from."""
    raw = pd.read_csv(path, dtype=str)
    raw[variable] = raw[variable].str.strip()
    year_cols = [c for c in raw.columns if re.fullmatch(r".* \d{4}", c)]
    years = [c[-4:] for c in year_cols]
    regions = list(dict.fromkeys(raw["regsokod"]))
    texts = dict(zip(raw["regsokod"], raw["region"], strict=False))
    cells: dict[tuple[str, ...], float | None] = {}
    for row in raw.to_dict("records"):
        for col, year in zip(year_cols, years, strict=True):
            cells[(row["regsokod"], codes[row[variable]], "1+2", "C1", year)] = float(row[col])
    return Cube(
        path.stem,
        [
            Dim("Region", "region", regions, [texts[r] for r in regions], "geo"),
            Dim(variable, variable, list(codes.values()), list(codes), None, elimination=True),
            Dim("Kon", "kön", ["1+2"], ["totalt"], None, elimination=False),
            Dim("ContentsCode", "tabellinnehåll", ["C1"], [content], "metric"),
            Dim("Tid", "år", years, None, "time"),
        ],
        cells,
    )


@pytest.mark.real
def test_real_regso_tables_fetched_give_scb_reference_values(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scb = real_data / "gbg_regso_scb"
    srv = PxWebServer(
        v2={
            "TABFB": _cube_from_export(
                scb / "raw_regso_foreign_born_gbg.csv",
                "födelseregion",
                {"Sverige": "11", "totalt": "tot"},
                "Antal",
            ),
            "TABINK": _cube_from_export(
                scb / "raw_regso_mean_wage_income_gbg.csv",
                "inkomstkomponent",
                {"löneinkomst": "LON"},
                "Medelvärde för samtliga, tkr",
            ),
        }
    )
    monkeypatch.setenv("GEOSEG_SCB_URL", srv.v2_url)
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "geoseg.toml"
    project.write_text(
        f"""
[project]
name = "Göteborg RegSO from SCB"
output = "out"

[areas]
path = "{(real_data / "gbg_omraden/regso_goteborg.gpkg").as_posix()}"
id = "regsokod"
name = "regsonamn"

[registers]
id = "regsokod"
total = "pop_total"
groups = ["pop_foreign_born"]
amounts = ["mean_wage_income_tkr"]
derive = {{ pop_foreign_born = "pop_total - pop_born_sweden" }}

[[registers.tables]]
source = "scb:TABFB"
regions = ["1480R*"]
years = [2020, 2021, 2022, 2023]
select = {{ "födelseregion" = ["11", "tot"], Kon = ["1+2"], ContentsCode = ["C1"] }}
categories = {{ "11" = "pop_born_sweden", tot = "pop_total" }}

[[registers.tables]]
source = "scb:TABINK"
regions = ["1480R*"]
select = {{ Kon = ["1+2"], inkomstkomponent = ["LON"] }}
categories = {{ C1 = "mean_wage_income_tkr" }}
""",
        encoding="utf-8",
    )
    try:
        data = geoseg.load_project(project)
    finally:
        srv.close()
    curated = pd.read_csv(
        scb / "gbg_regso_birthplace_income_tenure_2020_2023.csv", dtype={"regsokod": object}
    )
    cols = ["pop_total", "pop_born_sweden", "pop_foreign_born", "mean_wage_income_tkr"]
    got = data.register.set_index(["regsokod", "year"])[cols].sort_index()
    want = curated.set_index(["regsokod", "year"])[cols].sort_index().astype(float)
    pd.testing.assert_frame_equal(got, want)
    idx = geoseg.compute_indices(
        data.register,
        groups=["pop_foreign_born"],
        total="pop_total",
        index=["dissimilarity", "isolation"],
        id_column="regsokod",
    ).set_index(["year", "index"])["value"]
    for year, (d, xpx) in REFERENCE.items():
        assert idx[(year, "dissimilarity")] == pytest.approx(d, abs=5e-7)
        assert idx[(year, "isolation")] == pytest.approx(xpx, abs=5e-7)
