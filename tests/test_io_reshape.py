"""Registers as statistics offices deliver them: wide by year, categories in rows, labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoseg.errors import InputError, ValidationError
from geoseg.io import load_project, read_register
from geoseg.io.reshape import RegisterTable, parse_formula

NAMES = {"1480R001": "Angered centrum-Agnesberg", "1480R002": "Annedal-Änggården"}

FOREIGN = """region,födelseregion,kön,Antal 2020,Antal 2021
Göteborg (Angered centrum-Agnesberg),Sverige,totalt,2666,2724
Göteborg (Angered centrum-Agnesberg),totalt,totalt,5319,5449
Göteborg (Annedal-Änggården),Sverige,totalt,4861,4833
Göteborg (Annedal-Änggården),totalt,totalt,5930,5848
Göteborg (Annedal-Änggården),totalt,män,2900,2850
"""
INCOME = """region,inkomstkomponent,"Medelvärde, tkr 2020","Medelvärde, tkr 2021"
Göteborg (Angered centrum-Agnesberg),löneinkomst ,225.4,..
Göteborg (Annedal-Änggården),löneinkomst ,323.1,328.4
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tables(tmp_path: Path) -> list[RegisterTable]:
    return [
        RegisterTable(
            path=write(tmp_path / "foreign.csv", FOREIGN),
            label="region",
            where={"kön": "totalt"},
            year_columns="Antal {year}",
            category="födelseregion",
            categories={"Sverige": "born_sweden", "totalt": "pop_total"},
        ),
        RegisterTable(
            path=write(tmp_path / "income.csv", INCOME),
            label="region",
            year_columns="Medelvärde, tkr {year}",
            value="income",
        ),
    ]


def test_wide_tables_with_categories_in_rows_and_labels_become_tidy(tmp_path):
    reg = read_register(
        None,
        id_column="code",
        tables=tables(tmp_path),
        derive={"foreign_born": "pop_total - born_sweden"},
        area_names=NAMES,
        count_columns=["pop_total", "born_sweden", "foreign_born"],
        amount_columns=["income"],
    )
    reg = reg.set_index(["code", "year"]).sort_index()
    expected = pd.DataFrame(
        {
            "code": ["1480R001", "1480R001", "1480R002", "1480R002"],
            "year": [2020, 2021, 2020, 2021],
            "born_sweden": [2666.0, 2724, 4861, 4833],
            "pop_total": [5319.0, 5449, 5930, 5848],
            "income": [225.4, np.nan, 323.1, 328.4],  # SCB's '..' is missing
        }
    ).set_index(["code", "year"])
    expected["foreign_born"] = expected["pop_total"] - expected["born_sweden"]
    pd.testing.assert_frame_equal(
        reg[expected.columns], expected, check_dtype=False, check_index_type=False
    )


def test_columns_per_year_and_category_spread_to_columns(tmp_path):
    text = (
        "kod,Sverige 2020,Utrikes 2020,Sverige 2021,Utrikes 2021\n0101,10,5,11,6\n0102,7,..,8,9\n"
    )
    reg = read_register(
        None,
        id_column="code",
        tables=[
            RegisterTable(
                path=write(tmp_path / "t.csv", text),
                id="kod",
                year_columns="{category} {year}",
                categories={"Sverige": "born_sweden", "Utrikes": "foreign_born"},
            )
        ],
        amount_columns=["born_sweden", "foreign_born"],
    )
    got = reg.set_index(["code", "year"]).sort_index()
    assert got.loc[("0102", 2021), "foreign_born"] == 9
    assert np.isnan(got.loc[("0102", 2020), "foreign_born"])
    assert got.loc[("0101", 2021), "born_sweden"] == 11
    assert list(got.index.get_level_values("code").unique()) == ["0101", "0102"]  # text codes


