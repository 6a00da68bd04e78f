"""A map as a page: a header (back link, title, link to the table), the map, the data table.

The data table repeats what the map shows (area, value, class; suppressed values as the mark)
as real HTML, so the map's content is also reachable by keyboard and screen reader (WCAG 2.1,
success criteria 1.1.1 and 2.1.1); while a layer (a year) is chosen on the map, its table is
the one shown.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import folium

from geoseg.i18n import tr
from geoseg.io import write_text
from geoseg.publish._html import escape, safe_href
from geoseg.publish.maps._assets import GEOSEG_CSS, GEOSEG_JS, leaflet_css, leaflet_js
from geoseg.publish.maps._elements import GeoLayer

__all__ = ["map_html", "save_map"]

logger = logging.getLogger(__name__)

#: CDN assets folium links that geoseg replaces (Leaflet) or does not need for its own maps.
_REPLACED = ("leaflet.js", "leaflet.css")
_UNNEEDED = (
    "jquery",
    "bootstrap",
    "awesome-markers",
    "fontawesome",
    "glyphicons",
    "awesome.rotate",
)
_SCRIPT_RE = re.compile(r'<script src="(https?:)?//[^"]*"></script>\s*')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="(https?:)?//[^"]*"/>\s*')
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)


def _number_elements(m: folium.Map) -> None:
    """Give every element of the map a stable id (its position in the tree), not a random one.

    folium names each element after a random UUID, so two renderings of the same map differ;
    numbering them in tree order makes the same map render to the same bytes.
    """
    stack: list[Any] = [m.get_root()]
    n = 0
    while stack:
        element = stack.pop(0)
        element._id = f"{n:05d}"
        n += 1
        stack.extend(element._children.values())


def _tables(m: folium.Map, page: Mapping[str, Any]) -> str:
    """The data tables of the map's layers that carry one, as escaped HTML."""
    lang = page["lang"]
    names: Mapping[str, str] = page.get("names", {})
    layers = [c for c in m._children.values() if isinstance(c, GeoLayer) and c.table]
    if not layers:
        return ""
    parts = [
        '<section id="geoseg-data" class="geoseg-data" aria-labelledby="geoseg-data-h">',
        f'<h2 id="geoseg-data-h">{escape(tr("map_table", lang))}</h2>',
    ]
    for layer in layers:
        table = layer.table
        caption = escape(layer.title)
        parts.append(
            f'<div class="geoseg-table" data-layer="{escape(layer.get_name())}" tabindex="0" '
            f'role="region" aria-label="{caption}">'
        )
        parts.append(f"<table><caption>{caption}</caption><thead><tr>")
        heads = [tr("name", lang), tr("code", lang), *table["values"], tr("map_class", lang)]
        parts.append("".join(f'<th scope="col">{escape(h)}</th>' for h in heads))
        parts.append("</tr></thead><tbody>")
        rows = sorted(table["rows"], key=lambda r: (names.get(r[0], "").casefold(), r[0]))
        for code, values, cls in rows:
            cells = "".join(
                f'<td class="geoseg-num{" geoseg-suppressed" if supp else ""}">{escape(text)}</td>'
                for text, supp in values
            )
            parts.append(
                f'<tr><th scope="row">{escape(names.get(code, code))}</th>'
                f"<td>{escape(code)}</td>{cells}<td>{escape(cls)}</td></tr>"
            )
        parts.append("</tbody></table></div>")
    parts.append("</section>")
    return "\n".join(parts)


