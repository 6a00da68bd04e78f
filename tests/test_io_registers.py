"""Tests of geoseg.io.registers: format detection, validation, code comparison."""

from __future__ import annotations

import json
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _fixtures import expect_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoseg.errors import InputError, ValidationError
from geoseg.io import check_register_against_areas, compare_codes, read_register

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- detection -------------------------------------------------------------------------------


def test_utf8_bom_semicolon_decimal_comma_leading_zeros(tmp_path):
    text = "area_code;year;pop_total;foreign_born;median_income_tkr\n"
    text += "0114;2023;1200;300;245,5\n0115;2023;800;100;301,25\n"
    path = tmp_path / "reg.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    df = read_register(
        path,
        id_column="area_code",
        count_columns=["foreign_born"],
        total_column="pop_total",
        amount_columns=["median_income_tkr"],
    )
    assert df["area_code"].tolist() == ["0114", "0115"]
    assert df.columns[0] == "area_code"  # the BOM is not part of the first column name
    assert df["median_income_tkr"].tolist() == [245.5, 301.25]
    assert df["pop_total"].dtype == np.float64
    assert df["year"].dtype == np.int64
    assert df["foreign_born"].tolist() == [300.0, 100.0]


def test_undeclared_columns(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("code;kommun;share;note\n01;0180;1,5;a\n02;1480;2;b\n")
    df = read_register(path, id_column="code", year_column=None)
    assert df["kommun"].tolist() == ["0180", "1480"]  # code-like: kept as text
    assert df["share"].tolist() == [1.5, 2.0]  # numbers: float64
    assert df["note"].tolist() == ["a", "b"]


def test_cp1252_with_swedish_letters(tmp_path):
    text = "kod;namn;antal\n0101;Gårdstensbergen;12\n0102;Älvsborg;7\n0103;Önnered;3\n"
    path = tmp_path / "reg.csv"
    path.write_bytes(text.encode("cp1252"))
    df = read_register(path, id_column="kod", year_column=None, count_columns=["antal"])
    assert df["namn"].tolist() == ["Gårdstensbergen", "Älvsborg", "Önnered"]
    assert df["antal"].tolist() == [12.0, 7.0, 3.0]


def test_explicit_wrong_encoding_is_reported(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_bytes("kod;namn\n01;Å\n".encode("cp1252"))
    err = expect_error(read_register, path, id_column="kod", encoding="utf-8", year_column=None)
    assert "utf-8" in str(err)


def test_tab_and_comma_separators(tmp_path):
    for sep in ("\t", ","):
        path = tmp_path / f"reg{ord(sep)}.txt"
        path.write_text(f"code{sep}year{sep}n\n001{sep}2020{sep}5\n002{sep}2020{sep}6\n")
        df = read_register(path, id_column="code", count_columns=["n"])
        assert df["code"].tolist() == ["001", "002"]
        assert df["n"].sum() == 11


def test_decimal_comma_quoted_in_comma_file_and_thousands_spaces(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text('code,year,n,inc\n01,2020,"1 200","12,5"\n02,2020,300,"7,25"\n')
    df = read_register(path, id_column="code", count_columns=["n"], amount_columns=["inc"])
    assert df["n"].tolist() == [1200.0, 300.0]
    assert df["inc"].tolist() == [12.5, 7.25]


def test_excel(tmp_path):
    path = tmp_path / "reg.xlsx"
    frame = pd.DataFrame(
        {
            "code": ["0114", "0220"],
            "year": [2022, 2022],
            "total": [10, 20],
            "group": [3, 4],
            "income": [250.25, 4.5],
        }
    )
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
        frame.to_excel(writer, sheet_name="data", index=False)
    df = read_register(
        path,
        id_column="code",
        count_columns=["group"],
        amount_columns=["income"],
        total_column="total",
        sheet="data",
    )
    assert df["code"].tolist() == ["0114", "0220"]
    assert df["group"].tolist() == [3.0, 4.0]
    assert df["income"].tolist() == [250.25, 4.5]
    assert df["year"].tolist() == [2022, 2022]
    with pytest.raises(InputError, match=r"no sheet 'missing'.*notes, data"):
        read_register(path, id_column="code", sheet="missing")


def test_excel_numeric_codes_warn(tmp_path, caplog):
    path = tmp_path / "reg.xlsx"
    pd.DataFrame({"code": [114, 220], "n": [1, 2]}).to_excel(path, index=False)
    with caplog.at_level(logging.WARNING, logger="geoseg.io.registers"):
        df = read_register(path, id_column="code", year_column=None, count_columns=["n"])
    assert df["code"].tolist() == ["114", "220"]
    assert "leading zeros" in caplog.text


def jsonstat(regions, years, contents, values, *, role=True):
    """A small JSON-stat 2.0 dataset like PxWeb returns (Region x Fodelseregion x Tid)."""
    data = {
        "version": "2.0",
        "class": "dataset",
        "label": "Folkmängd efter region, födelseregion och år",
        "id": ["Region", "Fodelseregion", "ContentsCode", "Tid"],
        "size": [len(regions), len(contents), 1, len(years)],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {r: i for i, r in enumerate(regions)},
                    "label": {r: f"Område {r}" for r in regions},
                },
            },
            "Fodelseregion": {
                "label": "födelseregion",
                "category": {"index": list(contents)},
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}},
            },
            "Tid": {"label": "år", "category": {"index": {y: i for i, y in enumerate(years)}}},
        },
        "value": values,
    }
    if role:
        data["role"] = {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]}
    return data


