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


@pytest.mark.parametrize(("lang", "mark"), [("en", "<5, suppressed"), ("sv", "<5, dold")])
def test_suppressed_areas_carry_the_same_mark_as_the_other_maps(areas, lang, mark):
    """An area with fewer residents than the threshold in some year: the suppression mark,
    colour and legend class of the choropleth maps, never "no data" and never its pattern."""
    from geoseg.publish import choropleth_map
    from geoseg.publish.disclosure import Disclosure, gate_emerging

    res = _emerging(areas)
    codes = list(res.index)
    years = range(2018, 2024)
    pop = pd.Series(
        [3.0 if (c == codes[1] and y == 2020) else 40.0 for c in codes for y in years],
        index=pd.MultiIndex.from_product([codes, years]),
    )
    gated = gate_emerging(res.reset_index(), Disclosure(), population=pop).set_index("id")
    assert gated["suppressed"].tolist() == [c == codes[1] for c in codes]
    m = emerging_map(areas, gated, label="Median income", style=MapStyle(lang=lang))
    info = layer_infos(m)[0]
    tips = [r for r in info[codes[1]][1] if len(r) > 1 and r[1] == mark]
    assert len(tips) == 1, info[codes[1]]
    texts = [str(r[1]) for r in info[codes[1]][1]]
    assert category_labels([res.loc[codes[1], "category"]], lang=lang)[0] not in texts
    # the choropleth maps' mark of a count below the threshold, for the same area
    counts = pd.DataFrame({"share": 0.5, "n": 40}, index=pd.Index(codes, name="code"))
    counts.loc[codes[1], "n"] = 3
    choro = layer_infos(
        choropleth_map(
            areas, counts, column="share", count_columns=["n"], style=MapStyle(lang=lang)
        )
    )[0]
    assert info[codes[1]][0]["fillColor"] == choro[codes[1]][0]["fillColor"]
    assert any(len(r) > 1 and r[1] == mark for r in choro[codes[1]][1])
    # the legend's hatched suppression class, as embedded in both pages
    legend = '"label":"\\u003c' + mark[1:] + '","hatch":true}'
    html = map_html(m)
    assert legend in html
    assert legend in map_html(
        choropleth_map(
            areas, counts, column="share", count_columns=["n"], style=MapStyle(lang=lang)
        )
    )
    # the other areas keep their category; the area without results stays "no data"
    label = tips[0][0]
    assert row(info, codes[0], label) == category_labels([res.iloc[0]["category"]], lang=lang)[0]
    assert row(info, areas.index[-1], label) != mark
    # the explicit argument works on a table without the column too
    plain = gated.drop(columns="suppressed")
    again = layer_infos(
        emerging_map(
            areas,
            plain,
            label="Median income",
            style=MapStyle(lang=lang),
            suppressed=gated["suppressed"],
        )
    )[0]
    assert again[codes[1]] == info[codes[1]]
