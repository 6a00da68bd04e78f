"""``geoseg indices`` on the embedded example city."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _fixtures import example_inputs
from click.testing import CliRunner


def _run(example_data, *extra):
    from geoseg.cli import main

    args = [
        "indices",
        *example_inputs(example_data),
        "--group",
        "foreign_born",
        "--group",
        "born_sweden",
        "--total",
        "pop_total",
        *extra,
    ]
    return CliRunner().invoke(main, args)


def test_json_records_match_the_library(example_data):
    from geoseg.io import read_register
    from geoseg.segregation import dissimilarity, multigroup_gini

    res = _run(
        example_data,
        "--index",
        "dissimilarity",
        "--index",
        "multigroup_gini",
        "--permutations",
        "19",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    assert set(records[0]) == {"year", "group", "index", "value", "p_value", "ci_low", "ci_high"}
    assert records[0]["ci_low"] is None and records[0]["p_value"] is not None
    reg = read_register(example_data / "registers" / "example_registers.csv", id_column="area_code")
    y = records[0]["year"]
    part = reg[reg.year == y].set_index("area_code")
    got = {(r["group"], r["index"]): r["value"] for r in records if r["year"] == y}
    assert got[("foreign_born", "dissimilarity")] == pytest.approx(
        dissimilarity(part, group="foreign_born", total="pop_total")
    )
    assert got[("foreign_born+born_sweden", "multigroup_gini")] == pytest.approx(
        multigroup_gini(part, groups=["foreign_born", "born_sweden"])
    )


def test_csv_and_bad_index(example_data):
    res = _run(example_data, "--index", "gini", "--format", "csv")
    assert res.exit_code == 0, res.output
    from io import StringIO

    table = pd.read_csv(StringIO(res.stdout))
    assert set(table["index"]) == {"gini"} and table["year"].nunique() > 1
    bad = _run(example_data, "--index", "no_such_index")
    assert bad.exit_code == 2 and "no_such_index" in bad.output
