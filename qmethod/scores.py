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
    Stacks work too (X (b, n, N), L and flags (b, N, k) -> (b, n, k)): the
    bootstrap scores its resamples with this same function.
    The weighted sum of the flagged sorts is standardised over statements
    (mean 0, sd with n-1). A factor without flagged sorts gets NaN.
    """
    flags = np.asarray(flags, dtype=bool)
    W = factor_weights(L, flags)
    X = np.asarray(X)
    if X.ndim == 2 and X.dtype.kind != "f":
        # integer scores: converted a block of sorts at a time, never all at once
        S = np.zeros((X.shape[0], W.shape[-1]))
        step = max(1, 2 ** 18 // max(X.shape[0], 1))
        for lo in range(0, X.shape[1], step):
            S += X[:, lo:lo + step].astype(float) @ W[lo:lo + step]
    else:
        S = np.asarray(X, dtype=float) @ W
    sd = S.std(axis=-2, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = (S - S.mean(axis=-2, keepdims=True)) / sd[..., None, :]
    empty = (~flags.any(axis=-2)) | (sd == 0)
    return np.where(empty[..., None, :], np.nan, Z)


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
    last bit. Returns NaN everywhere for z-scores with a NaN.
    """
    z = np.asarray(z, dtype=float)
    return factor_arrays(z[:, None], distribution, ties=ties, tol=tol)[:, 0]


def factor_arrays(Z: np.ndarray, distribution, *, ties: str = "qmethod",
                  tol: float = 1e-10) -> np.ndarray:
    """Factor arrays of every factor (see :func:`factor_array` for the rule).

    Z : (n, k) z-scores, or a stack (b, n, k) (the bootstrap's resamples).
    Returns grid values as float, shaped like Z, NaN for a factor without
    z-scores. Vectorised over factors and resamples: one sort of each column,
    tie groups from the sorted differences, average ranks by bincount.
    """
    if ties not in ("qmethod", "grid"):
        raise OptionError(f"ties must be 'qmethod' or 'grid', not {ties!r}")
    Z = np.asarray(Z, dtype=float)
    single = Z.ndim == 2
    if single:
        Z = Z[None]
    b, n, k = Z.shape
    dist = np.sort(np.asarray(distribution)).astype(float)
    if dist.shape[0] != n:
        raise OptionError(f"the grid holds {dist.shape[0]} values but there are {n} statements")
    z = np.ascontiguousarray(Z.transpose(0, 2, 1)).reshape(b * k, n)
    bad = np.isnan(z).any(axis=1)
    z = np.where(bad[:, None], 0.0, z)
    order = np.argsort(z, axis=1, kind="stable")
    rows = np.arange(b * k)[:, None]
    out = np.empty((b * k, n))
    if ties == "grid":
        out[rows, order] = dist
    else:
        zs = np.take_along_axis(z, order, axis=1)
        step = np.diff(zs, axis=1) > tol * np.maximum(1.0, np.abs(zs[:, 1:]))
        group = np.concatenate([np.zeros((b * k, 1), dtype=np.int64),
                                np.cumsum(step, axis=1)], axis=1) + rows * n
        positions = np.broadcast_to(np.arange(1, n + 1, dtype=float), (b * k, n))
        sums = np.bincount(group.ravel(), weights=positions.ravel(), minlength=b * k * n)
        counts = np.bincount(group.ravel(), minlength=b * k * n)
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = (sums / counts)[group]
        out[rows, order] = dist[np.floor(avg).astype(int) - 1]
    out[bad] = np.nan
    out = out.reshape(b, k, n).transpose(0, 2, 1)
    return out[0] if single else out
