"""Register statistics of the example city: a clustered, widening segregation gradient."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.example._land import Land

__all__ = ["COLUMNS", "ELECTION_YEARS", "YEARS", "disadvantage", "make_registers", "split_counts"]

YEARS = tuple(range(2018, 2024))
ELECTION_YEARS = (2018, 2022)
COLUMNS = (
    "area_code", "year", "pop_total", "born_sweden", "foreign_born", "born_nordic",
    "born_europe", "born_outside_europe", "age_0_5", "age_6_15", "age_16_19", "age_20_64",
    "age_65_plus", "employed_20_64", "low_economic_standard", "median_income_tkr",
    "dwellings_rental", "dwellings_tenant_owned", "dwellings_owner_occupied", "voter_turnout",
)  # fmt: skip


def split_counts(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split integer totals into integer parts by shares (largest-remainder rounding).

    Parameters
    ----------
    total
        Integer totals, shape ``(m,)``.
    shares
        Non-negative shares, shape ``(m, k)``; each row is normalised to sum to one.

    Returns
    -------
    numpy.ndarray
        Integer counts, shape ``(m, k)``, each row summing exactly to its total.

    Notes
    -----
    Hamilton's largest-remainder method: floor every quota, then give the remaining units to the
    largest fractional parts.
    """
    total = np.asarray(total, dtype=np.int64)
    shares = np.asarray(shares, dtype=float)
    shares = shares / shares.sum(axis=1, keepdims=True)
    raw = total[:, None] * shares
    base = np.floor(raw).astype(np.int64)
    rest = total - base.sum(axis=1)
    order = np.argsort(-(raw - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(shares.shape[1])[None, :], axis=1)
    return base + (rank < rest[:, None])


def _bump(x: np.ndarray, y: np.ndarray, cx: float, cy: float, sigma: float) -> np.ndarray:
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))


