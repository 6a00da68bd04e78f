"""``geoseg trends`` and the trends stage of ``geoseg run`` on the example city."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.hotspots import CATEGORIES, build_weights, emerging_hotspots
from geoseg.i18n import tr
from geoseg.io import read_boundaries, read_register

FOLDERS = ("boundaries/", "registers/", "services/", "network/", "population/")


def _project(example_data, tmp_path, *, years=None, extra: str = "") -> str:
    """A copy of the example city's project file in ``tmp_path`` (inputs stay in data/)."""
    text = (example_data / "geoseg.toml").read_text(encoding="utf-8")
    for folder in FOLDERS:
        text = text.replace(f'"{folder}', f'"{(example_data / folder).as_posix()}/')
    if years is not None:
        lines = (example_data / "registers" / "example_registers.csv").read_text(
            encoding="utf-8-sig"
        )
        rows = lines.splitlines()
        kept = [rows[0]] + [r for r in rows[1:] if int(r.split(";")[1]) in years]
        reg = tmp_path / "registers.csv"
        reg.write_text("\n".join(kept) + "\n", encoding="utf-8")
        text = text.replace(
            f'"{(example_data / "registers").as_posix()}/example_registers.csv"',
            f'"{reg.as_posix()}"',
        )
        assert reg.as_posix() in text
    path = tmp_path / "geoseg.toml"
    path.write_text(text + extra, encoding="utf-8")
    return str(path)


def test_emerging_json_equals_the_library(example_data):
    res = CliRunner().invoke(
        main,
        ["-q", "trends", "--format", "json", "--permutations", "99", "--lang", "en"],
    )
    assert res.exit_code == 0, res.output
    records = pd.DataFrame(json.loads(res.stdout))
    # areas with fewer residents than the disclosure threshold in some year are suppressed
    assert set(records["category"].dropna()) <= set(CATEGORIES)
    income = records[records["variable"] == "median_income_tkr"].set_index("id")
    areas = read_boundaries(example_data / "boundaries" / "example_areas.gpkg", id_column="code")
    register = read_register(
        example_data / "registers" / "example_registers.csv",
        id_column="area_code",
        year_column="year",
    )
    ref = emerging_hotspots(
        register,
        "median_income_tkr",
        weights=build_weights(areas, "queen"),
        id_column="area_code",
        permutations=99,
        seed=12345,
    ).areas
    assert len(income) == len(ref) == 100
    few = register.groupby("area_code")["pop_total"].min() < 5
    assert set(income.index[income["category"].isna()]) == set(few.index[few])
    shown = income[income["category"].notna()]
    assert (shown["category"] == ref["category"].reindex(shown.index)).all()
    assert (shown["label"] == ref["label"].reindex(shown.index)).all()


