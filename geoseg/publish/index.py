"""The index page ``maps/index.html`` that links every published map, grouped for the reader.

The maps are grouped by the four target areas of the programme for an equal city (a good start
in life; conditions for work; sustainable and equal living environments; participation,
influence and trust), each indicator's maps under the target area its definition names; then
segregation and clusters, walking access, plans, the report, and any other page. Each link
carries a short description in the page's language.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geoseg.errors import InputError
from geoseg.i18n import check_lang, tr
from geoseg.io import slugs, write_text
from geoseg.publish._html import escape, safe_href

if TYPE_CHECKING:
    from geoseg.io.indicators import Indicator

__all__ = ["GROUPS", "TARGET_AREAS", "about_run", "page_group", "write_index"]

logger = logging.getLogger(__name__)

#: The programme's target areas, in its order (as in :data:`geoseg.io.indicators.TARGET_AREAS`).
TARGET_AREAS = ("start", "work", "living", "participation")
#: Every group of the index page, in the order shown.
GROUPS = (*TARGET_AREAS, "segregation", "access", "plan", "report", "other")

_STYLE = """
body {font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  max-width: 900px; margin: 2em auto; padding: 0 1em; color: #1a1a1a;}
h1 {font-size: 1.6em; overflow-wrap: anywhere;}
h2 {font-size: 1.2em; border-bottom: 2px solid #0072B2; padding-bottom: 2px; margin-top: 1.6em;}
ul {padding: 0; list-style: none;}
li {margin: 0.6em 0; padding: 0.6em 0.8em; border: 1px solid #ccc; border-radius: 4px;}
li a {font-weight: 600; color: #0b57a4; overflow-wrap: anywhere;}
li a:focus {outline: 3px solid #e69f00; outline-offset: 2px;}
.fictional {background: #fff3cd; border: 2px solid #8a6d00; padding: 0.5em 0.8em;
  font-weight: 700;}
.desc {color: #3b3b3b; margin: 0.2em 0 0;}
.about {display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 1em 0;
  padding: 0.6em 0.8em; background: #f4f6f8; border-left: 4px solid #0072B2;}
.about dt {font-weight: 600;}
.about dd {margin: 0; overflow-wrap: anywhere;}
.empty {color: #3b3b3b; font-style: italic;}
"""

#: File-name prefixes of the maps ``geoseg run`` writes, most specific first: (prefix, kind).
_PREFIXES = (
    ("emerging_hotspots_", "emerging"),
    ("hotspots_", "hotspots"),
    ("indicator_", "indicator"),
    ("trend_", "trend"),
    ("segregation_location_quotient", "location_quotient"),
    ("segregation_", "local"),
    ("access_", "access"),
    ("plan", "plan"),
    ("report.html", "report"),
    ("report.pdf", "pdf"),
)
_KIND_GROUP = {
    "emerging": "segregation",
    "hotspots": "segregation",
    "location_quotient": "segregation",
    "local": "segregation",
    "access": "access",
    "plan": "plan",
    "report": "report",
    "pdf": "report",
}


def _kind(file: str) -> str:
    name = Path(file).name
    for prefix, kind in _PREFIXES:
        if name.startswith(prefix):
            return kind
    return "other"


def _indicator_of(file: str, definitions: Mapping[str, Indicator]) -> Indicator | None:
    """The indicator definition an ``indicator_SLUG.html`` or ``trend_SLUG.html`` page shows."""
    stem = re.sub(r"^(indicator|trend)_", "", Path(file).stem)
    by_slug = {s: name for name, s in slugs(list(definitions)).items()}
    name = by_slug.get(stem)
    return definitions.get(name) if name is not None else None


def page_group(
    file: str, *, definitions: Mapping[str, Indicator] | None = None
) -> tuple[str, str, Indicator | None]:
    """The index group of a published page, its kind and the indicator it shows.

    Parameters
    ----------
    file
        The page's file name, as ``geoseg run`` writes it (``indicator_SLUG.html``,
        ``trend_SLUG.html``, ``hotspots_...``, ``emerging_hotspots_...``, ``access_KIND.html``,
        ``segregation_...``, ``plan...``, ``report.html``, ``report.pdf``).
    definitions
        The project's indicator definitions: an indicator or trend page goes under the target
        area its definition names.

    Returns
    -------
    tuple
        ``(group, kind, indicator)``: one of :data:`GROUPS`, the kind of page (``"indicator"``,
        ``"trend"``, ``"hotspots"``, ``"emerging"``, ``"location_quotient"``, ``"local"``,
        ``"access"``, ``"plan"``, ``"report"``, ``"pdf"`` or ``"other"``) and the indicator
        definition (or ``None``).
    """
    kind = _kind(file)
    if kind in ("indicator", "trend"):
        ind = _indicator_of(file, definitions or {})
        area = getattr(ind, "target_area", None)
        return (area if area in TARGET_AREAS else "other"), kind, ind
    return _KIND_GROUP.get(kind, "other"), kind, None


def _description(kind: str, ind: Any, title: str, lang: str) -> str:
    """A short description of a page of ``kind`` in ``lang``."""
    if kind in ("indicator", "trend"):
        label = ind.label(lang) if ind is not None else title
        if kind == "trend":
            return tr("idx_desc_trend", lang, label=label[:1].lower() + label[1:])
        if ind is None:
            return tr("idx_desc_indicator_plain", lang, label=label)
        what = tr(f"what_{ind.kind}", lang) if ind.kind in ("share", "rate") else ind.unit
        worse = tr(f"worse_{ind.worse}", lang) if ind.worse in ("higher", "lower") else ""
        details = "; ".join(str(w) for w in (what, worse) if w)
        if not details:
            return tr("idx_desc_indicator_plain", lang, label=label)
        return tr("idx_desc_indicator", lang, label=label, details=details)
    key = f"idx_desc_{kind}"
    try:
        return tr(key, lang)
    except KeyError:
        return ""


def _level_label(key: str, levels: Mapping[str, Any], lang: str) -> str:
    """The label of a ``[levels]`` key: its declared label, the translation table's, or the key."""
    spec = levels.get(key) or {}
    own = spec.get("label_sv") if lang == "sv" else spec.get("label_en")
    if own:
        return str(own)
    try:
        return tr(f"lvl_{key}", lang)
    except KeyError:
        return str(spec.get("label_en") or spec.get("label_sv") or key)


def about_run(
    settings: Mapping[str, Any], *, lang: str, areas: int | None = None
) -> list[tuple[str, str]]:
    """What a run's pages show, as ``(heading, text)`` lines for :func:`write_index`.

    Parameters
    ----------
    settings
        The run's settings (:attr:`geoseg.io.SavedResults.settings`): its area level
        (``level``, a ``[levels]`` key), the levels' labels and the inputs (``sources``).
    lang
        ``"en"`` or ``"sv"``.
    areas
        The number of areas drawn, shown with the level.

    Returns
    -------
    list of tuple
        The area level (its declared label, else the translation table's label of a usual
        Swedish area system such as ``regso`` or ``primaromrade``, else its key; the areas of
        the boundary file for a project without levels), the register years, and the data: the
        registers' declared attribution and where each register table comes from (an SCB
        table, or the file name), and the boundary file. The texts are plain (not escaped).
    """
    check_lang(lang)
    facts = settings.get("sources") or {}
    levels = settings.get("levels") or {}
    key = settings.get("level")
    boundaries = str(facts.get("level_boundaries") or facts.get("boundaries") or "")
    if key:
        label = _level_label(str(key), levels, lang)
        level = label if areas is None else tr("idx_level_count", lang, label=label, n=areas)
    else:
        level = tr("idx_level_file", lang, n="" if areas is None else areas, file=boundaries)
        level = " ".join(level.split())
    years = str(facts.get("years") or "") or tr("idx_years_single", lang)
    origins = [str(o) for o in facts.get("register_origins") or [facts.get("register") or ""]]
    named = [
        tr("idx_source_scb", lang, table=o.split(":", 1)[1]) if o.startswith("scb:") else o
        for o in origins
        if o
    ]
    data = [str(facts["attribution"])] if facts.get("attribution") else []
    if named:
        data.append(tr("idx_data_files", lang, files=", ".join(named)))
    if boundaries:
        data.append(tr("idx_data_boundaries", lang, file=boundaries))
    return [
        (tr("idx_about_level", lang), level),
        (tr("idx_about_years", lang), years),
        (tr("idx_about_data", lang), ". ".join(d.rstrip(".") for d in data)),
    ]


def _entry(item: Any) -> dict[str, str]:
    if isinstance(item, Mapping):
        return {
            "file": str(item["file"]),
            "title": str(item.get("title", item["file"])),
            "description": str(item.get("description", "") or ""),
            "group": str(item.get("group", "") or ""),
        }
    seq = list(item)
    return {
        "file": str(seq[0]),
        "title": str(seq[1]) if len(seq) > 1 else str(seq[0]),
        "description": str(seq[2]) if len(seq) > 2 else "",
        "group": "",
    }


def write_index(
    maps_dir: str | os.PathLike[str],
    entries: Iterable[Mapping[str, str] | tuple[str, ...]],
    *,
    title: str | None = None,
    lang: str = "en",
    fictional: bool = False,
    intro: str | None = None,
    definitions: Mapping[str, Indicator] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    metadata: Mapping[str, object] | None = None,
    about: Iterable[tuple[str, str]] = (),
) -> Path:
    """Write ``maps_dir/index.html`` linking every map, grouped by the programme's target areas.

    Parameters
    ----------
    maps_dir
        The folder holding the maps; links are relative to it.
    entries
        One per page: ``{"file": "lisa.html", "title": "...", "description": "...",
        "group": "..."}`` or a tuple ``(file, title[, description])``. Files must be relative
        paths inside ``maps_dir``; a missing file is reported as an error. Without a
        ``group`` (one of :data:`GROUPS`) the group follows from the file name
        (:func:`page_group`); without a ``description`` the page gets the description of its
        kind in ``lang``.
    title, lang, fictional, intro
        Page title (default "Maps" / "Kartor"), label language, the fictional-data note, and a
        paragraph of introduction (default: how the page is organised). Everything is escaped.
    definitions
        The project's indicator definitions (``[indicators]``): each indicator's maps are shown
        under its target area, described with its label, unit and direction.
    inputs
        Input files that must never be replaced.
    metadata
        Key-value pairs written as ``<meta name="geoseg:KEY">`` tags (e.g. the disclosure
        threshold).
    about
        ``(heading, text)`` lines saying what the pages show, listed under the title (a run's
        area level, register years and data: :func:`about_run`). Escaped.

    Returns
    -------
    pathlib.Path
        The index file written.

    Raises
    ------
    InputError
        An entry names a file outside ``maps_dir`` or one that does not exist, or an unknown
        group (all problems listed at once).
    """
    check_lang(lang)
    folder = Path(maps_dir)
    items = [_entry(e) for e in entries]
    problems = []
    for item in items:
        file = item["file"]
        if item["group"] and item["group"] not in GROUPS:
            problems.append(f"map {file!r} has the group {item['group']!r}, not one of {GROUPS}")
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
    grouped: dict[str, list[tuple[str, str, str]]] = {g: [] for g in GROUPS}
    order = {name: n for n, name in enumerate(definitions or {})}
    placed = []
    for n, item in enumerate(items):
        group, kind, ind = page_group(item["file"], definitions=definitions)
        desc = item["description"] or _description(kind, ind, item["title"], lang)
        # an indicator's map and its trend map side by side, in the definitions' order
        rank = (order.get(ind.name, len(order)), kind == "trend", n) if ind is not None else (n,)
        placed.append((item["group"] or group, rank, (item["file"], item["title"], desc)))
    for group, _, page in sorted(placed, key=lambda t: t[1]):
        grouped[group].append(page)
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
        "<main>",
        f"<h1>{escape(page_title)}</h1>",
    ]
    if fictional:
        parts.append(f'<p class="fictional">{escape(tr("fictional", lang))}</p>')
    notice = (metadata or {}).get("notice")
    if notice:
        parts.append(f'<p class="fictional">{escape(notice)}</p>')
    lines = [(str(head), str(text)) for head, text in about]
    if lines:
        parts.append('<dl class="about">')
        parts.extend(f"<dt>{escape(head)}</dt><dd>{escape(text)}</dd>" for head, text in lines)
        parts.append("</dl>")
    parts.append(f"<p>{escape(intro if intro is not None else tr('idx_intro', lang))}</p>")
    for group in GROUPS:
        pages = grouped[group]
        if not pages and group not in TARGET_AREAS:
            continue
        head = tr(f"area_{group}" if group in TARGET_AREAS else f"idx_group_{group}", lang)
        parts.append(f'<section id="{group}"><h2>{escape(head)}</h2>')
        if not pages:
            parts.append(f'<p class="empty">{escape(tr("idx_no_map", lang))}</p></section>')
            continue
        parts.append("<ul>")
        for file, name, desc in pages:
            line = f'<li><a href="{safe_href(file)}">{escape(name)}</a>'
            if desc:
                line += f'<p class="desc">{escape(desc)}</p>'
            parts.append(line + "</li>")
        parts.append("</ul></section>")
    parts.append("</main></body></html>\n")
    out = write_text(folder / "index.html", "\n".join(parts), root=folder, inputs=inputs)
    os.chmod(out, 0o644)
    logger.info("wrote %s linking %d page(s)", out, len(items))
    return out
