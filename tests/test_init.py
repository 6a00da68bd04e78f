"""The public face at ``import geoseg``: a small set of verbs, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

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
