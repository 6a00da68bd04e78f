"""Batch computation: many indices for many years, groups and area levels as one tidy table."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geoseg.errors import InputError, ValidationError, format_codes
from geoseg.segregation._engine import null_single, split_options
from geoseg.segregation._inputs import Prepared, check_projected, spatial_context
from geoseg.segregation._replicates import (
    evaluate_tables,
    observed,
    p_value,
    percentile_interval,
    simulate_bootstrap,
    simulate_null,
)
from geoseg.segregation._tables import multi_counts, single_counts
from geoseg.segregation.registry import INDICES, IndexSpec, get_index
from geoseg.settings import DEFAULT_SEED, random_generator

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["COLUMNS", "available_indices", "compute_indices"]

logger = logging.getLogger(__name__)

#: Largest single-group null table (cells) kept in memory and shared across indices.
_SHARED_CELLS = 30_000_000

#: Columns of the tidy result table.
COLUMNS = ["year", "level", "group", "index", "value", "p_value", "ci_low", "ci_high"]


def available_indices(*, kind: str | None = None, spatial: bool | None = None) -> list[str]:
    """Names of the registered city-wide indices (single-group and multigroup), sorted."""
    _load_spatial()
    return sorted(
        name
        for name, spec in INDICES.items()
        if not _is_local(spec)
        and (kind is None or spec.kind == kind)
        and (spatial is None or spec.spatial == spatial)
    )


def index_source(name: str) -> str:
    """The published source of the formula of index ``name`` (empty when none is recorded).

    Raises
    ------
    InputError
        When ``name`` is not a registered index.
    """
    _load_spatial()
    return get_index(name).source


def index_formula(name: str) -> str:
    """The formula of index ``name`` in plain typographic text (empty when none is recorded).

    Symbols: ``xᵢ`` the group's count in area ``i``, ``tᵢ`` all residents, ``pᵢ = xᵢ/tᵢ``,
    ``yᵢ = tᵢ − xᵢ``, ``X``, ``Y``, ``T``, ``P = X/T`` the city's; ``pᵢₘ`` and ``Pₘ`` the share of
    group ``m`` in area ``i`` and in the city (multigroup indices).

    Raises
    ------
    InputError
        When ``name`` is not a registered index.
    """
    _load_spatial()
    return get_index(name).formula


def _is_local(spec: IndexSpec) -> bool:
    """Local indices (one value per area): kind ``"local"`` or registered with ``local=True``."""
    return spec.kind == "local" or bool(spec.options.get("local"))


def _load_spatial() -> None:
    """Import the spatial index modules so that they register (if they are installed)."""
    import importlib

    for mod in ("geoseg.segregation.spatial", "geoseg.segregation.spatial_local"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def _codes(register: pd.DataFrame, id_column: str | None) -> pd.Series:
    if id_column is None:
        return pd.Series(register.index.astype(str), index=register.index)
    if id_column not in register.columns:
        if register.index.name == id_column:
            return pd.Series(register.index.astype(str), index=register.index)
        msg = f"register: id column {id_column!r} not found; columns: {', '.join(register.columns)}"
        raise InputError(msg)
    return register[id_column].astype(str)


def _check_missing(
    register: pd.DataFrame, columns: Sequence[str], codes: pd.Series, year_column: str | None
) -> None:
    missing = [c for c in columns if c not in register.columns]
    if missing:
        msg = (
            f"register: column(s) {', '.join(map(repr, missing))} not found; available: "
            f"{', '.join(map(str, register.columns))}"
        )
        raise InputError(msg)
    problems = []
    for col in columns:
        bad = register[col].isna().to_numpy()
        if bad.any():
            where = codes[bad].to_numpy()
            if year_column:
                yrs = register.loc[bad, year_column].to_numpy()
                where = np.array([f"{c} ({y})" for c, y in zip(where, yrs, strict=True)])
            problems.append(
                f"column {col!r} has missing counts for areas {format_codes(where)}; fill them "
                "(for example with 0 if nobody lives there) or drop these rows"
            )
    if problems:
        source = "register"
        raise ValidationError(source, problems)


def _areas_for(areas: Any, level: Any) -> Any:
    if isinstance(areas, Mapping):
        return areas.get(level)
    return areas


def compute_indices(
    register: pd.DataFrame,
    *,
    groups: Sequence[str],
    total: str | None = None,
    index: Sequence[str] | str | None = None,
    areas: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None = None,
    id_column: str | None = None,
    year_column: str | None = "year",
    level: str | None = None,
    multigroup: Sequence[str] | bool | None = None,
    permutations: int = 0,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    null: Literal["evenness", "systematic"] = "evenness",
    ci: bool = False,
    ci_level: float = 0.95,
    ci_replicates: int = 999,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Compute segregation indices for every year, level and group as one tidy table.

    Parameters
    ----------
    register
        Tidy table, one row per (area, year[, level]) with count columns (int or float).
    groups
        Group count columns. Single-group indices are computed for each of them against
        ``total``; multigroup indices for all of them together (see ``multigroup``).
    total
        Total population column, needed by single-group indices (they are skipped, with a
        logged note, without it).
    index
        Index names (see :func:`available_indices`); ``None`` means every registered index.
    areas
        GeoDataFrame of the areas indexed by area code (projected CRS), or a mapping
        ``{level: GeoDataFrame}``. Spatial indices are skipped with a logged note without it;
        a geographic CRS is refused (:class:`geoseg.errors.CRSError`).
    id_column
        Register column with the area code (default: the register's index).
    year_column
        Column with the year; when absent from the register all rows are one period.
    level
        Optional register column naming the area level of each row (for example
        ``"primärområde"`` and ``"mellanområde"``); each level is computed separately.
    multigroup
        Columns for the multigroup indices: ``None`` or ``True`` uses ``groups`` (when there
        are at least two), ``False`` skips them, a list uses those columns.
    permutations
        Number of simulated tables for p-values (0: no p-values). The single-group indices of
        one group and year are evaluated on the same simulated tables. The p-value is two-sided
        (an index can be far from its null value in either direction; exposure indices such
        as ``interaction`` fall, not rise, with segregation).
    seed
        Seed; each row gets its own generator derived from the seed and the row's year, level,
        group and index (:func:`geoseg.settings.random_generator`), so a value does not
        depend on which other indices are computed. The three simulation-based indices use
        their exact method by default and draw nothing.
    null
        Null model of the randomization test (see
        :func:`geoseg.segregation.inference.segregation_test`).
    ci
        Add percentile bootstrap intervals (residents redrawn within each area, see
        :func:`geoseg.segregation.inference.bootstrap_ci`).
    ci_level, ci_replicates
        Confidence level and number of bootstrap tables.
    options
        Per-index options, such as ``{"atkinson": {"b": 0.3}}``; for a spatial index, options
        its ``prepare`` accepts go there and the rest to its core.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, level, group, index, value, p_value, ci_low, ci_high``; multigroup
        rows have the groups joined by ``+`` as ``group``; NaN where not computed.

    Notes
    -----
    Areas whose population is zero in a year are left out of that year's aspatial indices
    (logged); spatial indices keep them, because they still hold land and neighbours that
    shape contiguity, areas and distances (their group share counts as zero). Missing
    counts are refused, naming the area codes and years. Where an index is undefined for a
    table (a group with no members) the value is NaN and the reason is logged.

    The geometry context of the spatial indices (distances, contiguity) is built once per
    layer and shared by every period. With ``permutations``, the single-group indices of one
    group and period are evaluated on one set of null tables, drawn once from a generator
    derived from the seed, the period and the group.
    """
    _load_spatial()
    names = _resolve_names(index)
    opts: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (options or {}).items()}
    groups = list(groups)
    mg: list[str] = []
    if multigroup is None or multigroup is True:
        mg = groups if len(groups) >= 2 else []
    elif multigroup is not False:
        mg = list(multigroup)  # type: ignore[arg-type]
    specs = [get_index(n) for n in names]
    single = [s for s in specs if s.kind == "single"]
    multi = [s for s in specs if s.kind == "multi"]
    if single and total is None:
        logger.info("no total column given: single-group indices skipped")
        single = []
    if multi and not mg:
        logger.info("fewer than two groups: multigroup indices skipped")
        multi = []
    if any(s.spatial for s in single + multi):
        if areas is None:
            skipped = sorted(s.name for s in single + multi if s.spatial)
            logger.info("no area geometry given: spatial indices skipped (%s)", ", ".join(skipped))
            single = [s for s in single if not s.spatial]
            multi = [s for s in multi if not s.spatial]
        else:
            for layer in areas.values() if isinstance(areas, Mapping) else [areas]:
                check_projected(layer)
    columns = list(dict.fromkeys([*groups, *([total] if total else []), *mg]))
    codes = _codes(register, id_column)
    has_year = year_column is not None and year_column in register.columns
    if level is not None and level not in register.columns:
        msg = f"register: level column {level!r} not found"
        raise InputError(msg)
    _check_missing(register, columns, codes, year_column if has_year else None)
    frame = register.loc[:, columns].copy()
    frame.index = pd.Index(codes.to_numpy(), name="code")
    none = np.full(len(register), None, dtype=object)
    keys = pd.DataFrame(
        {
            "year": register[year_column].to_numpy() if has_year else none,
            "level": register[level].to_numpy() if level else none,
        }
    )
    rows: list[dict[str, Any]] = []
    run = _Run(opts, seed, int(permutations), null, ci, ci_level, int(ci_replicates))
    groups_of_rows: dict[Any, Any] = keys.groupby(
        ["year", "level"], dropna=False, sort=True
    ).indices
    periods: list[tuple[Any, Any, str, Any, pd.DataFrame, dict[str, tuple]]] = []
    for key, pos in groups_of_rows.items():
        yr, lv = key
        table = frame.iloc[pos]
        _check_unique(table, yr, lv)
        year = None if not has_year else _plain(yr)
        lvl = None if not level else _plain(lv)
        what = f"year {year}" if has_year else "the register"
        counts = {
            g: single_counts(
                table,
                g,
                total,  # type: ignore[arg-type]
                source=f"register, {what}",
                drop_empty=False,
            )
            for g in (groups if single else [])
        }
        periods.append((year, lvl, what, _areas_for(areas, lvl), table, counts))
    run.prime([s for s in single if s.spatial], periods)

    def period_rows(period: tuple) -> list[dict[str, Any]]:
        year, lvl, what, layer, table, counts = period
        out: list[dict[str, Any]] = []
        for g in groups if single else []:
            x, t, idx = counts[g]
            keep = t > 0
            n_zero = int((~keep).sum())
            if n_zero and g == groups[0] and any(not s.spatial for s in single):
                logger.info(
                    "%s: %d area(s) with zero population left out of the aspatial indices",
                    what,
                    n_zero,
                )
            shared: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # null tables of this group
            populated: tuple[tuple[np.ndarray, ...], pd.Index] = (x[keep], t[keep]), idx[keep]
            for spec in single:
                arrays, where = ((x, t), idx) if spec.spatial else populated
                out.append(run.row(spec, arrays, where, layer, year, lvl, g, shared))
        if multi:
            X, idx = multi_counts(table, mg, source=f"register, {what}", drop_empty=False)
            keep = X.sum(axis=1) > 0
            for spec in multi:
                mg_arrays, mg_where = ((X,), idx) if spec.spatial else ((X[keep],), idx[keep])
                out.append(run.row(spec, mg_arrays, mg_where, layer, year, lvl, "+".join(mg)))
        return out

    for period in periods:
        rows.extend(period_rows(period))
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.astype({"value": float, "p_value": float, "ci_low": float, "ci_high": float})


