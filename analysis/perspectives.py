"""Correlations of factors with ideal-type sorts: extra evidence, not names.

Each factor's z-scores are correlated with each perspective's ideal-type sort
(:func:`studies.ideal_types.ideal_type_sorts`). The matrix helps a reader see
how close a viewpoint is to a designed perspective, but it is *uncorrected*
(one test per cell), so it never names a factor: names come from the
calibrated matching of :mod:`analysis.viewpoints`, whose family-wise rate of
false claims is controlled. (Naming factors from this matrix by a one-to-one
assignment on ``|r|`` claimed a perspective in a quarter to a third of random
studies.)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import t as student_t


def critical_r(n: int, p: float = 0.05) -> float:
    """Smallest |r| significant at two-sided level p for n paired values
    (t-test of a Pearson correlation, df = n - 2). For n = 36, p = .05: 0.329."""
    if n < 3:
        raise ValueError("a correlation test needs at least 3 statements")
    t = student_t.ppf(1 - p / 2, n - 2)
    return float(t / np.sqrt(n - 2 + t * t))


def ideal_type_correlations(zscores: pd.DataFrame, ideal_types: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Pearson r of each factor's z-scores with each ideal-type sort.

    Parameters
    ----------
    zscores : (n statements, k factors) indexed by statement id
    ideal_types : perspective -> {statement id: grid score}

    Returns
    -------
    (k', P) DataFrame for the k' factors with z-scores (index ``factor``,
    columns ``perspective``).
    """
    persp = list(ideal_types)
    ideal = pd.DataFrame({q: pd.Series(ideal_types[q]) for q in persp}).reindex(zscores.index)
    if ideal.isna().any().any():
        missing = ideal.index[ideal.isna().any(axis=1)].tolist()
        raise ValueError(f"ideal types do not cover statements {missing[:5]}")
    usable = [f for f in zscores.columns if not zscores[f].isna().any()]
    Z = zscores[usable].to_numpy(float)
    I = ideal.to_numpy(float)
    Zs = (Z - Z.mean(0)) / Z.std(0, ddof=1)
    Is = (I - I.mean(0)) / I.std(0, ddof=1)
    C = Zs.T @ Is / (len(zscores) - 1)
    return pd.DataFrame(C, index=pd.Index(usable, name="factor"), columns=pd.Index(persp, name="perspective"))
