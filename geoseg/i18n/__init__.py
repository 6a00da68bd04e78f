"""The one translation table: every label geoseg shows people, in English and Swedish.

Maps, the index page, the report, hotspot cluster labels, disclosure marks and service-kind
names all take their words from here, so a term reads the same everywhere.

The table's entries live in one module per group (``_general``, ``_maps``, ``_report``, ...,
``_indices`` for the index names), merged into the one table here at import; a key may be in
one group only.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

from geoseg.errors import InputError
from geoseg.i18n import (
    _clusters,
    _disclosure,
    _follow_up,
    _general,
    _index_page,
    _indices,
    _kinds_trends,
    _maps,
    _methods,
    _national,
    _plan_rules,
    _programme,
    _report,
    _series_notes,
    _verdict,
)

__all__ = [
    "LANGS",
    "action_label",
    "check_lang",
    "cluster_label",
    "follow_up_note_text",
    "group_label",
    "index_label",
    "kind_label",
    "series_note_text",
    "tr",
]

LANGS = ("en", "sv")

#: The groups of the table, in the order they are merged (each module holds one group).
_GROUPS = (
    _general.TEXT,
    _maps.TEXT,
    _report.TEXT,
    _clusters.TEXT,
    _disclosure.TEXT,
    _kinds_trends.TEXT,
    _programme.TEXT,
    _index_page.TEXT,
    _plan_rules.TEXT,
    _methods.TEXT,
    _series_notes.TEXT,
    _national.TEXT,
    _follow_up.TEXT,
    _verdict.TEXT,
)
_TEXT: dict[str, tuple[str, str]] = {}
for _group in _GROUPS:
    _twice = _TEXT.keys() & _group.keys()
    if _twice:  # one table: a key lives in one group only
        msg = f"translation keys defined twice: {sorted(_twice)}"
        raise RuntimeError(msg)
    _TEXT.update(_group)

#: Readable names of the segregation indices (English, Swedish), keyed by registry name.
_INDEX_LABELS: dict[str, tuple[str, str]] = _indices.INDEX_LABELS


def index_label(name: str, lang: str) -> str:
    """Return the readable name of a segregation index; unknown names lose their underscores."""
    pair = _INDEX_LABELS.get(str(name))
    if pair is None:
        return str(name).replace("_", " ").capitalize()
    return pair[1] if lang == "sv" else pair[0]


def action_label(action: str, lang: str) -> str:
    """Return the label of a plan action (``add_service``, ...); unknown actions as written."""
    key = f"action_{action}"
    return tr(key, lang) if key in _TEXT else str(action).replace("_", " ")


def group_label(name: str, lang: str) -> str:
    """Return the label of a common register group (country of birth); else ``""``."""
    key = f"grp_{name}"
    return tr(key, lang) if key in _TEXT else ""


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


def cluster_label(code: int, lang: str, *, statistic: str = "moran") -> str:
    """Return the label of a hotspot cluster code (``statistic`` ``"moran"`` or ``"gi"``).

    Raises
    ------
    KeyError
        When ``code`` is not a cluster code of ``statistic``.
    """
    return tr(f"{statistic}_{int(code)}", lang)


def kind_label(kind: str, lang: str) -> str:
    """Return the display name of a service kind; unknown kinds are shown as written."""
    key = f"kind_{kind}"
    if key in _TEXT:
        return tr(key, lang)
    return str(kind).replace("_", " ")


_NOTE_BREAK = re.compile(r"series break in (\d{4})( \(.*\))?: trend from \d{4} on")
_NOTE_BRIDGED = re.compile(
    r"series break in (\d{4})( \(.*\))? bridged by crosswalk( .*)?: trend across it"
)
_NOTE_FEW = re.compile(r"fewer than three (comparable )?years(?: \((.*)\))?")


def series_note_text(note: str, lang: str) -> str:
    """Return a note on a series (the trends' ``series_note``) in ``lang``.

    The notes geoseg writes ("series break in 2021 (new boundaries): trend from 2021 on",
    "fewer than three years", joined by ``"; "``) are translated part by part; the reason of a
    break and the crosswalk's name are the project's own words and stay as written. Any other
    text is returned unchanged.
    """
    text = str(note)
    if lang != "sv" or not text:
        return text
    out = []
    parts = [text] if _one_note(text) else text.split("; ")
    for part in parts:
        few = _NOTE_FEW.fullmatch(part)
        if few:
            words = tr("sn_few_comparable" if few.group(1) else "sn_few", lang)
            inner = few.group(2)
            out.append(f"{words} ({series_note_text(inner, lang)})" if inner else words)
            continue
        brk = _NOTE_BREAK.fullmatch(part)
        if brk:
            out.append(tr("sn_break", lang, year=brk.group(1), why=brk.group(2) or ""))
            continue
        bridged = _NOTE_BRIDGED.fullmatch(part)
        if bridged:
            out.append(
                tr(
                    "sn_bridged",
                    lang,
                    year=bridged.group(1),
                    why=bridged.group(2) or "",
                    source=bridged.group(3) or "",
                )
            )
            continue
        out.append(part)
    return "; ".join(out)


def _one_note(text: str) -> bool:
    return any(p.fullmatch(text) for p in (_NOTE_BREAK, _NOTE_BRIDGED, _NOTE_FEW))


#: The follow-up's notes, most specific first: key → pattern of its English text.
_FOLLOW_UP_NOTES = (
    "tn_no_column",
    "tn_no_values",
    "tn_few_years",
    "tn_gap_years",
    "tn_few_areas",
    "tn_constant",
    "tn_not_in_weights",
    "tn_failed",
)


def _note_pattern(key: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(_TEXT[key][0]):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts))


_NOTE_PATTERNS = {key: _note_pattern(key) for key in _FOLLOW_UP_NOTES}


def follow_up_note_text(note: str, lang: str, *, label: Callable[[str], str] | None = None) -> str:
    """Return a note of the follow-up over the years (:attr:`geoseg.trends.ProjectTrends.notes`)
    in ``lang``, the variable it concerns named by ``label``.

    Parameters
    ----------
    note
        A note as geoseg writes it (English): a variable skipped for emerging hotspots and why
        (each known cause has its words in the table; the message of an unforeseen error is
        quoted as it reads), or a note on a series (see :func:`series_note_text`).
    lang
        ``"en"`` or ``"sv"``.
    label
        Readable name of a variable (e.g. from the indicator definitions); by default the
        variable is named as written.

    Returns
    -------
    str
        The note in ``lang``; a text geoseg did not write is returned unchanged.
    """
    text = str(note)
    for key, pattern in _NOTE_PATTERNS.items():
        found = pattern.fullmatch(text)
        if found:
            fields = found.groupdict()
            if label is not None:
                fields["name"] = label(fields["name"])
            if key == "tn_failed":
                fields["reason"] = series_note_text(fields["reason"], lang)
            return tr(key, lang, **fields)
    return series_note_text(text, lang)