def disadvantage(land: Land, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth, clustered disadvantage field in (0, 1) at points ``x, y`` plus per-point noise.

    A large cluster in the north-east (district 2), a smaller one in the south-west (district 3)
    and an advantaged centre, on top of a smooth random field.
    """
    xmin, ymin, _, _ = land.bounds
    L = land.side
    ne_x = xmin + 0.8 * L
    ne_y = float(land.river_y(np.array([ne_x]))[0]) + 0.22 * L
    raw = (
        1.05 * _bump(x, y, ne_x, ne_y, 0.17 * L)
        + 0.75 * _bump(x, y, xmin + 0.36 * L, ymin + 0.2 * L, 0.09 * L)
        - 0.35 * _bump(x, y, *land.centre, 0.1 * L)
    )
    k = rng.normal(size=(6, 2)) * (2 * np.pi / (0.45 * L))
    ph = rng.uniform(0, 2 * np.pi, 6)
    raw = raw + 0.12 * np.cos(np.column_stack([x, y]) @ k.T + ph).sum(axis=1) / np.sqrt(3)
    raw = raw + rng.normal(0, 0.07, len(x))
    return 1.0 / (1.0 + np.exp(-4.5 * (raw - 0.45)))


def make_registers(areas: gpd.GeoDataFrame, land: Land, rng: np.random.Generator) -> pd.DataFrame:
    """Tidy register table, one row per (area, year), columns :data:`COLUMNS`.

    Parameters
    ----------
    areas
        Areas with ``code``, ``island`` and geometry.
    land
        Land and water (centre and frame size set the gradients).
    rng
        Random generator.

    Returns
    -------
    pandas.DataFrame
        Integer counts that add up (age bands and birth regions sum to ``pop_total``), amounts
        ``median_income_tkr`` and ``voter_turnout`` (NaN outside election years).
    """
    m, T = len(areas), len(YEARS)
    pt = areas.geometry.representative_point()
    x, y = pt.x.to_numpy(), pt.y.to_numpy()
    island = areas["island"].to_numpy(bool)
    s0 = disadvantage(land, x, y, rng)
    s0[island] = rng.uniform(0.03, 0.12, int(island.sum()))
    t = np.arange(T)[None, :]
    s = np.clip(s0[:, None] + 0.04 * t * (s0[:, None] - 0.3), 0.01, 0.99)  # widening gap
    cx, cy = land.centre
    central = _bump(x, y, cx, cy, 0.2 * land.side)

    km2 = areas.geometry.area.to_numpy() / 1e6
    density = 1000.0 + 4200.0 * central + 2200.0 * s0
    pop0 = np.clip(density * km2 * rng.lognormal(0.0, 0.25, m), 450.0, 7500.0)
    isl_idx = np.flatnonzero(island)
    pop0[isl_idx] = np.clip(km2[isl_idx] * rng.uniform(150, 900, len(isl_idx)), 20, 900)
    skerries = isl_idx[np.argsort(km2[isl_idx])][: min(2, len(isl_idx))]
    pop0[skerries] = rng.integers(2, 5, len(skerries))
    growth = rng.normal(0.006, 0.006, m) + 0.012 * s0
    growth[skerries] = 0.0
    pop = np.round(pop0[:, None] * (1.0 + growth[:, None]) ** t).astype(np.int64)
    pop = np.maximum(pop, 1)

    def noise(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, (m, 1)) + rng.normal(0.0, sd / 8, (m, T))

    flat = pop.ravel()
    sf = s.ravel()
    f = np.clip(0.05 + 0.62 * s + noise(0.03), 0.02, 0.9).ravel()
    born = split_counts(flat, np.column_stack([1 - f, f]))
    region = split_counts(
        born[:, 1], np.column_stack([0.22 - 0.17 * sf, 0.45 - 0.28 * sf, 0.33 + 0.45 * sf])
    )
    old = np.clip(0.21 - 0.12 * s + noise(0.02) + 0.1 * island[:, None], 0.05, 0.4).ravel()
    ages = np.column_stack(
        [0.055 + 0.045 * sf, 0.09 + 0.06 * sf, 0.04 + 0.012 * sf, np.zeros_like(sf), old]
    )
    ages[:, 3] = 1.0 - ages.sum(axis=1)
    age = split_counts(flat, ages)
    emp_rate = np.clip(0.87 - 0.37 * s + noise(0.025), 0.3, 0.95).ravel()
    employed = np.floor(age[:, 3] * emp_rate + 0.5).astype(np.int64)
    low_rate = np.clip(0.04 + 0.33 * s + noise(0.015), 0.005, 0.6).ravel()
    low = np.floor(flat * low_rate + 0.5).astype(np.int64)
    income = ((335.0 - 175.0 * s + noise(8.0)) * 1.025**t).ravel()
    households = np.maximum(1, np.round(flat / (1.85 + 0.75 * sf))).astype(np.int64)
    rental = np.clip(0.08 + 0.85 * s + noise(0.04), 0.02, 0.97)
    rental[island] = 0.04
    to_share = np.clip(0.25 + 0.65 * central[:, None] + noise(0.05), 0.05, 0.95)
    to_share[island] = 0.1
    rental, to_share = rental.ravel(), to_share.ravel()
    dwell = split_counts(
        households,
        np.column_stack([rental, (1 - rental) * to_share, (1 - rental) * (1 - to_share)]),
    )
    turnout = np.clip(89.0 - 30.0 * s + noise(1.5), 35.0, 97.0).ravel()
    years = np.tile(np.array(YEARS), m)
    turnout[~np.isin(years, ELECTION_YEARS)] = np.nan

    df = pd.DataFrame(
        {
            "area_code": np.repeat(areas["code"].to_numpy(), T),
            "year": years,
            "pop_total": flat,
            "born_sweden": born[:, 0],
            "foreign_born": born[:, 1],
            "born_nordic": region[:, 0],
            "born_europe": region[:, 1],
            "born_outside_europe": region[:, 2],
            "age_0_5": age[:, 0],
            "age_6_15": age[:, 1],
            "age_16_19": age[:, 2],
            "age_20_64": age[:, 3],
            "age_65_plus": age[:, 4],
            "employed_20_64": employed,
            "low_economic_standard": low,
            "median_income_tkr": np.round(income, 1),
            "dwellings_rental": dwell[:, 0],
            "dwellings_tenant_owned": dwell[:, 1],
            "dwellings_owner_occupied": dwell[:, 2],
            "voter_turnout": np.round(turnout, 1),
        }
    )
    return df[list(COLUMNS)]
