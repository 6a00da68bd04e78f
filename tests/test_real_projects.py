"""``geoseg validate`` and ``geoseg run`` on Gothenburg projects written as an analyst would.

The project files are written into ``tmp_path`` and name the real files exactly as they are in
``../shared/data/real`` (never copied). Reference values: SCB's RegSO statistics recomputed in
the data folder's SOURCE.md, and pysal/segregation on the same tables.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from segregation.singlegroup import AbsoluteCentralization, Dissim, Isolation

from geoseg.cli import main

pytestmark = pytest.mark.real

FAST = ["--stage", "segregation", "--stage", "hotspots"]
#: SOURCE.md of gbg_regso_scb: foreign-born vs total over the 147 RegSO.
REFERENCE = {
    2020: (0.348976, 0.377734),
    2021: (0.351397, 0.383820),
    2022: (0.350398, 0.392235),
    2023: (0.353150, 0.397499),
}

INDICES_AND_HOTSPOTS = """
[indices]
names = ["dissimilarity", "isolation", "absolute_centralization"]
permutations = 0

[hotspots]
variables = ["mean_wage_income_tkr"]
rates = ["pop_foreign_born:pop_total"]
permutations = 99
"""


def regso_tidy(real: Path) -> str:
    return f"""
[project]
name = "Göteborg, RegSO"
output = "out"
lang = "en"

[areas]
path = "{(real / "gbg_omraden/regso_goteborg.gpkg").as_posix()}"
id = "regsokod"
name = "regsonamn"

[registers]
path = "{(real / "gbg_regso_scb/gbg_regso_birthplace_income_tenure_2020_2023.csv").as_posix()}"
id = "regsokod"
total = "pop_total"
groups = ["pop_foreign_born"]
counts = ["pop_born_sweden", "dwellings_rental", "dwellings_tenant_owned"]
amounts = ["mean_wage_income_tkr"]
{INDICES_AND_HOTSPOTS}"""


def regso_raw(real: Path) -> str:
    scb = real / "gbg_regso_scb"
    return f"""
[project]
name = "Göteborg, RegSO (SCB:s tabeller)"
output = "out"
lang = "en"

[areas]
path = "{(real / "gbg_omraden/regso_goteborg.gpkg").as_posix()}"
id = "regsokod"
name = "regsonamn"

[registers]
id = "regsokod"
total = "pop_total"
groups = ["pop_foreign_born"]
counts = ["pop_born_sweden", "dwellings_rental", "dwellings_tenant_owned"]
amounts = ["mean_wage_income_tkr"]
derive = {{ pop_foreign_born = "pop_total - pop_born_sweden" }}

[[registers.tables]]
path = "{(scb / "raw_regso_foreign_born_gbg.csv").as_posix()}"
label = "region"
where = {{ "kön" = "totalt" }}
year_columns = "Antal {{year}}"
category = "födelseregion"
categories = {{ Sverige = "pop_born_sweden", totalt = "pop_total" }}

[[registers.tables]]
path = "{(scb / "raw_regso_mean_wage_income_gbg.csv").as_posix()}"
label = "region"
year_columns = "Medelvärde för samtliga, tkr {{year}}"
value = "mean_wage_income_tkr"

[[registers.tables]]
path = "{(scb / "raw_regso_housing_tenure_gbg.csv").as_posix()}"
label = "region"
year_columns = "Antal {{year}}"
category = "upplåtelseform"
categories = {{ "hyresrätt" = "dwellings_rental", "bostadsrätt" = "dwellings_tenant_owned" }}
{INDICES_AND_HOTSPOTS}"""


def primary_age_bands(real: Path, *, where: bool = True) -> str:
    table = real / "gbg_kvarboende_2025/population_agegroups_2025-12-31_and_kvarboende.csv"
    return f"""
[project]
name = "Göteborg, primärområden 2025"
output = "out"

[areas]
path = "{(real / "gbg_omraden/primaromraden.gpkg").as_posix()}"
id = "omrade_kod"
name = "omrade_namn"

