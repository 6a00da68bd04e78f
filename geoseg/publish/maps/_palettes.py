"""Colour-blind-safe palettes for geoseg's maps and charts.

Sequential and diverging schemes are the ColorBrewer schemes marked colour-blind safe (Brewer,
Harrower & Penn State, colorbrewer2.org) and viridis (van der Walt & Smith, matplotlib); ``k``
classes are sampled from each scheme's anchor colours by linear interpolation in RGB. Categorical
colours are the Okabe-Ito set (Okabe & Ito, *Color Universal Design*, 2008).
"""

from __future__ import annotations

from geoseg.errors import InputError

__all__ = [
    "EMERGING_COOL",
    "EMERGING_NO_PATTERN",
    "EMERGING_WARM",
    "FAVOURABLE",
    "LISA_COLOURS",
    "MISSING_COLOUR",
    "NEUTRAL_HIGH",
    "NEUTRAL_LOW",
    "NO_CHANGE_COLOUR",
    "OKABE_ITO",
    "SUPPRESSED_COLOUR",
    "SUPPRESSED_FILL",
    "UNFAVOURABLE",
    "UNREACHABLE_COLOUR",
    "WATER_COLOUR",
    "cluster_colours",
    "direction_diverging",
    "direction_sequential",
    "diverging",
    "emerging_colours",
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
    "Reds": [
        "#fff5f0",
        "#fee0d2",
        "#fcbba1",
        "#fc9272",
        "#fb6a4a",
        "#ef3b2c",
        "#cb181d",
        "#a50f15",
        "#67000d",
    ],
    "Greens": [
        "#f7fcf5",
        "#e5f5e0",
        "#c7e9c0",
        "#a1d99b",
        "#74c476",
        "#41ab5d",
        "#238b45",
        "#006d2c",
        "#00441b",
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
    "RdPu": [
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
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
#: One colour logic for every map: the unfavourable end of a variable is red (ColorBrewer Reds /
#: the red arm of RdBu), the favourable end purple (the purple arm of PuOr), and a variable
#: without a worse end runs from teal (low) to brown (high), the arms of BrBG. Each family is
#: ``(dark, light)``: the dark shade marks a cluster, the light one an outlier.
UNFAVOURABLE = ("#b2182b", "#f4a582")
FAVOURABLE = ("#542788", "#b2abd2")
NEUTRAL_HIGH = ("#8c510a", "#dfc27d")
NEUTRAL_LOW = ("#01665e", "#80cdc1")
#: Not significant / no pattern (a class of its own).
NOT_SIGNIFICANT = "#d9d9d9"
#: LISA cluster colours (quadrant 1 HH, 2 LH, 3 LL, 4 HL) when high values are unfavourable;
#: see :func:`cluster_colours` for the other directions.
LISA_COLOURS = {
    1: UNFAVOURABLE[0],
    2: FAVOURABLE[1],
    3: FAVOURABLE[0],
    4: UNFAVOURABLE[1],
    0: NOT_SIGNIFICANT,
}
#: Areas whose value is suppressed (small counts) are hatched: dark grey stripes on white
#: (``SUPPRESSED_FILL`` is the SVG pattern the page defines; ``SUPPRESSED_COLOUR`` its stripe);
#: areas without data are plain white. Both differ from every class colour and from each other.
SUPPRESSED_COLOUR = "#737373"
SUPPRESSED_FILL = "url(#geoseg-hatch)"
MISSING_COLOUR = "#ffffff"
#: "No change" on plan maps (light grey, distinct from white "no data").
NO_CHANGE_COLOUR = "#e3e3e3"
#: Areas no walk reaches.
UNREACHABLE_COLOUR = "#3b3b3b"
#: Water: a light blue that no legend class uses (classes are red, purple, teal, brown, grey).
WATER_COLOUR = "#b3d4ec"


def _families(worse: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The ``(high, low)`` colour families of a variable whose ``worse`` end is given."""
    if worse == "higher":
        return UNFAVOURABLE, FAVOURABLE
    if worse == "lower":
        return FAVOURABLE, UNFAVOURABLE
    return NEUTRAL_HIGH, NEUTRAL_LOW


def cluster_colours(worse: str) -> dict[int, str]:
    """LISA / Gi* cluster colours by quadrant (1 HH, 2 LH, 3 LL, 4 HL, 0 not significant).

    The unfavourable cluster is dark red whichever end of the variable is worse: HH when
    ``worse="higher"``, LL when ``worse="lower"``; outliers take the light shade of the family of
    their own value's end.
    """
    high, low = _families(worse)
    return {1: high[0], 4: high[1], 3: low[0], 2: low[1], 0: NOT_SIGNIFICANT}


#: Emerging hotspot categories: one colour per pattern, in a warm set (reds, orange, yellow,
#: pink, browns) and a cool set (blues, violets, teal, green). The strongest patterns
#: (intensifying, persistent) are darkest, and a role looks alike in both sets (consecutive
#: vivid, diminishing faded, historical earthy, sporadic pale). Chosen by a max-min search over
#: the sRGB cube: any two of the 17 classes (both sets and "no pattern"), as legend swatches and
#: as drawn at the areas' fill opacity over the map's background, differ by a CIEDE2000 colour
#: difference above 15, above 8 for protanopia and deuteranopia and above 5 for tritanopia
#: (Brettel, Viénot & Mollon 1997 simulation), and each differs from "no data" white, the
#: suppression hatch and water. One hue family cannot hold eight patterns apart: interpolated
#: shades of one red differ by 3-5 units between neighbours, too little to tell apart on a map.
EMERGING_WARM: dict[str, str] = {
    "intensifying": "#42040d",
    "persistent": "#8a0b53",
    "consecutive": "#b33916",
    "historical": "#552c08",
    "diminishing": "#ff9ace",
    "new": "#cb7a00",
    "oscillating": "#a39654",
    "sporadic": "#fcffb1",
}
EMERGING_COOL: dict[str, str] = {
    "intensifying": "#080471",
    "persistent": "#334b83",
    "consecutive": "#218aeb",
    "historical": "#0c6e45",
    "diminishing": "#9d6aad",
    "new": "#9709c1",
    "oscillating": "#408588",
    "sporadic": "#bae9d6",
}
#: "No pattern" on emerging hotspot maps: a mid grey, apart from "no data" white.
EMERGING_NO_PATTERN = "#9f9f9f"


def emerging_colours(worse: str, categories: list[str]) -> dict[str, str]:
    """Fill colours of emerging hotspot categories.

    Hot spots take the warm set and cold spots the cool set (:data:`EMERGING_WARM`,
    :data:`EMERGING_COOL`), as in Esri's Emerging Hot Spot Analysis; when low values are
    unfavourable (``worse="lower"``) the sets swap, so that an unfavourable pattern is warm on
    every map. "No pattern" (and any other category) is :data:`EMERGING_NO_PATTERN`.
    """
    hot, cold = (
        (EMERGING_COOL, EMERGING_WARM) if worse == "lower" else (EMERGING_WARM, EMERGING_COOL)
    )
    out: dict[str, str] = {}
    for c in categories:
        head, _, family = c.rpartition("_")
        table = hot if family == "hot" else cold if family == "cold" else {}
        out[c] = table.get(head, EMERGING_NO_PATTERN)
    return out


def direction_sequential(worse: str, k: int) -> list[str]:
    """``k`` class colours from low to high values: red towards the unfavourable end.

    ``worse="higher"``: light to dark red; ``"lower"``: dark red to light; ``"none"``: the
    neutral teal-green ramp (ColorBrewer Greens), which has no unfavourable reading.
    """
    # the ramps start at their third anchor, so the lightest class stays apart from the white
    # of "no data"
    if worse in ("higher", "lower"):
        colours = _sample(_SEQUENTIAL["Reds"][2:], k)
        return colours if worse == "higher" else colours[::-1]
    return _sample(_SEQUENTIAL["Greens"][2:], k)


def direction_diverging(worse: str, k: int) -> list[str]:
    """``k`` colours of a diverging scheme from low to high, red on the unfavourable side.

    ``worse="higher"``: purple (low) to red (high); ``"lower"``: red to purple; ``"none"``: teal
    to brown (ColorBrewer BrBG).
    """
    if worse == "higher":
        return diverging("RdPu", k, reverse=True)
    if worse == "lower":
        return diverging("RdPu", k)
    return diverging("BrBG", k, reverse=True)


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

    Known names: ``YlGnBu``, ``Blues``, ``Purples``, ``YlOrRd``, ``Reds``, ``Greens``,
    ``viridis``.
    """
    if name not in _SEQUENTIAL:
        msg = f"unknown sequential palette {name!r}; choose one of {', '.join(_SEQUENTIAL)}"
        raise InputError(msg)
    colours = _sample(_SEQUENTIAL[name], k)
    return colours[::-1] if reverse else colours


def diverging(name: str, k: int, *, reverse: bool = False) -> list[str]:
    """Return ``k`` colours of the diverging scheme ``name`` (RdBu, PuOr, RdPu or BrBG).

    With odd ``k`` the middle colour is the scheme's neutral centre.
    """
    if name not in _DIVERGING:
        msg = f"unknown diverging palette {name!r}; choose one of {', '.join(_DIVERGING)}"
        raise InputError(msg)
    colours = _sample(_DIVERGING[name], k)
    return colours[::-1] if reverse else colours
