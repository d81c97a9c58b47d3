"""Factor extraction: principal components and Brown's centroid method.

Loadings are returned as an array of shape (N sorts, k factors).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .errors import OptionError

#: Above this many sorts the centroid method's N x N residual matrix becomes
#: the bottleneck (memory N^2 * 8 bytes; 5,000 sorts = 200 MB, 20 s or so).
CENTROID_PRACTICAL_MAX_N = 5000


@dataclass
class Extraction:
    """Unrotated result of an extraction.

    loadings : (N, k) unrotated loadings
    eigenvalues : (min(m, N),) all eigenvalues of R in decreasing order (PCA),
        or the k centroid factors' sums of squared loadings (centroid)
    """

    loadings: np.ndarray
    eigenvalues: np.ndarray
    method: str
    #: what the researcher should know about this extraction (see :func:`centroid`)
    notes: tuple[str, ...] = ()


def _check_k(k: int, N: int) -> int:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise OptionError(f"the number of factors must be a whole number, not {k!r}")
    if k < 1:
        raise OptionError(f"the number of factors must be at least 1 (got {k})")
    if k > N:
        raise OptionError(f"cannot extract {k} factors from {N} Q-sorts")
    return int(k)


def eigen_from_factor(W, *, path: str = "auto",
                      ncomp: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-decomposition of R = W'W without forming R when W is wide.

    Parameters
    ----------
    W : (m, N) array, or a :class:`qmethod.correlation.KendallFactor` (built
        block by block; only the gram path keeps it so)
    path : 'gram' decomposes the m x m matrix WW' (cost m^2 N): its
        eigenvectors u give R's as W'u / sqrt(lambda), so the loadings are
        W'u. 'full' decomposes the N x N matrix R (what qmethod does). 'auto'
        takes the smaller one.
    ncomp : loadings of the ncomp leading components only (default: all r)

    Returns ``(values, L)``: all r = min(m, N) eigenvalues, non-negative and
    decreasing, shape (r,), and ``L = V * sqrt(values)``, shape (N, ncomp or
    r), the principal-component loadings.
    """
    m, N = W.shape
    if path == "auto":
        path = "gram" if m < N else "full"
    if path not in ("gram", "full"):
        raise OptionError(f"unknown eigen path {path!r}")
    lazy = not isinstance(W, np.ndarray)
    if lazy and path == "full":
        W, lazy = W.dense(), False
    r = min(m, N)
    ncomp = r if ncomp is None else min(int(ncomp), r)
    if path == "gram":
        vals, U = np.linalg.eigh(W.gram() if lazy else W @ W.T)
        # R has at most min(m, N) eigenvalues: drop WW's surplus zeros when m > N
        order = np.argsort(vals)[::-1][:r]
        vals = vals[order]
        U = U[:, order[:ncomp]]
        L = W.rmatmul(U) if lazy else W.T @ U
    else:
        R = W.T @ W
        np.fill_diagonal(R, 1.0)
        vals, V = np.linalg.eigh(R)
        order = np.argsort(vals)[::-1][:r]
        vals, V = vals[order], V[:, order[:ncomp]]
        # psych::principal clips eigenvalues below machine epsilon before the sqrt.
        L = V * np.sqrt(np.maximum(vals[:ncomp], np.finfo(float).eps))
    return np.maximum(vals, 0.0), L


def flip_positive(L: np.ndarray) -> np.ndarray:
    """Flip each column so that its sum is >= 0 (a zero sum counts as positive).

    L : (N, k) or a stack (b, N, k). This is psych::principal's convention; it
    makes the arbitrary sign of an eigenvector deterministic. (psych applies it
    for k > 1; we apply it for k = 1 too, where R's sign is whatever LAPACK
    returned, so that a single factor reads the same way on every machine.)
    """
    s = np.sign(L.sum(axis=-2))
    s[s == 0] = 1.0
    return L * s[..., None, :]


def pca(W: np.ndarray, k: int, *, path: str = "auto") -> Extraction:
    """Principal-component loadings of the k largest components.

    Parameters
    ----------
    W : (m, N) correlation factor from :func:`qmethod.correlation.correlation_factor`
        (an array or a lazy KendallFactor)
    k : number of components, 1 <= k <= N
    path : 'auto' | 'gram' | 'full' (see :func:`eigen_from_factor`)

    Returns loadings (N, k) = eigenvector * sqrt(eigenvalue), columns signed by
    :func:`flip_positive`, and all eigenvalues.
    """
    k = _check_k(k, W.shape[1])
    if k > min(W.shape):
        raise OptionError(f"the data support at most {min(W.shape)} components; {k} were asked for")
    vals, L = eigen_from_factor(W, path=path, ncomp=k)
    return Extraction(flip_positive(L), vals, "pca")


