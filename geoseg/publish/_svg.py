"""Inline SVG charts for the HTML report: no script, no image file, every label escaped."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geoseg.publish._html import escape, format_number
from geoseg.publish.maps._palettes import OKABE_ITO

__all__ = ["trend_svg"]


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not np.isfinite(lo) or not np.isfinite(hi):
        return [0.0, 1.0]
    if hi == lo:
        hi, lo = hi + (abs(hi) or 1) * 0.1, lo - (abs(lo) or 1) * 0.1
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(v, 10))
    return ticks


def trend_svg(
    series: Mapping[str, pd.DataFrame],
    *,
    title: str,
    lang: str = "en",
    width: int = 640,
    height: int = 300,
    digits: int = 2,
    from_zero: bool = False,
) -> str:
    """Return an inline SVG line chart of values over the years.

    Parameters
    ----------
    series
        Label → DataFrame with ``year`` and ``value`` columns, optionally ``ci_low`` and
        ``ci_high`` (drawn as a band).
    title
        Chart title (escaped), also the SVG's accessible name.
    digits
        The fewest decimals of the tick labels; more are used when labels would repeat.
    from_zero
        Start the vertical axis at zero (for non-negative values).

    Notes
    -----
    Lines use Okabe-Ito colours and distinct markers and dash patterns, so that they can be
    told apart with colour-vision deficiencies and in greyscale print. A chart of one series
    has no legend (its title names the line); with several series a legend below the plot
    names each line in full, so the plot keeps its width on a phone.
    """
    frames = {k: v.sort_values("year") for k, v in series.items() if len(v)}
    legend = len(frames) > 1  # one line is named by the title: no legend
    left, right, top, bottom = 58, 24, 30, 36
    pw, ph = width - left - right, height - top - bottom
    rows = len(frames) if legend else 0  # the legend: one row per line, below the plot
    height += 24 * rows
    years = sorted({int(y) for f in frames.values() for y in f["year"]})
    vals = [
        f[c].to_numpy(dtype=float, na_value=np.nan)
        for f in frames.values()
        for c in ("value", "ci_low", "ci_high")
        if c in f.columns
    ]
    allv = np.concatenate(vals) if vals else np.array([])
    allv = allv[np.isfinite(allv)]
    if not years or not len(allv):
        return ""
    low = 0.0 if from_zero and float(allv.min()) >= 0 else float(allv.min())
    ticks = _nice_ticks(low, float(allv.max()))
    y0, y1 = ticks[0], ticks[-1]
    while digits < 8 and len({format_number(t, lang=lang, digits=digits) for t in ticks}) < len(
        ticks
    ):
        digits += 1
    x0, x1 = years[0], years[-1] if years[-1] > years[0] else years[0] + 1

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw if len(years) > 1 else left + pw / 2

    def sy(y: float) -> float:
        return top + (1 - (y - y0) / (y1 - y0)) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" class="ct">{escape(title)}</text>',
    ]
    for t in ticks:
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_number(t, lang=lang, digits=digits))}</text>"
        )
    step = max(1, math.ceil(len(years) / 10))
    for yr in years[::step]:
        out.append(f'<text x="{sx(yr):.1f}" y="{top + ph + 18}" text-anchor="middle">{yr}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" class="axis"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" class="axis"/>')
    dashes = ["", "6 3", "2 3", "8 3 2 3"]
    for n, (label, f) in enumerate(frames.items()):
        colour = OKABE_ITO[n % len(OKABE_ITO)]
        fx = f["year"].to_numpy(dtype=float)
        fy = f["value"].to_numpy(dtype=float, na_value=np.nan)
        if {"ci_low", "ci_high"} <= set(f.columns):
            lo = f["ci_low"].to_numpy(dtype=float, na_value=np.nan)
            hi = f["ci_high"].to_numpy(dtype=float, na_value=np.nan)
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.sum() >= 2:
                pts = [f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(fx[ok], hi[ok], strict=True)]
                pts += [
                    f"{sx(x):.1f},{sy(y):.1f}"
                    for x, y in zip(fx[ok][::-1], lo[ok][::-1], strict=True)
                ]
                out.append(
                    f'<polygon points="{" ".join(pts)}" fill="{colour}" '
                    'fill-opacity="0.15" stroke="none"/>'
                )
        ok = np.isfinite(fy)
        pts = [f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(fx[ok], fy[ok], strict=True)]
        dash = f' stroke-dasharray="{dashes[n % 4]}"' if dashes[n % 4] else ""
        out.append(
            f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        for x, y in zip(fx[ok], fy[ok], strict=True):
            tip = f"{escape(label)} {int(x)}: {escape(format_number(y, lang=lang, digits=3))}"
            out.append(_marker(n, sx(x), sy(y), colour, tip))
        if not legend:
            continue
        ly = top + ph + 36 + n * 24
        out.append(
            f'<line x1="{left}" x2="{left + 22}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(_marker(n, left + 11, ly, colour, escape(label)))
        short = label if len(label) <= 60 else label[:59] + "…"  # the full label is the tooltip
        out.append(
            f'<text x="{left + 30}" y="{ly + 5}"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _marker(n: int, x: float, y: float, colour: str, tip: str) -> str:
    shape = n % 4
    t = f"<title>{tip}</title>"
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{t}</circle>'
    if shape == 1:
        return (
            f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
            f'fill="{colour}">{t}</rect>'
        )
    if shape == 2:
        return (
            f'<polygon points="{x:.1f},{y - 4.5:.1f} {x - 4:.1f},{y + 3:.1f} '
            f'{x + 4:.1f},{y + 3:.1f}" fill="{colour}">{t}</polygon>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} '
        f'{x - 4.5:.1f},{y:.1f}" fill="{colour}">{t}</polygon>'
    )
