"""Area systems: counts moved between levels that nest (by codes or containment) and systems
that do not (areal interpolation weighted by where people live).

Every function takes tables and GeoDataFrames and returns new ones; nothing here reads or
writes files (:mod:`geoseg.io.levels` reads level definitions, boundaries and crosswalks)::

    from geoseg.areas import interpolation_links, move_counts

    links = interpolation_links(regso, primaromraden, people=grid_points)
    moved = move_counts(register, links, id_column="regsokod", year_column="year",
                        counts=["pop_total", "pop_foreign_born"])
"""

from __future__ import annotations

from geoseg.areas.links import (
    LINK_COLUMNS,
    SPLIT_TOLERANCE,
    Containment,
    chain_links,
    code_links,
    containment_links,
    interpolation_links,
)
from geoseg.areas.move import MovedRegister, TotalsCheck, compare_totals, move_counts

__all__ = [
    "LINK_COLUMNS",
    "SPLIT_TOLERANCE",
    "Containment",
    "MovedRegister",
    "TotalsCheck",
    "chain_links",
    "code_links",
    "compare_totals",
    "containment_links",
    "interpolation_links",
    "move_counts",
]