def centroid(R: np.ndarray, k: int, *, threshold: float = 1e-5, max_reflections: int | None = None,
             exhausted: str = "raise", check_order: bool = True) -> Extraction:
    """Brown's centroid extraction, as qmethod's ``centroid()`` does it.

    Parameters
    ----------
    R : (N, N) correlation matrix. This path needs the full matrix, so it is
        practical up to about ``CENTROID_PRACTICAL_MAX_N`` sorts; beyond that a
        warning is issued (the PCA path has no such limit).
    k : number of factors
    threshold : convergence of the communality iteration (qmethod's spc)
    exhausted : what to do when the residual correlations are used up before k
        factors (e.g. identical sorts): 'raise' an OptionError saying how many
        factors the data hold, or 'zero' to leave the remaining columns at 0
        (the bootstrap does, for a resample that drew one sort many times)
    check_order : when a reflection had to choose between sorts with equal
        column sums, extract again with the sorts in reverse order and add a
        note if the factors differ (see below)

    For each factor, on the residual matrix T (diagonal set to 0):
    reflect variables until every column sum is positive (always the one with
    the smallest sum, first on ties), estimate the factor from column sums
    with iterated communalities on the diagonal, undo the reflections on the
    factor, and subtract its outer product. PQMethod and Ken-Q differ in the
    reflection rule and use a fixed number of iterations; their numbers differ
    slightly from these.

    Order of the sorts: the factor estimate makes each residual column sum
    zero (up to the communality threshold), so the reflections of every factor
    after the first start from sums at the size of that threshold, and where
    sums are equal "first on ties" picks by position. Another order of the same sorts can then
    reflect other sorts and give other factors 2..k (qmethod behaves the same;
    on lipset and senmon no order changes them, on small or weakly structured
    data some do). Rather than depart from qmethod's rule, such a tie is
    checked by extracting in reverse order, and a difference is reported in
    ``notes`` (PCA does not depend on the order).
    """
    R = np.array(R, dtype=float)
    N = R.shape[0]
    k = _check_k(k, N)
    if N > CENTROID_PRACTICAL_MAX_N:
        warnings.warn(f"centroid extraction on {N} sorts works on an N x N matrix "
                      f"({N * N * 8 / 2**20:.0f} MB); it is practical up to about "
                      f"{CENTROID_PRACTICAL_MAX_N} sorts. PCA has no such limit.", stacklevel=2)
    if max_reflections is None:
        max_reflections = 10 * N + 100
    T = R.copy()
    L = np.zeros((N, k))
    # qmethod reflects a sum <= 0. A sum that is 0 in exact arithmetic comes out
    # as +-1e-17 or so, its sign set by the order of the additions (that is, of
    # the sorts), so here a sum within rounding of 0 counts as 0 and is not
    # reflected; elsewhere the rule is qmethod's.
    zero = 1e-12 * N
    tied = False
    for f in range(k):
        np.fill_diagonal(T, 0.0)
        sign = np.ones(N)
        colsum = T.sum(axis=0)
        flips = 0
        # Each flip of a negative-sum variable raises the total sum of T, so the
        # loop ends; the cap only guards the degenerate case.
        while (colsum < -zero).any() and flips < max_reflections:
            v = int(np.argmin(colsum))
            if not tied:
                tied = int((colsum <= colsum[v] + zero).sum()) > 1
            # Flipping row and column v of a zero-diagonal matrix changes every
            # other column sum by -2 T[v, j] and negates column v's own sum.
            own = colsum[v]
            colsum = colsum - 2.0 * T[v, :] * sign[v] * sign
            colsum[v] = -own
            sign[v] = -sign[v]
            flips += 1
        Tr = T * np.outer(sign, sign)
        cs = Tr.sum(axis=0)
        r = cs / (N - 1)
        t = cs + r
        # With nothing left to explain the factor would be 0/0 (qmethod returns NaN).
        if not np.isfinite(t).all() or t.sum() <= 1e-10:
            if exhausted == "zero":
                break
            raise OptionError(f"only {f} centroid factor{'s' if f != 1 else ''} can be extracted "
                              f"from these data: the correlations are fully explained after "
                              f"factor {f} (are some Q-sorts identical?)")
        fac = t / np.sqrt(t.sum())
        for _ in range(10000):
            if not (np.abs(r - fac ** 2) >= threshold).any():
                break
            r = fac ** 2
            t = cs + r
            fac = t / np.sqrt(t.sum())
        fac = fac * sign  # undo the reflections on the factor
        L[:, f] = fac
        T = T - np.outer(fac, fac)
    eig = (L ** 2).sum(axis=0)
    notes: tuple[str, ...] = ()
    if tied and check_order:
        back = np.arange(N)[::-1]
        other = centroid(R[np.ix_(back, back)], k, threshold=threshold,
                         max_reflections=max_reflections, exhausted="zero",
                         check_order=False).loadings[back]
        if not np.allclose(np.abs(other), np.abs(L), atol=1e-6):
            notes = (ORDER_NOTE,)
    return Extraction(L, eig, "centroid", notes)


#: The note of an order-dependent centroid solution (see :func:`centroid`).
ORDER_NOTE = ("centroid factors after the first depend on the order of the sorts here: their "
              "reflections chose between sorts with equal column sums, and the sorts in reverse "
              "order give other factors (qmethod's centroid behaves the same); PCA does not "
              "depend on the order")
