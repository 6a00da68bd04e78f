"""Safety of every command: outputs stay in their folder, inputs are never replaced, small counts
are never published, identical runs give identical bytes, and no traceback reaches a user."""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _smallcity import gpkg_tables, make_city, snapshot, tooltips
from click.testing import CliRunner

from geoseg.cli import EXIT_INTERNAL, main
from geoseg.i18n import tr
from geoseg.io import project_inputs, read_config

THRESHOLD = 5
#: Columns of geoseg's published tables that count persons.
PERSON_COLUMNS = {
    "residents",
    "events",
    "base",
    "count",
    "residents_before",
    "residents_after",
    "population",
}


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return make_city(tmp_path_factory.mktemp("city") / "small")


@pytest.fixture(scope="module")
def runs(city, tmp_path_factory):
    """`geoseg run` twice into the same folders; the second run finds stale temporaries."""
    out = tmp_path_factory.mktemp("runs") / "a"
    args = ("-q", "run", city, "-o", out, "--maps", out / "maps")
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    first = snapshot(out)
    stale = [out / ".hotspots.csv.k2j4h5g6.csv", out / ".results.gpkg.abcdefgh.gpkg-journal"]
    stale.append(out / "maps" / ".index.html.a1b2c3d4.html")
    for p in stale:
        p.write_bytes(b"half-written")
    keep = out / ".hotspots.csv.notes.txt"  # not geoseg's naming: a user's file
    keep.write_bytes(b"mine")
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    second = snapshot(out)
    second.pop(keep.name)
    return {"a": out, "first": first, "second": second, "stale": stale, "keep": keep}


def _register(city: Path) -> pd.DataFrame:
    project = read_config(city)
    return pd.read_csv(
        project.registers.path, sep=";", decimal=",", dtype={"area_code": str}, encoding="utf-8-sig"
    )


# --------------------------------------------------------------------------- reproducibility


def test_identical_runs_give_identical_bytes(runs):
    a, b = runs["first"], runs["second"]
    assert sorted(a) == sorted(b)
    assert any(k.endswith(".html") for k in a) and "results.gpkg" in a
    differ = [k for k in a if a[k] != b[k]]
    assert differ == []


def test_next_run_removes_stale_temporaries_only(runs):
    for p in runs["stale"]:
        assert not p.exists()
    assert runs["keep"].read_bytes() == b"mine"
    for folder in (runs["a"], runs["a"] / "maps"):
        hidden = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        assert hidden == ([runs["keep"].name] if folder == runs["a"] else [])


# --------------------------------------------------------------------------- disclosure


def _small(city: Path) -> set[tuple[str, int]]:
    reg = _register(city)
    few = reg[reg["pop_total"] < THRESHOLD]
    return {(str(c), int(y)) for c, y in zip(few["area_code"], few["year"], strict=True)}


def _check_counts(df: pd.DataFrame, where: str) -> None:
    for col in PERSON_COLUMNS & set(df.columns):
        v = pd.to_numeric(df[col], errors="coerce")
        leaked = df[(v > 0) & (v < THRESHOLD)]
        assert leaked.empty, f"{where}: {col} = {leaked[col].tolist()}"