def test_jsonstat2(tmp_path):
    regions, years, contents = ["0114", "1480R001"], ["2020", "2021"], ["tot", "utl"]
    # row-major: region, fodelseregion, contents, tid (last fastest)
    values = [100, 110, 20, 25, 50, 55, None, 7]
    path = tmp_path / "px.json"
    path.write_text(json.dumps(jsonstat(regions, years, contents, values)), encoding="utf-8")
    df = read_register(
        path, id_column="regsokod", count_columns=["utl"], total_column="tot", allow_missing=True
    )
    got = df.set_index(["regsokod", "year"]).sort_index()
    assert got.loc[("0114", 2020), "tot"] == 100
    assert got.loc[("0114", 2021), "utl"] == 25
    assert got.loc[("1480R001", 2021), "tot"] == 55
    assert np.isnan(got.loc[("1480R001", 2020), "utl"])
    assert df["regsokod"].map(type).eq(str).all()
    # without role: found by the dimension names Region / Tid; sparse values
    sparse = {str(i): v for i, v in enumerate(values) if v is not None}
    path2 = tmp_path / "px2.json"
    path2.write_text(json.dumps(jsonstat(regions, years, contents, sparse, role=False)))
    df2 = read_register(path2, id_column="code", count_columns=["utl"], allow_missing=True)
    assert sorted(df2["code"].unique()) == ["0114", "1480R001"]
    assert df2["tot"].sum() == sum(v for v in (100, 110, 50, 55))


def test_jsonstat_inconsistent_cube(tmp_path):
    data = jsonstat(["01", "02"], ["2020"], ["tot"], [1, 2, 3])
    path = tmp_path / "px.json"
    path.write_text(json.dumps(data))
    err = expect_error(read_register, path, id_column="code")
    assert "3 cells" in str(err)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"class": "collection", "id": ["Region"]},
            'is not a JSON-stat 2.0 dataset (no "class": "dataset"); save the PxWeb table as '
            "JSON-stat2, or export it as CSV.",
        ),
        (
            {"class": "dataset", "id": ["Region", "Tid"], "size": [2, True], "dimension": {}},
            "the JSON-stat dataset needs 'id', 'size' (same length) and 'dimension'.",
        ),
    ],
)
def test_jsonstat_file_shape_errors(tmp_path, doc, message):
    """A saved PxWeb file that is no dataset, or whose 'id' and 'size' do not make a cube."""
    path = tmp_path / "px.json"
    path.write_text(json.dumps(doc))
    err = expect_error(read_register, path, id_column="code")
    assert isinstance(err, InputError)
    assert str(err) == f"{path}: {message}"


# --- validation ------------------------------------------------------------------------------


def test_all_problems_reported_at_once(tmp_path):
    text = (
        "code;year;total;group;other\n"
        "01;2020;10;3;x\n"
        "02;2020;10;abc;x\n"  # text in a count column
        "03;2020;10;-1;x\n"  # negative
        "04;2020;10;;x\n"  # missing count
        "05;2020;10;11;x\n"  # group > total
        "06;2020;10;2;x\n"
        "06;2020;10;2;x\n"  # duplicate (code, year)
        ";2020;10;2;x\n"  # missing code
    )
    path = tmp_path / "reg.csv"
    path.write_text(text)
    err = expect_error(
        read_register,
        path,
        id_column="code",
        count_columns=["group", "absent_col"],
        total_column="total",
    )
    assert isinstance(err, ValidationError)
    joined = "\n".join(err.problems)
    assert len(err.problems) == 7
    assert "'absent_col'" in joined and "available columns" in joined and "'other'" in joined
    assert "'abc'" in joined and "02 (2020, row 3)" in joined
    assert "negative" in joined and "03 (2020, row 4)" in joined
    assert "empty in 04 (2020, row 5)" in joined
    assert "larger than the total" in joined and "05 (2020, row 6)" in joined
    assert "duplicate" in joined and "06 (2020, row 7)" in joined and "row 8" in joined
    assert "empty in rows 9" in joined


