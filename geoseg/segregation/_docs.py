"""Shared numpydoc parameter entries of the public index functions.

A docstring line holding only ``{name}`` (indented like a parameter) is replaced by the entry
``name`` below, so that every index describes its common parameters in the same words, kept
in one place. :func:`fill_docs` is called at the end of each public module.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

__all__ = ["fill_docs"]

_ENTRIES = {
    "data": "data\n        One row per area.",
    "gdf": "gdf\n        Areas (polygons) in a projected CRS.",
    "group_total": "group, total\n        Count columns of the group and of the whole population.",
    "groups": "groups\n        Columns with the counts of exhaustive groups.",
    "alpha_beta": (
        "alpha, beta\n        Parameters of the within-area distance ``(alpha * area) ** beta``."
    ),
    "allow_geographic": (
        "allow_geographic\n        Accept a geographic CRS (planar distances in degrees; "
        "reproduction of\n        published values only)."
    ),
}

_PLACEHOLDER = re.compile(r"^(    )\{(\w+)\}$", re.M)


def _fill(doc: str) -> str:
    def entry(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in _ENTRIES:
            msg = f"unknown docstring entry {{{name}}}"
            raise KeyError(msg)
        return match.group(1) + _ENTRIES[name]

    return _PLACEHOLDER.sub(entry, doc)


def fill_docs(namespace: MutableMapping[str, Any]) -> None:
    """Fill the shared entries in the docstrings of the functions named in ``__all__``."""
    for name in namespace.get("__all__", []):
        func = namespace.get(name)
        doc = getattr(func, "__doc__", None)
        if callable(func) and doc and "{" in doc:
            func.__doc__ = _fill(doc)
