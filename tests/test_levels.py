"""Area levels in a project file: parsing, validate and run at a level, on hand-built squares."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from segregation.singlegroup import Dissim
from shapely.geometry import box

from geoseg.cli import main
from geoseg.errors import ConfigError
from geoseg.io import load_project, read_config
from geoseg.levels import describe_levels, project_at_level

CRS = "EPSG:3006"


def _squares(n: int, size: float, prefix: str) -> gpd.GeoDataFrame:
    codes, geoms = [], []
    for i in range(n):
        for j in range(n):
            codes.append(f"{prefix}{i}{j}")
            geoms.append(box(j * size, i * size, (j + 1) * size, (i + 1) * size))
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=CRS)


def _write(folder: Path, *, extra: str = "", default: str | None = None) -> Path:
    """16 small squares (register level) in 4 quarters in 1 town; a second, shifted system."""
    small = _squares(4, 100.0, "s")
    small["quarter"] = [f"q{int(c[1]) // 2}{int(c[2]) // 2}" for c in small["code"]]
    small.to_file(folder / "small.gpkg")
    quarters = _squares(2, 200.0, "q")
    quarters.to_file(folder / "quarters.gpkg")
    # the town's two halves: south (quarters q0x) and north (q1x)
    gpd.GeoDataFrame(
        {"code": ["south", "north"]},
        geometry=[box(0, 0, 400, 200), box(0, 200, 400, 400)],
        crs=CRS,
    ).to_file(folder / "town.gpkg")
    pd.DataFrame(
        {"from_code": quarters["code"], "to_code": ["south", "south", "north", "north"]}
    ).to_csv(folder / "quarters_to_town.csv", index=False)
    rng = np.random.default_rng(11)
    rows = []
    for year in (2022, 2023):
        for code in small["code"]:
            total = int(rng.integers(100, 900))
            rows.append((code, year, total, int(rng.integers(0, total))))
        rows.append(("199", year, 50, 20))  # persons without a polygon
    reg = pd.DataFrame(rows, columns=["area", "year", "pop_total", "foreign_born"])
    reg["born_sweden"] = reg["pop_total"] - reg["foreign_born"]
    reg.to_csv(folder / "register.csv", index=False)
    pd.DataFrame({"kod": ["q00", "q01", "q10", "q11"], "folk": [1500, 1600, 1700, 1800]}).to_csv(
        folder / "quarter_totals.csv", index=False
    )
    text = f"""
[project]
name = "squares"
output = "out"
{f'level = "{default}"' if default else ""}

[areas]
path = "small.gpkg"
id = "code"

[registers]
path = "register.csv"
id = "area"
total = "pop_total"
groups = ["foreign_born", "born_sweden"]

[indices]
names = ["dissimilarity", "spatial_dissimilarity"]
permutations = 0

[levels.small]
label_sv = "Ruta"
label_en = "Square"
parent = "quarter"
parent_id = "quarter"

[levels.quarter]
label_sv = "Kvarter"
label_en = "Quarter"
path = "quarters.gpkg"
id = "code"
parent = "town"
crosswalk = "quarters_to_town.csv"
totals = "quarter_totals.csv"
totals_id = "kod"
totals_column = "folk"