def test_fractional_counts_are_reported_with_their_rows(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(
        "code;year;total;group;persons;income\n"
        "01;2020;10;3;4;250,5\n"
        "02;2020;10,5;3;4;250,5\n"  # the total is a count too
        "03;2020;10;2,5;4;250,5\n"
        "04;2020;10;3;4,75;250,5\n"  # persons an indicator counts
        "05;2020;10;3,0;4;250,5\n"  # whole, written with a decimal
    )
    err = expect_error(
        read_register,
        path,
        id_column="code",
        count_columns=["group"],
        total_column="total",
        amount_columns=["income"],
        whole_columns=["persons", "income"],  # a declared amount stays an amount
    )
    assert isinstance(err, ValidationError)
    assert len(err.problems) == 3, err.problems
    joined = "\n".join(err.problems)
    assert "count column 'total' has fractions of persons (10.5) in 02 (2020, row 3)" in joined
    assert "count column 'group' has fractions of persons (2.5) in 03 (2020, row 4)" in joined
    assert "column 'persons', which an indicator reads as a count of persons," in joined
    assert "(4.75) in 04 (2020, row 5)" in joined
    assert "income" not in joined and "05" not in joined
    ok = path.read_text().replace("10,5", "10").replace("2,5", "2").replace("4,75", "4")
    path.write_text(ok)
    df = read_register(
        path,
        id_column="code",
        count_columns=["group"],
        total_column="total",
        amount_columns=["income"],
        whole_columns=["persons"],
    )
    assert df["group"].tolist() == [3, 3, 2, 3, 3]
    assert df["income"].tolist() == [250.5] * 5


def test_missing_counts_allowed_when_asked(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("code;n\n01;..\n02;4\n")
    df = read_register(
        path, id_column="code", year_column=None, count_columns=["n"], allow_missing=True
    )
    assert np.isnan(df["n"].iloc[0]) and df["n"].iloc[1] == 4


def test_default_year_absent_means_single_year(tmp_path, caplog):
    path = tmp_path / "reg.csv"
    path.write_text("code;n\n01;1\n")
    with caplog.at_level(logging.WARNING):
        df = read_register(path, id_column="code", count_columns=["n"])
    assert "single-year" in caplog.text
    assert "year" not in df.columns
    with pytest.raises(ValidationError, match="'yr'"):
        read_register(path, id_column="code", year_column="yr")


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in str(expect_error(read_register, empty, id_column="code"))
    header = tmp_path / "header.csv"
    header.write_text("code;year;n\n")
    assert "no data rows" in str(expect_error(read_register, header, id_column="code"))


def test_ragged_rows_reported(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("code;year;n\n01;2020;1\n02;2020;1;9\n")
    err = expect_error(read_register, path, id_column="code")
    assert "rows 3" in str(err)


def test_input_not_mutated_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_register(tmp_path / "nope.csv", id_column="code")


# --- codes vs polygons -----------------------------------------------------------------------


def areas_with(codes):
    geoms = [shapely.box(i, 0, i + 1, 1) for i in range(len(codes))]
    return gpd.GeoDataFrame(
        {"code": codes}, geometry=geoms, crs="EPSG:3006", index=pd.Index(codes, name="code")
    )


def test_check_register_against_areas(caplog):
    areas = areas_with(["0114", "0115", "0116"])
    reg = pd.DataFrame({"code": ["0114", "0115", "114", "199"], "year": [2020, 2020, 2021, 2021]})
    with caplog.at_level(logging.WARNING):
        warnings = check_register_against_areas(reg, areas, id_column="code", year_column="year")
    assert compare_codes(reg, areas, id_column="code") == (["114", "199"], ["0116"])
    assert any("114, 199" in w and "leading zeros" in w for w in warnings)
    assert any("0116" in w and "no row" in w for w in warnings)
    assert any("year 2021" in w for w in warnings)
    assert "0116" in caplog.text
    with pytest.raises(ValidationError, match="199"):
        check_register_against_areas(reg, areas, id_column="code", strict=True)
    assert (
        check_register_against_areas(
            reg[reg["code"].isin(["0114", "0115"])], areas.iloc[:2], id_column="code"
        )
        == []
    )


# --- property-based --------------------------------------------------------------------------

CODES = st.text(alphabet="0123456789R", min_size=1, max_size=6)


@st.composite
def register_tables(draw):
    """A register table with optional injected defects and the defects it has."""
    n = draw(st.integers(1, 8))
    codes = draw(st.lists(CODES, min_size=n, max_size=n, unique=True))
    totals = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    groups = [draw(st.integers(0, t)) for t in totals]
    income = draw(
        st.lists(
            st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2)), min_size=n, max_size=n
        )
    )
    rows = [
        [c, "2023", str(t), str(g), repr(i)]
        for c, t, g, i in zip(codes, totals, groups, income, strict=True)
    ]
    defects = set()
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "negative", "missing", "over", "dup", "nocode"]))
        r = draw(st.integers(0, n - 1))
        if kind == "text":
            rows[r][3] = draw(st.sampled_from(["abc", "12x", "1e", "ett"]))
        elif kind == "negative":
            rows[r][3] = "-" + str(draw(st.integers(1, 50)))
        elif kind == "missing":
            rows[r][3] = ""
        elif kind == "over":
            rows[r][3] = str(int(rows[r][2]) + draw(st.integers(1, 50)))
        elif kind == "dup":
            rows.append(list(rows[r]))
        elif kind == "nocode":
            rows[r][0] = ""
        defects.add(kind)
    return rows, defects


