"""The notebooks in notebooks/ teach with the public API and run top to bottom in a Jupyter kernel.

The checks of what the notebooks compute live here, not in the notebooks: after a notebook has
run, a cell appended by the test (never saved) prints the values to compare with an oracle.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXAMPLE_CITY = [p for p in NOTEBOOKS if "gothenburg" not in p.stem]
GOTHENBURG = REPO / "notebooks" / "05_gothenburg_regso.ipynb"

pytestmark = pytest.mark.notebook


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _execute(path: Path, folder: Path, monkeypatch, probe: str | None = None):
    """Run a notebook in a fresh kernel that imports geoseg from this checkout.

    ``probe`` is appended as a last cell; it prints one line of JSON that is returned.
    """
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    nb = nbformat.read(path, as_version=4)
    code = (probe or "") + "\nimport json as _j, time as _t\n"
    code += "print(_j.dumps({**(_probe if '_probe' in dir() else {}), 'cpu': _t.process_time()}))"
    nb.cells.append(nbformat.v4.new_code_cell(code))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    errors = [
        f"{out.ename}: {out.evalue}"
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    probe_cell = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe_cell.outputs if o.output_type == "stream")
    return nb, json.loads(text.strip().splitlines()[-1])


def test_there_are_notebooks_for_each_theme():
    names = " ".join(p.stem for p in NOTEBOOKS)
    for theme in ("segregation", "hotspots", "access", "plan", "gothenburg"):
        assert theme in names, f"no notebook about {theme}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} is stored with outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_teaches_with_the_public_api(path):
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert cells[-1].cell_type == "markdown", "a notebook ends with what the result means"
    assert "caveat" in cells[-1].source.lower()
    run = 0
    for cell in cells:
        run = run + 1 if cell.cell_type == "code" else 0
        assert run <= 2, f"{path.name}: more than two code cells without prose between them"
    for source in _code(nb):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Assert), f"{path.name}: assert in a teaching cell"
            if isinstance(node, ast.ImportFrom) and node.module.startswith("geoseg"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not any(p.startswith("_") for p in node.module.split(".")), node.module
                assert not private, private
            dunder = node.attr.startswith("__") if isinstance(node, ast.Attribute) else False
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not dunder:
                raise AssertionError(f"{path.name}: private attribute {node.attr}")


@pytest.mark.slow  # executes the notebook in a Jupyter kernel
def test_segregation_notebook_matches_pysal(tmp_path, monkeypatch):
    from segregation.singlegroup import Dissim

    import geoseg

    probe = """
_d = indices[indices["index"] == "dissimilarity"].set_index("year")
_probe = {"d": {str(k): float(v) for k, v in _d["value"].items()},
          "lo": [float(x) for x in _d["ci_low"]], "hi": [float(x) for x in _d["ci_high"]],
          "a": test.statistic_a, "b": test.statistic_b, "p": test.p_value,
          "parts": [parts.difference, parts.spatial, parts.attribute]}
"""
    nb, got = _execute(EXAMPLE_CITY[0], tmp_path, monkeypatch, probe)
    reg = geoseg.load_project(geoseg.example_project()).register
    for year, rows in reg.groupby("year"):
        expected = Dissim(rows, "foreign_born", "pop_total").statistic
        assert got["d"][str(year)] == pytest.approx(expected, abs=1e-12)
    assert all(
        lo <= v <= hi for lo, v, hi in zip(got["lo"], got["d"].values(), got["hi"], strict=True)
    )
    assert got["b"] > got["a"] and got["p"] < 0.05
    difference, spatial, attribute = got["parts"]
    assert difference == pytest.approx(got["b"] - got["a"], abs=1e-12)
    assert spatial + attribute == pytest.approx(difference, abs=1e-12)
    _shows_figures(nb, 2)
    assert got["cpu"] < 30


@pytest.mark.slow  # executes the notebook in a Jupyter kernel
def test_hotspots_notebook_finds_persistent_clusters(tmp_path, monkeypatch):
    probe = """
_probe = {"labels": sorted(set(lisa["label"])),
          "persistent": int((trends.counts["years_significant"] == 6).sum())}
"""
    nb, got = _execute(EXAMPLE_CITY[1], tmp_path, monkeypatch, probe)
    assert {"High-High", "Low-Low"} <= set(got["labels"])
    assert got["persistent"] > 0
    _shows_figures(nb, 1)
    assert got["cpu"] < 30


@pytest.mark.slow  # executes the notebook in a Jupyter kernel
def test_access_notebook_equity(tmp_path, monkeypatch):
    probe = """
_probe = {"gap": float(access.equity["quintile_gap"].iloc[0]), "share": float(share),
          "curves": len(fig.axes[0].get_lines())}
"""
    nb, got = _execute(EXAMPLE_CITY[2], tmp_path, monkeypatch, probe)
    assert got["gap"] > 0  # the disadvantaged areas walk further in the example city
    assert 0 < got["share"] < 1
    assert got["curves"] == 3  # the line of equality and two groups
    _shows_figures(nb, 2)
    assert got["cpu"] < 30


@pytest.mark.slow  # executes the notebook in a Jupyter kernel
def test_plan_notebook_verdicts(tmp_path, monkeypatch):
    probe = """
_probe = {"new": new_centre.verdict, "closure": closure.verdict,
          "rules": sorted(set(closure.violations["rule"])),
          "lose": float(new_centre.groups["lose"].sum())}
"""
    nb, got = _execute(EXAMPLE_CITY[3], tmp_path, monkeypatch, probe)
    assert got["new"] == "pass" and got["closure"] == "fail"
    assert "meeting_place" in got["rules"] and got["lose"] == 0
    _shows_figures(nb, 2)
    assert got["cpu"] < 30


def test_gothenburg_notebook_without_the_data_says_what_it_would_show(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSEG_REAL_DATA", str(tmp_path / "nowhere"))
    nb, got = _execute(GOTHENBURG, tmp_path, monkeypatch, "_probe = {'available': available}")
    assert got["available"] is False
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    (message,) = outputs
    assert "not here" in message.text and "RegSO" in message.text


@pytest.mark.real
@pytest.mark.slow  # executes the notebook in a Jupyter kernel
def test_gothenburg_notebook_with_the_data(real_data, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSEG_REAL_DATA", str(real_data))
    probe = "_probe = {'n': len(areas), 'years': sorted(map(int, register['year'].unique()))}"
    nb, got = _execute(GOTHENBURG, tmp_path, monkeypatch, probe)
    assert got["n"] == 147 and got["years"] == [2020, 2021, 2022, 2023]
    _shows_figures(nb, 2)


def _shows_figures(nb, at_least: int) -> None:
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) >= at_least
