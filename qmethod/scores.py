"""Factor z-scores and factor arrays (composite Q-sorts)."""
from __future__ import annotations

import numpy as np

from .errors import OptionError

#: Heywood cases: a loading of magnitude >= 1 (possible with the centroid
#: method) has no finite weight under L / (1 - L^2), and above 1 the formula
#: even turns negative (what qmethod then computes). Such loadings are weighted
#: as if they were 0.99 with their sign, Ken-Q's and KADE's default fix; the
#: result's notes name the sort. Loadings below 1 keep qmethod's weight exactly.
HEYWOOD_LOADING = 0.99


def factor_weights(L: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Weights w_sf = L_sf / (1 - L_sf^2) for flagged sorts, 0 otherwise; (N, k).

    Loadings with |L| >= 1 are weighted as sign(L) * 0.99 (see HEYWOOD_LOADING)."""
    L = np.asarray(L, dtype=float)
    Lc = np.where(np.abs(L) >= 1.0, np.sign(L) * HEYWOOD_LOADING, L)
    return np.where(flags, Lc / (1.0 - Lc ** 2), 0.0)


def zscores(X: np.ndarray, L: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Factor z-scores, shape (n statements, k).

    X : (n, N) raw grid values; L : (N, k) loadings; flags : (N, k) bool.
    The weighted sum of the flagged sorts is standardised over statements
    (mean 0, sd with n-1). A factor without flagged sorts gets NaN.
    """
    W = factor_weights(L, flags)
    S = np.asarray(X, dtype=float) @ W
    sd = S.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = (S - S.mean(axis=0)) / sd
    Z[:, (~flags.any(axis=0)) | (sd == 0)] = np.nan
    return Z


def _tie_groups(z: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Order of z ascending and, for each position in that order, the id of its
    group of (numerically) equal values."""
    order = np.argsort(z, kind="stable")
    zs = z[order]
    step = np.diff(zs) > tol * np.maximum(1.0, np.abs(zs[1:]))
    return order, np.concatenate([[0], np.cumsum(step)])


def factor_array(z: np.ndarray, distribution: np.ndarray, *, ties: str = "qmethod",
                 tol: float = 1e-10) -> np.ndarray:
    """Round one factor's z-scores (n,) onto the grid (n values).

    ties='qmethod': statement i gets the grid value at position floor(rank_i),
        rank_i the average rank of z_i (1-based), as qmethod indexes its sorted
        grid with a fractional rank. Tied statements therefore share one value
        (for two tied statements the lower of their two positions), and the
        array may then not fill the grid exactly (qmethod issue 196).
    ties='grid': ties are broken by statement order so the array is always a
        permutation of the grid.

    Values closer than ``tol`` (relative) count as tied: R compares doubles
    exactly, and the same z-score computed in another order can differ in the
    last bit.
    """
    z = np.asarray(z, dtype=float)
    dist = np.sort(np.asarray(distribution))
    n = z.shape[0]
    if dist.shape[0] != n:
        raise OptionError(f"the grid holds {dist.shape[0]} values but there are {n} statements")
    out = np.empty(n, dtype=dist.dtype)
    if np.isnan(z).any():
        return np.full(n, np.nan)
    order, group = _tie_groups(z, tol)
    if ties == "grid":
        out[order] = dist
        return out
    if ties != "qmethod":
        raise OptionError(f"ties must be 'qmethod' or 'grid', not {ties!r}")
    positions = np.arange(1, n + 1, dtype=float)
    sums = np.bincount(group, weights=positions)
    counts = np.bincount(group)
    avg_rank = (sums / counts)[group]
    out[order] = dist[np.floor(avg_rank).astype(int) - 1]
    return out


def factor_arrays(Z: np.ndarray, distribution: np.ndarray, *, ties: str = "qmethod") -> np.ndarray:
    """Factor arrays for every factor: (n, k) float (NaN for a factor without z-scores)."""
    return np.column_stack([factor_array(Z[:, f], distribution, ties=ties).astype(float)
                            for f in range(Z.shape[1])])
