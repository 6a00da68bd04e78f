"""The examples of the documentation and the README run as written, from any working folder."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _pages_with_python() -> set[str]:
    pages = [p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "examples" not in p.parts]
    return {str(p.relative_to(DOCS)) for p in pages if _blocks(p, "python")}


def _examples(page: str) -> list[tuple[str, str | None]]:
    """The Python blocks of a page, each with the output shown right after it (or None)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    found = re.findall(r"```python\n(.*?)```(?:\n\n```text\n(.*?)```)?", text, flags=re.S)
    return [(code, shown or None) for code, shown in found]


def _matches(out: str, shown: str) -> None:
    """``out`` is the output shown, line by line; ``...`` in a shown line matches anything."""
    got, expected = out.rstrip("\n").splitlines(), shown.rstrip("\n").splitlines()
    assert len(got) == len(expected), out
    for line, wanted in zip(got, expected, strict=True):
        pattern = re.escape(wanted.rstrip()).replace(re.escape("..."), ".*")
        assert re.fullmatch(pattern, line.rstrip()), (line, wanted)


def _run_page(page: str, folder: Path, monkeypatch, capsys) -> tuple[dict, str]:
    """Run every Python block of a page, in order, in one namespace, from ``folder``.

    Where the page shows a block's output, the output printed must match it.
    """
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(folder)
    namespace: dict = {}
    outputs = []
    for code, shown in _examples(page):
        exec(compile(code, f"docs/{page}", "exec"), namespace)
        out = capsys.readouterr().out
        if shown is not None:
            _matches(out, shown)
        outputs.append(out)
    return namespace, "".join(outputs)


#: The pages whose examples are run by a test below.
TESTED_PAGES = {
    "getting-started.md",
    "segregation.md",
    "guides/segregation.md",
    "guides/hotspots.md",
    "guides/follow-up.md",
    "guides/access.md",
    "guides/plans.md",
    "guides/sites.md",
    "guides/gothenburg.md",
    "guides/national.md",
}


def test_every_page_with_python_examples_is_tested():
    assert _pages_with_python() == TESTED_PAGES


@pytest.mark.parametrize(
    ("module", "page"),
    [
        ("geoseg", "verbs"),
        ("geoseg.io", "io"),
        ("geoseg.segregation", "segregation"),
        ("geoseg.segregation.registry", "segregation_registry"),
        ("geoseg.hotspots", "hotspots"),
        ("geoseg.trends", "trends"),
        ("geoseg.areas", "areas"),
        ("geoseg.levels", "areas"),
        ("geoseg.access", "access"),
        ("geoseg.plans", "plans"),
        ("geoseg.indicators", "indicators"),
        ("geoseg.publish", "publish"),
    ],
)
def test_api_reference_lists_every_public_name(module, page):
    import importlib

    public = set(importlib.import_module(module).__all__) - {"__version__", "GeoSegError"}
    text = (DOCS / "api" / f"{page}.rst").read_text(encoding="utf-8")
    # a page may document several modules, each after its own currentmodule line
    parts = re.split(r"^\.\. currentmodule:: ([\w.]+)$", text, flags=re.M)
    blocks = dict(zip(parts[1::2], parts[2::2], strict=True))
    listed = set(re.findall(r"^   (\w+)$", blocks.get(module, text), flags=re.M))
    assert listed == public


def test_getting_started_prints_what_the_page_shows(tmp_path, monkeypatch, capsys):
    (example,) = _examples("getting-started.md")
    assert example[1] is not None, "the page shows the output"
    _, out = _run_page("getting-started.md", tmp_path, monkeypatch, capsys)
    assert "geoseg.toml 100 areas" in out


def test_shown_outputs_are_compared():
    with pytest.raises(AssertionError):
        _matches("D = 0.364\n", "D = 0.365\n")
    _matches("kind\nlibrary    8\n", "kind\nlibrary ...\n")


