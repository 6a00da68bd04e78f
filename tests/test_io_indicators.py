"""The [indicators] section of the project file: every problem at once, checked by validate."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

import geoseg
from geoseg.cli import main
from geoseg.io import read_config
from geoseg.io.indicators import parse_indicators


def test_every_problem_is_reported_at_once():
    problems: list[str] = []
    table = {
        "ok": {"numerator": "a", "denominator": "b", "label_sv": "A"},
        "no_num": {"denominator": "b"},
        "bad_kind": {"numerator": "a", "kind": "ratio"},
        "no_den": {"numerator": "a", "kind": "share"},
        "bad_worse": {"numerator": "a", "kind": "amount", "worse": "up"},
        "bad_area": {"numerator": "a", "kind": "amount", "target_area": "health"},
        "typo": {"numerator": "a", "kind": "amount", "lable_sv": "x"},
        "not_a_table": "a/b",
    }
    out = parse_indicators(table, problems)
    assert list(out) == ["ok", "typo"]
    joined = "\n".join(problems)
    for name in ("no_num", "bad_kind", "no_den", "bad_worse", "bad_area", "typo", "not_a_table"):
        assert f"[indicators.{name}]" in joined, name
    assert out["ok"].label("en") == "A" and out["ok"].unit == "%"


def test_validate_refuses_an_indicator_the_register_cannot_feed(tmp_path):
    data = geoseg.example_project().parent
    project = tmp_path / "city"
    shutil.copytree(data, project)
    toml = project / "geoseg.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace('numerator = "voter_turnout"', 'numerator = "turnout_2026"'), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["validate", str(toml)])
    assert result.exit_code == 2
    assert "voter_turnout" in result.output and "turnout_2026" in result.output


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_example_city_declares_labels_in_both_languages(lang):
    project = read_config(geoseg.example_project())
    assert {i.target_area for i in project.indicators.values()} == {
        "start",
        "work",
        "living",
        "participation",
    }
    for ind in project.indicators.values():
        label = ind.label(lang)
        assert label and "_" not in label
