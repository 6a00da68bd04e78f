"""Emerging hotspot maps: one colour and label per category, escaped, in both languages."""

import re

import numpy as np
import pandas as pd
import pytest
from _mapdata import INJECTED, grid_areas, layer_infos, legends, row

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


def _every_category(areas):
    res = _emerging(areas)
    assert sorted(res["category"]) == sorted(CATEGORIES)
    return res


def _drawn(colour: str, background: str, opacity: float) -> str:
    """``colour`` as the map draws it: at the areas' fill opacity over the map's background."""
    mixed = [
        round(opacity * int(colour[i : i + 2], 16) + (1 - opacity) * int(background[i : i + 2], 16))
        for i in (1, 3, 5)
    ]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def _closest_pair(colours, *, cvd=None):
    """The smallest CIEDE2000 difference between two of ``colours`` (named), seen with normal
    vision or as simulated for a colour-vision deficiency (coloraide's Brettel simulation)."""
    from coloraide import Color

    def seen(c):
        col = Color(c)
        return col.filter(cvd).convert("srgb").clip() if cvd else col

    shown = {name: seen(c) for name, c in colours.items()}
    names = list(shown)
    return min(
        (shown[a].delta_e(shown[b], method="2000"), a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    )


@pytest.mark.parametrize("worse", ["higher", "lower", "none"])
def test_every_category_in_the_legend_is_told_apart(worse):
    """Each category of the legend differs from every other one, from "no data", the
    suppression hatch and water by a CIEDE2000 difference above 15, both as a legend swatch and
    as drawn on the map (at the areas' fill opacity over the map's background); for readers
    with protanopia or deuteranopia (simulated) the difference stays above 8, for tritanopia
    above 5."""
    import geopandas as gpd
    import shapely

    big = grid_areas(nx=6, ny=3)
    m = emerging_map(big, _every_category(big), label="x", worse=worse)
    (blocks,) = legends(m)
    words = set(category_labels(list(CATEGORIES)))
    entries = {e["label"]: e["color"] for b in blocks for e in b["entries"] if e["label"] in words}
    assert len(entries) == len(CATEGORIES)  # every category is in the legend
    html = map_html(m)
    background = re.search(r"\.leaflet-container \{background: (#[0-9a-f]{6})", html).group(1)
    opacity = MapStyle().opacity
    # the colour of water: the one fill a map with a water layer has in addition
    water = gpd.GeoDataFrame(geometry=[shapely.box(*big.total_bounds).buffer(-200)], crs=big.crs)
    fills = re.compile(r'"fillColor":\s*"(#[0-9a-fA-F]{6})"')
    with_water = map_html(
        emerging_map(big, _every_category(big), worse=worse, style=MapStyle(water=water))
    )
    (water_colour,) = set(fills.findall(with_water)) - set(fills.findall(html))
    others = {"no data": "#ffffff", "suppressed": "#737373", "water": water_colour}
    for colours in (entries, {k: _drawn(c, background, opacity) for k, c in entries.items()}):
        delta, a, b = _closest_pair(colours | others)
        assert delta > 15, f"{a} and {b}: CIEDE2000 {delta:.1f}"
        for cvd, bar in (("protan", 8), ("deutan", 8), ("tritan", 5)):
            delta, a, b = _closest_pair(colours, cvd=cvd)
            assert delta > bar, f"{cvd}: {a} and {b}: CIEDE2000 {delta:.1f}"
