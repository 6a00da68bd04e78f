"""Registry of segregation indices.

Each index is registered once with a *vectorised array core*, so that point estimates, batch
computation and permutation inference all share one implementation:

- single-group core: ``core(x, t, **ctx) -> ndarray (k,)`` where ``x`` is an ``(n, k)`` float array
  of group counts for ``k`` replicates (the observed table is ``k = 1``; inference passes many
  simulated tables at once) and ``t`` the ``(n,)`` or ``(n, k)`` totals;
- multigroup core: ``core(X, **ctx) -> ndarray (k,)`` where ``X`` is a ``(k, n, g)`` array of
  counts for ``g`` groups;
- local core (kind ``"local"``): ``core(X, **ctx) -> ndarray`` of shape ``(k, n)`` or
  ``(k, n, g)``, one value per area (and group) for each replicate; the batch API, which reports
  one value per city, skips them;
- ``prepare(gdf, **options) -> dict`` computes, once per geometry, the context a spatial index
  needs (distances, weights, areas, centroids...). Aspatial indices have ``prepare=None``.

A new index is one core decorated with :func:`register` in a module that
:mod:`geoseg.segregation` imports, and, for analysts, a public function with its docstring
calling it; :func:`geoseg.segregation.compute_indices` and the inference functions find it here
by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["INDICES", "IndexSpec", "get_index", "register"]

Kind = Literal["single", "multi", "local"]


@dataclass(frozen=True)
class IndexSpec:
    """Description of one registered index."""

    name: str
    kind: Kind
    core: Callable[..., Any]
    prepare: Callable[..., dict[str, Any]] | None = None
    source: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    #: The formula in plain typographic text (Unicode sub- and superscripts), as the report
    #: prints it; symbols as in the appendix's legend (``x_i``, ``t_i``, ``p_i = x_i / t_i``...).
    formula: str = ""
    #: ``bounds(x, t) -> (low, high)``: cheap bounds on an expensive single-group core's values
    #: (per column, NaN where unknown), used to settle comparisons without the core
    bounds: Callable[..., tuple[Any, Any]] | None = None

    @property
    def spatial(self) -> bool:
        """Whether the index needs geometry."""
        return self.prepare is not None


#: Every registered index by name, filled as the index modules are imported.
INDICES: dict[str, IndexSpec] = {}


def register(
    name: str,
    *,
    kind: Kind,
    prepare: Callable[..., dict[str, Any]] | None = None,
    source: str = "",
    formula: str = "",
    bounds: Callable[..., tuple[Any, Any]] | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an array core under ``name`` (decorator).

    Parameters
    ----------
    name
        The index name used by :func:`geoseg.segregation.compute_indices` and the tests.
    kind
        ``"single"``, ``"multi"`` or ``"local"`` (the core's calling convention, see the module).
    prepare
        For a spatial index, the function computing its geometric context once per layer.
    source
        The published source of the formula (shown in the report's method notes).
    formula
        The formula in plain typographic text, e.g. ``"D = Σᵢ tᵢ |pᵢ − P| / (2 T P (1 − P))"``:
        the one the report's appendix prints (the public function's docstring gives it in
        its Notes with its source).
    bounds
        For an expensive single-group core, ``bounds(x, t) -> (low, high)`` with
        ``low <= core(x, t) <= high`` per column (NaN where unknown); a randomization test
        then evaluates the core only on the replicate tables whose side of the observed
        value the bounds leave open.
    **options
        Default options of the core (keyword arguments it accepts).

    Returns
    -------
    callable
        A decorator that records the core and returns it unchanged.

    Raises
    ------
    RuntimeError
        When ``name`` is already registered.
    """

    def deco(core: Callable[..., Any]) -> Callable[..., Any]:
        if name in INDICES:
            msg = f"index {name!r} is registered twice"
            raise RuntimeError(msg)
        INDICES[name] = IndexSpec(
            name, kind, core, prepare, source, dict(options), formula=formula, bounds=bounds
        )
        return core

    return deco


def get_index(name: str) -> IndexSpec:
    """Return the registered index ``name``.

    Parameters
    ----------
    name
        A registered index name (see :data:`INDICES`).

    Returns
    -------
    IndexSpec
        Its kind, core, preparation, source and default options.

    Raises
    ------
    InputError
        When ``name`` is not registered; the message lists the known names.
    """
    from geoseg.errors import InputError

    try:
        return INDICES[name]
    except KeyError:
        known = ", ".join(sorted(INDICES))
        msg = f"unknown segregation index {name!r}; choose one of: {known}"
        raise InputError(msg) from None
