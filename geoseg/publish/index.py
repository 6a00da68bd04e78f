"""The index page ``maps/index.html`` that links every published map."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from geoseg.errors import InputError
from geoseg.i18n import check_lang, tr
from geoseg.io import write_text
from geoseg.publish._html import escape, safe_href

__all__ = ["write_index"]

logger = logging.getLogger(__name__)

_STYLE = """
body {font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  max-width: 860px; margin: 2em auto; padding: 0 1em; color: #1a1a1a;}
h1 {font-size: 1.6em;}
ul {padding: 0; list-style: none;}
li {margin: 0.6em 0; padding: 0.6em 0.8em; border: 1px solid #ccc; border-radius: 4px;}
li a {font-weight: 600;}
.fictional {background: #fff3cd; border: 2px solid #8a6d00; padding: 0.5em 0.8em;
  font-weight: 700;}
.desc {color: #444;}
"""


def _entry(item: Any) -> tuple[str, str, str]:
    if isinstance(item, Mapping):
        return (
            str(item["file"]),
            str(item.get("title", item["file"])),
            str(item.get("description", "")),
        )
    seq = list(item)
    return (
        str(seq[0]),
        str(seq[1]) if len(seq) > 1 else str(seq[0]),
        str(seq[2]) if len(seq) > 2 else "",
    )


def write_index(
    maps_dir: str | os.PathLike[str],
    entries: Iterable[Mapping[str, str] | tuple[str, ...]],
    *,
    title: str | None = None,
    lang: str = "en",
    fictional: bool = False,
    intro: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Write ``maps_dir/index.html`` linking every map.

    Parameters
    ----------
    maps_dir
        The folder holding the maps; links are relative to it.
    entries
        One per map: ``{"file": "lisa.html", "title": "...", "description": "..."}`` or a tuple
        ``(file, title[, description])``. Files must be relative paths inside ``maps_dir``;
        a missing file is reported as an error.
    title, lang, fictional, intro
        Page title (default "Maps" / "Kartor"), label language, the fictional-data note, and an
        optional paragraph of introduction. Everything is escaped.
    inputs
        Input files that must never be replaced.
    metadata
        Key-value pairs written as ``<meta name="geoseg:KEY">`` tags (e.g. the disclosure
        threshold).

    Returns
    -------
    pathlib.Path
        The index file written.
    """
    check_lang(lang)
    folder = Path(maps_dir)
    items = [_entry(e) for e in entries]
    problems = []
    for file, _, _ in items:
        try:
            safe_href(file)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if not (folder / file).is_file():
            problems.append(f"map {file!r} does not exist in {folder}")
    if problems:
        msg = f"{folder / 'index.html'}: cannot link the maps: " + "; ".join(problems)
        raise InputError(msg)
    page_title = title or tr("index_title", lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        *(
            f'<meta name="geoseg:{escape(str(k))}" content="{escape(str(v))}">'
            for k, v in (metadata or {}).items()
        ),
        f"<title>{escape(page_title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(page_title)}</h1>",
    ]
    if fictional:
        parts.append(f'<p class="fictional">{escape(tr("fictional", lang))}</p>')
    if intro:
        parts.append(f"<p>{escape(intro)}</p>")
    notice = (metadata or {}).get("notice")
    if notice:
        parts.append(f'<p class="fictional">{escape(notice)}</p>')
    parts.append("<ul>")
    for file, name, desc in items:
        line = f'<li><a href="{safe_href(file)}">{escape(name)}</a>'
        if desc:
            line += f'<div class="desc">{escape(desc)}</div>'
        parts.append(line + "</li>")
    parts.append("</ul></body></html>\n")
    out = write_text(folder / "index.html", "\n".join(parts), root=folder, inputs=inputs)
    os.chmod(out, 0o644)
    logger.info("wrote %s linking %d map(s)", out, len(items))
    return out
