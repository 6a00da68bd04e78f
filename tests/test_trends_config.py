"""Series breaks and trend options in the project file, and crosswalk files."""

from __future__ import annotations

import pytest

from geoseg.errors import ConfigError, ValidationError
from geoseg.io import read_config, read_crosswalk

BASE = """
[areas]
path = "areas.gpkg"
id = "code"

[registers]
path = "reg.csv"
id = "area_code"
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "areas.gpkg").write_bytes(b"")
    (tmp_path / "reg.csv").write_bytes(b"")
    return tmp_path


def test_series_breaks_and_trends_are_read(folder):
    (folder / "cw.csv").write_text("from_code;to_code;weight\n0101;0201;0,25\n", encoding="utf-8")
    (folder / "p.toml").write_text(
        BASE
        + """
[trends]
method = "ols"
time_window = 2

[[series.breaks]]
year = 2021
reason = "employment counted for ages 20-64"
indicators = ["employed_20_64"]

[[series.breaks]]
year = 2022
reason = "new boundaries"
crosswalk = "cw.csv"
"""
    )
    proj = read_config(folder / "p.toml")
    first, second = proj.series.breaks
    assert (first.year, first.indicators, first.crosswalk) == (2021, ["employed_20_64"], None)
    assert first.reason == "employment counted for ages 20-64"
    assert second.indicators == "all" and second.crosswalk == folder / "cw.csv"
    assert (proj.trends.method, proj.trends.time_window, proj.trends.confidence) == ("ols", 2, 0.95)


def test_defaults_without_the_sections(folder):
    (folder / "p.toml").write_text(BASE)
    proj = read_config(folder / "p.toml")
    assert proj.series.breaks == []
    assert proj.trends.method == "theil_sen" and proj.trends.time_window == 1


def test_bad_breaks_are_all_reported(folder):
    (folder / "p.toml").write_text(
        BASE
        + """
[trends]
method = "median"
time_window = -1

[[series.breaks]]
year = "2021"
indicators = "some"
crosswalk = "missing.csv"
yaer = 2020
"""
    )
    with pytest.raises(ConfigError) as info:
        read_config(folder / "p.toml")
    text = str(info.value)
    for part in [
        "[[series.breaks]] #1: unknown key 'yaer' (did you mean 'year'?)",
        "[[series.breaks]] #1: year must be a whole number",
        "[[series.breaks]] #1: reason must say why the series breaks",
        '[[series.breaks]] #1: indicators must be "all" or a list',
        "[[series.breaks]] #1: crosswalk: file",
        "[trends] method must be theil_sen or ols, got 'median'",
        "[trends] time_window must be >= 0 years, got -1",
    ]:
        assert part in text, part


def test_breaks_must_be_tables(folder):
    (folder / "p.toml").write_text(BASE + '\n[series]\nbreaks = ["2021"]\n')
    with pytest.raises(ConfigError, match=r"\[\[series.breaks\]\] tables"):
        read_config(folder / "p.toml")


def test_crosswalk_is_read_with_text_codes_and_decimal_commas(tmp_path):
    path = tmp_path / "cw.csv"
    path.write_text("from_code;to_code;weight\n0101;0201;0,25\n0102;0201;1\n", encoding="utf-8")
    cw = read_crosswalk(path)
    assert cw["from_code"].tolist() == ["0101", "0102"]
    assert cw["to_code"].tolist() == ["0201", "0201"]
    assert cw["weight"].tolist() == [0.25, 1.0]
    plain = tmp_path / "plain.csv"
    plain.write_text("from_code,to_code\nA,B\n", encoding="utf-8")
    assert read_crosswalk(plain)["weight"].tolist() == [1.0]


def test_bad_crosswalk_problems_are_listed_at_once(tmp_path):
    path = tmp_path / "cw.csv"
    path.write_text("from_code;to_code;weight\n0101;;1\n0102;0201;-2\n0102;0201;x\n")
    with pytest.raises(ValidationError) as info:
        read_crosswalk(path)
    text = str(info.value)
    assert "rows 2 have an empty from_code or to_code" in text
    assert "column weight: rows 3, 4" in text
    assert "0102->0201" in text
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("old;new\n1;2\n")
    with pytest.raises(ValidationError, match="from_code, to_code missing"):
        read_crosswalk(wrong)


def test_report_chart_lines_end_at_a_break(tmp_path):
    import pandas as pd

    from geoseg.publish import write_report
    from geoseg.trends import SeriesBreak

    years = list(range(2018, 2024))
    seg = pd.DataFrame(
        {
            "year": years * 2,
            "level": "",
            "group": ["foreign_born"] * 6 + ["born_sweden"] * 6,
            "index": "dissimilarity",
            "value": [0.3, 0.31, 0.32, 0.4, 0.41, 0.42] * 2,
        }
    )
    brk = SeriesBreak(2021, ("foreign_born",), "new question")
    html = write_report(tmp_path / "r.html", title="t", segregation=seg, breaks=[brk]).read_text(
        encoding="utf-8"
    )
    assert "foreign born 2018–2020" in html and "foreign born 2021–2023" in html
    assert "born sweden 2018–" not in html  # an unbroken series keeps one line
