"""The examples in the user guides run as written on the embedded example city."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]


def _blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_segregation_guide_python_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    (code,) = _blocks(REPO / "docs/segregation.md", "python")
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
    import geoseg.segregation as seg

    text = (REPO / "docs/segregation.md").read_text(encoding="utf-8")
    section = text.split("## The catalogue")[1].split("\n## ")[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    listed = set(re.findall(r"`([a-z_]+)`", "\n".join(table)))
    assert listed == set(seg.INDICES)


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
