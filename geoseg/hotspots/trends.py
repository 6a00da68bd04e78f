"""Hotspots over several years: how often each area is in a cluster, and when it changed."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.hotspots import _inputs as _in

__all__ = ["HotspotTrends", "hotspot_trends"]


@dataclass(frozen=True)
class HotspotTrends:
    """Clusters over several years.

    Attributes
    ----------
    counts
        One row per area: the number of years in each label (one column per label), plus
        ``years_observed``, ``years_significant`` and ``last_label``.
    changes
        One row per area and pair of consecutive years where the cluster changed, with columns
        ``id``, ``year_from``, ``year_to``, ``label_from``, ``label_to`` and ``change``:
        ``"entered"`` (not significant -> cluster), ``"left"`` (cluster -> not significant) or
        ``"switched"`` (one cluster to another).
    """

    counts: pd.DataFrame
    changes: pd.DataFrame


def hotspot_trends(results: Mapping[Any, pd.DataFrame]) -> HotspotTrends:
    """Summarise local cluster results of several years.

    Parameters
    ----------
    results
        Results of :func:`local_moran` (or the other local functions) keyed by year. Each needs
        the columns ``label`` and ``significant``; areas may be missing in some years.

    Returns
    -------
    HotspotTrends
        Per-area counts of years in each cluster and the areas that entered or left a cluster
        between consecutive years (years sorted; a year where the area is missing breaks the
        chain, so no change is reported across it).
    """
    if len(results) < 1:
        msg = "hotspot_trends: give the results of at least one year."
        raise InputError(msg)
    missing = [
        str(year)
        for year, frame in results.items()
        if not {"label", "significant"} <= set(frame.columns)
    ]
    if missing:
        msg = (
            f"hotspot_trends: results of year(s) {', '.join(missing)} lack the columns 'label' "
            "and 'significant'; pass the tables returned by local_moran or getis_ord."
        )
        raise InputError(msg)
    years = sorted(results)
    label = pd.DataFrame({y: results[y]["label"].astype(object) for y in years})
    sig = pd.DataFrame({y: results[y]["significant"].astype("boolean") for y in years})
    order = _in.label_order(pd.unique(label.stack().to_numpy()))
    counts = pd.DataFrame(
        {name: (label == name).sum(axis=1).astype(np.int64) for name in order},
        index=label.index,
    )
    counts["years_observed"] = label.notna().sum(axis=1).astype(np.int64)
    counts["years_significant"] = sig.fillna(False).sum(axis=1).astype(np.int64)
    counts["last_label"] = label.ffill(axis=1).iloc[:, -1]
    counts.index.name = next(iter(results.values())).index.name

    rows = []
    for before, after in itertools.pairwise(years):
        both = label[before].notna() & label[after].notna()
        moved = both & (label[before] != label[after])
        for code in label.index[moved]:
            s0, s1 = bool(sig.at[code, before]), bool(sig.at[code, after])
            change = "entered" if s1 and not s0 else "left" if s0 and not s1 else "switched"
            rows.append(
                (str(code), before, after, label.at[code, before], label.at[code, after], change)
            )
    changes = pd.DataFrame(
        rows, columns=["id", "year_from", "year_to", "label_from", "label_to", "change"]
    )
    return HotspotTrends(counts=counts, changes=changes)
