"""Reading a code crosswalk: how areas of the years before a series break map to later areas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geoseg.errors import ValidationError, format_codes
from geoseg.io._csv import read_text_table

__all__ = ["CROSSWALK_COLUMNS", "read_crosswalk"]

#: Columns of a crosswalk file; ``weight`` is optional (default 1).
CROSSWALK_COLUMNS = ("from_code", "to_code", "weight")


def read_crosswalk(path: str | Path) -> pd.DataFrame:
    """Read a crosswalk CSV with the columns ``from_code``, ``to_code`` and optional ``weight``.

    Parameters
    ----------
    path
        A delimited text file (``;``, ``,`` or tab; UTF-8 or cp1252; decimal comma or point).
        Each row says that (a share ``weight`` of) the old area ``from_code`` lies in the new
        area ``to_code``; a population count is a good weight.

    Returns
    -------
    DataFrame
        Columns ``from_code`` and ``to_code`` (text, leading zeros kept) and ``weight``
        (float, >= 0; 1 where the file has no weight column).

    Raises
    ------
    ValidationError
        Missing columns, empty codes, weights that are not numbers >= 0, repeated pairs, all
        listed at once.
    """
    p = Path(path)
    frame = read_text_table(p).frame
    problems = []
    missing = [c for c in CROSSWALK_COLUMNS[:2] if c not in frame.columns]
    if missing:
        problems.append(
            f"column(s) {', '.join(missing)} missing; the crosswalk needs from_code, to_code "
            f"and optionally weight (columns found: {', '.join(frame.columns)})"
        )
        raise ValidationError(str(p), problems)
    out = pd.DataFrame(
        {"from_code": frame["from_code"].astype(str), "to_code": frame["to_code"].astype(str)}
    )
    empty = [
        i + 2
        for i, (a, b) in enumerate(zip(out["from_code"], out["to_code"], strict=True))
        if not a or not b
    ]
    if empty:
        problems.append(f"rows {format_codes(empty)} have an empty from_code or to_code")
    if "weight" in frame.columns:
        text = frame["weight"].astype(str).str.replace(",", ".", regex=False)
        weight = pd.to_numeric(text, errors="coerce")
        bad = [i + 2 for i, w in enumerate(weight) if not (w >= 0)]
        if bad:
            problems.append(
                f"column weight: rows {format_codes(bad)} are not numbers >= 0 (use a share or "
                "a population count)"
            )
        out["weight"] = weight.astype(float)
    else:
        out["weight"] = 1.0
    dupes = out[out.duplicated(["from_code", "to_code"])]
    if len(dupes):
        pairs = [f"{a}->{b}" for a, b in zip(dupes["from_code"], dupes["to_code"], strict=True)]
        problems.append(f"pairs {format_codes(pairs)} appear more than once; merge their weights")
    if problems:
        raise ValidationError(str(p), problems)
    return out
