"""Distinguishing and consensus statements.

For factors f and g, statement i differs significantly when
|z_if - z_ig| > c * SED_fg with c = 1.96 (p < .05), 2.576 (.01), 3.291 (.001)
or 4.8916 (1e-6), the normal quantiles qmethod uses.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

#: (label, critical value), from the weakest to the strongest level.
LEVELS = (("*", 1.96), ("**", 2.576), ("***", 3.291), ("6*", 4.8916))


def pair_names(k: int) -> list[tuple[int, int]]:
    return list(combinations(range(k), 2))


def significance(Z: np.ndarray, sed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Differences and significance stars for every factor pair.

    Returns ``(diff (n, P), stars (n, P) of str)`` with P = k(k-1)/2 pairs in
    the order (1,2), (1,3), ..., (2,3), ...; '' means not significant at .05.
    """
    pairs = pair_names(Z.shape[1])
    n = Z.shape[0]
    diff = np.empty((n, len(pairs)))
    stars = np.full((n, len(pairs)), "", dtype=object)
    for c, (f, g) in enumerate(pairs):
        d = Z[:, f] - Z[:, g]
        diff[:, c] = d
        for label, crit in LEVELS:
            stars[np.abs(d) > crit * sed[f, g], c] = label
    return diff, stars


def _qmethod_label(sig_row: np.ndarray, pairs, k: int) -> str:
    """qmethod's ``dist.and.cons`` label for one statement."""
    if not sig_row.any():
        return "Consensus"
    if k == 2:
        return "Distinguishing"
    if sig_row.all():
        return "Distinguishes all"
    label = ""
    for f in range(k):
        inside = np.array([f in p for p in pairs])
        if sig_row[inside].all():
            if not sig_row[~inside].any():
                return f"Distinguishes f{f + 1} only"
            label += f"Distinguishes f{f + 1} "
    return label


def distinguishing(Z: np.ndarray, sed: np.ndarray, statements, *, names=None) -> pd.DataFrame:
    """Distinguishing and consensus table, one row per statement.

    Columns: ``consensus`` (no pair significant at .05), ``distinguishes_f*``
    (every pair involving the factor significant at .05), ``label`` (qmethod's
    wording), then for each pair ``f1_f2`` the z difference and ``sig_f1_f2`` the
    stars, and ``pqmethod_consensus`` (PQMethod's view: no pair significant at
    .01) with ``pqmethod_consensus_05`` (not significant at .05 either, PQMethod's star).
    With one factor (or factors without z-scores) nothing can be compared and
    every flag is False.
    """
    k = Z.shape[1]
    names = names or [f"f{i + 1}" for i in range(k)]
    idx = pd.Index(list(statements), name="statement")
    pairs = pair_names(k)
    if k < 2:
        out = pd.DataFrame(index=idx)
        out["consensus"] = False
        out[f"distinguishes_{names[0]}"] = False
        out["label"] = ""
        out["pqmethod_consensus"] = False
        out["pqmethod_consensus_05"] = False
        return out
    diff, stars = significance(Z, sed)
    sig05 = stars != ""
    sig01 = np.isin(stars, ["**", "***", "6*"])
    out = pd.DataFrame(index=idx)
    out["consensus"] = ~sig05.any(axis=1)
    for f in range(k):
        inside = np.array([f in p for p in pairs])
        out[f"distinguishes_{names[f]}"] = sig05[:, inside].all(axis=1)
    out["label"] = [_qmethod_label(row, pairs, k) for row in sig05]
    for c, (f, g) in enumerate(pairs):
        out[f"{names[f]}_{names[g]}"] = diff[:, c]
        out[f"sig_{names[f]}_{names[g]}"] = stars[:, c]
    out["pqmethod_consensus"] = ~sig01.any(axis=1)
    out["pqmethod_consensus_05"] = ~sig05.any(axis=1)
    nan_rows = np.isnan(Z).any(axis=1)
    if nan_rows.any():
        out.loc[nan_rows, ["consensus", "pqmethod_consensus", "pqmethod_consensus_05"]] = False
    return out
