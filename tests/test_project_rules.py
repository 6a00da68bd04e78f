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


def test_codes_that_lost_their_leading_zeros_are_named_with_the_fix(tmp_path):
    """A register saved with its codes as numbers (0101 -> 101) is refused by validate and
    run alike, with the codes it lost and the fix, not only as "another area system"."""
    codes = [f"{i:04d}" for i in range(101, 117)]
    reg = register_frame([2020, 2021])
    reg["code"] = reg["code"].map(dict(zip(CODES, codes, strict=True))).str.lstrip("0")
    project = write_project(tmp_path, reg)
    write_areas(tmp_path, codes)  # the polygons keep the zeros
    for command in (["validate", str(project)], ["run", str(project), "--stage", "segregation"]):
        code, out = cli(*command)
        assert code == 2, out
        assert "Traceback" not in out
        assert "match only 0 of the 16 polygons" in out
        assert "16 register codes are polygon codes without their leading zeros" in out
        assert "101 -> 0101" in out and "export the code column as text" in out
    assert not (tmp_path / "out").exists()


def test_indicators_without_labels_are_named_by_validate_and_run(tmp_path):
    """A project without [indicators] labels its maps with column names; validate and run both
    say which, and a labelled indicator is not named."""
    project = write_project(tmp_path, register_frame([2020, 2021]))
    for command in (["validate", str(project)], ["run", str(project), "--stage", "segregation"]):
        code, out = cli(*command)
        assert code == 0, out
        assert "indicator(s) foreign_born, income have no label_sv or label_en" in out
    labelled = write_project(
        tmp_path,
        register_frame([2020, 2021]),
        extra="""
[indicators.foreign_born]
numerator = "foreign_born"
denominator = "pop_total"
label_sv = "Utrikes födda"
label_en = "Born abroad"

[indicators.income]
numerator = "income"
kind = "amount"
label_en = "Income"
""",
    )
    code, out = cli("validate", str(labelled))
    assert code == 0, out
    assert "have no label_sv or label_en" not in out and "labelled indicator" not in out
    # a second group without an indicator is named by the segregation section's column name
    reg = register_frame([2020, 2021])
    reg["natives"] = reg["pop_total"] - reg["foreign_born"]
    reg.to_csv(tmp_path / "register.csv", index=False)
    text = labelled.read_text(encoding="utf-8")
    labelled.write_text(
        text.replace('groups = ["foreign_born"]', 'groups = ["foreign_born", "natives"]'),
        encoding="utf-8",
    )
    code, out = cli("validate", str(labelled))
    assert code == 0, out
    assert "group(s) natives of [registers] have no labelled indicator" in out


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
    assert "1 year(s) of data; trends (emerging hotspots, area trends) need" in validated
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
    counts = pd.read_csv(tmp_path / "out" / "hotspot_counts.csv", dtype={"id": str})
    income = counts[counts["variable"] == "income"]
    assert sorted(income["id"]) == CODES and (income["years_observed"] == 1).all()


def test_a_failed_run_leaves_nothing_that_blocks_the_next(tmp_path, monkeypatch):
    project = write_project(tmp_path, register_frame([2020, 2021]))
    import geoseg.publish.run as publish_run

    def broken(saved, *, maps_dir, **kwargs):
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


# --- validate predicts run ----------------------------------------------------------------------


def write_services(folder: Path, kinds: list[str], capacity: str = "20") -> None:
    rows = [
        {
            "service_id": f"S{i}",
            "kind": kind,
            "name": f"Service {i}",
            "capacity": capacity,
            "x": 500 + 700 * i,
            "y": 500 + 600 * i,
        }
        for i, kind in enumerate(kinds)
    ]
    pd.DataFrame(rows).to_csv(folder / "services.csv", index=False)


def write_grid(folder: Path, value: float) -> None:
    import rasterio
    from affine import Affine

    data = np.full((1, 40, 50), value, dtype="float32")
    profile = {
        "driver": "GTiff",
        "height": 40,
        "width": 50,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:3006",
        "transform": Affine(100, 0, 0, 0, -100, 4100),
        "nodata": -1,
    }
    with rasterio.open(folder / "grid.tif", "w", **profile) as dst:
        dst.write(data)


SERVICES = """
[services]
path = "services.csv"
crs = "EPSG:3006"

[services.kinds]
library = "pop_total"
meeting_place = "pop_total"
"""


