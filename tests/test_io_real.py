"""The loaders on Gothenburg's real boundaries and statistics (../shared/data/real)."""

from __future__ import annotations

import pytest

from geoseg.io import (
    check_register_against_areas,
    compare_codes,
    read_boundaries,
    read_layer,
    read_register,
)

pytestmark = pytest.mark.real


def test_primaromraden_with_population(real_data):
    folder = real_data / "gbg_omraden"
    areas = read_boundaries(
        folder / "primaromraden.gpkg", id_column="omrade_kod", name_column="omrade_namn"
    )
    assert len(areas) == 96 and areas.crs.to_epsg() == 3006
    assert all(isinstance(c, str) for c in areas.index)
    # SOURCE.md: polygon areas sum to 459.25 km²
    assert areas.area.sum() / 1e6 == pytest.approx(459.25, abs=0.01)
    reg = read_register(
        folder / "befolkning_primaromraden_2025_jan_okt.csv",
        id_column="omrade_kod",
        year_column=None,
        count_columns=["jan_1", "oktober"],
        amount_columns=["forandring", "forandring_procent"],
    )
    assert all(isinstance(c, str) for c in reg["omrade_kod"])
    assert reg["jan_1"].sum() == 608_948 and reg["oktober"].sum() == 613_393  # SOURCE.md
    warnings = check_register_against_areas(reg, areas, id_column="omrade_kod")
    assert compare_codes(reg, areas, id_column="omrade_kod") == (["199"], [])
    assert len(warnings) == 1 and "199" in warnings[0] and "no polygon" in warnings[0]

    ages = read_register(
        real_data / "gbg_kvarboende_2025" / "population_agegroups_2025-12-31_and_kvarboende.csv",
        id_column="omrade_kod",
        year_column=None,
        count_columns=["age_0_18", "age_19_65", "age_66plus"],
        total_column="total",
        amount_columns=["kvar_population", "kvar_count"],
    )
    pri = ages[ages["niva"] == "primaromrade"]
    assert len(pri) == 97
    assert pri["total"].sum() == ages.loc[ages["niva"] == "kommun", "total"].iloc[0] == 613_276
    no_polygon, no_data = compare_codes(pri, areas, id_column="omrade_kod")
    assert no_polygon == ["199"] and no_data == []


def test_basomraden_code_quirk(real_data):
    folder = real_data / "gbg_omraden"
    areas = read_boundaries(folder / "basomraden.gpkg", id_column="omrade_kod")
    assert len(areas) == 1025
    reg = read_register(
        folder / "befolkning_basomraden_2025_jan_okt.csv",
        id_column="omrade_kod",
        year_column=None,
        count_columns=["jan_1", "oktober"],
    )
    no_polygon, no_data = compare_codes(reg, areas, id_column="omrade_kod")
    assert "30616" in no_polygon and "99990" in no_polygon and len(no_polygon) == 212
    assert no_data == ["30516"]
    warnings = check_register_against_areas(reg, areas, id_column="omrade_kod")
    assert any("30516" in w and "no row" in w for w in warnings)


def test_regso_register_joins_all_147(real_data):
    areas = read_boundaries(
        real_data / "gbg_omraden" / "regso_goteborg.gpkg",
        id_column="regsokod",
        name_column="regsonamn",
    )
    assert len(areas) == 147
    reg = read_register(
        real_data / "gbg_regso_scb" / "gbg_regso_birthplace_income_tenure_2020_2023.csv",
        id_column="regsokod",
        count_columns=["pop_born_sweden", "pop_foreign_born"],
        total_column="pop_total",
        amount_columns=["mean_wage_income_tkr"],
    )
    assert len(reg) == 588 and sorted(reg["year"].unique()) == [2020, 2021, 2022, 2023]
    assert check_register_against_areas(reg, areas, id_column="regsokod", year_column="year") == []
    totals = reg.groupby("year")["pop_total"].sum().to_dict()
    assert totals == {2020: 583_056, 2021: 587_549, 2022: 596_841, 2023: 604_616}  # SOURCE.md
    latest = reg[reg["year"] == 2023].set_index("regsokod")[["pop_total"]]
    joined = areas[["geometry"]].join(latest)
    assert joined["pop_total"].notna().all()


def test_sea_in_sweref_12_00_reprojected(real_data):
    sea = read_layer(real_data / "gbg_omraden" / "hav_goteborg.gpkg")
    assert sea.crs.to_epsg() == 3006
    # Gothenburg lies at about x 300-330 km, y 6.38-6.42 million m in SWEREF 99 TM
    minx, miny, maxx, maxy = sea.total_bounds
    assert 250_000 < minx < maxx < 360_000 and 6_350_000 < miny < maxy < 6_450_000


def test_geographic_geojson_reprojected(real_data):
    folder = real_data / "gbg_omraden"
    wgs = read_boundaries(
        folder / "primaromraden_wgs84_simplified2m.geojson", id_column="omrade_kod"
    )
    sweref = read_boundaries(folder / "primaromraden.gpkg", id_column="omrade_kod")
    assert wgs.crs.to_epsg() == 3006
    assert sorted(wgs.index) == sorted(sweref.index)
    # SOURCE.md: simplification changed the total area by < 0.01 %
    ratio = wgs.area.sort_index() / sweref.area.sort_index()
    assert ratio.between(0.99, 1.01).all()
    assert wgs.area.sum() == pytest.approx(sweref.area.sum(), rel=1e-4)
