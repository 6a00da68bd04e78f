"""Reading delimited text tables as exported by Swedish statistics offices and spreadsheets.

Everything is read as text first; the callers convert the columns they know about. Detection:

- encoding: a UTF-8 or UTF-16 byte-order mark, else UTF-8 if the bytes decode, else cp1252
  (Windows Excel's "CSV (semicolon)" export);
- separator: ``;``, ``,`` or tab, whichever splits the first lines into the same number (> 1) of
  fields;
- decimal mark: a comma when numbers such as ``12,5`` occur and none such as ``12.5``.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geoseg.errors import InputError, ValidationError, format_codes

__all__ = ["TextTable", "decode_bytes", "detect_decimal_comma", "read_text_table", "sniff_sep"]

logger = logging.getLogger(__name__)

_SEPARATORS = (";", "\t", ",")
_COMMA_NUMBER = re.compile(r"[+-]?\d[\d\s\u00a0\u202f.]*,\d+")
_DOT_NUMBER = re.compile(r"[+-]?\d+\.\d+")


@dataclass(frozen=True)
class TextTable:
    """A text table read from a file, with what was detected about it."""

    frame: pd.DataFrame
    encoding: str
    sep: str


def decode_bytes(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``raw`` with ``encoding`` or the detected one; return ``(text, encoding)``."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError as exc:
            msg = f"{path}: unknown encoding {encoding!r}; use e.g. 'utf-8' or 'cp1252'."
            raise InputError(msg) from exc
        except UnicodeDecodeError as exc:
            msg = (
                f"{path}: cannot be decoded as {encoding} (byte {exc.start}); "
                "save it as UTF-8 or leave the encoding out to detect it."
            )
            raise InputError(msg) from exc
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    msg = (
        f"{path}: is neither UTF-8 nor Windows-1252 (cp1252) text; is it a text table at all? "
        "Save it as CSV UTF-8, or give its encoding."
    )
    raise InputError(msg)


def sniff_sep(text: str) -> str:
    """Return the separator (``;``, tab or ``,``) that best splits the first lines.

    The header must split into two or more fields; among such separators the one under which
    most of the first lines have the header's width wins (then the widest header).
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    sample = "\n".join(lines[:20])
    best, best_key = ",", (0.0, 1)
    for sep in _SEPARATORS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        share = sum(len(r) == width for r in rows) / len(rows)
        if (share, width) > best_key:
            best, best_key = sep, (share, width)
    return best


def detect_decimal_comma(frame: pd.DataFrame, skip: set[str]) -> bool:
    """Whether numbers in ``frame`` use a decimal comma (``12,5``) rather than a dot."""
    comma = dot = 0
    for col in frame.columns:
        if col in skip:
            continue
        values = frame[col].astype(str)
        comma += int(values.str.fullmatch(_COMMA_NUMBER).sum())
        dot += int(values.str.fullmatch(_DOT_NUMBER).sum())
    return comma > 0 and comma >= dot


def read_text_table(
    path: Path, *, encoding: str | None = None, sep: str | None = None
) -> TextTable:
    """Read a delimited text file into a DataFrame of stripped text cells.

    Raises
    ------
    InputError
        When the file cannot be decoded or is empty.
    ValidationError
        When the table cannot be split into rows and columns, or its header is unusable.
    """
    raw = path.read_bytes()
    text, enc = decode_bytes(raw, path, encoding)
    text = text.lstrip("\ufeff")
    if not text.strip():
        msg = f"{path}: the file is empty; it needs a header row and one row per area (and year)."
        raise InputError(msg)
    if "\x00" in text:
        msg = f"{path}: holds binary data (NUL bytes), not a text table; export it as CSV."
        raise InputError(msg)
    used_sep = sep if sep is not None else sniff_sep(text)
    if len(used_sep) != 1:
        msg = f"{path}: the separator must be one character, got {used_sep!r}."
        raise InputError(msg)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=used_sep))
    except csv.Error as exc:
        msg = f"{path}: cannot be split into rows and columns ({exc}); is it a CSV file?"
        raise InputError(msg) from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        msg = f"{path}: the file holds no values; it needs a header row and one row per area."
        raise InputError(msg)
    names = [h.strip() for h in rows[0]]
    body = rows[1:]
    problems: list[str] = []
    if any(not n for n in names):
        problems.append(
            f"the header has {sum(not n for n in names)} empty column name(s) "
            f"(columns {', '.join(str(i + 1) for i, n in enumerate(names) if not n)}); "
            "name every column"
        )
    dups = sorted({n for n in names if n and names.count(n) > 1})
    if dups:
        problems.append(f"duplicate column names {', '.join(repr(d) for d in dups)}; rename them")
    ragged = [i + 2 for i, r in enumerate(body) if len(r) != len(names)]
    if ragged:
        problems.append(
            f"rows {format_codes(ragged)} do not have {len(names)} fields like the header "
            f"(separator {used_sep!r}); fix those rows or give the right separator"
        )
    if problems:
        raise ValidationError(str(path), problems)
    frame = pd.DataFrame([[cell.strip() for cell in r] for r in body], columns=names, dtype=object)
    logger.info("%s: read %d rows, encoding %s, separator %r", path, len(frame), enc, used_sep)
    return TextTable(frame=frame, encoding=enc, sep=used_sep)
