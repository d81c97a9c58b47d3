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


def _qmethod_label(sig_row: np.ndarray, pairs, names: list[str]) -> str:
    """qmethod's ``dist.and.cons`` label for one statement; ``names`` are the
    compared factors' names, ``pairs`` index into them."""
    k = len(names)
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
                return f"Distinguishes {names[f]} only"
            label += f"Distinguishes {names[f]} "
    return label


def distinguishing(Z: np.ndarray, sed: np.ndarray, statements, *, names=None) -> pd.DataFrame:
    """Distinguishing and consensus table, one row per statement.

    Columns: ``consensus`` (no pair significant at .05), ``distinguishes_f*``
    (every pair involving the factor significant at .05), ``label`` (qmethod's
    wording), then for each pair ``f1_f2`` the z difference and ``sig_f1_f2`` the
    stars, and ``pqmethod_consensus`` (PQMethod's view: no pair significant at
    .01) with ``pqmethod_consensus_05`` (not significant at .05 either, PQMethod's star).

    A factor without z-scores (no defining sort) takes no part: the comparisons
    are made among the other factors, its pair columns are empty and it
    distinguishes nothing. With fewer than two factors that have z-scores
    nothing can be compared and every flag is False.
    """
    k = Z.shape[1]
    names = names or [f"f{i + 1}" for i in range(k)]
    idx = pd.Index(list(statements), name="statement")
    live = [f for f in range(k) if not np.isnan(Z[:, f]).any()]
    out = pd.DataFrame(index=idx)
    if len(live) < 2:
        out["consensus"] = False
        for f in range(k):
            out[f"distinguishes_{names[f]}"] = False
        out["label"] = ""
    else:
        Zl, sedl = Z[:, live], np.asarray(sed)[np.ix_(live, live)]
        pairs = pair_names(len(live))
        diff, stars = significance(Zl, sedl)
        sig05 = stars != ""
        out["consensus"] = ~sig05.any(axis=1)
        for f in range(k):
            if f in live:
                inside = np.array([live.index(f) in p for p in pairs])
                out[f"distinguishes_{names[f]}"] = sig05[:, inside].all(axis=1)
            else:
                out[f"distinguishes_{names[f]}"] = False
        out["label"] = [_qmethod_label(row, pairs, [names[f] for f in live]) for row in sig05]
    all_pairs = pair_names(k)
    for f, g in all_pairs:
        col, sig = f"{names[f]}_{names[g]}", f"sig_{names[f]}_{names[g]}"
        if f in live and g in live and len(live) >= 2:
            c = pair_names(len(live)).index((live.index(f), live.index(g)))
            out[col] = diff[:, c]
            out[sig] = stars[:, c]
        else:
            out[col] = np.nan
            out[sig] = ""
    if len(live) >= 2:
        sig01 = np.isin(stars, ["**", "***", "6*"])
        out["pqmethod_consensus"] = ~sig01.any(axis=1)
        out["pqmethod_consensus_05"] = ~(stars != "").any(axis=1)
    else:
        out["pqmethod_consensus"] = False
        out["pqmethod_consensus_05"] = False
    return out