[levels.town]
path = "town.gpkg"
id = "code"
{extra}
"""
    path = folder / "geoseg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_levels_read_from_the_project_file(tmp_path):
    project = read_config(_write(tmp_path, default="quarter"))
    assert list(project.levels) == ["small", "quarter", "town"]
    assert project.project.level == "quarter"
    small, quarter, town = project.levels.values()
    assert small.is_base and small.how == "codes" and small.parent_id == "quarter"
    assert quarter.how == "crosswalk" and quarter.crosswalk == tmp_path / "quarters_to_town.csv"
    assert town.how is None and town.parent is None
    assert quarter.label("sv") == "Kvarter" and town.label("en") == "town"


def test_level_problems_are_listed_at_once(tmp_path):
    path = _write(tmp_path, default="kvarter")
    text = path.read_text(encoding="utf-8")
    text = text.replace('parent = "town"', 'parent = "twon"\nlink = "nearest"')
    text += '\n[levels.other]\nparent = "town"\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_config(path)
    msg = str(err.value)
    assert "link must be one of codes, crosswalk, containment, interpolation" in msg
    assert "parent 'twon' is not a declared level (did you mean 'town'?)" in msg
    assert "small, other have no path" in msg
    assert "[project] level 'kvarter' is not a declared level" in msg


def test_people_from_needs_an_interpolation_and_a_level_with_totals(tmp_path):
    path = _write(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('parent_id = "quarter"', 'parent_id = "quarter"\npeople_from = "town"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_config(path)
    msg = str(err.value)
    assert 'people_from weights link = "interpolation" only' in msg
    assert "people_from 'town' needs a level with its own path and totals" in msg


def test_missing_parent_column_is_reported_with_the_columns(tmp_path):
    path = _write(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace('parent_id = "quarter"', 'parent_id = "kvarter"'),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2
    assert "parent_id names column 'kvarter', which the boundaries do not have" in res.output
    assert "'quarter'" in res.output


def _oracle(folder: Path, year: int, parent: dict[str, str] | None) -> float:
    """D of foreign-born by pysal/segregation on the register summed to the parents (199 kept)."""
    reg = pd.read_csv(folder / "register.csv", dtype={"area": str})
    reg = reg[reg["year"] == year]
    if parent is not None:
        reg = reg.assign(area=reg["area"].map(lambda c: parent.get(c, c)))
    summed = reg.groupby("area", as_index=False)[["pop_total", "foreign_born"]].sum()
    return Dissim(summed, "foreign_born", "pop_total").statistic


def test_validate_and_run_at_each_level(tmp_path, monkeypatch):
    path = _write(tmp_path, default="quarter")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "level small (Ruta): 16 areas from [areas]" in res.stdout
    assert "counts reach quarter by codes (column quarter)" in res.stdout
    assert "level quarter (default) (Kvarter): 4 areas" in res.stdout
    assert "counts reach town by crosswalk" in res.stdout
    assert "register codes 199 cannot be moved" in res.stdout
    # the known totals of the quarters against the register's last year, recomputed
    reg = pd.read_csv(tmp_path / "register.csv", dtype={"area": str})
    last = reg[(reg["year"] == 2023) & (reg["area"] != "199")]
    small = gpd.read_file(tmp_path / "small.gpkg").set_index("code")
    est = last.groupby(last["area"].map(small["quarter"]))["pop_total"].sum()
    known = pd.Series({"q00": 1500, "q01": 1600, "q10": 1700, "q11": 1800})
    share = (est - known).abs().sum() / known.sum()
    assert f"absolute error {share:.2%} of the known persons" in res.stdout
    assert f"{reg.loc[reg['year'] == 2023, 'pop_total'].sum():,.0f} persons kept (+0.00%)" in (
        res.stdout
    )

    parents = small["quarter"].to_dict()
    for level, mapping in (
        ("small", None),
        ("quarter", parents),
        ("town", {c: "south" if q < "q1" else "north" for c, q in parents.items()}),
    ):
        res = runner.invoke(
            main,
            ["run", str(path), "--level", level, "--stage", "segregation", "-o", f"o-{level}"],
            catch_exceptions=False,
        )
        assert res.exit_code == 0, res.output
        table = pd.read_csv(Path(f"o-{level}") / "segregation_indices.csv")
        got = table[(table["group"] == "foreign_born") & (table["index"] == "dissimilarity")]
        for year in (2022, 2023):
            value = got.loc[got["year"] == year, "value"].iloc[0]
            assert value == pytest.approx(_oracle(tmp_path, year, mapping), rel=1e-12)


def test_default_level_writes_below_the_output_folder(tmp_path, monkeypatch):
    path = _write(tmp_path, default="quarter")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["run", str(path), "--stage", "segregation"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "quarter" / "segregation_indices.csv").is_file()
    assert not (tmp_path / "out" / "segregation_indices.csv").exists()


def test_validate_at_a_level_predicts_run(tmp_path, monkeypatch):
    """validate --level checks the level and the folder run --level would use; an unknown
    level is refused by both with the same message."""
    path = _write(tmp_path, default="small")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(path), "--level", "quarter"])
    assert ok.exit_code == 0, ok.output
    assert f"results: {tmp_path / 'out' / 'quarter'}," in ok.stdout
    seg = ["--stage", "segregation"]
    bad = [
        runner.invoke(main, [cmd, str(path), "--level", "nowhere", *seg])
        for cmd in ("validate", "run")
    ]
    assert [r.exit_code for r in bad] == [2, 2]
    errors = [r.output.strip().splitlines()[-1] for r in bad]  # after the progress log
    assert "'nowhere' is not a level of this project" in errors[0] and errors[0] == errors[1]
    assert "Traceback" not in bad[0].output


def test_interpolation_weighted_by_buildings(tmp_path):
    extra = """
[levels.shifted]
path = "shifted.gpkg"
id = "code"

