"""The public face at ``import geoseg``: a small set of verbs, loaded on first use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import geoseg


def test_every_public_verb_resolves_to_a_documented_function():
    for name in geoseg.__all__:
        value = getattr(geoseg, name)
        if name == "__version__":
            assert isinstance(value, str)
            continue
        assert value.__doc__, name
    assert 15 <= len(geoseg.__all__) <= 22


def test_every_verb_has_a_line_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    described = dict(re.findall(r"(?m)^- `geoseg\.(\w+)`: (\S.*)$", readme))
    verbs = [n for n in geoseg.__all__ if n != "__version__"]
    assert [n for n in verbs if n not in described] == []
    assert [n for n in described if n not in verbs] == []
    # the emerging hotspots have their map, and the README names it
    assert "geoseg.publish.emerging_map" in described["emerging_hotspots"]
    from geoseg.publish import emerging_map

    assert "emerging_hotspots" in (emerging_map.__doc__ or "")


def test_import_is_light():
    code = (
        "import sys, geoseg; "
        "heavy = [m for m in ('folium', 'matplotlib', 'geopandas', 'scipy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_verb"):
        geoseg.no_such_verb


def test_verbs_run_on_the_example_city():
    data = geoseg.load_project(geoseg.example_project())
    reg = data.register
    latest = reg[reg["year"] == reg["year"].max()]
    tidy = geoseg.compute_indices(
        latest, groups=["foreign_born"], total="pop_total", index=["dissimilarity"]
    )
    from segregation.singlegroup import Dissim

    expected = Dissim(latest, "foreign_born", "pop_total").statistic
    assert tidy["value"].iloc[0] == pytest.approx(expected, abs=1e-12)
