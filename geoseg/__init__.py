"""geoseg: geospatial segregation and living-environment analysis.

Segregation indices, local hotspots, walking access over real street networks and plan checks
for cities that follow an equality programme area by area and year by year.
"""

from __future__ import annotations

from geoseg.errors import GeoSegError

__version__ = "0.1.0"
__all__ = ["GeoSegError", "__version__"]
