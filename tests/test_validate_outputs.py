"""``geoseg validate -o``: what run would refuse about its output folders (or its register),
validate refuses first.

Each case gives validate and run the same folder options; the oracle is run itself: the same
exit code, the same error message, and nothing written by the refused run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from _smallcity import make_city, snapshot
from click.testing import CliRunner

from geoseg.cli import main


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validate-outputs")
    return make_city(folder / "city")


def _invoke(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["-q", *args])
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


def _error(output: str) -> str:
    """The error message (without the timings and warnings lines around it)."""
    found = re.findall(r"(?ms)^Error: .*?(?=^\S|\Z)", output)
    return found[0].strip() if found else ""


def _both(config: Path, options: list[str]) -> tuple[tuple[int, str], tuple[int, str]]:
    stages = ["--stage", "segregation", "--stage", "maps"]
    valid = _invoke(["validate", str(config), *options, *stages])
    ran = _invoke(["run", str(config), *options, *stages])
    return valid, ran


def _foreign(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_text("the user's own file\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("results", "maps"),
    [
        (["segregation_indices.csv", "notes.txt"], []),  # a table of a stage that runs
        (["results.gpkg"], []),
        ([], ["index.html"]),
        ([], ["access_library.html", "report.pdf"]),  # a map name, the report
    ],
)
def test_a_foreign_file_is_refused_by_both_with_the_same_message(city, tmp_path, results, maps):
    out = tmp_path / "out"
    _foreign(out, *results)
    _foreign(out / "maps", *maps)
    before = snapshot(tmp_path)
    inputs = snapshot(city.parent)
    (vcode, vout), (rcode, rout) = _both(city, ["-o", str(out)])
    assert vcode == rcode == 2, (vout, rout)
    assert _error(vout) and _error(vout) == _error(rout)
    for name in [n for n in [*results, *maps] if n != "notes.txt"]:
        assert name in _error(vout)
    assert "--overwrite" in _error(vout)
    assert snapshot(tmp_path) == before  # the refused run wrote nothing
    assert snapshot(city.parent) == inputs


def test_overwrite_lets_both_through(city, tmp_path):
    out = tmp_path / "out"
    _foreign(out, "hotspots.csv", "segregation_indices.csv")
    code, text = _invoke(["validate", str(city), "-o", str(out), "--overwrite"])
    assert code == 0, text
    assert "OK, ready for analysis" in text
    args = ["-o", str(out), "--overwrite", "--stage", "segregation"]
    code, text = _invoke(["run", str(city), *args])
    assert code == 0, text
    assert "the user's own file" not in (out / "segregation_indices.csv").read_text("utf-8")


def test_a_folder_geoseg_wrote_is_accepted_again(city, tmp_path):
    out = tmp_path / "out"
    code, text = _invoke(["validate", str(city), "-o", str(out), "--stage", "segregation"])
    assert code == 0, text
    code, text = _invoke(["run", str(city), "-o", str(out), "--stage", "segregation"])
    assert code == 0, text
    assert (out / "geoseg-run.json").is_file()
    code, text = _invoke(["validate", str(city), "-o", str(out), "--stage", "segregation"])
    assert code == 0, text


def test_an_input_is_refused_as_output_even_with_overwrite(city, tmp_path):
    """A project whose boundary file sits in the output folder under a name run writes."""
    project = tmp_path / "p"
    shutil.copytree(city.parent, project)
    out = project / "out"
    out.mkdir()
    shutil.move(project / "boundaries" / "example_areas.gpkg", out / "results.gpkg")
    config = project / "geoseg.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('path = "boundaries/example_areas.gpkg"', 'path = "out/results.gpkg"'),
        encoding="utf-8",
    )
    inputs = snapshot(project)
    for extra in ([], ["--overwrite"]):
        (vcode, vout), (rcode, rout) = _both(config, ["-o", str(out), *extra])
        assert vcode == rcode == 2, (vout, rout)
        assert _error(vout) == _error(rout)
        assert "results.gpkg" in _error(vout) and "input" in _error(vout)
        assert snapshot(project) == inputs


def test_output_at_an_input_file_and_the_project_output_default(city, tmp_path):
    register = city.parent / "registers" / "example_registers.csv"
    (vcode, vout), (rcode, rout) = _both(city, ["-o", str(register)])
    assert vcode == rcode == 2
    assert "file" in vout and "file" in rout
    # without -o both check the project's own output folder
    project = tmp_path / "p"
    shutil.copytree(city.parent, project)
    _foreign(project / "output", "area_trends.csv")
    config = project / "geoseg.toml"
    valid = _invoke(["validate", str(config)])
    ran = _invoke(["run", str(config), "--stage", "trends"])
    assert valid[0] == ran[0] == 2
    assert "area_trends.csv" in _error(valid[1]) and _error(valid[1]) == _error(ran[1])


def test_fractional_counts_are_refused_by_both_with_the_same_message(city, tmp_path):
    """A count of persons with a fraction (12.5 people) is a broken register: both commands
    name the file, the column, the areas and years, and the fix; amounts keep their decimals."""
    folder = tmp_path / "city"
    shutil.copytree(city.parent, folder)
    config = folder / city.name
    path = folder / "registers" / "example_registers.csv"
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    header = lines[0].split(";")
    rows = [line.split(";") for line in lines[1:]]
    group, income = header.index("foreign_born"), header.index("median_income_tkr")
    code, year = header.index("area_code"), header.index("year")
    # a declared group count with a decimal comma, and a column only an indicator reads
    rows[3][group] = rows[3][group] + ",5"
    header.append("students")
    for i, row in enumerate(rows):
        row.append("12,25" if i == 7 else "12")
        row[income] = "301,75"  # an amount: decimals are fine
    body = "\n".join(";".join(r) for r in [header, *rows]) + "\n"
    path.write_text(body, encoding="utf-8-sig")
    toml = config.read_text(encoding="utf-8")
    toml = toml.replace(
        "[services]",
        '[indicators.students]\nnumerator = "students"\ndenominator = "pop_total"\n'
        'kind = "share"\nlabel_sv = "Studerande"\nlabel_en = "Students"\n\n[services]',
        1,
    )
    config.write_text(toml, encoding="utf-8")
    before = snapshot(tmp_path)
    (vcode, vout), (rcode, rout) = _both(config, ["-o", str(tmp_path / "out")])
    assert vcode == rcode == 2, (vout, rout)
    message = _error(vout)
    assert message and message == _error(rout)
    flat = " ".join(message.split())
    assert "example_registers.csv" in flat
    assert "count column 'foreign_born' has fractions of persons" in flat
    assert f"{rows[3][code]} ({rows[3][year]}, row 5)" in flat
    assert "column 'students', which an indicator reads as a count of persons," in flat
    assert f"{rows[7][code]} ({rows[7][year]}, row 9)" in flat
    assert "12.25" in flat and "whole number" in flat and "[registers] amounts" in flat
    assert "median_income_tkr" not in flat
    assert snapshot(tmp_path) == before  # the refused run wrote nothing