def test_no_small_count_in_any_published_file(city, runs):
    small = _small(city)
    assert small, "the example city must have areas with fewer than 5 residents"
    latest = max(y for _, y in small)
    small_latest = {c for c, y in small if y == latest}
    out = runs["a"]
    # CSV tables
    for path in out.glob("*.csv"):
        df = pd.read_csv(path, dtype={"id": str})
        _check_counts(df, path.name)
    hot = pd.read_csv(out / "hotspots.csv", dtype={"id": str})
    rows = hot[[(c, int(y)) in small for c, y in zip(hot["id"], hot["year"], strict=True)]]
    assert len(rows)
    assert rows[["value", "I", "p_value", "quadrant"]].isna().all().all()
    acc = pd.read_csv(out / "access_areas.csv", dtype={"id": str})
    hidden = acc["residents"].isna()
    assert hidden.any()
    assert acc.loc[hidden, ["share_within", "fca_ratio"]].isna().all().all()
    # GeoPackage layers
    tables = gpkg_tables(out / "results.gpkg")
    assert any(n.startswith("access_") for n in tables)
    for name, df in tables.items():
        _check_counts(df, f"results.gpkg:{name}")
        if name.startswith("hotspots_"):
            sel = df[df["code"].isin(small_latest)]
            assert len(sel) and sel["value"].isna().all()
    meta = dict(tables["geoseg_metadata"][["key", "value"]].itertuples(index=False))
    assert meta["disclosure_threshold"] == str(THRESHOLD)
    # HTML maps: tooltips
    plain = {tr(k, lang) for k in ("name", "code", "year", "service") for lang in ("sv", "en")}
    nothing = {tr("no_data", lang) for lang in ("sv", "en")}
    residents = {tr("residents", lang) for lang in ("sv", "en")}
    year_labels = {tr("year", lang) for lang in ("sv", "en")}
    maps = out / "maps"
    checked = 0
    for page in maps.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert f'name="geoseg:disclosure_threshold" content="{THRESHOLD}"' in html, page.name
        for info in tooltips(html):
            for code, (_, rows) in info.items():
                year = next(
                    (
                        int(r[1])
                        for r in rows
                        if r[0] in year_labels and re.fullmatch(r"\d{4}", str(r[1]))
                    ),
                    latest,
                )
                for r in rows:
                    flagged = len(r) > 2 and r[2] == 1
                    if r[0] in residents and not flagged:
                        number = re.sub(r"[^\d,.]", "", r[1]).replace(",", ".")
                        assert float(number) >= THRESHOLD, (page.name, code, r)
                    if (code, year) in small and page.name.startswith(
                        ("hotspots_", "indicator_", "emerging_hotspots_", "trend_")
                    ):
                        assert r[0] in plain or flagged or r[1] in nothing, (page.name, code, r)
                        checked += 1
    assert checked
    # the report's indicator table (rows by area name)
    report = (maps / "report.html").read_text(encoding="utf-8")
    project = read_config(city)
    names = gpd.read_file(project.areas.path, layer=project.areas.layer).set_index(
        project.areas.id
    )[project.areas.name]
    for code in small_latest:
        name = html_escape(str(names[code]))
        row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", report)
        assert row is not None, code
        cells = re.findall(r"<td[^>]*>", row.group(1))
        assert cells and all('class="supp"' in c for c in cells), row.group(0)
    manifest = json.loads((out / "geoseg-run.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["disclosure_threshold"] == THRESHOLD


def test_access_json_is_suppressed_and_unsuppressed_is_stamped(city):
    res = invoke("access", city, "--format", "json")
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    assert any(r["residents"] is None for r in records)
    for r in records:
        assert r["residents"] is None or r["residents"] >= THRESHOLD
        if r["residents"] is None:
            assert r["share_within"] is None
    raw = invoke("access", city, "--format", "json", "--unsuppressed")
    assert raw.exit_code == 0, raw.output
    doc = json.loads(raw.stdout)
    assert doc["for_publication"] is False and "NOT FOR PUBLICATION" in doc["notice"]
    assert any(r["residents"] is not None and r["residents"] < THRESHOLD for r in doc["records"])
    csv = invoke("access", city, "--format", "csv", "--unsuppressed")
    assert csv.stdout.startswith("# NOT FOR PUBLICATION")


def test_small_threshold_needs_explicit_permission(city, tmp_path):
    text = city.read_text(encoding="utf-8").replace("threshold = 5", "threshold = 2")
    config = city.parent / "low.toml"
    config.write_text(text, encoding="utf-8")
    res = invoke("access", config, "--format", "json")
    assert res.exit_code == 2
    assert "allow_small_counts" in res.output and "Traceback" not in res.output
    config.write_text(text + "allow_small_counts = true\n", encoding="utf-8")
    out = tmp_path / "acc.gpkg"
    res = invoke("access", config, "--format", "gpkg", "-o", out)
    assert res.exit_code == 0, res.output
    meta = dict(gpkg_tables(out)["geoseg_metadata"][["key", "value"]].itertuples(index=False))
    assert meta["disclosure_threshold"] == "2" and meta["small_counts_allowed"] == "True"


# --------------------------------------------------------------------------- inputs


def test_no_input_is_ever_an_output(city):
    inputs = project_inputs(read_config(city))
    assert len(inputs) >= 7  # project, areas, water, register, services, network, grid
    for path in inputs:
        before = path.read_bytes()
        # the format follows the file's suffix (.csv, .gpkg, else a table): no contradiction
        res = invoke("access", city, "-o", path, "--overwrite")
        assert res.exit_code == 2, (path, res.output)
        error = res.output.strip().splitlines()[-1]
        assert "is an input" in error and "--overwrite" not in error
        assert path.read_bytes() == before


def test_run_refuses_an_output_folder_over_an_input(city, tmp_path):
    folder = city.parent
    reg = folder / "registers" / "hotspots.csv"
    reg.write_bytes((folder / "registers" / "example_registers.csv").read_bytes())
    text = city.read_text(encoding="utf-8")
    text = text.replace('output = "output"', 'output = "registers"')
    text = text.replace("registers/example_registers.csv", "registers/hotspots.csv")
    config = folder / "hostile.toml"
    config.write_text(text, encoding="utf-8")
    before = snapshot(folder)
    res = invoke("-q", "run", config, "--overwrite", "--stage", "hotspots")
    assert res.exit_code == 2, res.output
    assert "is an input" in res.output
    assert snapshot(folder) == before
    reg.unlink()
    config.unlink()


def _plan(city: Path, path: Path) -> Path:
    areas = gpd.read_file(city.parent / "boundaries" / "example_areas.gpkg")
    point = areas.geometry.iloc[0].representative_point()
    gpd.GeoDataFrame(
        {"action": ["add_service"], "kind": ["family_centre"], "name": ["Ny"], "capacity": [100]},
        geometry=[point],
        crs=areas.crs,
    ).to_crs(4326).to_file(path, driver="GeoJSON")
    return path


def test_check_plan_never_overwrites(city, tmp_path):
    plan = _plan(city, tmp_path / "myplan.geojson")
    before = plan.read_bytes()
    res = invoke("check-plan", plan, "--config", city, "--format", "json", "-o", plan)
    assert res.exit_code == 2 and "is an input" in res.output
    assert plan.read_bytes() == before
    html = tmp_path / "verdict.html"
    html.write_text("someone's page", encoding="utf-8")
    out = tmp_path / "verdict.json"
    res = invoke("check-plan", plan, "--config", city, "--format", "json", "-o", out)
    assert res.exit_code == 2 and "--overwrite" in res.output
    assert not out.exists() and html.read_text(encoding="utf-8") == "someone's page"
    res = invoke("check-plan", plan, "--config", city, "--format", "json", "-o", out, "--overwrite")
    assert res.exit_code in (0, 1), res.output
    assert "will write" in res.output and str(out) in res.output and str(html) in res.output
    assert res.output.index("will write") < res.output.index("wrote")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["disclosure"]["disclosure_threshold"] == THRESHOLD
    for row in doc["areas"]:
        assert row["before_share"] is None or row["before_share"] >= 0
    assert html.read_text(encoding="utf-8") != "someone's page"


@pytest.mark.parametrize(
    "command",
    [
        "run",
        "maps",
        "access",
        "hotspots",
        "trends",
        "check-plan",
        "suggest-sites",
        "network",
        "example-city",
    ],
)
def test_every_writing_command_has_output_and_overwrite(command):
    res = invoke(command, "--help")
    assert res.exit_code == 0
    assert re.search(r"-o, --(output|out)\b", res.output), res.output
    assert "--overwrite" in res.output


# --------------------------------------------------------------------------- tracebacks


def test_unexpected_error_is_one_line_without_traceback(city, monkeypatch):
    import geoseg.io

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero somewhere deep")

    monkeypatch.setattr(geoseg.io, "load_project", broken)
    res = invoke("access", city)
    assert res.exit_code == EXIT_INTERNAL
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "ZeroDivisionError" in lines[0] and "-v" in lines[0]
    verbose = invoke("-v", "access", city)
    assert verbose.exit_code == EXIT_INTERNAL and "Traceback" in verbose.output


def test_infinite_vertex_in_geographic_boundaries_is_a_clear_error(city, tmp_path):
    ring = [(11.9, 57.7), (11.95, 57.7), (11.95, float("inf")), (11.9, 57.7)]
    areas = tmp_path / "inf.gpkg"
    gpd.GeoDataFrame(
        {"code": ["0101", "0102"]},
        geometry=[shapely.Polygon(ring), shapely.box(12.0, 57.7, 12.05, 57.75)],
        crs=4326,
    ).to_file(areas)
    reg = read_config(city).registers.path
    res = invoke(
        "hotspots",
        areas,
        "--id",
        "code",
        "--register",
        reg,
        "--register-id",
        "area_code",
        "--variable",
        "median_income_tkr",
    )
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "GEOSException" not in res.output
    assert "0101" in res.output and "infinite" in res.output


def test_output_suffix_chooses_the_format_and_a_contradiction_is_refused(city, tmp_path):
    as_csv = tmp_path / "access.csv"
    res = invoke("-q", "access", city, "-o", as_csv)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(as_csv, dtype={"id": str})
    assert {"id", "kind", "residents", "mean_minutes"} <= set(table.columns)
    as_json = tmp_path / "access.json"
    res = invoke("-q", "access", city, "-o", as_json)
    assert res.exit_code == 0, res.output
    assert len(json.loads(as_json.read_text(encoding="utf-8"))) == len(table)
    clash = tmp_path / "clash.csv"
    res = invoke("access", city, "--format", "json", "-o", clash)
    assert res.exit_code == 2
    assert "--format json contradicts" in res.output and "clash.csv" in res.output
    assert not clash.exists()
    # no -o and no --format: the table on standard output, as before
    res = invoke("-q", "access", city)
    assert res.exit_code == 0 and not res.stdout.lstrip().startswith("id,")


@pytest.mark.parametrize(
    ("lang", "notice", "other"),
    [
        (
            "en",
            "NOT FOR PUBLICATION: small counts are not suppressed",
            "EJ FÖR PUBLICERING: små antal är inte dolda",
        ),
        (
            "sv",
            "EJ FÖR PUBLICERING: små antal är inte dolda",
            "NOT FOR PUBLICATION: small counts are not suppressed",
        ),
    ],
)
def test_unsuppressed_maps_and_report_carry_the_notice_in_their_language(
    city, tmp_path, lang, notice, other
):
    out = tmp_path / "raw"
    stages = ("--stage", "segregation", "--stage", "maps")
    res = invoke("-q", "run", city, "-o", out, "--lang", lang, "--unsuppressed", *stages)
    assert res.exit_code == 0, res.output
    maps = out / "maps"
    pages = {p.name: p.read_text(encoding="utf-8") for p in maps.glob("*.html")}
    shown = [n for n in pages if n not in ("index.html", "report.html")]
    assert shown, sorted(pages)
    for name, html in pages.items():
        assert html_escape(notice) in html, name
        assert html_escape(other) not in html, name