def map_html(
    m: folium.Map,
    *,
    back: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> str:
    """Render ``m`` as a self-contained HTML page that needs no network.

    The CDN links folium adds are removed; Leaflet's script and style (from ``XStatic-Leaflet``)
    and geoseg's helper are inlined, and a Content-Security-Policy forbids any network fetch.
    The page declares its language and title (from the map's :class:`MapStyle` and ``title``),
    has a header with a link back to the page listing the maps, and ends with a table of what
    the map shows. Element ids are numbered in tree order, so the same map always renders to the
    same bytes.

    Parameters
    ----------
    m
        A map made by one of geoseg's ``*_map`` functions (or any folium map).
    back
        A relative link in the header back to the page listing the maps (for example
        ``"index.html"``); ``None`` shows none.
    metadata
        Key-value pairs written as ``<meta name="geoseg:KEY">`` tags (e.g. the disclosure
        threshold).
    """
    page = getattr(m, "geoseg_page", {"lang": "en", "title": "Map"})
    lang = page["lang"]
    _number_elements(m)
    html = m.get_root().render()
    html = re.sub(r"<html(\s[^>]*)?>", f'<html lang="{escape(lang)}">', html, count=1)
    dropped = []

    def drop(match: re.Match[str]) -> str:
        url = re.search(r'(?:src|href)="([^"]*)"', match.group(0))
        if url:
            dropped.append(url.group(1))
        return ""

    html = _SCRIPT_RE.sub(drop, html)
    html = _LINK_RE.sub(drop, html)
    # folium's own viewport tag forbids zooming on phones (WCAG 1.4.4); geoseg writes its own
    html = re.sub(r"<meta\s+name=[\"']viewport[\"'][^>]*>\s*", "", html)
    unknown = [u for u in dropped if not any(s in u.lower() for s in (*_REPLACED, *_UNNEEDED))]
    if unknown:
        logger.warning(
            "map_html: removed external assets geoseg does not supply offline; "
            "parts of the map that need them will not work: %s",
            ", ".join(unknown),
        )
    size = (
        f".folium-map {{width: {page.get('width', '100%')} !important; "
        f"height: {page.get('height', '100%')} !important;}}\n"
        f".geoseg-map2 {{height: {page.get('height', '100%')};}}\n"
        f".leaflet-container {{background: {page.get('background', '#f2f1ec')};}}"
    )
    head = (
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(page['title'])}</title>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<style>{leaflet_css()}</style>\n<style>{GEOSEG_CSS}\n{size}</style>\n"
        f"<script>{leaflet_js()}</script>\n<script>{GEOSEG_JS}</script>\n"
    )
    for key, value in (metadata or {}).items():
        head += f'<meta name="geoseg:{escape(str(key))}" content="{escape(str(value))}">\n'
    tables = _tables(m, page)
    bar = ['<header class="geoseg-bar">']
    if back is not None:
        bar.append(
            f'<a class="geoseg-back" href="{safe_href(back)}">'
            f"&larr; {escape(tr('index_title', lang))}</a>"
        )
    bar.append(f'<h1 class="geoseg-title">{escape(page["title"])}</h1>')
    if tables:
        bar.append(
            f'<a class="geoseg-skip" href="#geoseg-data">{escape(tr("map_table", lang))}</a>'
        )
    bar.append("</header>\n<main>")
    html = html.replace("<body>", "<body>\n" + "".join(bar), 1)
    pos = html.rfind("</body>")
    end = f"\n{tables}\n</main>\n"
    html = html[:pos] + end + html[pos:] if pos >= 0 else html + end
    pos = html.find("<head>")
    if pos < 0:
        return head + html
    pos += len("<head>")
    return html[:pos] + "\n" + head + html[pos:]


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    back: str | None = None,
    root: str | os.PathLike[str] | None = None,
    overwrite: bool = True,
    inputs: Iterable[str | os.PathLike[str]] = (),
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Write ``m`` to ``path`` as a self-contained offline HTML file, atomically.

    The page is written to a temporary file in the same folder and renamed over ``path``, so a
    reader never sees a half-written map. Returns the path written.

    Parameters
    ----------
    back
        A relative link to the page listing the maps (see :func:`map_html`).
    root
        The folder the map must land in (default: the folder of ``path``).
    overwrite
        Replace an existing file at ``path``.
    inputs
        Input files that must never be replaced.
    metadata
        Key-value pairs written as ``<meta name="geoseg:KEY">`` tags (e.g. the disclosure
        threshold).
    """
    root = Path(path).parent if root is None else root
    html = map_html(m, back=back, metadata=metadata)
    target = write_text(path, html, root=root, overwrite=overwrite, inputs=inputs)
    os.chmod(target, 0o644)  # a published page, readable by a web server
    logger.info("wrote map %s (%.0f kB)", target, target.stat().st_size / 1024)
    return target