def _broken(name: str, folder: Path) -> Path:
    """A small project with one defect (``name``)."""
    reg = register_frame([2020, 2021])
    extra = ""
    if name == "all_zero_group":
        reg["foreign_born"] = 0
    elif name == "all_zero_counts":
        reg[["foreign_born", "pop_total"]] = 0
    elif name == "infinite_count":
        reg["pop_total"] = reg["pop_total"].astype(object)
        reg.loc[3, "pop_total"] = "1e400"
    elif name.startswith("year_"):
        reg["year"] = reg["year"].astype(object)
        reg.loc[reg["year"] == 2021, "year"] = name.removeprefix("year_")
    elif name == "unknown_index":
        extra = ""
    elif name == "flat_hotspot_variable":
        reg["income"] = 250.0
    project = write_project(folder, reg, extra=extra)
    text = project.read_text(encoding="utf-8")
    if name == "unknown_index":
        text = text.replace('"absolute_centralization"]', '"no_such_index"]')
    elif name == "local_index":
        text = text.replace('"absolute_centralization"]', '"location_quotient"]')
    elif name == "output_is_input":
        text = text.replace('output = "out"', 'output = "register.csv"')
    elif name == "overlapping_areas":
        areas = gpd.read_file(folder / "areas.gpkg")
        areas.loc[1, "geometry"] = areas.geometry[1].union(areas.geometry[0].buffer(-100))
        areas.to_file(folder / "areas.gpkg", driver="GPKG")
    elif name in ("infinite_capacity", "kind_without_services"):
        text += SERVICES
        write_services(
            folder,
            ["library", "library"]
            if name == "kind_without_services"
            else ["library"] * 2 + ["meeting_place"],
            capacity="1e400" if name == "infinite_capacity" else "20",
        )
    elif name == "empty_grid":
        write_grid(folder, 0.0)
        text += '\n[population]\ngrid = "grid.tif"\n'
    project.write_text(text, encoding="utf-8")
    return project


#: Defects refused by both commands, with a phrase of the shared message.
REFUSED = {
    "all_zero_group": "'foreign_born' is 0 in every area and year",
    "all_zero_counts": "'pop_total' is 0 in every area and year",
    "infinite_count": "'1e400'",
    "year_0": "years outside 1800-2200 (0)",
    "year_18": "years outside 1800-2200 (18)",
    "year_-2018": "years outside 1800-2200 (-2018)",
    "year_12345678901234567890": "(12345678901234567890)",
    "unknown_index": "'no_such_index' are not city-wide segregation indices",
    "local_index": "'location_quotient' are not city-wide segregation indices",
    "output_is_input": "is the project's register; geoseg never writes over an input",
    "overlapping_areas": "A00 and A01",
    "infinite_capacity": "column 'capacity' is not a number for services S0",
    "flat_hotspot_variable": "variable 'income' has the same value (250) in every area in 2020",
}
#: Defects run accepts with a warning that validate prints first.
WARNED = {
    "kind_without_services": "no services of kind meeting_place",
    "empty_grid": "has no inhabited cell; residents are placed with area centroids",
}


def _error_lines(output: str) -> list[str]:
    lines = output.splitlines()
    start = next((i for i, x in enumerate(lines) if x.startswith("Error:")), None)
    return [] if start is None else lines[start:]


