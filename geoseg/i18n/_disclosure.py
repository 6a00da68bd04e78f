"""Entries of the translation table, one group of it.

Disclosure marks.

Part of the one table of :mod:`geoseg.i18n`, merged there at import; key -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "suppressed": ("suppressed", "dold"),
}
