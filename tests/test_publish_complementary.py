"""Secondary suppression: a hidden count is not recoverable from the counts published beside it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _smallcity import gpkg_tables, make_city, tooltips
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.publish.disclosure import Disclosure, gate_access, secondary_suppression


@pytest.mark.parametrize(
    ("counts", "hidden", "total", "expected"),
    [
        # two groups splitting the base: the complement goes
        ([3, 5115], [True, False], 5118, [False, True]),
        # four groups adding up to the base: the smallest count of the subtraction goes
        ([3, 100, 5015, 200], [True, False, False, False], 5318, [False, True, False, False]),
        # groups that do not add up to the base give nothing back: nothing more is hidden
        ([3, 100, 4000], [True, False, False], 5118, [False, False, False]),
        # two hidden counts whose sum is itself at the threshold are protected by each other
        ([3, 2, 5113], [True, True, False], 5118, [False, False, False]),
        # ... but not when their sum is still small
        ([1, 2, 5115], [True, True, False], 5118, [False, False, True]),
        # nothing hidden: nothing to protect
        ([30, 5088], [False, False], 5118, [False, False]),
    ],
)
def test_secondary_suppression_by_hand(counts, hidden, total, expected):
    more = secondary_suppression(counts, hidden, totals=[total], threshold=5)
    assert more.tolist() == expected
    # oracle: after hiding, no published subset of counts subtracted from the total leaves a
    # single hidden count
    published = [c for c, h, m in zip(counts, hidden, more, strict=True) if not (h or m)]
    sums = {0}
    for c in published:
        sums |= {s + c for s in sums}
    for c, h in zip(counts, hidden, strict=True):
        if h:
            assert (
                total - c not in sums
                or sum(x for x, y in zip(counts, hidden, strict=True) if y) >= 5
            )


def test_gate_access_hides_the_complement_of_a_hidden_group():
    acc = pd.DataFrame(
        {
            "id": ["a", "a", "a", "b", "b", "b"],
            "kind": "library",
            "group": ["pop_total", "foreign_born", "born_sweden"] * 2,
            "residents": [5118.0, 3.0, 5115.0, 900.0, 300.0, 600.0],
            "mean_minutes": [4.0] * 6,
            "share_within": [0.5] * 6,
            "share_unreachable": [0.0] * 6,
            "fca_ratio": [0.1] * 6,
        }
    )
    out = gate_access(acc, Disclosure())
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert out["residents"].isna().tolist() == [False, True, True, False, False, False]
    assert out.loc[2, "share_within"] != out.loc[2, "share_within"]  # NaN
    assert out.loc[0, "residents"] == 5118.0


def _numbers(text: str) -> set[str]:
    """Every number of a text with its thousands separators removed."""
    squashed = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)
    return set(re.findall(r"\d+", squashed))


def test_complement_of_a_hidden_count_is_in_no_published_file(tmp_path):
    config = make_city(tmp_path / "city", areas=12)
    reg_path = tmp_path / "city" / "registers" / "example_registers.csv"
    reg = pd.read_csv(reg_path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    latest = max(reg["year"])
    row = reg.index[(reg["year"] == latest)][0]
    code = reg.at[row, "area_code"]
    total = int(reg.at[row, "pop_total"])
    born_sweden = total - 3
    reg.loc[row, ["foreign_born", "born_sweden"]] = ["3", str(born_sweden)]
    reg.loc[row, ["born_nordic", "born_europe", "born_outside_europe"]] = ["1", "1", "1"]
    reg.to_csv(reg_path, sep=";", index=False, encoding="utf-8-sig")
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "[services]",
        '[indicators.born_sweden]\nnumerator = "born_sweden"\ndenominator = "pop_total"\n'
        'kind = "share"\nlabel_sv = "Inrikes födda"\nlabel_en = "Born in Sweden"\n'
        'worse = "none"\ntarget_area = "living"\n\n[services]',
        1,
    )
    # the complement is also a hotspot rate: its events are the born-in-Sweden count
    text = text.replace(
        'rates = ["low_economic_standard:pop_total"]',
        'rates = ["low_economic_standard:pop_total", "born_sweden:pop_total"]',
    )
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["-q", "run", str(config), "-o", str(out)])
    assert res.exit_code == 0, res.output
    secret = str(born_sweden)
    share = 100 * born_sweden / total

    def check(df: pd.DataFrame, where: str) -> int:
        key = "code" if "code" in df.columns else "id" if "id" in df.columns else None
        if key is None:
            return 0
        rows = df[df[key].astype(str) == code]
        if "year" in rows.columns:
            rows = rows[pd.to_numeric(rows["year"], errors="coerce") == int(latest)]
        for col in rows.columns:
            v = pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=float)
            assert not np.any(v == born_sweden), (where, col)
            assert not np.any(np.isclose(v, share, rtol=1e-9, atol=0)), (where, col)
        return len(rows)

    seen = 0
    for path in out.rglob("*.csv"):
        seen += check(pd.read_csv(path, dtype={"code": str, "id": str}), path.name)
    for name, df in gpkg_tables(out / "results.gpkg").items():
        seen += check(df, f"results.gpkg:{name}")
    assert seen
    ind = pd.read_csv(out / "indicator_values.csv", dtype={"code": str})
    mine = ind[(ind["code"] == code) & (ind["year"] == int(latest))].set_index("indicator")
    assert mine.loc[["foreign_born", "born_sweden"], "suppressed"].all()
    assert mine.loc[["foreign_born", "born_sweden"], "count"].isna().all()
    hidden = {"foreign_born": 100 * 3 / total, "born_sweden": share}
    _gaps_rest_on_published_values(out, ind, hidden, int(latest))
    # `geoseg trends --table gaps` publishes the same gaps as the run
    gaps = tmp_path / "gaps.csv"
    args = ["-q", "trends", str(config), "--table", "gaps", "--permutations", "9"]
    res = CliRunner().invoke(main, [*args, "--format", "csv", "-o", str(gaps)])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_csv(gaps), pd.read_csv(out / "gap_trends.csv"))
    pages: list[Path] = list((out / "maps").glob("*.html"))
    assert any("born_sweden" in p.name for p in pages)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for info in tooltips(html):
            rows = info.get(code)
            if rows is None:
                continue
            for r in rows[1]:
                assert secret not in _numbers(str(r[1])), (page.name, r)
    report = (out / "maps" / "report.html").read_text(encoding="utf-8")
    assert secret not in _numbers(report), "report"


def _gap_by_hand(values: np.ndarray, measure: str) -> tuple[float, float]:
    """(low, high) of a gap: P10 and P90 by linear interpolation between the order statistics
    (Hyndman & Fan definition 7), or the means of the bottom and top fifth of the areas."""
    v = np.sort(values)
    if measure == "p90_p10":

        def pct(q: float) -> float:
            h = (len(v) - 1) * q
            i = int(np.floor(h))
            return float(v[i] + (h - i) * (v[min(i + 1, len(v) - 1)] - v[i]))

        return pct(0.1), pct(0.9)
    k = max(int(np.floor(len(v) / 5 + 0.5)), 1)
    return float(v[:k].mean()), float(v[-k:].mean())


def _gaps_rest_on_published_values(
    out: Path, ind: pd.DataFrame, hidden: dict[str, float], year: int
) -> None:
    """Every published gap between areas is computed from the published values alone, so no
    percentile or quintile mean can fall on (and give back) a hidden share."""
    series = pd.read_csv(out / "gap_series.csv")
    summary = pd.read_csv(out / "gap_trends.csv")
    assert {"foreign_born", "born_sweden"} <= set(series["indicator"])
    shown = ind[~ind["suppressed"].astype(bool) & ind["value"].notna()]
    for row in series.itertuples():
        values = shown[(shown["indicator"] == row.indicator) & (shown["year"] == row.year)]
        low, high = _gap_by_hand(values["value"].to_numpy(dtype=float), row.measure)
        assert row.areas == len(values), row
        assert np.allclose([row.low, row.high, row.gap], [low, high, high - low]), row
    # the hidden shares were among the values a gap of their year would have rested on
    moved = 0
    for indicator, value in hidden.items():
        rows = series[(series["indicator"] == indicator) & (series["year"] == year)]
        values = shown[(shown["indicator"] == indicator) & (shown["year"] == year)]["value"]
        for row in rows.itertuples():
            low, high = _gap_by_hand(np.append(values.to_numpy(dtype=float), value), row.measure)
            moved += not np.allclose([row.low, row.high], [low, high])
    assert moved
    for row in summary.dropna(subset=["gap_last"]).itertuples():
        last = series[
            (series["indicator"] == row.indicator)
            & (series["measure"] == row.measure)
            & (series["year"] == row.last_year)
        ]
        assert np.isclose(row.gap_last, last["gap"].iloc[0]), row