[registers]
path = "{table.as_posix()}"
id = "omrade_kod"
year = ""
total = "total"
groups = ["age_0_18", "age_66plus"]
{'where = { niva = "primaromrade" }' if where else ""}

[indices]
names = ["dissimilarity", "absolute_centralization"]
permutations = 0

[hotspots]
rates = ["age_0_18:total"]
permutations = 99
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "geoseg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["-q", *args])
    return res.exit_code, res.output


def test_regso_tidy_table_gives_scb_reference_values(real_data, tmp_path):
    project = write(tmp_path, regso_tidy(real_data))
    code, out = cli("validate", str(project))
    assert code == 0, out
    code, out = cli("run", str(project), *FAST)
    assert code == 0, out
    idx = pd.read_csv(tmp_path / "out" / "segregation_indices.csv")
    values = idx.set_index(["year", "index"])["value"]
    for year, (d, xpx) in REFERENCE.items():
        assert values[(year, "dissimilarity")] == pytest.approx(d, abs=5e-7)
        assert values[(year, "isolation")] == pytest.approx(xpx, abs=5e-7)
    hot = pd.read_csv(tmp_path / "out" / "hotspots.csv")
    assert hot.groupby(["variable", "year"]).size().eq(147).all()
    # the register's regsonamn and the boundaries' regsonamn did not collide
    assert set(hot["variable"]) == {"mean_wage_income_tkr", "pop_foreign_born/pop_total"}


def test_raw_scb_exports_give_the_same_results_as_the_tidy_table(real_data, tmp_path):
    tidy, raw = tmp_path / "tidy", tmp_path / "raw"
    tidy.mkdir()
    raw.mkdir()
    results = {}
    for folder, text in ((tidy, regso_tidy(real_data)), (raw, regso_raw(real_data))):
        project = write(folder, text)
        code, out = cli("validate", str(project))
        assert code == 0, out
        code, out = cli("run", str(project), *FAST)
        assert code == 0, out
        results[folder.name] = {
            name: pd.read_csv(folder / "out" / name)
            for name in ("segregation_indices.csv", "hotspots.csv")
        }
    for name, table in results["tidy"].items():
        pd.testing.assert_frame_equal(results["raw"][name], table)
    gpkg = real_data / "gbg_omraden/regso_goteborg.gpkg"
    areas = gpd.read_file(gpkg).set_index("regsokod")
    curated = pd.read_csv(
        real_data / "gbg_regso_scb/gbg_regso_birthplace_income_tenure_2020_2023.csv"
    )
    counts = curated.loc[curated["year"] == 2023, ["regsokod", "pop_foreign_born", "pop_total"]]
    part = areas.join(counts.set_index("regsokod"))
    ac = AbsoluteCentralization(part, "pop_foreign_born", "pop_total").statistic
    idx = results["raw"]["segregation_indices.csv"].set_index(["year", "index"])["value"]
    assert idx[(2023, "absolute_centralization")] == pytest.approx(ac, abs=1e-9)


def test_primary_areas_2025_single_year_with_unallocated_code(real_data, tmp_path):
    project = write(tmp_path, primary_age_bands(real_data))
    code, out = cli("validate", str(project))
    assert code == 0, out
    assert "199 (2,051 persons)" in out and "kept in the aspatial indices" in out
    code, out = cli("run", str(project), *FAST)
    assert code == 0, out
    table = pd.read_csv(
        real_data / "gbg_kvarboende_2025/population_agegroups_2025-12-31_and_kvarboende.csv",
        dtype={"omrade_kod": str},
    )
    rows = table[table["niva"] == "primaromrade"].set_index("omrade_kod")
    assert len(rows) == 97 and "199" in rows.index
    idx = pd.read_csv(tmp_path / "out" / "segregation_indices.csv")
    assert idx["year"].isna().all()
    values = idx.set_index(["group", "index"])["value"]
    for group in ("age_0_18", "age_66plus"):
        # aspatial: every person of the city, the unallocated included
        assert values[(group, "dissimilarity")] == pytest.approx(
            Dissim(rows, group, "total").statistic, abs=1e-12
        )
        assert Isolation(rows, group, "total").statistic > 0
        # spatial: the 96 areas with a polygon
        areas = gpd.read_file(real_data / "gbg_omraden/primaromraden.gpkg")
        placed = areas.set_index("omrade_kod").join(rows[[group, "total"]], how="inner")
        assert len(placed) == 96
        assert values[(group, "absolute_centralization")] == pytest.approx(
            AbsoluteCentralization(placed, group, "total").statistic, abs=1e-9
        )
    hot = pd.read_csv(tmp_path / "out" / "hotspots.csv", dtype={"id": str})
    assert len(hot) == 96 and "199" not in set(hot["id"])


