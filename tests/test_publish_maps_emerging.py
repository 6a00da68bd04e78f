"""Emerging hotspot maps: one colour and label per category, escaped, in both languages."""

import numpy as np
import pandas as pd
import pytest
from _mapdata import INJECTED, grid_areas, layer_infos, row

from geoseg.errors import InputError
from geoseg.hotspots import CATEGORIES, category_labels
from geoseg.publish import MapStyle, emerging_map, map_html
from geoseg.publish.maps.emerging import CATEGORY_COLOURS


@pytest.fixture
def areas():
    return grid_areas()


def _emerging(areas):
    codes = list(areas.index)[:-1]  # the last area has no result
    cats = list(CATEGORIES[: len(codes)])
    return pd.DataFrame(
        {
            "id": codes,
            "category": cats,
            "years": 6,
            "first_year": 2018,
            "last_year": 2023,
            "years_hot": np.arange(len(codes)) % 7,
            "years_cold": 0,
            "trend_p": 0.0123,
        }
    ).set_index("id")


def test_colours_and_labels_follow_the_category(areas):
    res = _emerging(areas)
    m = emerging_map(areas, res, label="Low income", worse="higher", style=MapStyle(lang="en"))
    info = layer_infos(m)[0]
    for code, cat in res["category"].items():
        assert info[code][0]["fillColor"] == CATEGORY_COLOURS[cat]
        assert row(info, code, "Pattern over the years") == category_labels([cat])[0]
    first = res.index[0]
    assert row(info, first, "Years as a hot spot, 2018–2023") == "0/6"
    assert row(info, first, "Trend of the z-scores, p-value") == "0.012"
    assert row(info, areas.index[-1], "Pattern over the years") == "No data"
    sv = layer_infos(emerging_map(areas, res, label="Medianinkomst", style=MapStyle(lang="sv")))[0]
    assert row(sv, first, "Mönster över åren") == "Ny het punkt"
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORIES)


def _reds_purples(colour: str) -> str:
    """``"red"`` when red dominates blue in ``colour``, else ``"purple"``."""
    r, b = int(colour[1:3], 16), int(colour[5:7], 16)
    return "red" if r > b else "purple"


def test_an_unfavourable_pattern_is_red_whichever_end_is_worse(areas):
    res = _emerging(areas)
    hot = res.index[res["category"].str.endswith("_hot")]
    cold = res.index[res["category"].str.endswith("_cold")]
    assert len(hot) and len(cold)
    high_bad = layer_infos(emerging_map(areas, res, worse="higher"))[0]
    low_bad = layer_infos(emerging_map(areas, res, worse="lower"))[0]
    # high values unfavourable: hot spots red, cold spots purple; the other way round for lower
    assert {_reds_purples(high_bad[c][0]["fillColor"]) for c in hot} == {"red"}
    assert {_reds_purples(high_bad[c][0]["fillColor"]) for c in cold} == {"purple"}
    assert {_reds_purples(low_bad[c][0]["fillColor"]) for c in hot} == {"purple"}
    assert {_reds_purples(low_bad[c][0]["fillColor"]) for c in cold} == {"red"}
    with pytest.raises(InputError, match="worse"):
        emerging_map(areas, res, worse="up")


def test_names_are_escaped_and_bad_input_is_named(areas):
    html = map_html(emerging_map(areas, _emerging(areas), label=INJECTED))
    assert INJECTED not in html
    with pytest.raises(InputError, match="category"):
        emerging_map(areas, _emerging(areas).drop(columns="category"))
    bad = _emerging(areas)
    bad.iloc[0, 0] = "lukewarm"
    with pytest.raises(InputError, match="lukewarm"):
        emerging_map(areas, bad)