def test_segregation_over_time_guide(tmp_path, monkeypatch, capsys):
    from segregation.singlegroup import Dissim

    ns, out = _run_page("guides/segregation.md", tmp_path, monkeypatch, capsys)
    trend, reg = ns["trend"], ns["data"].register
    for year, rows in reg.groupby("year"):
        row = trend[(trend["year"] == year) & (trend["index"] == "dissimilarity")]
        expected = Dissim(rows, "foreign_born", "pop_total").statistic
        assert row["value"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert ((trend.ci_low <= trend.value) & (trend.value <= trend.ci_high)).all()
    assert (tmp_path / "segregation_trend.png").stat().st_size > 0
    change = ns["change"]
    assert change.statistic_b > change.statistic_a and 0 < change.p_value < 0.05
    assert f"p = {change.p_value:.3f}" in out


def test_hotspots_guide(tmp_path, monkeypatch, capsys):
    from esda.moran import Moran_Local

    ns, out = _run_page("guides/hotspots.md", tmp_path, monkeypatch, capsys)
    lisa, weights = ns["lisa"], ns["weights"]
    assert "5 without a land neighbour" in out  # the example city's islands
    w = weights.graph.to_W()
    y = ns["areas"].loc[list(w.id_order), "median_income_tkr"].to_numpy(float)
    ref = Moran_Local(y, w, permutations=0)
    np.testing.assert_allclose(lisa.loc[list(w.id_order), "I"], ref.Is, atol=1e-9)
    assert (tmp_path / "hotspots.png").stat().st_size > 0
    counts = ns["trends"].counts
    assert set(counts.index) == set(ns["data"].areas.index)
    assert counts["years_significant"].between(0, 6).all()


def test_follow_up_guide(tmp_path, monkeypatch, capsys):
    from scipy.stats import theilslopes

    ns, _ = _run_page("guides/follow-up.md", tmp_path, monkeypatch, capsys)
    trends, reg = ns["trends"], ns["data"].register
    row = trends[(trends["indicator"] == "median_income") & (trends["code"] == "0101")].iloc[0]
    series = reg[reg["area_code"] == "0101"].sort_values("year")
    expected = theilslopes(series["median_income_tkr"], series["year"])
    assert row["slope"] == pytest.approx(expected.slope, rel=1e-12)
    areas = ns["emerging"].areas
    assert len(areas) == 100 and areas["category"].notna().all()


def test_access_guide(tmp_path, monkeypatch, capsys):
    from geoseg.access import lorenz

    ns, _ = _run_page("guides/access.md", tmp_path, monkeypatch, capsys)
    children = ns["children"]
    assert len(children) == 100
    # an area without children has no share
    assert children["share_within"].isna().equals(children["residents"] == 0)
    assert children["share_within"].dropna().between(0, 1).all()
    fig = ns["fig"]
    curves = [line for line in fig.axes[0].get_lines() if line.get_gid() != "equality"]
    assert [c.get_label().split(" (")[0] for c in curves] == [
        "pop_total",
        "age_0_5",
        "foreign_born",
    ]
    rows = ns["rows"]  # the last group drawn
    _, share = lorenz(rows["mean_minutes"], rows["residents"])
    np.testing.assert_allclose(curves[-1].get_ydata(), share)
    assert (tmp_path / "lorenz.png").stat().st_size > 0


def test_plans_guide(tmp_path, monkeypatch, capsys):
    ns, out = _run_page("guides/plans.md", tmp_path, monkeypatch, capsys)
    check = ns["check"]
    assert check.verdict == "pass" and out.startswith("pass")
    fc = check.groups[check.groups["kind"] == "family_centre"]
    assert (fc["gain"] > 0).all() and (fc["lose"] == 0).all()
    assert (tmp_path / "plan_minutes.png").stat().st_size > 0


def test_plans_guide_command_fails_the_closure(monkeypatch):
    from geoseg.cli import main

    monkeypatch.chdir(REPO)
    (command,) = _blocks(DOCS / "guides/plans.md", "bash")
    args = shlex.split(command)
    assert args[:2] == ["geoseg", "check-plan"]
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 1, result.output


def test_sites_guide(tmp_path, monkeypatch, capsys):
    from geoseg.plans import site_candidates

    ns, out = _run_page("guides/sites.md", tmp_path, monkeypatch, capsys)
    s, baseline = ns["s"], ns["baseline"]
    assert list(s.table["rank"]) == [1, 2] and s.solution.gap <= 1e-6
    # the chosen sites are candidates, and more sites never cover fewer children
    cand, _ = site_candidates(baseline, "areas")
    assert set(s.sites.index) <= set(cand.index)
    assert s.table["newly_within"].is_monotonic_increasing
    # check-plan's count for the written plan equals the suggestion's own
    children = ns["check"].groups
    children = children[children["group"] == "age_0_5"]
    assert float(children["newly_within"].iloc[0]) == pytest.approx(
        float(s.table["newly_within"].iloc[1]), rel=1e-9
    )
    assert (tmp_path / "suggestion.geojson").is_file() and out.endswith("pass 2276\n")


def test_sites_guide_commands_run(tmp_path, monkeypatch):
    from geoseg.cli import main

    monkeypatch.chdir(tmp_path)
    commands = _blocks(DOCS / "guides/sites.md", "bash")[0].strip().splitlines()
    assert [shlex.split(c)[1] for c in commands] == ["suggest-sites", "check-plan"]
    for command in commands:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "sites" / "fc-site-02-check.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "pass"


@pytest.mark.real
def test_gothenburg_guide(real_data, tmp_path, monkeypatch, capsys):
    from segregation.singlegroup import Dissim

    ns, out = _run_page("guides/gothenburg.md", tmp_path, monkeypatch, capsys)
    assert ns["real"].resolve() == real_data.resolve()
    assert "147 RegSO areas; 2020 to 2023" in out
    tidy, register = ns["tidy"], ns["register"]
    last = register[register["year"] == 2023]
    row = tidy[(tidy["year"] == 2023) & (tidy["index"] == "dissimilarity")]
    expected = Dissim(last, "pop_foreign_born", "pop_total").statistic
    assert row["value"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert ns["lisa"]["label"].isin(["High-High", "Low-Low"]).any()


@pytest.mark.real
def test_gothenburg_project_file_reads(real_data, tmp_path):
    from geoseg.io import read_config

    toml = _blocks(DOCS / "guides/gothenburg.md", "toml")[0]
    text = toml.replace("../shared/data/real", real_data.as_posix())
    tomllib.loads(text)
    (tmp_path / "geoseg.toml").write_text(text, encoding="utf-8")
    project = read_config(tmp_path / "geoseg.toml")
    assert project.areas.path.is_file() and project.registers.path.is_file()
    assert project.registers.groups == ["pop_foreign_born"]


@pytest.mark.real
def test_gothenburg_levels_project_validates_as_shown(real_data, tmp_path):
    from geoseg.cli import main

    toml = _blocks(DOCS / "guides/gothenburg.md", "toml")[1]
    text = toml.replace("../shared/data/real", real_data.as_posix())
    (tmp_path / "goteborg.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "goteborg.toml")])
    assert result.exit_code == 0, result.output
    assert "have no label_sv or label_en" not in result.output  # the pages read in words
    assert "have no labelled indicator" not in result.output
    (shown,) = [b for b in _blocks(DOCS / "guides/gothenburg.md", "text") if "level " in b]
    printed = [line for line in result.stdout.splitlines() if "level " in line]
    _matches("\n".join(printed), shown)


def test_segregation_guide_python_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (code,) = _blocks(DOCS / "segregation.md", "python")
    namespace: dict = {}
    exec(compile(code, "docs/segregation.md", "exec"), namespace)
    tidy = namespace["tidy"]
    assert list(tidy.columns) == [
        "year",
        "level",
        "group",
        "index",
        "value",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    # 6 years x (3 single-group indices + 1 multigroup index)
    assert (
        len(tidy) == 6 * 4 and tidy[["value", "p_value", "ci_low", "ci_high"]].notna().all().all()
    )
    assert (tidy.ci_low <= tidy.value).all() and (tidy.value <= tidy.ci_high).all()
    assert "37 city-wide indices" in capsys.readouterr().out


def test_segregation_guide_command_runs(monkeypatch):
    from geoseg.cli import main

    monkeypatch.chdir(REPO)
    (command,) = _blocks(REPO / "docs/segregation.md", "bash")
    args = shlex.split(command.replace("\\\n", " "))
    assert args[:2] == ["geoseg", "indices"]
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.count(",") >= 6]
    table = pd.DataFrame([line.split(",") for line in lines[1:]], columns=lines[0].split(","))
    assert set(table["index"]) == {"dissimilarity", "isolation"}
    assert len(table) == 12 and (table.p_value.astype(float) < 0.01).all()


def test_segregation_guide_lists_the_whole_catalogue():
    from geoseg.segregation.registry import INDICES

    text = (REPO / "docs/segregation.md").read_text(encoding="utf-8")
    section = text.split("## The catalogue")[1].split("\n## ")[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    listed = set(re.findall(r"`([a-z_]+)`", "\n".join(table)))
    assert listed == set(INDICES)


def test_readme_python_example_runs_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (code,) = _blocks(REPO / "README.md", "python")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    tidy = namespace["tidy"]
    from segregation.singlegroup import Dissim

    reg = namespace["data"].register
    last = reg[reg["year"] == reg["year"].max()]
    row = tidy[(tidy["index"] == "dissimilarity") & (tidy["year"] == reg["year"].max())]
    assert row["value"].iloc[0] == pytest.approx(
        Dissim(last, "foreign_born", "pop_total").statistic, abs=1e-12
    )
    assert tidy["p_value"].between(0, 1).all()
    assert "dissimilarity" in capsys.readouterr().out


@pytest.mark.slow  # the guide's national runs compute every index for every municipality
def test_national_guide(tmp_path, monkeypatch, capsys):
    from geoseg.segregation import inequality_index

    ns, out = _run_page("guides/national.md", tmp_path, monkeypatch, capsys)
    assert "9902 done" in out and "municipality 9902: 8 area code(s)" in out
    first = ns["again"]
    assert [t.status for t in first.tasks] == ["skipped"] * 3
    # the national table equals the index computed directly on the municipalities' registers
    munis = first.municipalities
    reg = pd.concat([t.register for t in first.tasks], ignore_index=True)
    groups = [f"income_q{k}" for k in range(1, 6)]
    expected = inequality_index(reg, groups=groups, by=["municipality", "year"])
    got = munis.set_index(["municipality", "year"])["inequality_index"]
    np.testing.assert_allclose(got.loc[expected.index], expected)
    assert munis["municipality"].nunique() == 3
    # the guide's bad municipality failed alone, and the others kept their results
    result = ns["result"]
    assert [t.name for t in result.failed] == ["9902"]
    assert (tmp_path / "exempelland" / "output" / "municipalities" / "9901").is_dir()
    # the page's commands, on a nation of 2 municipalities and one stage
    from geoseg.cli import main

    (block,) = _blocks(DOCS / "guides/national.md", "bash")
    make, check, run = (shlex.split(line) for line in block.strip().splitlines())
    assert make[:2] == ["geoseg", "example-nation"] and run[:2] == ["geoseg", "run"]
    assert check[:2] == ["geoseg", "validate"]
    make[make.index("--municipalities") + 1] = "2"
    (tmp_path / "cli").mkdir()
    monkeypatch.chdir(tmp_path / "cli")
    res = CliRunner().invoke(main, [*make[1:], "--max-areas", "8"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, check[1:])
    assert res.exit_code == 0, res.output
    assert "every municipality ready for analysis" in res.output
    res = CliRunner().invoke(main, [*run[1:], "--stage", "segregation"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / "exempelland" / "output" / "national_areas.csv").is_file()
