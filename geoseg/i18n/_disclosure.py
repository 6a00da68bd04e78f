"""Entries of the translation table, one group of it.

Disclosure marks and the notices stamped on output that departs from the default rule;
notice keys ``disclosure_*``.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "suppressed": ("suppressed", "dold"),
    "disclosure_unsuppressed": (
        "NOT FOR PUBLICATION: small counts are not suppressed",
        "EJ FÖR PUBLICERING: små antal är inte dolda",
    ),
    "disclosure_low_threshold": (
        "Counts below {t} are suppressed (below {minimum}, explicitly allowed)",
        "Antal under {t} döljs (lägre gräns än {minimum}, uttryckligen tillåten)",
    ),
}
