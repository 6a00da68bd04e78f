"""Batch computation: tidy output, years, levels, zero-population areas and refusals."""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import geoseg.segregation as seg
from geoseg.errors import CRSError, InputError, ValidationError


def _register():
    rng = np.random.default_rng(0)
    rows = []
    for year in (2020, 2021):
        t = rng.integers(20, 300, 12).astype(float)
        a = rng.binomial(t.astype(int), np.linspace(0.05, 0.8, 12)).astype(float)
        rows.append(
            pd.DataFrame(
                {
                    "code": [f"{i:04d}" for i in range(12)],
                    "year": year,
                    "tot": t,
                    "a": a,
                    "b": t - a,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _areas(crs="EPSG:3006"):
    geoms = [
        box(1000 * (i % 4), 1000 * (i // 4), 1000 * (i % 4) + 1000, 1000 * (i // 4) + 1000)
        for i in range(12)
    ]
    return gpd.GeoDataFrame(
        {"code": [f"{i:04d}" for i in range(12)]}, geometry=geoms, crs=crs
    ).set_index("code", drop=False)


def test_tidy_table_matches_pysal():
    from segregation.multigroup import MultiGini
    from segregation.singlegroup import Dissim, Isolation

    reg = _register()
    out = seg.compute_indices(
        reg,
        groups=["a", "b"],
        total="tot",
        id_column="code",
        index=["dissimilarity", "isolation", "multigroup_gini"],
    )
    assert list(out.columns) == seg.batch.COLUMNS
    assert len(out) == 2 * (2 * 2 + 1)
    for year, part in reg.groupby("year"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = Dissim(part, "a", "tot").statistic
            i = Isolation(part, "b", "tot").statistic
            g = MultiGini(part, ["a", "b"]).statistic
        sel = out[out.year == year].set_index(["group", "index"])["value"]
        assert sel[("a", "dissimilarity")] == pytest.approx(d)
        assert sel[("b", "isolation")] == pytest.approx(i)
        assert sel[("a+b", "multigroup_gini")] == pytest.approx(g)
    assert out[["p_value", "ci_low", "ci_high"]].isna().all().all()


def test_inference_columns_and_seed_stability():
    reg = _register()
    kw = {
        "groups": ["a"],
        "total": "tot",
        "id_column": "code",
        "permutations": 99,
        "ci": True,
        "ci_replicates": 99,
        "seed": 3,
    }
    one = seg.compute_indices(reg, index=["gini"], **kw)
    two = seg.compute_indices(reg, index=["dissimilarity", "gini"], **kw)
    pd.testing.assert_frame_equal(
        one.reset_index(drop=True), two[two["index"] == "gini"].reset_index(drop=True)
    )
    assert (one.p_value > 0).all() and (one.p_value <= 1).all()
    assert (one.ci_low <= one.value).all() and (one.value <= one.ci_high).all()


def test_levels_and_no_year_column():
    reg = _register()
    reg["level"] = np.where(reg["code"] < "0006", "inner", "outer")
    out = seg.compute_indices(
        reg, groups=["a"], total="tot", id_column="code", index="entropy", level="level"
    )
    assert set(out.level) == {"inner", "outer"} and len(out) == 4
    one = reg[reg.year == 2020].drop(columns="year")
    out = seg.compute_indices(one, groups=["a"], total="tot", id_column="code", index="entropy")
    assert out.year.isna().all() and len(out) == 1


def test_zero_population_dropped_and_missing_refused(caplog):
    reg = _register()
    reg.loc[0, ["tot", "a", "b"]] = 0.0
    with caplog.at_level(logging.INFO, logger="geoseg"):
        out = seg.compute_indices(
            reg, groups=["a"], total="tot", id_column="code", index="dissimilarity"
        )
    assert "zero population" in caplog.text
    part = reg[(reg.year == 2020) & (reg.tot > 0)]
    assert out.value.iloc[0] == pytest.approx(seg.dissimilarity(part, group="a", total="tot"))
    reg.loc[3, "a"] = np.nan
    with pytest.raises(ValidationError, match="0003 \\(2020\\)"):
        seg.compute_indices(reg, groups=["a"], total="tot", id_column="code")
    dup = pd.concat([_register(), _register().iloc[:1]])
    with pytest.raises(InputError, match="more than once"):
        seg.compute_indices(dup, groups=["a"], total="tot", id_column="code", index="gini")


def test_spatial_indices_need_projected_geometry(caplog):
    reg = _register()
    spatial = seg.available_indices(spatial=True)
    assert spatial, "the registry lists no spatial index"
    with caplog.at_level(logging.INFO, logger="geoseg"):
        out = seg.compute_indices(reg, groups=["a", "b"], total="tot", id_column="code")
    assert "spatial indices skipped" in caplog.text
    assert not set(out["index"]) & set(spatial)
    with pytest.raises(CRSError):
        seg.compute_indices(
            reg, groups=["a"], total="tot", id_column="code", areas=_areas().to_crs("EPSG:4326")
        )
    with pytest.raises(InputError, match="local"):
        seg.compute_indices(
            reg, groups=["a"], total="tot", id_column="code", index="location_quotient"
        )


def test_spatial_indices_are_called_generically_from_the_registry():
    import geoseg.segregation.spatial as spatial

    reg = _register()
    areas = _areas()
    out = seg.compute_indices(
        reg,
        groups=["a"],
        total="tot",
        id_column="code",
        areas=areas,
        index=["delta"],
        permutations=19,
    )
    first = reg[reg.year == 2020].set_index("code")
    gdf = areas.join(first[["a", "tot"]])
    got = out[out.year == 2020].set_index("index")["value"]
    assert got["delta"] == pytest.approx(spatial.delta(gdf, group="a", total="tot"))
    assert out.p_value.notna().all()


SPATIAL_WITH_EMPTY = [
    "delta",
    "absolute_centralization",
    "absolute_clustering",
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
    "spatial_prox_profile",
]


def test_spatial_indices_keep_zero_population_areas():
    reg = _register()
    empty = (reg.year == 2020) & (reg.code == "0005")  # an inner area with eight neighbours
    reg.loc[empty, ["tot", "a", "b"]] = 0.0
    areas = _areas()
    out = seg.compute_indices(
        reg, groups=["a"], total="tot", id_column="code", areas=areas, index=SPATIAL_WITH_EMPTY
    )
    got = out[out.year == 2020].set_index("index")["value"]
    gdf = areas.join(reg[reg.year == 2020].set_index("code")[["a", "tot"]])
    without = gdf.drop(index="0005")
    changed = 0
    for name in SPATIAL_WITH_EMPTY:
        func = getattr(seg, name)
        direct = func(gdf, group="a", total="tot")
        assert got[name] == pytest.approx(direct, rel=1e-12, abs=1e-12), name
        changed += direct != pytest.approx(func(without, group="a", total="tot"), rel=1e-9)
        test = seg.segregation_test(
            gdf, index=name, group="a", total="tot", areas=areas, permutations=9
        )
        assert test.statistic == pytest.approx(direct, rel=1e-12, abs=1e-12), name
    # dropping the empty area changes the geometry, hence the values
    assert changed >= 4
