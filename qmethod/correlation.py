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
  memory grows like n^2 N (60 statements x 100,000 sorts: 1.4 GB), while
  Pearson and Spearman need only n x N. The PCA path therefore keeps W as a
  recipe (:class:`FactorBlocks`) and makes it a block of sorts at a time: it
  needs only WW' (m x m) and W'U for the k leading eigenvectors U, and at a
  million sorts even Pearson's W (480 MB) is then never held.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError
from .options import check_correlation as _check_method

#: Floats in one block of W: Kendall's blocks are large enough for fast matrix
#: products (32 MB); Pearson's stay in the processor's cache (2 MB).
KENDALL_BLOCK_FLOATS = 2 ** 22
PEARSON_BLOCK_FLOATS = 2 ** 18


def _constant_columns(X: np.ndarray) -> np.ndarray:
    return np.nonzero(X.min(axis=0) == X.max(axis=0))[0]


def correlation_factor(X, method: str = "pearson", *, ids=None, lazy: bool = False):
    """Return W (m x N, float64) with ``W.T @ W`` the N x N correlation matrix.

    Parameters
    ----------
    X : array-like, shape (n statements, N sorts), integer or float
    method : 'pearson' (default), 'spearman' or 'kendall' (tau-b)
    ids : optional participant ids, used only to name a constant sort in errors.
    lazy : return a :class:`FactorBlocks` (W made a block of sorts at a time
        whenever it is used) instead of the array: the PCA path then never
        holds W, which for Kendall is n(n-1)/2 x N.
    """
    method = _check_method(method)
    X = np.asarray(X)
    if X.dtype.kind not in "iuf":
        X = X.astype(float)
    const = _constant_columns(X)
    if const.size:
        who = ids[const[0]] if ids is not None else f"column {const[0] + 1}"
        raise InputError(f"participant {who!r} gave every statement the same score; "
                         "a constant Q-sort has no correlation with anything")
    W = KendallFactor(X) if method == "kendall" else PearsonFactor(X, ranks=method == "spearman")
    return W if lazy else W.dense()


class FactorBlocks:
    """A correlation factor W (m x N) kept as its recipe: the columns of a block
    of sorts are made from the data whenever W is used, so W is never held.

    Subclasses say how a block's columns are made (:meth:`columns`). The
    numbers are those of the whole array: every column depends on its own sort
    only.

    Parameters
    ----------
    X : (n, N) Q-sorts (integer or float), no constant column
    m : rows of W
    block : sorts per block
    """

    def __init__(self, X: np.ndarray, m: int, block: int):
        self.X = X
        self.shape = (m, X.shape[1])
        self.block = max(1, int(block))

    def columns(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def blocks(self):
        """Yield ``(lo, hi, W[:, lo:hi])`` for consecutive blocks of sorts."""
        N = self.shape[1]
        for lo in range(0, N, self.block):
            hi = min(N, lo + self.block)
            yield lo, hi, self.columns(self.X[:, lo:hi])

    def dense(self) -> np.ndarray:
        """The whole m x N array (small studies, the bootstrap, centroid, nfactors)."""
        W = np.empty(self.shape)
        for lo, hi, S in self.blocks():
            W[:, lo:hi] = S
        return W

    def gram(self) -> np.ndarray:
        """W W' (m x m), summed over blocks of sorts."""
        m = self.shape[0]
        G = np.zeros((m, m))
        for _, _, S in self.blocks():
            G += S @ S.T
        return G

    def rmatmul(self, U: np.ndarray) -> np.ndarray:
        """W' U, shape (N, r), for U of shape (m, r)."""
        out = np.empty((self.shape[1], U.shape[1]))
        for lo, hi, S in self.blocks():
            out[lo:hi] = S.T @ U
        return out


class PearsonFactor(FactorBlocks):
    """Pearson's W (n x N): each sort centred and scaled to unit norm, so that
    W'W holds the correlations; with ``ranks`` on the sorts' average ranks
    (Spearman, as R's ``cor(method="spearman")``)."""

    def __init__(self, X: np.ndarray, ranks: bool = False, block: int | None = None):
        super().__init__(X, X.shape[0], block or PEARSON_BLOCK_FLOATS // max(X.shape[0], 1))
        self.ranks = ranks

    def columns(self, x: np.ndarray) -> np.ndarray:
        if self.ranks:
            from scipy.stats import rankdata  # scipy is slow to import; only Spearman needs it
            x = rankdata(x, axis=0, method="average")
        Z = x - x.mean(axis=0)
        Z /= np.sqrt(np.einsum("ij,ij->j", Z, Z))  # unit-norm columns: Z'Z is R directly
        return Z


class KendallFactor(FactorBlocks):
    """Kendall tau-b's W (m = n(n-1)/2 rows): row (i, j), i < j, of a sort's
    column is sign(x_i - x_j) divided by the square root of the sort's number
    of untied pairs, so that W'W holds tau-b."""

    def __init__(self, X: np.ndarray, block: int | None = None):
        self.i, self.j = np.triu_indices(X.shape[0], k=1)
        m = self.i.size
        super().__init__(X, m, block or KENDALL_BLOCK_FLOATS // max(m, 1))

    def columns(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        S = x[self.i]
        S -= x[self.j]
        np.sign(S, out=S)
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
    ids = sorts.columns.tolist()
    R = correlation_matrix(sorts.to_numpy(), method, ids=ids)
    return pd.DataFrame(R, index=sorts.columns, columns=sorts.columns)