def test_long_table_with_categories_in_rows(tmp_path):
    text = "kod;år;grupp;antal\n0101;2020;a;3\n0101;2020;b;4\n0102;2020;a;5\n0102;2020;b;6\n"
    reg = read_register(
        None,
        id_column="code",
        tables=[
            RegisterTable(
                path=write(tmp_path / "t.csv", text), id="kod", category="grupp", value="antal"
            )
        ],
        year_column="år",
        count_columns=["a", "b"],
    )
    assert reg.set_index("code")[["a", "b"]].to_dict("index") == {
        "0101": {"a": 3.0, "b": 4.0},
        "0102": {"a": 5.0, "b": 6.0},
    }


def test_problems_of_delivered_tables_are_reported_together(tmp_path):
    bad = tables(tmp_path)
    bad[0].categories = {"Sverige": "born_sweden", "Totalt": "pop_total"}
    bad[1].label = "regio"
    with pytest.raises(ValidationError) as info:
        read_register(None, id_column="code", tables=bad, area_names=NAMES)
    text = str(info.value)
    assert "'Totalt' are not in column 'födelseregion'" in text
    assert "missing column 'regio' (did you mean 'region'?)" in text


def test_unknown_labels_are_named(tmp_path):
    names = {"1480R001": "Angered centrum-Agnesberg"}
    with pytest.raises(ValidationError, match=r"Göteborg \(Annedal-Änggården\)"):
        read_register(None, id_column="code", tables=tables(tmp_path), area_names=names)


@pytest.mark.parametrize(
    "formula",
    ["__import__('os').system('true')", "a.b", "a if b else c", "a ** 2", "f(a)", "a < b", "'x'"],
)
def test_formulas_allow_only_arithmetic_of_columns(formula):
    with pytest.raises(InputError, match="formula"):
        parse_formula(formula)


def test_formula_arithmetic_matches_numpy(tmp_path):
    text = "code,a,b,c\n1,10,4,2\n2,3,0,1\n3,..,1,1\n"
    reg = read_register(
        write(tmp_path / "t.csv", text),
        id_column="code",
        year_column=None,
        derive={"d": "(a - b) / c * 100", "e": "-d + 1.5", "f": "a / b"},
        amount_columns=["d", "e", "f"],
    )
    a = np.array([10, 3, np.nan])
    b = np.array([4, 0, 1])
    c = np.array([2, 1, 1])
    d = (a - b) / c * 100
    np.testing.assert_allclose(reg["d"], d)
    np.testing.assert_allclose(reg["e"], -d + 1.5)
    np.testing.assert_allclose(reg["f"], [2.5, np.nan, np.nan])  # a division by zero: missing


def test_project_file_declares_tables_and_derived_columns(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame(
        {"code": list(NAMES), "namn": list(NAMES.values())},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs="EPSG:3006",
    ).to_file(tmp_path / "areas.gpkg")
    for t in tables(tmp_path):
        assert t.path.is_file()
    (tmp_path / "geoseg.toml").write_text(
        """
[areas]
path = "areas.gpkg"
id = "code"
name = "namn"

[registers]
id = "code"
total = "pop_total"
groups = ["foreign_born"]
amounts = ["income"]
derive = { foreign_born = "pop_total - born_sweden" }

[[registers.tables]]
path = "foreign.csv"
label = "region"
where = { "kön" = "totalt" }
year_columns = "Antal {year}"
category = "födelseregion"
categories = { Sverige = "born_sweden", totalt = "pop_total" }

[[registers.tables]]
path = "income.csv"
label = "region"
year_columns = "Medelvärde, tkr {year}"
value = "income"
""",
        encoding="utf-8",
    )
    data = load_project(tmp_path / "geoseg.toml")
    reg = data.register.set_index(["code", "year"])
    assert reg.loc[("1480R002", 2021), "foreign_born"] == 5848 - 4833
    assert data.project.registers.paths() == [tmp_path / "foreign.csv", tmp_path / "income.csv"]
