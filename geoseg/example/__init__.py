"""The embedded, fictional example city and its generator.

The repository ships one generated city in ``data/`` (100 areas, seed 2026). The same code
generates a city of any size for tests and benchmarks::

    from geoseg.example import generate_city
    project = generate_city("big_city", areas=1000, seed=1)
"""

from __future__ import annotations

from pathlib import Path

from geoseg.errors import InputError
from geoseg.example.city import CITY_FILES, generate_city
from geoseg.settings import example_dir

__all__ = ["CITY_FILES", "example_config", "generate_city"]


def example_config() -> Path:
    """Return the embedded example city's project file (``data/geoseg.toml``).

    Raises
    ------
    geoseg.errors.InputError
        When the file is missing (for instance in an installation without the ``data/`` folder).
    """
    path = example_dir() / "geoseg.toml"
    if not path.is_file():
        msg = (
            f"{path}: the example city's project file is missing; generate it with "
            "`geoseg example-city --out data --overwrite` or pass your own project file."
        )
        raise InputError(msg)
    return path