def _codes_key(idx: pd.Index) -> tuple[int, str]:
    """A cheap content key of the area codes (their order matters)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(pd.util.hash_array(np.asarray(idx, dtype=object)).tobytes())
    return len(idx), digest.hexdigest()


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _check_unique(table: pd.DataFrame, year: Any, level: Any) -> None:
    dup = table.index[table.index.duplicated()]
    if len(dup):
        msg = (
            f"register: area codes {format_codes(dup.unique())} appear more than once for year "
            f"{_plain(year)}{'' if level is None else f', level {_plain(level)}'}; give one row "
            "per area and year (or name the level column with level=)"
        )
        raise InputError(msg)


def _resolve_names(index: Sequence[str] | str | None) -> list[str]:
    if index is None:
        return available_indices()
    names = [index] if isinstance(index, str) else list(index)
    for name in names:
        get_index(name)  # unknown names raise, listing the known ones
    local = [n for n in names if _is_local(INDICES[n])]
    if local:
        msg = (
            f"index {', '.join(local)}: local indices give one value per area and are not part "
            "of the city-wide table; use geoseg.segregation.location_quotient and friends"
        )
        raise InputError(msg)
    return list(dict.fromkeys(names))


@dataclass
class _Run:
    """Settings shared by every row of one :func:`compute_indices` call."""

    options: dict[str, dict[str, Any]]
    seed: Any
    permutations: int
    null: str
    ci: bool
    ci_level: float
    ci_replicates: int
    ctx_cache: dict[tuple, dict[str, Any]] = field(default_factory=dict)
    #: content keys of the area-code indexes seen, by identity (the index is kept alive)
    code_keys: dict[int, tuple[pd.Index, tuple[int, str]]] = field(default_factory=dict)

    def row(
        self,
        spec: IndexSpec,
        arrays: tuple[np.ndarray, ...],
        idx: pd.Index,
        layer: Any,
        year: Any,
        level: Any,
        group: str,
        shared: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> dict[str, Any]:
        """One result row; NaN where the index is undefined or cannot be computed.

        ``shared`` holds the null tables of one (year, level, group) by number of areas,
        drawn once for all its single-group indices.
        """
        row: dict[str, Any] = {"year": year, "level": level, "group": group, "index": spec.name}
        row.update(value=np.nan, p_value=np.nan, ci_low=np.nan, ci_high=np.nan)
        _, core_opts = split_options(spec, self.options.get(spec.name))
        ctx: dict[str, Any] = {}
        if spec.spatial:
            if layer is None:
                logger.info("%s: no geometry for level %s; skipped", spec.name, level)
                return row
            ctx = self._context(spec, layer, idx, level)
        prep = Prepared(spec, arrays, idx, ctx, core_opts)
        if spec.kind == "single":
            X_, T_ = float(arrays[0].sum()), float(arrays[1].sum())
            if not 0 < X_ < T_:
                share = f"{X_ / T_:.3g}" if T_ else "nan"
                logger.info(
                    "%s, year %s: group %r has share %s of the population; %s undefined",
                    level or "areas",
                    year,
                    group,
                    share,
                    spec.name,
                )
                return row
        rng = random_generator(self.seed, year, level, group, spec.name)
        row["value"] = observed(prep, rng)
        if self.permutations > 0:
            null = self._null(prep, year, level, group, rng, shared, row["value"])
            row["p_value"] = p_value(row["value"], null)
        if self.ci:
            boots = simulate_bootstrap(prep, self.ci_replicates, "residents", rng)
            row["ci_low"], row["ci_high"] = percentile_interval(boots, self.ci_level)
        return row

    def _context(self, spec: IndexSpec, layer: Any, idx: pd.Index, level: Any) -> dict[str, Any]:
        """The spatial context of ``spec`` on ``layer`` for the areas ``idx`` (built once)."""
        prep_opts, _ = split_options(spec, self.options.get(spec.name))
        if id(idx) not in self.code_keys:
            self.code_keys[id(idx)] = (idx, _codes_key(idx))
        codes_key = self.code_keys[id(idx)][1]
        key = (spec.prepare, level, codes_key, repr(sorted(prep_opts.items())))
        if key not in self.ctx_cache:
            self.ctx_cache[key] = spatial_context(spec, layer, idx, prep_opts)
        return self.ctx_cache[key]

    def prime(self, specs: list[IndexSpec], periods: list[tuple]) -> None:
        """Matrix products shared by all years and groups on one geometry, computed together.

        A context holding ``products`` (see ``_spatial_matrices.DecayProducts``) gets the
        tables of every period and group at once, so the ``(n, n)`` decay matrix is read
        twice for the whole register instead of twice per year.
        """
        shared: dict[int, tuple[Any, np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]] = {}
        for spec in specs:
            for _, lvl, _, layer, _, counts in periods:
                if layer is None:
                    continue
                for x, t, idx in counts.values():
                    ctx = self._context(spec, layer, idx, lvl)
                    products = ctx.get("products")
                    if products is None or not hasattr(products, "prime"):
                        continue
                    entry = shared.setdefault(id(products), (products, ctx["c"], {}))
                    entry[2][id(x)] = (x, t)
        for products, c, tables in shared.values():
            if len(tables) > 1:
                products.prime(c, list(tables.values()))

    def _null(
        self,
        prep: Prepared,
        year: Any,
        level: Any,
        group: str,
        rng: np.random.Generator,
        shared: dict[int, tuple[np.ndarray, np.ndarray]] | None,
        observed_value: float,
    ) -> np.ndarray:
        """Null distribution for the p-value; single-group indices of one group share the same
        tables. Replicates that the index's bounds place on one side of ``observed_value``
        carry a bound instead of their value (see ``evaluate_tables``): the p-value is the
        same."""
        k = self.permutations
        if shared is None or prep.spec.kind != "single" or prep.n * k > _SHARED_CELLS:
            return simulate_null(prep, k, self.null, rng)
        x, t = prep.arrays
        if prep.n not in shared:
            # spatial indices keep zero-population areas, aspatial ones do not
            tag = "null tables" if (t > 0).all() else "null tables with empty areas"
            null_rng = random_generator(self.seed, year, level, group, tag)
            shared[prep.n] = null_single(x, t, k, self.null, null_rng)
        return evaluate_tables(prep, *shared[prep.n], rng, around=observed_value)
