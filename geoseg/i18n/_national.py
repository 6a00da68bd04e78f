"""Entries of the translation table, one group of it.

The national index page.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "nat_fictional": (
        "Fictional example nation: the data are invented",
        "Fiktivt exempelland: uppgifterna är påhittade",
    ),
    "nat_tables": ("Tables", "Tabeller"),
    "nat_per_municipality": ("per municipality", "per kommun"),
    "nat_per_area": ("per area", "per område"),
    "nat_trend": ("change over the years", "förändring över åren"),
    "nat_tasks": ("tasks", "uppgifter"),
    "nat_municipality": ("Municipality", "Kommun"),
    "nat_status": ("Status", "Status"),
    "nat_done": ("finished", "klar"),
    "nat_skipped": ("finished earlier (inputs unchanged)", "klar sedan tidigare (samma indata)"),
    "nat_no_maps": ("finished (no maps)", "klar (inga kartor)"),
    "nat_failed": ("failed: {error}", "misslyckades: {error}"),
    "nat_level_failed": (
        "The national measures could not be computed: {error}",
        "De nationella måtten kunde inte beräknas: {error}",
    ),
    "nat_summary": (
        "{done} of {total} municipalities finished",
        "{done} av {total} kommuner klara",
    ),
}