[population]
buildings = "buildings.gpkg"
buildings_weight = "dwellings"
"""
    path = _write(tmp_path, extra=extra)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '[levels.town]\npath = "town.gpkg"\nid = "code"\n',
        '[levels.town]\npath = "town.gpkg"\nid = "code"\nparent = "shifted"\n'
        'link = "interpolation"\n',
    )
    path.write_text(text, encoding="utf-8")
    # another division of the town: a west strip (x < 100) and the rest
    gpd.GeoDataFrame(
        {"code": ["west", "east"]},
        geometry=[box(0, 0, 100, 400), box(100, 0, 400, 400)],
        crs=CRS,
    ).to_file(tmp_path / "shifted.gpkg")
    # south half: 10 dwellings in the west strip, 30 east of it; north half: 5, all east
    gpd.GeoDataFrame(
        {"dwellings": [10.0, 30.0, 5.0]},
        geometry=[box(40, 40, 60, 60), box(240, 40, 260, 60), box(240, 240, 260, 260)],
        crs=CRS,
    ).to_file(tmp_path / "buildings.gpkg")
    data = load_project(path)
    lines = describe_levels(data)
    assert any("counts reach shifted by interpolation weighted by buildings" in x for x in lines)
    view = project_at_level(data, "shifted")
    reg = pd.read_csv(tmp_path / "register.csv", dtype={"area": str})
    reg = reg[reg["area"] != "199"]
    half = reg.groupby(["year", reg["area"].str[1].isin(["0", "1"])])["pop_total"].sum()
    moved = view.data.register.set_index(["area", "year"])["pop_total"]
    for year in (2022, 2023):
        south, north = half[(year, True)], half[(year, False)]
        # by area alone the west strip would get a quarter of each half
        assert moved[("west", year)] == pytest.approx(south * 10 / 40)
        assert moved[("east", year)] == pytest.approx(south * 30 / 40 + north)
        assert moved[("199", year)] == 50
    assert list(view.data.areas.index) == ["west", "east"]


def test_indices_and_hotspots_commands_at_a_level(tmp_path):
    import json

    path = _write(tmp_path, default="quarter")
    runner = CliRunner()
    res = runner.invoke(
        main,
        [
            *("indices", "--project", str(path), "--level", "town"),
            *("--index", "dissimilarity", "--format", "json"),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = [r for r in json.loads(res.stdout) if r["group"] == "foreign_born"]
    small = gpd.read_file(tmp_path / "small.gpkg").set_index("code")
    halves = {c: "south" if q < "q1" else "north" for c, q in small["quarter"].items()}
    for row in rows:
        assert row["value"] == pytest.approx(_oracle(tmp_path, row["year"], halves), rel=1e-12)
    # the default level ([project] level) and a rate's hotspots on the quarters
    res = runner.invoke(
        main,
        [
            *("hotspots", "--project", str(path), "--rate", "foreign_born:pop_total"),
            *("--permutations", "9", "--format", "json"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(r["id"] for r in json.loads(res.stdout)) == ["q00", "q01", "q10", "q11"]


def test_level_options_need_a_project(tmp_path):
    path = _write(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["indices", "--level", "town", "--group", "g", "--total", "t"])
    assert res.exit_code == 2 and "--level needs --project" in res.output
    res = runner.invoke(
        main,
        ["indices", str(tmp_path / "small.gpkg"), "--id", "code", "--project", str(path)],
    )
    assert res.exit_code == 2 and "not both" in res.output
    res = runner.invoke(main, ["run", str(path), "--level", "district"])
    assert res.exit_code == 2
    assert "level 'district' is not a level of this project" in res.output


def test_containment_split_areas_reported_by_validate(tmp_path):
    extra = """
