"""Emerging hotspot maps: one colour and label per category, escaped, in both languages."""

import numpy as np
import pandas as pd
import pytest
from _mapdata import INJECTED, grid_areas, layer_infos, row

from geoseg.errors import InputError
from geoseg.hotspots import CATEGORIES, category_labels
from geoseg.publish import emerging_map, map_html
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
    info = layer_infos(emerging_map(areas, res, label="Median income", lang="en"))[0]
    for code, cat in res["category"].items():
        assert info[code][0]["fillColor"] == CATEGORY_COLOURS[cat]
        assert row(info, code, "Pattern over the years") == category_labels([cat])[0]
    first = res.index[0]
    assert row(info, first, "Years as a hot spot, 2018–2023") == "0/6"
    assert row(info, first, "Trend of the z-scores, p-value") == "0.012"
    assert row(info, areas.index[-1], "Pattern over the years") == "No data"
    sv = layer_infos(emerging_map(areas, res, label="Medianinkomst", lang="sv"))[0]
    assert row(sv, first, "Mönster över åren") == "Ny het punkt"
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORIES)


def test_names_are_escaped_and_bad_input_is_named(areas):
    html = map_html(emerging_map(areas, _emerging(areas), label=INJECTED))
    assert INJECTED not in html
    with pytest.raises(InputError, match="category"):
        emerging_map(areas, _emerging(areas).drop(columns="category"))
    bad = _emerging(areas)
    bad.iloc[0, 0] = "lukewarm"
    with pytest.raises(InputError, match="lukewarm"):
        emerging_map(areas, bad)
