"""Colour-blind-safe palettes for geoseg's maps and charts.

Sequential and diverging schemes are the ColorBrewer schemes marked colour-blind safe (Brewer,
Harrower & Penn State, colorbrewer2.org) and viridis (van der Walt & Smith, matplotlib); ``k``
classes are sampled from each scheme's anchor colours by linear interpolation in RGB. Categorical
colours are the Okabe-Ito set (Okabe & Ito, *Color Universal Design*, 2008).
"""

from __future__ import annotations

from geoseg.errors import InputError

__all__ = [
    "LISA_COLOURS",
    "MISSING_COLOUR",
    "OKABE_ITO",
    "SUPPRESSED_COLOUR",
    "diverging",
    "sequential",
]

_SEQUENTIAL: dict[str, list[str]] = {
    "YlGnBu": [
        "#ffffd9",
        "#edf8b1",
        "#c7e9b4",
        "#7fcdbb",
        "#41b6c4",
        "#1d91c0",
        "#225ea8",
        "#253494",
        "#081d58",
    ],
    "Blues": [
        "#f7fbff",
        "#deebf7",
        "#c6dbef",
        "#9ecae1",
        "#6baed6",
        "#4292c6",
        "#2171b5",
        "#08519c",
        "#08306b",
    ],
    "Purples": [
        "#fcfbfd",
        "#efedf5",
        "#dadaeb",
        "#bcbddc",
        "#9e9ac8",
        "#807dba",
        "#6a51a3",
        "#54278f",
        "#3f007d",
    ],
    "YlOrRd": [
        "#ffffcc",
        "#ffeda0",
        "#fed976",
        "#feb24c",
        "#fd8d3c",
        "#fc4e2a",
        "#e31a1c",
        "#bd0026",
        "#800026",
    ],
    "viridis": [
        "#fde725",
        "#a0da39",
        "#4ac16d",
        "#1fa187",
        "#277f8e",
        "#365c8d",
        "#46327e",
        "#440154",
    ],
}
_DIVERGING: dict[str, list[str]] = {
    "RdBu": [
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
        "#f7f7f7",
        "#d1e5f0",
        "#92c5de",
        "#4393c3",
        "#2166ac",
    ],
    "PuOr": [
        "#b35806",
        "#e08214",
        "#fdb863",
        "#fee0b6",
        "#f7f7f7",
        "#d8daeb",
        "#b2abd2",
        "#8073ac",
        "#542788",
    ],
    "BrBG": [
        "#8c510a",
        "#bf812d",
        "#dfc27d",
        "#f6e8c3",
        "#f5f5f5",
        "#c7eae5",
        "#80cdc1",
        "#35978f",
        "#01665e",
    ],
}

#: Okabe-Ito colours, safe for the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
#: LISA cluster colours (quadrant 1 HH, 2 LH, 3 LL, 4 HL) and grey for "not significant"; dark
#: and light ends of ColorBrewer RdBu, so that HH/HL and LL/LH also differ in lightness.
LISA_COLOURS = {1: "#b2182b", 2: "#92c5de", 3: "#2166ac", 4: "#f4a582", 0: "#d9d9d9"}
#: Fill of areas whose value is suppressed (small counts) and of areas without data.
SUPPRESSED_COLOUR = "#cab2d6"
MISSING_COLOUR = "#ffffff"


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _sample(anchors: list[str], k: int) -> list[str]:
    if k < 1:
        msg = f"a palette needs at least one class, got k={k}"
        raise InputError(msg)
    if k == 1:
        return [anchors[len(anchors) // 2]]
    rgb = [_hex_to_rgb(a) for a in anchors]
    out = []
    for i in range(k):
        pos = i * (len(rgb) - 1) / (k - 1)
        lo = int(pos)
        hi = min(lo + 1, len(rgb) - 1)
        frac = pos - lo
        mixed = (round(a + (b - a) * frac) for a, b in zip(rgb[lo], rgb[hi], strict=True))
        out.append("#{:02x}{:02x}{:02x}".format(*mixed))
    return out


def sequential(name: str, k: int, *, reverse: bool = False) -> list[str]:
    """Return ``k`` colours from light to dark of the sequential scheme ``name``.

    Known names: ``YlGnBu``, ``Blues``, ``Purples``, ``YlOrRd``, ``viridis``.
    """
    if name not in _SEQUENTIAL:
        msg = f"unknown sequential palette {name!r}; choose one of {', '.join(_SEQUENTIAL)}"
        raise InputError(msg)
    colours = _sample(_SEQUENTIAL[name], k)
    return colours[::-1] if reverse else colours


def diverging(name: str, k: int, *, reverse: bool = False) -> list[str]:
    """Return ``k`` colours of the diverging scheme ``name`` (``RdBu``, ``PuOr``, ``BrBG``).

    With odd ``k`` the middle colour is the scheme's neutral centre.
    """
    if name not in _DIVERGING:
        msg = f"unknown diverging palette {name!r}; choose one of {', '.join(_DIVERGING)}"
        raise InputError(msg)
    colours = _sample(_DIVERGING[name], k)
    return colours[::-1] if reverse else colours
