"""Rotation of a loading matrix (N sorts x k factors).

All functions are pure: they return new arrays and never change their input.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import OptionError


def varimax(L: np.ndarray, *, normalize: bool = True, eps: float = 1e-5,
            max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser varimax, numerically the same procedure as R's ``stats::varimax``.

    Parameters
    ----------
    L : (N, k) loadings, or a stack (b, N, k) rotated one solution at a time
        (each with its own stopping point; the bootstrap rotates its resamples so)
    normalize : divide each row by its communality's square root first (Kaiser)
    eps : stop when the criterion grows by less than a factor (1 + eps)

    Returns ``(rotated, T)`` with ``rotated = L @ T``, shapes like L and
    (..., k, k). With k < 2 nothing is rotated.

    Each step maximises the variance of squared loadings by the orthogonal
    Procrustes update T = U V' of the SVD of the gradient matrix. The stopping
    rule (relative gain < eps on the sum of singular values) is R's; a tighter
    eps would move the loadings by ~1e-6, enough to miss the reference.
    This is our own rather than factor_analyzer's (same numbers): that one
    normalises rows with a Python call per sort (seconds at a million sorts)
    and rotates one matrix at a time, where the bootstrap needs a stack.
    """
    L = np.asarray(L, dtype=float)
    single = L.ndim == 2
    X = L[None] if single else L
    b, N, k = X.shape
    if k < 2:
        T = np.broadcast_to(np.eye(k), (b, k, k)).copy()
        return L.copy(), (T[0] if single else T)
    if normalize:
        h = np.sqrt((X ** 2).sum(axis=2))
        h[h == 0] = 1.0  # a sort with no common variance stays where it is
        X = X / h[:, :, None]
    T = np.broadcast_to(np.eye(k), (b, k, k)).copy()
    crit = np.zeros(b)
    active = np.arange(b)
    # R's gradient X'(Y^3 - Y diag(mean of Y^2)), Y = X T, is computed as
    # X'Y^3 - (X'X) T diag(T'(X'X)T) / N: the same quantity, but only X'Y^3
    # needs a pass over the N sorts, made in blocks of rows that stay in the
    # processor's cache (about 3x faster at a million sorts).
    C = X.transpose(0, 2, 1) @ X
    rows = max(1, 2 ** 16 // k)
    for _ in range(max_iter):
        if active.size == 0:
            break
        Xa = X[active] if active.size < b else X
        Ta = T[active]
        cube = np.zeros((active.size, k, k))
        for lo in range(0, N, rows):
            Xb = Xa[:, lo:lo + rows]
            Y = Xb @ Ta
            cube += Xb.transpose(0, 2, 1) @ (Y * Y * Y)   # products: pow is several times slower
        CT = C[active] @ Ta
        mean_sq = np.einsum("bij,bij->bj", Ta, CT) / N    # diag(T'CT) / N: column means of Y^2
        grad = cube - CT * mean_sq[:, None, :]
        U, sv, Vt = np.linalg.svd(grad)
        T[active] = U @ Vt
        new = sv.sum(axis=1)
        done = new < crit[active] * (1 + eps)
        crit[active] = new
        active = active[~done]
    out = X @ T
    if normalize:
        out *= h[:, :, None]
    return (out[0], T[0]) if single else (out, T)


def order_and_sign(L: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """psych's tidy-up after rotation: columns signed to a non-negative sum, then
    ordered by decreasing sum of squared loadings.

    L : (N, k) or a stack (b, N, k). Returns ``(L', order, signs)`` with
    ``L' = (L * signs)[..., order]``; order and signs have shape (k,) or (b, k).
    """
    L = np.asarray(L, dtype=float)
    signs = np.sign(L.sum(axis=-2))
    signs[signs == 0] = 1.0
    Ls = L * signs[..., None, :]
    ss = (Ls ** 2).sum(axis=-2)
    order = np.argsort(-ss, axis=-1, kind="stable")
    if order.ndim == 1:
        return Ls[:, order], order, signs
    return np.take_along_axis(Ls, order[..., None, :], axis=-1), order, signs


def rotate_pair(L: np.ndarray, i: int, j: int, degrees: float) -> np.ndarray:
    """Judgmental rotation of factors i and j (0-based) by ``degrees``.

    Convention (kept everywhere in the platform): a positive angle turns the
    factor axes counter-clockwise in the (i, j) plane, so that each sort's
    point, drawn with factor i across and factor j up, appears to turn
    *clockwise* by the angle:

        [L_i L_j] <- [L_i L_j] @ [[cos t, sin t], [-sin t, cos t]]

    Rotating by t and then by -t gives back L. Communalities are unchanged.
    """
    L = np.asarray(L, dtype=float)
    k = L.shape[1]
    if not (0 <= i < k and 0 <= j < k) or i == j:
        raise OptionError(f"judgmental rotation needs two different factors among 1..{k}, "
                          f"got {i + 1} and {j + 1}")
    t = np.deg2rad(degrees)
    c, s = np.cos(t), np.sin(t)
    out = L.copy()
    out[:, i] = c * L[:, i] - s * L[:, j]
    out[:, j] = s * L[:, i] + c * L[:, j]
    return out


def invert_factor(L: np.ndarray, f: int) -> np.ndarray:
    """Multiply factor f's column (0-based) by -1 (for a bipolar factor)."""
    L = np.asarray(L, dtype=float)
    if not 0 <= f < L.shape[1]:
        raise OptionError(f"there is no factor {f + 1}; the solution has {L.shape[1]}")
    out = L.copy()
    out[:, f] = -out[:, f]
    return out


@dataclass
class RotationHistory:
    """Judgmental rotations and inversions applied in order, so they can be
    reported, undone and replayed on the same starting loadings.

    Each step is ``("rotate", i, j, degrees)`` or ``("invert", f)`` with 0-based
    factor numbers.
    """

    steps: list = field(default_factory=list)

    def rotate(self, i: int, j: int, degrees: float) -> "RotationHistory":
        return RotationHistory(self.steps + [("rotate", int(i), int(j), float(degrees))])

    def invert(self, f: int) -> "RotationHistory":
        return RotationHistory(self.steps + [("invert", int(f))])

    def undo(self) -> "RotationHistory":
        return RotationHistory(self.steps[:-1])

    def apply(self, L: np.ndarray) -> np.ndarray:
        out = np.asarray(L, dtype=float)
        for step in self.steps:
            if step[0] == "rotate":
                out = rotate_pair(out, step[1], step[2], step[3])
            elif step[0] == "invert":
                out = invert_factor(out, step[1])
            else:
                raise OptionError(f"unknown rotation step {step!r}")
        return out

    def describe(self) -> list[str]:
        lines = []
        for step in self.steps:
            if step[0] == "rotate":
                lines.append(f"rotate f{step[1] + 1} and f{step[2] + 1} by {step[3]:+g} degrees")
            else:
                lines.append(f"invert f{step[1] + 1}")
        return lines