@pytest.mark.parametrize("name", [*REFUSED, *WARNED])
def test_validate_refuses_whatever_run_refuses_with_the_same_message(name, tmp_path):
    project = _broken(name, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    v_code, v_out = cli("validate", str(project))
    r_code, r_out = cli("run", str(project), "--stage", "segregation", "--stage", "hotspots")
    assert r_code in (0, 2), r_out  # never a crash
    if r_code == 2:
        assert v_code == 2, v_out
        assert _error_lines(v_out) == _error_lines(r_out)
    if name in REFUSED:
        assert r_code == 2
        assert REFUSED[name] in _error_lines(v_out)[0] + "".join(_error_lines(v_out)[1:])
    else:
        assert v_code == 0 and r_code == 0, (v_out, r_out)
        assert "warning: " in v_out and WARNED[name] in v_out and WARNED[name] in r_out
    assert {p: p.read_bytes() for p in before} == before  # inputs untouched


# --- walking access without a street network ------------------------------------------------------


def test_without_a_network_access_is_skipped_with_a_warning_and_a_report_line(tmp_path):
    project = write_project(tmp_path, register_frame([2020, 2021]), extra=SERVICES)
    write_services(tmp_path, ["library", "library", "meeting_place"])
    code, out = cli("validate", str(project))
    assert code == 0 and "walking access is skipped" in out
    result = run_project(project, stages=["access", "maps"])
    assert result.access is None
    assert any("walking access is skipped" in w for w in result.warnings)
    report = (result.maps / "report.html").read_text(encoding="utf-8")
    assert "Not computed: the project has no street network" in report


def test_straight_line_fallback_matches_hand_computed_distances(tmp_path):
    from scipy.spatial.distance import cdist

    extra = SERVICES.replace(
        "[services]",
        '[access]\nfallback = "straight_line"\ndetour = 1.3\nminutes = 15\n\n[services]',
    )
    project = write_project(tmp_path, register_frame([2020, 2021]), extra=extra)
    write_services(tmp_path, ["library", "library", "meeting_place"])
    code, out = cli("validate", str(project))
    assert code == 0 and "straight-line distances x 1.3" in out
    result = run_project(project, stages=["access", "maps"])
    table = pd.read_csv(tmp_path / "out" / "access_areas.csv", dtype={"id": str})
    assert set(table["method"]) == {"straight line x 1.3"}
    lib = table[(table["kind"] == "library") & (table["group"] == "pop_total")].set_index("id")
    areas = gpd.read_file(tmp_path / "areas.gpkg").set_index("code")
    points = shapely.get_coordinates(areas.representative_point().to_numpy())
    services = pd.read_csv(tmp_path / "services.csv")
    libs = services[services["kind"] == "library"][["x", "y"]].to_numpy(float)
    minutes = cdist(points, libs) * 1.3 / (4.8 * 1000 / 60)
    expected = pd.Series(minutes.min(axis=1), index=areas.index)
    assert np.allclose(lib["mean_minutes"].reindex(areas.index), expected)
    # 2SFCA (Luo & Wang 2003) by hand: capacity 20 per library, demand pop_total, 15 minutes
    pop = register_frame([2021]).set_index("code")["pop_total"].reindex(areas.index).to_numpy()
    inside = minutes <= 15
    ratio = 20 / (inside * pop[:, None]).sum(axis=0)
    ratio[~np.isfinite(ratio)] = 0
    assert np.allclose(lib["fca_ratio"].reindex(areas.index), (inside * ratio).sum(axis=1))
    report = (result.maps / "report.html").read_text(encoding="utf-8")
    assert "Straight-line distance x 1.3 at 4.8 km/h (no street network)" in report
    titles = (result.maps / "access_library.html").read_text(encoding="utf-8")
    assert "straight-line distance x 1.3, no street network" in titles
    iso = gpd.read_file(tmp_path / "out" / "results.gpkg", layer="isochrones")
    disc = iso[(iso["kind"] == "library") & (iso["minutes"] == 10)].geometry.iloc[0]
    radius = 10 * 4.8 * 1000 / 60 / 1.3
    assert disc.area == pytest.approx(
        shapely.union_all([shapely.Point(x, y).buffer(radius) for x, y in libs]).area, rel=1e-6
    )


def test_indices_command_follows_the_same_rules(tmp_path):
    reg = register_frame([2021], extra={"199": 2213})
    write_areas(tmp_path)
    reg.to_csv(tmp_path / "register.csv", index=False)
    args = [
        "indices", str(tmp_path / "areas.gpkg"), "--id", "code",
        "--register", str(tmp_path / "register.csv"), "--group", "foreign_born",
        "--total", "pop_total", "--index", "dissimilarity", "--index",
        "absolute_centralization", "--format", "csv",
    ]  # fmt: skip
    code, out = cli(*args)
    assert code == 0, out
    rows = [line.split(",") for line in out.splitlines() if line.startswith("2021,")]
    values = {r[2]: float(r[3]) for r in rows}
    assert values["dissimilarity"] == pytest.approx(
        Dissim(reg.set_index("code"), "foreign_born", "pop_total").statistic, abs=1e-12
    )
    areas = gpd.read_file(tmp_path / "areas.gpkg").set_index("code")
    placed = areas.join(reg.set_index("code")[["foreign_born", "pop_total"]], how="inner")
    assert values["absolute_centralization"] == pytest.approx(
        AbsoluteCentralization(placed, "foreign_born", "pop_total").statistic, abs=1e-9
    )
    reg.assign(code=[f"X{i}" for i in range(len(reg))]).to_csv(
        tmp_path / "register.csv", index=False
    )
    code, out = cli(*args)
    assert code == 2 and "match only 0 of the 16 polygons" in out


def test_maps_command_redraws_into_the_runs_maps_folder(tmp_path):
    project = write_project(tmp_path, register_frame(None), year="")
    code, out = cli("maps", str(project))
    assert code == 2 and "not a project file" in out and f"geoseg run {project}" in out
    code, out = cli("run", str(project), "--stage", "segregation", "--stage", "maps")
    assert code == 0, out
    report = tmp_path / "out" / "maps" / "report.html"
    first = report.read_bytes()
    report.unlink()
    code, out = cli("maps", str(tmp_path / "out"))
    assert code == 0, out
    assert (tmp_path / "out" / "maps" / "index.html").is_file()
    assert report.read_bytes() == first


def test_indicator_maps_name_the_unit_of_their_values(tmp_path):
    """Legend and tooltips of an indicator map say what the numbers are (% of a share, the
    declared unit of an amount); the page title is the label alone."""
    import re

    project = write_project(
        tmp_path,
        register_frame([2020, 2021]),
        extra="""
[indicators.foreign_born]
numerator = "foreign_born"
denominator = "pop_total"
label_en = "Born abroad"

[indicators.income]
numerator = "income"
kind = "amount"
unit = "tkr"
label_en = "Mean income"
""",
    )
    code, out = cli("run", str(project), "--stage", "segregation", "--stage", "maps")
    assert code == 0, out
    maps = tmp_path / "out" / "maps"
    for name, label, unit in (
        ("foreign_born", "Born abroad", "%"),
        ("income", "Mean income", "tkr"),
    ):
        html = (maps / f"indicator_{name}.html").read_text(encoding="utf-8")
        assert f"{label} ({unit})" in html
        assert re.search(rf"<title>[^<]*{label}</title>", html), name