def test_area_table_filtered_written_once(tmp_path):
    out = tmp_path / "t.csv"
    args = ["-q", "trends", "--table", "areas", "--variable", "foreign_born"]
    res = CliRunner().invoke(main, [*args, "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype={"code": str})
    assert set(table["indicator"]) == {"foreign_born"} and len(table) == 100
    assert {"slope", "slope_low", "slope_high", "mk_p_adjusted", "direction"} <= set(table)
    again = CliRunner().invoke(main, [*args, "--format", "csv", "-o", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    bad = CliRunner().invoke(main, ["-q", "trends", "--table", "gaps", "--variable", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output and "Traceback" not in bad.output


def test_too_few_years_and_a_missing_year_exit_2(example_data, tmp_path):
    (tmp_path / "two").mkdir()
    two = _project(example_data, tmp_path / "two", years={2022, 2023})
    res = CliRunner().invoke(main, ["-q", "trends", two])
    assert res.exit_code == 2, res.output
    assert "at least three" in res.output and "Traceback" not in res.output
    (tmp_path / "gap").mkdir()
    gap = _project(example_data, tmp_path / "gap", years={2018, 2019, 2021, 2022, 2023})
    res = CliRunner().invoke(main, ["-q", "trends", gap, "--permutations", "9"])
    assert res.exit_code == 2, res.output
    assert "2020 are missing between 2018 and 2023" in res.output


@pytest.fixture(scope="module")
def run_with_break(example_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("trends_run")
    extra = """
[[series.breaks]]
year = 2021
reason = "employment counted in a new way"
indicators = ["employed_20_64"]
"""
    config = _project(example_data, folder, extra=extra)
    res = CliRunner().invoke(
        main,
        [
            "-q",
            "run",
            config,
            "--stage",
            "trends",
            "--stage",
            "maps",
            "--output",
            str(folder / "out"),
            "--maps",
            str(folder / "maps"),
            "--lang",
            "en",
        ],
    )
    assert res.exit_code == 0, res.output
    return folder


def test_run_writes_emerging_hotspots_and_area_trends(run_with_break):
    out = run_with_break / "out"
    emerging = pd.read_csv(out / "emerging_hotspots.csv", dtype={"id": str})
    assert set(emerging["variable"]) == {"median_income_tkr", "low_economic_standard/pop_total"}
    assert emerging.groupby("variable")["id"].nunique().eq(100).all()
    assert set(emerging["category"].dropna()) <= set(CATEGORIES)  # suppressed: empty
    assert emerging["category"].notna().sum() > 150
    trends = pd.read_csv(out / "area_trends.csv", dtype={"code": str})
    employed = trends[trends["indicator"] == "employment_20_64"]  # reads employed_20_64
    assert (employed["first_year"].dropna() == 2021).all()
    assert employed["series_note"].str.contains("series break in 2021").all()
    income = trends[trends["indicator"] == "median_income"]
    assert (income["first_year"] == 2018).all() and income["series_note"].isna().all()
    gaps = pd.read_csv(out / "gap_trends.csv")
    assert set(gaps["verdict"]) <= {"growing", "shrinking", "no clear trend"}
    manifest = json.loads((out / "geoseg-run.json").read_text(encoding="utf-8"))
    assert {"emerging_hotspots.csv", "area_trends.csv", "gap_trends.csv"} <= set(manifest["files"])


def test_run_maps_and_report_show_the_follow_up(run_with_break):
    maps = run_with_break / "maps"
    assert (maps / "emerging_hotspots_median_income_tkr.html").is_file()
    assert (maps / "trend_foreign_born.html").is_file()
    index = (maps / "index.html").read_text(encoding="utf-8")
    assert "emerging_hotspots_median_income_tkr.html" in index
    report = (maps / "report.html").read_text(encoding="utf-8")
    assert "Follow-up over the years" in report
    assert "Gap between the best and the worst areas" in report
    assert "series break in 2021 (employment counted in a new way)" in report
    html = (maps / "emerging_hotspots_median_income_tkr.html").read_text(encoding="utf-8")
    assert "Pattern over the years" in html


def _run_trends(config: str, folder) -> object:
    return CliRunner().invoke(
        main,
        ["-q", "run", config, "--stage", "trends", "--output", str(folder / "out")],
    )


def test_run_with_two_years_skips_trends_with_a_warning(example_data, tmp_path):
    config = _project(example_data, tmp_path, years={2022, 2023})
    res = _run_trends(config, tmp_path)
    assert res.exit_code == 0, res.output
    assert "trends skipped" in res.output and "at least three" in res.output
    assert not (tmp_path / "out" / "area_trends.csv").exists()


def test_run_with_a_missing_year_keeps_area_trends_and_skips_emerging(example_data, tmp_path):
    config = _project(example_data, tmp_path, years={2018, 2019, 2021, 2022, 2023})
    res = _run_trends(config, tmp_path)
    assert res.exit_code == 0, res.output
    assert "emerging hotspots of median_income_tkr skipped" in res.output
    assert tr("tn_gap_years", "en", name="median_income_tkr", years="2020") in res.output
    assert not (tmp_path / "out" / "emerging_hotspots.csv").exists()
    trends = pd.read_csv(tmp_path / "out" / "area_trends.csv", dtype={"code": str})
    income = trends[trends["indicator"] == "median_income"]
    assert (income["years"] == 5).all()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_notes_a_skipped_variable_in_its_language(example_data, tmp_path, lang):
    """The note on a variable left out of emerging hotspots (a year missing in the middle)
    reads in the report's language and names the variable by its indicator label."""
    import re

    from geoseg.io import load_project
    from geoseg.publish import write_report
    from geoseg.trends import trends_for_project

    data = load_project(_project(example_data, tmp_path, years={2018, 2019, 2021, 2022, 2023}))
    follow_up = trends_for_project(data)
    english = tr("tn_gap_years", "en", name="median_income_tkr", years="2020")
    assert english in follow_up.notes
    label = data.project.indicators["median_income"].label(lang)
    out = write_report(
        tmp_path / f"report_{lang}.html",
        title="x",
        lang=lang,
        follow_up=follow_up,
        labels={"median_income_tkr": label},
    )
    html = out.read_text(encoding="utf-8")
    section = html[html.index(tr("trend_notes", lang)) :]
    items = re.findall(r"<li>([^<]*)</li>", section)
    expected = tr("tn_gap_years", lang, name=label, years="2020")
    assert expected in items
    assert "median_income_tkr" not in section
    if lang == "sv":
        assert "skipped" not in section and "emerging" not in section


@pytest.mark.parametrize(
    ("key", "fields"),
    [
        ("tn_no_column", {"columns": "age_0_5"}),
        ("tn_few_years", {"n": 2, "years": "2022, 2023"}),
        ("tn_gap_years", {"years": "2020, 2021"}),
        ("tn_no_values", {}),
        ("tn_few_areas", {"n": 3, "first": 2018, "last": 2023, "needed": 4}),
        ("tn_constant", {}),
        ("tn_not_in_weights", {"codes": "0101, 0102 and 3 more"}),
        ("tn_failed", {"reason": "an error nobody foresaw"}),
    ],
)
def test_follow_up_notes_translate_back_from_english(key, fields):
    from geoseg.i18n import follow_up_note_text

    note = tr(key, "en", name="a/b", **fields)
    assert follow_up_note_text(note, "en") == note
    assert follow_up_note_text(note, "sv") == tr(key, "sv", name="a/b", **fields)
    named = follow_up_note_text(note, "sv", label=lambda v: f"label of {v}")
    assert named == tr(key, "sv", name="label of a/b", **fields)
    assert follow_up_note_text("a note of the project's own", "sv") == "a note of the project's own"


def test_area_trends_hide_series_with_a_small_count(example_data, tmp_path):
    """A share whose count is below the disclosure threshold in one year is not published
    through the trend table's first or last value or slope; other series are."""
    text = (example_data / "registers" / "example_registers.csv").read_text(encoding="utf-8-sig")
    reg = pd.read_csv(io.StringIO(text), sep=";", dtype={"area_code": str})
    last = reg["year"] == reg["year"].max()
    small = (reg["area_code"] == "0101") & last
    reg.loc[small, "born_sweden"] += reg.loc[small, "foreign_born"] - 2
    reg.loc[small, "foreign_born"] = 2
    assert (reg["foreign_born"] <= reg["pop_total"]).all()
    path = tmp_path / "registers.csv"
    reg.to_csv(path, sep=";", index=False, decimal=",")
    config = _project(example_data, tmp_path)
    text = Path(config).read_text(encoding="utf-8")
    original = f'"{(example_data / "registers").as_posix()}/example_registers.csv"'
    assert original in text
    Path(config).write_text(text.replace(original, f'"{path.as_posix()}"'), encoding="utf-8")
    args = ["-q", "trends", config, "--table", "areas", "--variable", "foreign_born"]
    res = CliRunner().invoke(main, [*args, "--format", "csv"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout), dtype={"code": str}).set_index("code")
    hidden = ["value_first", "value_last", "slope", "slope_low", "slope_high"]
    assert bool(table.loc["0101", "suppressed"])
    assert table.loc["0101", hidden].isna().all()
    # an area whose counts and bases are all at or above the threshold keeps its series
    per_area = reg.groupby("area_code")[["foreign_born", "pop_total"]].min().min(axis=1)
    fine = per_area.index[per_area >= 5]
    assert len(fine) > 50
    assert not table.loc[fine, "suppressed"].astype(bool).any()
    assert table.loc[fine, "value_last"].notna().all()
    share = reg[last].set_index("area_code")
    expected = share["foreign_born"] / share["pop_total"] * 100
    assert table.loc[fine, "value_last"].to_numpy() == pytest.approx(
        expected.reindex(fine).to_numpy()
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_causes_of_a_skipped_variable_read_in_the_report_language(example_data, tmp_path, lang):
    """A variable left out of emerging hotspots because its value is the same everywhere, or
    because too few areas have a value every year, is noted in the report's own words (no
    English error inside a Swedish sentence); a code without a polygon stops no variable."""
    import re

    from geoseg.io import load_project
    from geoseg.publish import write_report
    from geoseg.trends import trends_for_project

    path = example_data / "registers" / "example_registers.csv"
    reg = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    codes = sorted(set(reg["area_code"]))
    reg["constant_var"] = "7"
    reg["sparse_var"] = np.where(reg["area_code"].isin(codes[:3]), reg["year"], "")
    unplaced = reg[reg["area_code"] == codes[0]].assign(area_code="9999")
    reg = pd.concat([reg, unplaced], ignore_index=True)
    register = tmp_path / "registers.csv"
    reg.to_csv(register, sep=";", index=False, encoding="utf-8-sig")
    config = _project(example_data, tmp_path)
    text = Path(config).read_text(encoding="utf-8")
    text = text.replace(
        f'"{(example_data / "registers").as_posix()}/example_registers.csv"',
        f'"{register.as_posix()}"',
    )
    text = text.replace(
        'variables = ["median_income_tkr"]',
        'variables = ["median_income_tkr", "constant_var", "sparse_var"]',
    ).replace("permutations = 999", "permutations = 19")
    Path(config).write_text(text, encoding="utf-8")
    follow_up = trends_for_project(load_project(config))
    years = sorted({int(y) for y in reg["year"]})
    causes = {
        "constant_var": ("tn_constant", {}),
        "sparse_var": (
            "tn_few_areas",
            {"n": 3, "first": years[0], "last": years[-1], "needed": 4},
        ),
    }
    for name, (key, fields) in causes.items():
        assert tr(key, "en", name=name, **fields) in follow_up.notes, follow_up.notes
    assert len(follow_up.notes) == 2
    # the code without a polygon is left out; the other variables are analysed
    emerging = follow_up.emerging
    assert set(emerging["variable"]) == {"median_income_tkr", "low_economic_standard/pop_total"}
    assert "9999" not in set(emerging["id"]) and emerging.groupby("variable").size().eq(100).all()
    labels = {"constant_var": "Konstant (k)", "sparse_var": "Gles (g)"}
    out = write_report(
        tmp_path / f"report_{lang}.html", title="x", lang=lang, follow_up=follow_up, labels=labels
    )
    html = out.read_text(encoding="utf-8")
    section = html[html.index(tr("trend_notes", lang)) :]
    items = re.findall(r"<li>([^<]*)</li>", section)
    for name, (key, fields) in causes.items():
        assert tr(key, lang, name=labels[name], **fields) in items
    if lang == "sv":
        english = ("skipped", "emerging", "area(s)", "same value", "every", "nothing to map")
        assert not [w for w in english if w in " ".join(items)], items
