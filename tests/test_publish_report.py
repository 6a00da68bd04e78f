import re

import numpy as np
import pandas as pd
import pytest
from _browser import browser, open_offline  # noqa: F401  (fixture)
from _mapdata import INJECTED, grid_areas

from geoseg.errors import InputError
from geoseg.publish.report import trend_svg, write_report


@pytest.fixture
def seg():
    rows = []
    for year, d in zip([2020, 2021, 2022, 2023], [0.30, 0.32, 0.35, 0.36], strict=True):
        for group, shift in (("foreign_born", 0.0), (INJECTED, 0.1)):
            rows.append(
                {
                    "year": year,
                    "level": "primary",
                    "group": group,
                    "index": "dissimilarity",
                    "value": d + shift,
                    "p_value": 0.001,
                    "ci_low": d + shift - 0.02,
                    "ci_high": d + shift + 0.02,
                }
            )
    return pd.DataFrame(rows)


def test_report_has_every_section_escaped_and_suppressed(tmp_path, seg):
    areas = grid_areas()
    codes = list(areas.index)
    hs = pd.DataFrame(
        {
            "value": np.arange(12.0),
            "I": 0.5,
            "quadrant": [1, 3] * 6,
            "p_adjusted": [0.01] * 6 + [0.5] * 6,
            "significant": [True] * 6 + [False] * 6,
        },
        index=codes,
    )
    acc = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "residents": [2.0] + [100.0] * 11,
            "mean_minutes": np.linspace(50, 5, 12),
            "median_minutes": 5.0,
            "share_within": [0.123456] + [0.5] * 11,
            "fca_ratio": 1.0,
        }
    )
    plan = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "before_minutes": 20.0,
            "after_minutes": 15.0,
            "change_minutes": -5.0,
            "residents": 100.0,
        }
    )
    table = pd.DataFrame({"pop": [4, 1234], "name": [INJECTED, "B"]}, index=["0101", "0102"])
    out = write_report(
        tmp_path / "report.html",
        title=f"Report {INJECTED}",
        lang="en",
        fictional=True,
        segregation=seg,
        tables={"Indicators": table},
        count_columns=["pop"],
        hotspots={"Income 2023": hs},
        access=acc,
        plan=plan,
        plan_verdict="passes",
        areas=areas,
        maps=[("maps/index.html", "All maps")],
        sources=["SCB RegSO 2023"],
    )
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html  # no script at all
    for head in (
        "Segregation: headline measures",
        "Hotspots",
        "Walking access",
        "Plan impact",
        "Methods",
        "Data sources",
        "Fictional example city",
    ):
        assert head in html
    assert "Duncan, O. D. and Duncan, B. (1955)" in html and "Anselin (1995)" in html
    assert "Luo &amp; Wang (2003)" in html
    # counts below 5 and the share of that area never appear
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "4" not in cells and "2" not in cells and "12.3" not in cells
    assert "&lt;5, suppressed" in cells
    assert "1,234" in cells
    # hotspot summary: 3 HH and 3 LL significant, 6 not significant
    assert re.search(r"High-High \(hotspot\)</td><td class=\"num\">3<", html)
    assert re.search(r"Not significant</td><td class=\"num\">6<", html)


def test_trend_chart_draws_one_point_per_year(seg):
    series = {g: p for g, p in seg.groupby("group")}
    svg = trend_svg(series, title="D", lang="sv")
    assert svg.count("<polyline") == 2
    pts = re.findall(r'<polyline points="([^"]+)"', svg)[0].split()
    assert len(pts) == 4
    xs = [float(p.split(",")[0]) for p in pts]
    ys = [float(p.split(",")[1]) for p in pts]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)  # rising index drawn upwards
    assert "<polygon" in svg  # confidence band
    assert INJECTED not in svg and "0,3" in svg  # Swedish decimal comma on the axis


def test_bad_segregation_table_names_the_columns(tmp_path):
    with pytest.raises(InputError, match="index, value"):
        write_report(tmp_path / "r.html", title="x", segregation=pd.DataFrame({"year": [2020]}))
    with pytest.raises(InputError, match="'fi'"):
        write_report(tmp_path / "r.html", title="x", lang="fi")


def _appendix_rows(html):
    """(label, formula, source) of each row of the appendix's methods table, unescaped."""
    import html as htmllib

    part = html[html.index('<section id="methods">') :]
    part = part[part.index('<p class="symbols">') :]
    table = part[: part.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]  # after the header
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S) for r in rows]
    return [tuple(htmllib.unescape(c) for c in row) for row in cells]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_appendix_gives_every_index_a_label_formula_and_source(tmp_path, lang):
    """Every index of the segregation table, headline or catalogue, aspatial, spatial,
    multigroup or local, is listed once in the appendix with its readable label in the
    report's language, the formula and the source recorded in the index registry."""
    import geoseg.segregation  # noqa: F401  (registers every index)
    from geoseg.i18n import index_label
    from geoseg.segregation import index_formula, index_source
    from geoseg.segregation.registry import INDICES

    names = sorted(INDICES)
    rows = [
        {"year": y, "level": "", "group": "g", "index": n, "value": 0.1 + 0.01 * (y - 2020)}
        for n in names
        for y in (2020, 2021)
    ]
    out = write_report(tmp_path / "r.html", title="x", lang=lang, segregation=pd.DataFrame(rows))
    found = {r[0]: r for r in _appendix_rows(out.read_text(encoding="utf-8"))}
    other = "en" if lang == "sv" else "sv"
    for name in names:
        label = index_label(name, lang)
        assert "_" not in label and label != name, name
        assert label in found, (name, label)
        _, formula, source = found[label]
        assert formula == index_formula(name) and "=" in formula, name
        assert source == index_source(name) and source, name
        assert label != index_label(name, other), name  # its own word in each language


def test_long_file_names_do_not_widen_the_page_on_a_phone(browser, tmp_path):  # noqa: F811
    """A data source named by a long file name wraps: the report never scrolls sideways at
    phone width (390 px)."""
    name = "gbg_regso_birthplace_income_tenure_2020_2023_with_a_long_suffix.csv"
    out = write_report(
        tmp_path / "report.html",
        title="Report",
        lang="en",
        sources=[f"Register of persons per area, 2020–2023: {name}"],
    )
    page, log = open_offline(browser, out)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(100)
        assert name in page.locator("body").inner_text().replace("\n", "")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        assert not log.page_errors
    finally:
        page.close()
