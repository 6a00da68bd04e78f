"""Per-area, per-district and per-group tables of a plan's effect (vectorised)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geoseg.access import access_gini, palma, quintile_gap
from geoseg.errors import DataError

__all__ = ["area_stats", "equity_table", "group_table", "json_records"]


def area_stats(
    codes: np.ndarray, weights: np.ndarray, minutes: np.ndarray, *, within: float, index: Any
) -> pd.DataFrame:
    """Resident-weighted walking time per code (area or district).

    Returns ``residents``, ``mean_minutes`` (over those who reach a service), ``share_within``
    (share of residents within ``within`` minutes) and ``share_unreachable``, indexed by
    ``index`` (codes without residents get NaN).
    """
    idx = pd.Index(index)
    inv = idx.get_indexer(codes)
    ok = inv >= 0
    inv, w, t = inv[ok], np.nan_to_num(weights[ok]), minutes[ok]
    k = len(idx)
    reach = np.isfinite(t)
    tot = np.bincount(inv, weights=w, minlength=k)
    tot_r = np.bincount(inv, weights=np.where(reach, w, 0.0), minlength=k)
    sum_t = np.bincount(inv, weights=np.where(reach, w * np.where(reach, t, 0.0), 0.0), minlength=k)
    inside = np.bincount(inv, weights=np.where(t <= within, w, 0.0), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "residents": tot,
                "mean_minutes": np.where(tot_r > 0, sum_t / tot_r, np.nan),
                "share_within": np.where(tot > 0, inside / tot, np.nan),
                "share_unreachable": np.where(tot > 0, 1.0 - tot_r / tot, np.nan),
            },
            index=idx,
        )


def group_table(
    before: dict[str, np.ndarray],
    after: dict[str, np.ndarray],
    weights_before: pd.DataFrame,
    weights_after: pd.DataFrame,
    *,
    within: float,
    tolerance: float = 1e-9,
) -> pd.DataFrame:
    """Residents who gain and who lose walking access, by kind and group.

    ``before`` arrays cover the baseline residents, ``after`` arrays the same rows followed by
    new housing. Gain: the walk gets shorter (by more than ``tolerance`` minutes) or a service
    becomes reachable; lose: longer or unreachable. Also counted: residents newly within
    ``within`` minutes, no longer within, and new residents (with their share within).
    """
    n0 = len(weights_before)
    rows = []
    for kind, tb in before.items():
        ta = after[kind]
        old = ta[:n0]
        new = ta[n0:]
        with np.errstate(invalid="ignore"):
            gain = (old < tb - tolerance) | (np.isfinite(old) & ~np.isfinite(tb))
            lose = (old > tb + tolerance) | (~np.isfinite(old) & np.isfinite(tb))
        for g in weights_before.columns:
            w = np.nan_to_num(weights_before[g].to_numpy(dtype=float))
            wn = np.nan_to_num(weights_after[g].to_numpy(dtype=float)[n0:])
            rows.append(
                {
                    "kind": kind,
                    "group": g,
                    "residents": float(w.sum()),
                    "gain": float(w[gain].sum()),
                    "lose": float(w[lose].sum()),
                    "newly_within": float(w[(tb > within) & (old <= within)].sum()),
                    "no_longer_within": float(w[(tb <= within) & (old > within)].sum()),
                    "new_residents": float(wn.sum()),
                    "new_within": float(wn[new <= within].sum()),
                }
            )
    return pd.DataFrame(rows)


def equity_table(
    before: dict[str, np.ndarray],
    after: dict[str, np.ndarray],
    w_before: np.ndarray,
    w_after: np.ndarray,
    areas: pd.DataFrame,
    indicator: pd.Series | None,
    *,
    groups: int = 5,
) -> pd.DataFrame:
    """Gini, Palma and the quintile gap of walking time, before and after, per kind.

    ``areas`` is the per-area table (``id``, ``kind``, ``residents_before``, ``residents_after``,
    ``before_minutes``, ``after_minutes``). The gap ranks areas by the baseline ``indicator``
    (the same areas are compared before and after) and is computed with
    :func:`geoseg.access.equity.quintile_gap`.
    """
    rows = []
    for kind, tb in before.items():
        ta = after[kind]
        row: dict[str, Any] = {"kind": kind}
        row["gini_before"] = access_gini(tb, w_before)
        row["gini_after"] = access_gini(ta, w_after)
        row["palma_before"] = palma(tb, w_before)
        row["palma_after"] = palma(ta, w_after)
        if indicator is not None:
            a = areas[areas["kind"] == kind].set_index("id")
            ind = indicator.reindex(a.index).to_numpy(dtype=float)
            both = np.isfinite(a["before_minutes"]) & np.isfinite(a["after_minutes"])
            try:
                gb = quintile_gap(
                    a["before_minutes"][both],
                    ind[both],
                    weights=a["residents_before"][both],
                    groups=groups,
                )
                ga = quintile_gap(
                    a["after_minutes"][both],
                    ind[both],
                    weights=a["residents_after"][both],
                    groups=groups,
                )
            except DataError:
                gb = ga = pd.Series({"gap": np.nan})
            row["gap_before"] = float(gb["gap"])
            row["gap_after"] = float(ga["gap"])
        rows.append(row)
    out = pd.DataFrame(rows)
    for m in ("gini", "palma", "gap"):
        if f"{m}_before" in out.columns:
            out[f"{m}_change"] = out[f"{m}_after"] - out[f"{m}_before"]
    return out


def _clean(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is pd.NA or value is None:
        return None
    return value


def json_records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """JSON-ready records: NaN and infinity become null, NumPy scalars Python numbers."""
    frame = df if columns is None else df.loc[:, columns]
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
