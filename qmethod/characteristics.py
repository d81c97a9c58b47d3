"""Factor characteristics: eigenvalues, reliability, standard errors, SED."""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Average reliability coefficient of a single Q-sort (Brown 1980; qmethod's default).
AVERAGE_RELIABILITY = 0.8


def characteristics(L: np.ndarray, flags: np.ndarray, Z: np.ndarray, *,
                    av_rel: float = AVERAGE_RELIABILITY, names=None) -> pd.DataFrame:
    """One row per factor (k rows) with columns

    eigenvalue          sum of squared final loadings of the column (qmethod's
                        definition; PQMethod prints the same for rotated factors)
    explained_variance  100 * eigenvalue / N   (percent)
    defining_sorts      number of flagged sorts p
    composite_reliability  av_rel * p / (1 + (p - 1) * av_rel)
    se_zscores          sd(z) * sqrt(1 - reliability)  (sd(z) = 1 by construction)
    """
    L = np.asarray(L, dtype=float)
    N, k = L.shape
    p = flags.sum(axis=0).astype(int)
    eig = (L ** 2).sum(axis=0)
    rel = av_rel * p / (1 + (p - 1) * av_rel)
    # A factor without defining sorts has all-NaN z-scores and so no SE.
    sd = np.array([np.std(Z[:, f], ddof=1) if not np.isnan(Z[:, f]).any() else np.nan
                   for f in range(k)])
    se = sd * np.sqrt(1 - rel)
    names = names or [f"f{i + 1}" for i in range(k)]
    return pd.DataFrame({"eigenvalue": eig, "explained_variance": 100 * eig / N,
                         "defining_sorts": p, "composite_reliability": rel,
                         "se_zscores": se}, index=pd.Index(names, name="factor"))


def sed_matrix(se: np.ndarray) -> np.ndarray:
    """Standard errors of differences, (k, k): sqrt(SE_f^2 + SE_g^2)."""
    se = np.asarray(se, dtype=float)
    return np.sqrt(se[:, None] ** 2 + se[None, :] ** 2)


def factor_correlations(Z: np.ndarray) -> np.ndarray:
    """Pearson correlations between the z-score columns, (k, k)."""
    Z = np.asarray(Z, dtype=float)
    k = Z.shape[1]
    if k == 1:
        return np.ones((1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        C = np.corrcoef(Z, rowvar=False)
    return np.atleast_2d(C)
