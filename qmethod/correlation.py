"""Correlation between Q-sorts, kept in factored form.

Every supported coefficient between two Q-sorts a and b is an inner product of
two per-sort vectors: R = W'W, with W of shape (m, N). Keeping W instead of R
is what lets the engine handle a million sorts: R would be N x N, W is only
m x N with m = n (Pearson, Spearman) or n(n-1)/2 (Kendall).

- Pearson:  W = Z / sqrt(n-1), Z the columns standardised with the n-1 sd.
- Spearman: Pearson on the columns' average ranks (R's ``cor(method="spearman")``).
- Kendall tau-b: for each statement pair (i<j) the sign of x_i - x_j; tau-b is
  the cosine between two such sign vectors, because sqrt(n0-n1) is the norm of
  a sign vector (the number of untied pairs). W then has n(n-1)/2 rows, so its
  memory grows like n^2 N (60 statements x 100,000 sorts: 1.4 GB); Pearson and
  Spearman need only n x N.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from .errors import InputError, OptionError

METHODS = ("pearson", "spearman", "kendall")


def _check_method(method: str) -> str:
    m = str(method).lower()
    if m not in METHODS:
        raise OptionError(f"unknown correlation {method!r}; choose one of {', '.join(METHODS)}")
    return m


def _constant_columns(X: np.ndarray) -> np.ndarray:
    return np.nonzero(X.min(axis=0) == X.max(axis=0))[0]


def correlation_factor(X, method: str = "pearson", *, ids=None) -> np.ndarray:
    """Return W (m x N, float64) with ``W.T @ W`` the N x N correlation matrix.

    Parameters
    ----------
    X : array-like, shape (n statements, N sorts)
    method : 'pearson' (default), 'spearman' or 'kendall' (tau-b)
    ids : optional participant ids, used only to name a constant sort in errors.
    """
    method = _check_method(method)
    X = np.asarray(X, dtype=float)
    n, N = X.shape
    const = _constant_columns(X)
    if const.size:
        who = ids[const[0]] if ids is not None else f"column {const[0] + 1}"
        raise InputError(f"participant {who!r} gave every statement the same score; "
                         "a constant Q-sort has no correlation with anything")
    if method == "spearman":
        from scipy.stats import rankdata  # scipy is slow to import; only Spearman needs it
        X = rankdata(X, axis=0, method="average")
        method = "pearson"
    if method == "pearson":
        Z = X - X.mean(axis=0)
        Z /= np.sqrt(np.einsum("ij,ij->j", Z, Z))  # unit-norm columns: Z'Z is R directly
        return Z
    # Kendall tau-b: one row per statement pair, n(n-1)/2 rows. Filled in column
    # blocks so that the only large array is W itself (no m x N temporaries).
    i, j = np.triu_indices(n, k=1)
    S = np.empty((i.size, N))
    step = max(1, int(2**22 // max(i.size, 1)))
    for c in range(0, N, step):
        block = X[:, c:c + step]
        S[:, c:c + step] = np.sign(block[i] - block[j])
    # Entries are 0 or +-1, so a column's squared norm is its count of untied pairs.
    S /= np.sqrt(np.count_nonzero(S, axis=0))
    return S


def correlation_matrix(X, method: str = "pearson", *, ids=None) -> np.ndarray:
    """N x N correlation matrix between the columns of X (for display and the
    centroid method only; the PCA path never forms it)."""
    W = correlation_factor(X, method, ids=ids)
    R = W.T @ W
    np.fill_diagonal(R, 1.0)
    return R


def correlation_frame(sorts: pd.DataFrame, method: str = "pearson") -> pd.DataFrame:
    """Correlation matrix as a DataFrame indexed by participant id (N x N)."""
    ids = list(sorts.columns)
    R = correlation_matrix(sorts.to_numpy(), method, ids=ids)
    return pd.DataFrame(R, index=sorts.columns, columns=sorts.columns)