def expected_problems(rows):
    """Independent oracle: which defect kinds does the final table really have?"""
    found = set()
    seen = set()
    for code, _, total, group, _ in rows:
        if code == "":
            found.add("nocode")
        elif code in seen:
            found.add("dup")
        seen.add(code)
        try:
            g = float(group)
        except ValueError:
            found.add("missing" if group == "" else "text")
            continue
        if g < 0:
            found.add("negative")
        elif g > float(total):
            found.add("over")
    return found


@SETTINGS
@given(
    table=register_tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    sep=st.sampled_from([";", ",", "\t"]),
    comma=st.booleans(),
)
def test_property_register_tables(tmp_path_factory, table, encoding, sep, comma):
    rows, _ = table
    folder = tmp_path_factory.mktemp("reg")
    path = folder / "register.csv"
    header = ["områdeskod", "year", "total", "group", "income"]

    def cell(v, col):
        if col == 4 and comma and sep != ",":
            return v.replace(".", ",")
        return v

    lines = [sep.join(header)] + [sep.join(cell(v, i) for i, v in enumerate(r)) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    expected = expected_problems(rows)
    kwargs = dict(
        id_column="områdeskod",
        count_columns=["group"],
        total_column="total",
        amount_columns=["income"],
    )
    if expected:
        err = expect_error(read_register, path, **kwargs)
        assert isinstance(err, ValidationError)
        text = str(err)
        markers = {
            "text": "not a number",
            "negative": "negative",
            "missing": "is empty in",
            "over": "larger than the total",
            "dup": "duplicate",
            "nocode": "empty in rows",
        }
        for kind in expected:
            assert markers[kind] in text, (kind, text)
    else:
        before = path.read_bytes()
        df = read_register(path, **kwargs)
        assert path.read_bytes() == before
        assert df["områdeskod"].tolist() == [r[0] for r in rows]
        assert df["total"].tolist() == [float(r[2]) for r in rows]
        assert df["income"].tolist() == pytest.approx([float(r[4]) for r in rows])


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".json", ".txt"]))
def test_property_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"register{suffix}"
    path.write_bytes(data)
    expect_error(read_register, path, id_column="code", count_columns=["n"])


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-3, 5), st.text(max_size=4))
JSON_KEYS = st.sampled_from(
    ["version", "id", "size", "dimension", "value", "role", "category", "index", "label", "Region"]
)
JSON_ANY = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_KEYS, inner, max_size=5),
    max_leaves=20,
)


@SETTINGS
@given(doc=st.dictionaries(JSON_KEYS, JSON_ANY, max_size=6), dims=st.booleans())
def test_property_malformed_jsonstat(tmp_path_factory, doc, dims):
    doc = {**doc, "class": "dataset"}
    if dims:
        doc["id"], doc["size"] = ["Region", "Tid"], [2, 1]
    path = tmp_path_factory.mktemp("js") / "table.json"
    path.write_text(json.dumps(doc))
    expect_error(read_register, path, id_column="code")


def test_rows_without_a_valid_year_are_not_also_called_duplicates(tmp_path):
    """Years written short or left empty are one problem each, named once; two rows of one
    area and year are still duplicates."""
    path = tmp_path / "reg.csv"
    path.write_text(
        "code;year;pop\n0101;23;10\n0101;;11\n0101;22;12\n0102;2023;13\n0102;2023;14\n",
        encoding="utf-8",
    )
    err = expect_error(read_register, path, id_column="code", year_column="year")
    text = str(err)
    assert "years outside 1800-2200" in text and "whole year" in text
    dup = [line for line in text.splitlines() if "duplicate" in line]
    assert len(dup) == 1
    assert "0102 (2023, row 5), 0102 (2023, row 6)" in dup[0]
    assert "0101" not in dup[0]
