"""Indicators per area and year from a register: shares of a denominator and amounts."""

from __future__ import annotations

import pandas as pd

__all__ = ["AMOUNT_LABELS", "SHARE_INDICATORS", "TENURE", "indicator_table"]

#: Indicators mapped as shares of a denominator: (numerator, denominator, English, Swedish).
SHARE_INDICATORS = (
    ("foreign_born", "pop_total", "Foreign-born (%)", "Utrikes födda (%)"),
    (
        "low_economic_standard",
        "pop_total",
        "Low economic standard (%)",
        "Låg ekonomisk standard (%)",
    ),
    ("employed_20_64", "age_20_64", "Employment rate 20-64 (%)", "Förvärvsfrekvens 20-64 (%)"),
    ("dwellings_rental", None, "Rental dwellings (%)", "Hyresrätter (%)"),
)
TENURE = ("dwellings_rental", "dwellings_tenant_owned", "dwellings_owner_occupied")
#: Amount indicators mapped as they are.
AMOUNT_LABELS = {
    "median_income_tkr": ("Median disposable income (kSEK)", "Medianinkomst (tkr)"),
    "voter_turnout": ("Voter turnout (%)", "Valdeltagande (%)"),
}


def indicator_table(
    register: pd.DataFrame, *, id_column: str, year_column: str | None
) -> pd.DataFrame:
    """Shares and amounts per (area, year): ``code``, ``year``, ``indicator``, ``value``.

    Shares are per cent of their denominator; the denominator is kept as ``base`` so that a
    share resting on fewer persons than the disclosure threshold can be suppressed. Labels are
    in ``label_en`` and ``label_sv``; ``count`` holds a share's numerator.
    """
    rows = []
    year = register[year_column] if year_column and year_column in register else None
    for num, den, en, sv in SHARE_INDICATORS:
        if num not in register:
            continue
        if den is None:
            if not all(c in register for c in TENURE):
                continue
            base = register[list(TENURE)].sum(axis=1)
        elif den in register:
            base = register[den]
        else:
            continue
        value = 100.0 * register[num] / base.where(base > 0)
        rows.append(
            pd.DataFrame(
                {
                    "code": register[id_column].astype(str),
                    "year": year,
                    "indicator": num,
                    "label_en": en,
                    "label_sv": sv,
                    "value": value,
                    "count": register[num],
                    "base": base,
                }
            )
        )
    for col, (en, sv) in AMOUNT_LABELS.items():
        if col in register:
            rows.append(
                pd.DataFrame(
                    {
                        "code": register[id_column].astype(str),
                        "year": year,
                        "indicator": col,
                        "label_en": en,
                        "label_sv": sv,
                        "value": register[col],
                        "count": float("nan"),
                        "base": register.get("pop_total", float("nan")),
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=["code", "year", "indicator", "value"])
    return pd.concat(rows, ignore_index=True)