def test_population_file_2025_reports_the_unallocated(real_data, tmp_path):
    text = f"""
[areas]
path = "{(real_data / "gbg_omraden/primaromraden.gpkg").as_posix()}"
id = "omrade_kod"

[registers]
path = "{(real_data / "gbg_omraden/befolkning_primaromraden_2025_jan_okt.csv").as_posix()}"
id = "omrade_kod"
year = ""
total = "oktober"
amounts = ["forandring_procent"]
"""
    project = write(tmp_path, text)
    code, out = cli("validate", str(project))
    assert code == 0, out
    assert "199 (2,213 persons)" in out
    code, out = cli("run", str(project), "--stage", "segregation")
    assert code == 0, out


def test_table_of_every_level_without_a_filter_is_refused(real_data, tmp_path):
    project = write(tmp_path, primary_age_bands(real_data, where=False))
    for command in ("validate", "run"):
        code, out = cli(command, str(project))
        assert code == 2
        assert "mix area levels" in out and 'where = { niva = "primaromrade" }' in out


def test_regso_register_on_primary_area_polygons_is_refused(real_data, tmp_path):
    text = (
        regso_tidy(real_data)
        .replace("gbg_omraden/regso_goteborg.gpkg", "gbg_omraden/primaromraden.gpkg")
        .replace('id = "regsokod"\nname = "regsonamn"', 'id = "omrade_kod"\nname = "omrade_namn"')
    )
    project = write(tmp_path, text)
    for command in ("validate", "run"):
        code, out = cli(command, str(project))
        assert code == 2
        assert "match only 0 of the 96 polygons" in out
        assert "1480R001" in out and "101" in out


def test_index_page_says_level_years_and_source(real_data, tmp_path):
    import html
    import re

    text = regso_tidy(real_data).replace(
        'amounts = ["mean_wage_income_tkr"]',
        'amounts = ["mean_wage_income_tkr"]\nattribution = "Källa: SCB, Statistikdatabasen"',
    )
    text += "\n[levels.regso]\n"  # the [areas] level, named by the translation table
    project = write(tmp_path, text)
    code, out = cli("run", str(project), "--stage", "segregation", "--stage", "maps")
    assert code == 0, out
    page = (tmp_path / "out" / "maps" / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<dl class="about">(.*?)</dl>', page, flags=re.S)
    assert block is not None
    pairs = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1)))
    assert {k: html.unescape(v) for k, v in pairs.items()} == {
        "Area level": "RegSO (147 areas)",
        "Register years": "2020–2023",
        "Data": "Källa: SCB, Statistikdatabasen. Registers: "
        "gbg_regso_birthplace_income_tenure_2020_2023.csv. Area boundaries: regso_goteborg.gpkg",
    }
    # the report's list of sources opens with the same attribution
    report = (tmp_path / "out" / "maps" / "report.html").read_text(encoding="utf-8")
    sources = re.search(r'id="sources".*?<ul>(.*?)</ul>', report, flags=re.S)
    assert sources is not None
    items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", sources.group(1))]
    assert items[0] == "Data: Källa: SCB, Statistikdatabasen"
    assert "regso_goteborg.gpkg" in items[1]
