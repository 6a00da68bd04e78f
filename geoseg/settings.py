"""Project-wide defaults and conventions.

Everything a user may want to change is a keyword argument of the function that uses it or a
key in the project file; these constants are only the defaults.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ANALYSIS_CRS",
    "DEFAULT_MINUTES",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "MAP_CRS",
    "SERVICE_KINDS",
    "SUPPRESSION_THRESHOLD",
    "WALK_SPEED_KMH",
    "example_dir",
]

#: Analysis CRS: SWEREF 99 TM, metres.
ANALYSIS_CRS = "EPSG:3006"
#: CRS of published web maps.
MAP_CRS = "EPSG:4326"
#: Default walking speed in km/h (a common planning value; use ~3.6 for older residents).
WALK_SPEED_KMH = 4.8
#: Default walking-time threshold in minutes.
DEFAULT_MINUTES = 15.0
#: Counts below this are suppressed in published maps and tables.
SUPPRESSION_THRESHOLD = 5
#: Default number of permutations for inference.
DEFAULT_PERMUTATIONS = 999
#: Default seed for every random procedure.
DEFAULT_SEED = 12345
#: Service kinds of the equality programme and the register group each one serves (their
#: display names are in :mod:`geoseg.i18n`).
SERVICE_KINDS: dict[str, dict[str, str]] = {
    "family_centre": {"demand": "age_0_5"},
    "meeting_place": {"demand": "pop_total"},
    "library": {"demand": "pop_total"},
    "youth_centre": {"demand": "age_6_15"},
}


def example_dir() -> Path:
    """Return the folder holding the embedded example city (``data/`` in the repository)."""
    return Path(__file__).resolve().parent.parent / "data"
