"""Escaping helpers for everything geoseg writes into HTML, SVG and inline JavaScript.

Every string that comes from data (area names, codes, service names, column names, titles) passes
through :func:`escape` before it reaches markup, and every object embedded in a ``<script>`` block
passes through :func:`js_json`, so that a name such as ``<img src=x onerror=alert(1)>`` is shown as
text and never runs.
"""

from __future__ import annotations

import html
import json
import math
import numbers
from typing import Any
from urllib.parse import quote

__all__ = ["escape", "format_number", "js_json", "safe_href"]

_JS_REPLACEMENTS = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def escape(value: object) -> str:
    """Return ``value`` as text safe inside HTML element content and quoted attributes.

    ``None`` and missing values become the empty string.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def js_json(obj: Any) -> str:
    """Serialise ``obj`` as JSON that can be placed inside an inline ``<script>`` element.

    The characters ``<``, ``>``, ``&`` and ``'`` and the JavaScript line separators are written as
    ``\\u`` escapes, so no string in the data can close the script element or start markup.
    ``NaN`` and infinities are refused (they are not JSON); convert them to ``None`` first.
    """
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, repl in _JS_REPLACEMENTS.items():
        text = text.replace(char, repl)
    return text


def safe_href(name: str) -> str:
    """Return a relative link to ``name`` (a file beside the page), percent-encoded and escaped.

    Absolute URLs, ``javascript:`` and other schemes, and paths leaving the folder are refused
    with :class:`ValueError`; callers turn that into a geoseg error naming the entry.
    """
    text = str(name).replace("\\", "/")
    if ":" in text or text.startswith("/") or any(part == ".." for part in text.split("/")):
        msg = f"link target {name!r} must be a relative path inside the published folder"
        raise ValueError(msg)
    return html.escape(quote(text, safe="/._-~"), quote=True)


def format_number(value: object, *, lang: str = "en", digits: int = 1) -> str:
    """Format a number for display: Swedish uses a decimal comma and a thin-space thousands mark.

    Missing values (``None``, ``NaN``) become an en dash; integer types keep no decimals, other
    numbers get ``digits`` decimals.
    """
    if value is None:
        return "–"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if isinstance(value, numbers.Integral):
        text = f"{int(value):,d}"
    else:
        text = f"{number:,.{max(digits, 0)}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
    if lang == "sv":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
