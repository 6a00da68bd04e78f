"""Joins of registers onto areas, codes without polygons and single-year registers, end to end.

Small projects are written into ``tmp_path`` (a 4 x 4 grid of square areas) and run through
``geoseg validate`` and ``geoseg run`` as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from segregation.singlegroup import AbsoluteCentralization, Dissim

from geoseg.cli import main
from geoseg.io import UNPLACED_RULE, join_register, load_project
from geoseg.pipeline import run_project

CODES = [f"A{i:02d}" for i in range(16)]


def write_areas(folder: Path, codes: list[str] = CODES) -> Path:
    """A 4 x 4 grid of 1 km squares with a name and a ``niva`` column, like Gothenburg's."""
    xs = np.cumsum([0, 1000, 1300, 900, 1700])  # uneven, so no two centroids tie in distance
    ys = np.cumsum([0, 800, 1100, 1250, 950])
    geoms = [
        shapely.box(xs[i % 4], ys[i // 4], xs[i % 4 + 1], ys[i // 4 + 1]) for i in range(len(codes))
    ]
    gdf = gpd.GeoDataFrame(
        {"code": codes, "name": [f"Area {c}" for c in codes], "niva": "polygon"},
        geometry=geoms,
        crs="EPSG:3006",
    )
    path = folder / "areas.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


def register_frame(years: list[int] | None, *, extra: dict[str, int] | None = None) -> pd.DataFrame:
    """Counts with a clear east-west gradient; ``niva`` and ``name`` clash with the boundaries."""
    rows = []
    for year in years or [None]:
        shift = 0 if year is None else (year - 2020) * 3
        for i, code in enumerate(CODES):
            total = 400 + 37 * i
            foreign = min(total, 30 + 25 * (i % 4) ** 2 + shift + 5 * (i // 4))
            row = {"code": code, "name": f"register {code}", "niva": "register"}
            if year is not None:
                row["year"] = year
            row |= {"pop_total": total, "foreign_born": foreign, "income": 200.0 + 9 * i}
            rows.append(row)
        for code, total in (extra or {}).items():
            row = {"code": code, "name": "unallocated", "niva": "register"}
            if year is not None:
                row["year"] = year
            row |= {"pop_total": total, "foreign_born": total // 3, "income": np.nan}
            rows.append(row)
    return pd.DataFrame(rows)


def write_project(
    folder: Path, register: pd.DataFrame, *, year: str = "year", extra: str = ""
) -> Path:
    write_areas(folder)
    register.to_csv(folder / "register.csv", index=False)
    text = f"""
[project]
name = "Rutnät"
output = "out"
lang = "en"

[areas]
path = "areas.gpkg"
id = "code"
name = "name"

[registers]
path = "register.csv"
id = "code"
year = "{year}"
total = "pop_total"
groups = ["foreign_born"]
amounts = ["income"]

[indices]
names = ["dissimilarity", "absolute_centralization"]
permutations = 0

[hotspots]
variables = ["income"]
rates = ["foreign_born:pop_total"]
permutations = 99
{extra}
"""
    path = folder / "geoseg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def test_join_register_keeps_register_values_on_a_column_clash(tmp_path):
    areas = gpd.read_file(write_areas(tmp_path)).set_index("code")
    reg = register_frame([2020])
    joined = join_register(areas, reg, id_column="code")
    assert joined.loc["A03", "niva"] == "register"
    assert joined.loc["A03", "niva_areas"] == "polygon"
    assert joined.loc["A03", "name"] == "register A03"
    assert joined.geometry.equals(areas.geometry)


def test_register_columns_named_like_boundary_columns_run_every_stage(tmp_path):
    project = write_project(tmp_path, register_frame([2020, 2021]))
    code, out = cli("run", str(project), "--stage", "segregation", "--stage", "hotspots")
    assert code == 0, out
    hot = pd.read_csv(tmp_path / "out" / "hotspots.csv", dtype={"id": str})
    income = hot[(hot["variable"] == "income") & (hot["year"] == 2021)].set_index("id")["value"]
    expected = register_frame([2021]).set_index("code")["income"]
    assert np.allclose(income.reindex(expected.index), expected)


def test_codes_without_polygon_follow_one_rule(tmp_path):
    reg = register_frame([2020, 2021], extra={"199": 2213})
    project = write_project(tmp_path, reg)
    code, validated = cli("validate", str(project))
    assert code == 0, validated
    line = next(x for x in validated.splitlines() if x.startswith("warning:") and "199" in x)
    assert "2,213 persons in 2021" in line and UNPLACED_RULE in line

    result = run_project(project, stages=["segregation", "hotspots"])
    assert any(line.removeprefix("warning: ") == w for w in result.warnings)
    idx = result.indices.set_index(["year", "index"])["value"]
    for year in (2020, 2021):
        part = reg[reg["year"] == year].set_index("code")
        aspatial = Dissim(part, "foreign_born", "pop_total").statistic
        assert idx[(year, "dissimilarity")] == pytest.approx(aspatial, abs=1e-12)
        areas = gpd.read_file(tmp_path / "areas.gpkg").set_index("code")
        placed = areas.join(part[["foreign_born", "pop_total"]], how="inner")
        spatial = AbsoluteCentralization(placed, "foreign_born", "pop_total").statistic
        assert idx[(year, "absolute_centralization")] == pytest.approx(spatial, abs=1e-9)
    assert "199" not in set(result.hotspots["id"].astype(str))


def test_register_of_another_area_system_is_refused_naming_both_codes(tmp_path):
    reg = register_frame([2020])
    reg["code"] = [f"1480R{i:03d}" for i in range(len(reg))]
    reg.loc[:4, "code"] = CODES[:5]  # 5 of 16 polygons match
    project = write_project(tmp_path, reg)
    for command in (["validate", str(project)], ["run", str(project), "--stage", "segregation"]):
        code, out = cli(*command)
        assert code == 2, out
        assert "match only 5 of the 16 polygons" in out
        assert "1480R005" in out and "A05" in out
    assert not (tmp_path / "out").exists()


def test_table_mixing_levels_is_refused_with_the_fix(tmp_path):
    reg = register_frame([2020], extra={"1": 5000, "2": 5000, "1480": 20000})
    project = write_project(tmp_path, reg)
    code, out = cli("validate", str(project))
    assert code == 2
    assert "mix area levels" in out and "where" in out
    fixed = write_project(
        tmp_path,
        reg.assign(niva=np.where(reg["code"].isin(CODES), "pri", "other")),
    )
    text = fixed.read_text(encoding="utf-8").replace(
        'amounts = ["income"]', 'amounts = ["income"]\nwhere = { niva = "pri" }'
    )
    fixed.write_text(text, encoding="utf-8")
    code, out = cli("validate", str(fixed))
    assert code == 0, out
    assert load_project(fixed).register["code"].tolist() == CODES


def test_single_year_register_works_in_every_stage(tmp_path):
    reg = register_frame(None, extra={"199": 2213})
    project = write_project(tmp_path, reg, year="")
    code, validated = cli("validate", str(project))
    assert code == 0, validated
    assert "199 (2,213 persons)" in validated
    code, out = cli(
        "run", str(project), "--stage", "segregation", "--stage", "hotspots", "--stage", "maps"
    )
    assert code == 0, out
    indices = pd.read_csv(tmp_path / "out" / "segregation_indices.csv")
    assert indices["year"].isna().all()
    d = Dissim(reg.set_index("code"), "foreign_born", "pop_total").statistic
    assert indices.set_index("index").loc["dissimilarity", "value"] == pytest.approx(d)
    report = (tmp_path / "out" / "maps" / "report.html").read_text(encoding="utf-8")
    assert "One year of data: no trend to show" in report
    assert (tmp_path / "out" / "maps" / "hotspots_income.html").is_file()


def test_a_failed_run_leaves_nothing_that_blocks_the_next(tmp_path, monkeypatch):
    project = write_project(tmp_path, register_frame([2020, 2021]))
    import geoseg.publish.run as publish_run

    def broken(result, data, access, *, maps_dir, **kwargs):
        Path(maps_dir).mkdir(parents=True, exist_ok=True)
        (Path(maps_dir) / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("killed while drawing maps")

    monkeypatch.setattr(publish_run, "publish", broken)
    with pytest.raises(RuntimeError):
        run_project(project, stages=["segregation", "maps"])
    owned = json.loads((tmp_path / "out" / "maps" / "geoseg-run.json").read_text())["files"]
    assert "index.html" in owned
    monkeypatch.undo()
    result = run_project(project, stages=["segregation", "maps"])
    assert (tmp_path / "out" / "maps" / "index.html").read_text(encoding="utf-8") != "half"
    assert result.maps / "index.html" in result.files
