"""The report's plain-words sections: city values, sentences, the has-grown table, axes."""

from __future__ import annotations

import math
import re

import pandas as pd

from geoseg.indicators import city_values
from geoseg.io.indicators import Indicator
from geoseg.publish.programme import (
    grown_table,
    indicator_sentence,
    programme_section,
    zero_axis,
)
from geoseg.publish.report import trend_svg

LOW = Indicator(
    name="low_income",
    numerator="low",
    denominator="pop",
    kind="share",
    label_sv="Låg inkomst",
    label_en="Low income",
    worse="higher",
    target_area="work",
)


def _values():
    # three areas, two years: counts over bases
    rows = [
        ("A", 2018, 10, 1000),
        ("B", 2018, 300, 1000),
        ("C", 2018, 2, 3),  # below the disclosure threshold: never named
        ("A", 2023, 20, 1000),
        ("B", 2023, 360, 1200),
        ("C", 2023, 3, 3),
    ]
    df = pd.DataFrame(rows, columns=["code", "year", "count", "base"])
    df["value"] = 100 * df["count"] / df["base"]
    df["indicator"] = "low_income"
    return df


def test_city_value_is_the_count_over_the_base():
    city = city_values(_values(), LOW).set_index("year")
    assert math.isclose(city.loc[2018, "value"], 100 * 312 / 2003)
    assert math.isclose(city.loc[2023, "value"], 100 * 383 / 2203)
    assert city.loc[2023, "n"] == 2203


def test_sentence_in_swedish_names_areas_and_the_interval():
    text, _ = indicator_sentence(
        _values(), LOW, names={"A": "Åby", "B": "Berga", "C": "Lilla"}, lang="sv", threshold=5
    )
    p0, p1 = 312 / 2003, 383 / 2203
    change = 100 * (p1 - p0)
    se = 100 * math.sqrt(p0 * (1 - p0) / 2003 + p1 * (1 - p1) / 2203)
    lo, hi = change - 1.96 * se, change + 1.96 * se
    assert "Låg inkomst" in text and "ett högre värde är sämre" in text
    assert f"{100 * p0:.1f}".replace(".", ",") + " % år 2018" in text
    assert f"+{change:.1f}".replace(".", ",") + " procentenheter" in text

    def signed(v):
        return f"{v:+.1f}".replace(".", ",").replace("-", "−")

    assert lo < 0 < hi  # the hand-computed interval includes zero
    assert f"95 %-intervall {signed(lo)} till {signed(hi)}; inte statistiskt säkerställd" in text
    # most favourable = lowest share (worse is higher); the tiny area is left out
    assert "mest gynnsamma värdet i Åby (2,0 %)" in text
    assert "minst gynnsamma i Berga (30,0 %)" in text and "Lilla" not in text


def test_programme_section_lists_the_four_target_areas_in_order():
    html = programme_section(_values(), {"low_income": LOW}, names={}, lang="en", threshold=5)
    heads = re.findall(r"<h3>([^<]*)</h3>", html)
    assert heads[:4] == [
        "A good start in life and good conditions for growing up",
        "Conditions for work",
        "Sustainable and equal living environments",
        "Participation, influence and trust",
    ]
    assert html.count("No indicator is declared") == 3


def test_grown_table_readable_with_intervals_and_no_empty_column():
    trend = pd.DataFrame(
        {
            "level": [None],
            "group": ["foreign_born"],
            "index": ["dissimilarity"],
            "year_first": [2018],
            "year_last": [2023],
            "value_first": [0.364],
            "value_last": [0.426],
            "change": [0.062],
            "p_value_increase": [0.01],
            "series_note": [None],
        }
    )
    seg = pd.DataFrame(
        {
            "year": [2018, 2023],
            "group": ["foreign_born"] * 2,
            "index": ["dissimilarity"] * 2,
            "value": [0.364, 0.426],
            "ci_low": [0.35, 0.41],
            "ci_high": [0.38, 0.44],
        }
    )
    tab = grown_table(trend, seg, group_labels={"foreign_born": "Utrikes födda"}, lang="sv")
    assert list(tab.columns) == [
        "Index",
        "Grupp",
        "Första året",
        "Värde, första året",
        "95 %-intervall, första året",
        "Sista året",
        "Värde, sista året",
        "95 %-intervall, sista året",
        "Förändring",
        "p-värde för en ökning",
    ]
    row = tab.iloc[0].tolist()
    assert row[:3] == ["Olikhetsindex (D)", "Utrikes födda", "2018"]
    assert row[4] == "0,350 – 0,380" and row[7] == "0,410 – 0,440"
    assert isinstance(tab.index, pd.RangeIndex)


def test_axes_from_zero_unless_the_change_would_vanish_and_ticks_never_repeat():
    assert zero_axis([0.2, 0.4]) and not zero_axis([0.350, 0.352])
    svg = trend_svg(
        {"x": pd.DataFrame({"year": [2018, 2019, 2020], "value": [0.3501, 0.3503, 0.3507]})},
        title="t",
        lang="sv",
    )
    ticks = re.findall(r'text-anchor="end">([^<]*)<', svg)
    assert len(ticks) == len(set(ticks)) >= 3
    assert all("," in t for t in ticks)
