"""Area systems: aggregation by codes and containment, interpolation between systems."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from shapely.geometry import Point, box
from tobler.area_weighted import area_interpolate

from geoseg.areas import (
    chain_links,
    code_links,
    compare_totals,
    containment_links,
    interpolation_links,
    move_counts,
)

CRS = "EPSG:3006"


def _grid(n: int, size: float, prefix: str, x0: float = 0.0, y0: float = 0.0) -> gpd.GeoDataFrame:
    """An n x n grid of square areas of side ``size``, coded prefix + row + column."""
    rows = []
    for i in range(n):
        for j in range(n):
            rows.append(
                (
                    f"{prefix}{i}{j}",
                    box(x0 + j * size, y0 + i * size, x0 + (j + 1) * size, y0 + (i + 1) * size),
                )
            )
    codes, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"code": list(codes)}, geometry=list(geoms), crs=CRS, index=pd.Index(codes, dtype=object)
    )


@pytest.fixture
def nested() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """16 small squares in 4 parents (2 x 2 each), a parent-code column and a register."""
    small = _grid(4, 100.0, "s")
    parent = []
    for code in small.index:
        i, j = int(code[1]), int(code[2])
        parent.append(f"p{i // 2}{j // 2}")
    small["parent"] = parent
    big = _grid(2, 200.0, "p")
    rng = np.random.default_rng(7)
    rows = []
    for year in (2020, 2021):
        for code in small.index:
            total = int(rng.integers(50, 500))
            group = int(rng.integers(0, total))
            rows.append((code, year, total, group, float(rng.uniform(150, 400))))
    register = pd.DataFrame(rows, columns=["area", "year", "pop", "foreign", "income"])
    return small, big, register


def test_code_aggregation_equals_groupby_sum(nested):
    small, _, register = nested
    links = code_links(small["parent"])
    moved = move_counts(
        register, links, id_column="area", year_column="year", counts=["pop", "foreign"]
    )
    expected = (
        register.assign(area=register["area"].map(small["parent"]))
        .groupby(["area", "year"])[["pop", "foreign"]]
        .sum()
    )
    got = moved.register.set_index(["area", "year"])[["pop", "foreign"]]
    pd.testing.assert_frame_equal(got.sort_index(), expected.astype(float).sort_index())
    assert moved.unlinked == []
    assert moved.kept_share == {"pop": 1.0, "foreign": 1.0}


def test_amounts_are_means_weighted_by_persons(nested):
    small, _, register = nested
    moved = move_counts(
        register,
        code_links(small["parent"]),
        id_column="area",
        year_column="year",
        counts=["pop"],
        amounts=["income"],
        amount_weight="pop",
    )
    reg = register.assign(parent=register["area"].map(small["parent"]))
    one = reg[(reg["parent"] == "p01") & (reg["year"] == 2021)]
    expected = float((one["income"] * one["pop"]).sum() / one["pop"].sum())
    got = moved.register.set_index(["area", "year"]).loc[("p01", 2021), "income"]
    assert got == pytest.approx(expected, rel=1e-12)


def test_containment_equals_crosswalk_with_slivers(nested):
    small, big, register = nested
    # a digitising sliver: each small square pokes 0.5 m into its neighbour
    wobbly = small.copy()
    wobbly["geometry"] = small.geometry.buffer(0.5, join_style="mitre")
    found = containment_links(wobbly, big)
    assert found.split.empty
    by_codes = code_links(small["parent"])
    pd.testing.assert_frame_equal(
        found.links.sort_values("source").reset_index(drop=True),
        by_codes.sort_values("source").reset_index(drop=True),
    )
    a = move_counts(register, found.links, id_column="area", year_column="year", counts=["pop"])
    b = move_counts(register, by_codes, id_column="area", year_column="year", counts=["pop"])
    pd.testing.assert_frame_equal(a.register, b.register)


def test_containment_reports_split_areas_with_shares():
    parents = _grid(2, 200.0, "p")
    # one child straddles p00 and p01: 150 m in p00, 50 m in p01
    children = gpd.GeoDataFrame(
        geometry=[box(0, 0, 100, 100), box(50, 100, 250, 200)],
        index=pd.Index(["c1", "c2"], dtype=object),
        crs=CRS,
    )
    found = containment_links(children, parents)
    assert list(found.split["source"]) == ["c2"]
    row = found.split.iloc[0]
    assert row["target"] == "p00"
    assert row["share"] == pytest.approx(0.75)
    assert row["parents"] == "p00 75.0%, p01 25.0%"
    assert dict(zip(found.links["source"], found.links["target"], strict=True)) == {
        "c1": "p00",
        "c2": "p00",
    }


def _non_nesting() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    source = _grid(3, 100.0, "a")
    target = _grid(2, 130.0, "b", x0=10.0, y0=-20.0)  # overlaps partly, not nested
    rng = np.random.default_rng(3)
    source["pop"] = rng.integers(100, 1000, len(source)).astype(float)
    source["foreign"] = np.floor(source["pop"] * rng.uniform(0.1, 0.6, len(source)))
    return source, target


def test_area_interpolation_equals_tobler():
    source, target = _non_nesting()
    links = interpolation_links(source, target)
    register = source[["code", "pop", "foreign"]].reset_index(drop=True)
    moved = move_counts(register, links, id_column="code", counts=["pop", "foreign"])
    got = moved.register.set_index("code").loc[target.index, ["pop", "foreign"]]
    expected = area_interpolate(source, target, extensive_variables=["pop", "foreign"])
    # tobler stores its intersection table in float32: equal to that precision
    np.testing.assert_allclose(
        got.to_numpy(), expected[["pop", "foreign"]].to_numpy(), rtol=2e-7, atol=0
    )
    # with a float64 intersection table from geopandas' overlay, tobler's formula agrees to
    # the last digits
    pieces = gpd.overlay(
        source[["code", "geometry"]].rename(columns={"code": "s"}),
        target[["code", "geometry"]].rename(columns={"code": "t"}),
        how="intersection",
    )
    table = sparse.coo_matrix(
        (
            pieces.area.to_numpy(),
            (source.index.get_indexer(pieces["s"]), target.index.get_indexer(pieces["t"])),
        ),
        shape=(len(source), len(target)),
        dtype=np.float64,
    ).tocsr()
    exact = area_interpolate(source, target, extensive_variables=["pop", "foreign"], table=table)
    np.testing.assert_allclose(
        got.to_numpy(), exact[["pop", "foreign"]].to_numpy(), rtol=1e-12, atol=0
    )
    # every source overlaps a target, so the city total is kept (tobler's allocate_total)
    assert got["pop"].sum() == pytest.approx(source["pop"].sum(), rel=1e-12)


def test_population_weighted_interpolation_hand_computed():
    # source: two 100 x 100 squares; target: left 150 m and right 50 m of the strip
    source = gpd.GeoDataFrame(
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        index=pd.Index(["A", "B"], dtype=object),
        crs=CRS,
    )
    target = gpd.GeoDataFrame(
        geometry=[box(0, 0, 150, 100), box(150, 0, 200, 100)],
        index=pd.Index(["L", "R"], dtype=object),
        crs=CRS,
    )
    # people in B: 30 at x=120 (in L), 90 at x=180 (in R); A has no grid points
    people = gpd.GeoDataFrame(
        {"population": [30.0, 90.0]}, geometry=[Point(120, 50), Point(180, 50)], crs=CRS
    )
    links = interpolation_links(source, target, people=people, weight="population")
    register = pd.DataFrame({"code": ["A", "B"], "pop": [400.0, 800.0]})
    moved = move_counts(register, links, id_column="code", counts=["pop"])
    got = moved.register.set_index("code")["pop"]
    # A wholly in L (by area, no people points); B: 800 * 30/120 to L, 800 * 90/120 to R
    assert got["L"] == pytest.approx(400 + 800 * 0.25)
    assert got["R"] == pytest.approx(800 * 0.75)
    # by area alone B would split half and half
    by_area = interpolation_links(source, target)
    b = by_area[by_area["source"] == "B"].set_index("target")["weight"]
    assert b["L"] == pytest.approx(0.5)
    assert b["R"] == pytest.approx(0.5)


def test_chain_and_unlinked_codes(nested):
    small, big, register = nested
    to_parent = code_links(small["parent"])
    to_city = code_links(pd.Series({c: "city" for c in big.index}))
    extra = pd.DataFrame({"area": ["199"], "year": [2020], "pop": [77], "foreign": [7]})
    reg = pd.concat([register.drop(columns="income"), extra], ignore_index=True)
    moved = move_counts(
        reg,
        chain_links(to_parent, to_city),
        id_column="area",
        year_column="year",
        counts=["pop", "foreign"],
    )
    assert moved.unlinked == ["199"]
    table = moved.register.set_index(["area", "year"])
    assert table.loc[("city", 2020), "pop"] == register.loc[register["year"] == 2020, "pop"].sum()
    assert table.loc[("199", 2020), "pop"] == 77
    # the city total, the unlinked code included, is kept
    assert moved.register["pop"].sum() == reg["pop"].sum()


def test_compare_totals():
    check = compare_totals(
        pd.Series({"a": 110.0, "b": 90.0, "c": 5.0}), pd.Series({"a": 100.0, "b": 100.0, "d": 1.0})
    )
    assert check.absolute_error_share == pytest.approx(0.1)
    assert check.total_error == pytest.approx(0.0)
    assert check.missing_known == ["c"]
    assert check.missing_estimate == ["d"]
    assert check.largest in ("a", "b")
