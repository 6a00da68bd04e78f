"""Swedish and English labels of the published maps, index page and report."""

from __future__ import annotations

from geoseg.errors import InputError

__all__ = ["LANGS", "check_lang", "tr"]

LANGS = ("en", "sv")

_TEXT: dict[str, tuple[str, str]] = {
    "name": ("Area", "Område"),
    "code": ("Code", "Kod"),
    "year": ("Year", "År"),
    "value": ("Value", "Värde"),
    "no_data": ("No data", "Uppgift saknas"),
    "fictional": (
        "Fictional example city: the data are invented",
        "Fiktiv exempelstad: uppgifterna är påhittade",
    ),
    "water": ("Water", "Vatten"),
    "areas": ("Areas", "Områden"),
    "local_moran": ("Local Moran's I", "Lokalt Morans I"),
    "cluster": ("Cluster", "Kluster"),
    "p_value": ("p-value", "p-värde"),
    "p_adjusted": ("p-value (FDR-adjusted)", "p-värde (FDR-justerat)"),
    "hh": ("High-High (hotspot)", "Hög-hög (hotspot)"),
    "lh": ("Low-High", "Låg-hög"),
    "ll": ("Low-Low (coldspot)", "Låg-låg (coldspot)"),
    "hl": ("High-Low", "Hög-låg"),
    "ns": ("Not significant", "Inte signifikant"),
    "residents": ("Residents", "Invånare"),
    "mean_minutes": ("Mean walking time (min)", "Medelgångtid (min)"),
    "median_minutes": ("Median walking time (min)", "Mediangångtid (min)"),
    "share_within": ("Share within {m} min", "Andel inom {m} min"),
    "share_within_plain": ("Share within threshold", "Andel inom gränsen"),
    "fca_ratio": ("Services per 1,000 residents (2SFCA)", "Service per 1 000 invånare (2SFCA)"),
    "unreachable": ("Not reachable", "Går inte att nå"),
    "services": ("Services", "Verksamheter"),
    "service": ("Service", "Verksamhet"),
    "kind": ("Kind", "Typ"),
    "capacity": ("Capacity", "Kapacitet"),
    "within_minutes": ("Within {m} min walk", "Inom {m} min promenad"),
    "minutes": ("Minutes", "Minuter"),
    "walk_access": ("Walking time to {kind}", "Gångtid till {kind}"),
    "plan_change": ("Plan: change in walking time to {kind}", "Plan: ändrad gångtid till {kind}"),
    "before_minutes": ("Walking time before (min)", "Gångtid före (min)"),
    "after_minutes": ("Walking time after (min)", "Gångtid efter (min)"),
    "change_minutes": ("Change (min)", "Förändring (min)"),
    "before_share": ("Share within, before", "Andel inom, före"),
    "after_share": ("Share within, after", "Andel inom, efter"),
    "shorter": ("shorter", "kortare"),
    "longer": ("longer", "längre"),
    "no_change": ("No change", "Ingen förändring"),
    "plan_features": ("Plan", "Plan"),
    "action": ("Action", "Åtgärd"),
    "index_title": ("Maps", "Kartor"),
    "open_map": ("Open map", "Öppna kartan"),
    "suppression_note": (
        "Counts below {t} are not shown (marked “<{t}”).",
        "Antal under {t} visas inte (markerade ”<{t}”).",
    ),
    "local_index": ("Local index", "Lokalt index"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if geoseg has labels for it, else raise :class:`InputError`."""
    if lang not in LANGS:
        msg = f"unknown language {lang!r} for labels; use 'sv' (Swedish) or 'en' (English)."
        raise InputError(msg)
    return lang


def tr(key: str, lang: str, **fmt: object) -> str:
    """Return the label ``key`` in ``lang`` (``"en"`` or ``"sv"``), formatted with ``fmt``."""
    en, sv = _TEXT[key]
    text = sv if lang == "sv" else en
    return text.format(**fmt) if fmt else text