[levels.halves]
path = "halves.gpkg"
id = "code"
"""
    path = _write(tmp_path, extra=extra)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '[levels.town]\npath = "town.gpkg"\nid = "code"\n',
        '[levels.town]\npath = "town.gpkg"\nid = "code"\nparent = "halves"\n',
    )
    path.write_text(text, encoding="utf-8")
    # a west part 0-130 m and an east part: "north" of the town lies in both, as does "south"
    gpd.GeoDataFrame(
        {"code": ["w", "e"]},
        geometry=[box(0, 0, 130, 400), box(130, 0, 400, 400)],
        crs=CRS,
    ).to_file(tmp_path / "halves.gpkg")
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "counts reach halves by containment" in res.stdout
    assert (
        "level town -> halves: 2 area(s) split between parents: south (e 67.5%, w 32.5%), "
        "north (e 67.5%, w 32.5%); each goes whole to the parent holding most of it"
    ) in res.stdout


def test_maps_at_a_level(tmp_path, monkeypatch):
    path = _write(tmp_path, default="small")
    monkeypatch.chdir(tmp_path)
    stages = ["--stage", "segregation", "--stage", "hotspots", "--stage", "maps"]
    res = CliRunner().invoke(main, ["run", str(path), "--level", "quarter", *stages])
    assert res.exit_code == 0, res.output
    index = tmp_path / "out" / "quarter" / "maps" / "index.html"
    assert index.is_file()
    report = (index.parent / "report.html").read_text(encoding="utf-8")
    assert "Kvarter" in report  # the level's label names the segregation charts
    # the index page says what the maps show: the level, the register's years, the data
    about = _about(index)
    assert about == {
        "Områdesnivå": "Kvarter (4 områden)",
        "Registerår": "2022–2023",
        "Data": "Register: register.csv. Områdesgränser: quarters.gpkg",
    }
    # the results keep the level's key; its label is chosen when drawing
    for name in ("segregation_indices.csv", "segregation_trend.csv"):
        table = pd.read_csv(tmp_path / "out" / "quarter" / name)
        assert set(table["level"]) == {"quarter"}, name
    # redrawn from the level's results folder, in English, without computing again
    english = tmp_path / "maps-en"
    res = CliRunner().invoke(
        main, ["maps", str(tmp_path / "out" / "quarter"), "--lang", "en", "-o", str(english)]
    )
    assert res.exit_code == 0, res.output
    text = report_text(english / "report.html")
    assert 'lang="en"' in text
    assert "Quarter" in text and "Kvarter" not in text
    assert _about(english / "index.html") == {
        "Area level": "Quarter (4 areas)",
        "Register years": "2022–2023",
        "Data": "Registers: register.csv. Area boundaries: quarters.gpkg",
    }


def _about(index):
    """The index page's lines on what it shows (heading -> text)."""
    import html
    import re

    page = index.read_text(encoding="utf-8")
    block = re.search(r'<dl class="about">(.*?)</dl>', page, flags=re.S)
    assert block, "the index page does not say what it shows"
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1))
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def report_text(path):
    return path.read_text(encoding="utf-8")


def test_trends_command_at_a_level(tmp_path):
    """`geoseg trends` follows the areas of [project] level, or of --level, as run does."""
    path = _write(tmp_path, default="quarter")
    reg = pd.read_csv(tmp_path / "register.csv", dtype={"area": str})
    earlier = reg[reg["year"] == 2022].assign(year=2021)
    earlier["foreign_born"] = earlier["foreign_born"] // 2
    earlier["born_sweden"] = earlier["pop_total"] - earlier["foreign_born"]
    reg = pd.concat([earlier, reg], ignore_index=True)
    reg.to_csv(tmp_path / "register.csv", index=False)
    small = gpd.read_file(tmp_path / "small.gpkg").set_index("code")
    halves = {c: "south" if q < "q1" else "north" for c, q in small["quarter"].items()}
    runner = CliRunner()
    for level, mapping in ((None, small["quarter"].to_dict()), ("town", halves)):
        args = ["-q", "trends", str(path), "--table", "areas", "--variable", "foreign_born"]
        res = runner.invoke(
            main, [*args, "--format", "csv", *(("--level", level) if level else ())]
        )
        assert res.exit_code == 0, res.output
        got = pd.read_csv(io.StringIO(res.stdout), dtype={"code": str}).set_index("code")
        mapping = {**mapping, "199": "199"}  # persons without a polygon keep their code
        last = reg[reg["year"] == 2023]
        sums = last.groupby(last["area"].map(mapping))[["foreign_born", "pop_total"]].sum()
        expected = sums["foreign_born"] / sums["pop_total"] * 100
        assert sorted(got.index) == sorted(expected.index)
        assert got["value_last"].to_numpy() == pytest.approx(
            expected.reindex(got.index).to_numpy(), rel=1e-12
        )
    res = runner.invoke(main, ["-q", "trends", str(path), "--level", "district"])
    assert res.exit_code == 2
    assert "level 'district' is not a level of this project" in res.output


def test_run_prints_each_warning_once(tmp_path, monkeypatch):
    """A warning reaches the user once: from the log (or, when the log is silenced with -qq,
    in the run's closing summary)."""
    path = _write(tmp_path, default="quarter")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(path), "--stage", "segregation", "-o", "a"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "register codes 199 cannot be moved" in ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith("WARNING: ")
    res = runner.invoke(main, ["-qq", "run", str(path), "--stage", "segregation", "-o", "b"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "register codes 199 cannot be moved" in ln]
    assert len(lines) == 1 and lines[0].startswith("warning: "), lines


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_level_file_without_crs_is_declared_in_its_table(tmp_path):
    path = _write(tmp_path)
    town = gpd.read_file(tmp_path / "town.gpkg")
    town.set_crs(None, allow_override=True).to_file(tmp_path / "town.gpkg")
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    assert "town.gpkg" in res.output and "no CRS" in res.output
    assert "ogr2ogr -a_srs" in res.output and "crs = " in res.output
    text = path.read_text(encoding="utf-8").replace(
        "[levels.town]\n", f'[levels.town]\ncrs = "{CRS}"\n'
    )
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output
