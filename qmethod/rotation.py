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
    L : (N, k) loadings
    normalize : divide each row by its communality's square root first (Kaiser)
    eps : stop when the criterion grows by less than a factor (1 + eps)

    Returns ``(rotated (N, k), rotation matrix T (k, k))`` with
    ``rotated = L @ T``. With k < 2 nothing is rotated.

    Each step maximises the variance of squared loadings by the orthogonal
    Procrustes update T = U V' of the SVD of the gradient matrix. The stopping
    rule (relative gain < eps on the sum of singular values) is R's; a tighter
    eps would move the loadings by ~1e-6, enough to miss the reference.
    """
    L = np.asarray(L, dtype=float)
    N, k = L.shape
    if k < 2:
        return L.copy(), np.eye(k)
    if normalize:
        h = np.sqrt((L ** 2).sum(axis=1))
        h[h == 0] = 1.0  # a sort with no common variance stays where it is
        X = L / h[:, None]
    else:
        X = L
    T = np.eye(k)
    crit = 0.0
    for _ in range(max_iter):
        Y = X @ T
        grad = X.T @ (Y ** 3 - Y * ((Y ** 2).sum(axis=0) / N))
        U, s, Vt = np.linalg.svd(grad)
        T = U @ Vt
        previous, crit = crit, s.sum()
        if crit < previous * (1 + eps):
            break
    out = X @ T
    if normalize:
        out = out * h[:, None]
    return out, T


def order_and_sign(L: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """psych's tidy-up after rotation: columns signed to a non-negative sum, then
    ordered by decreasing sum of squared loadings.

    Returns ``(L', order, signs)`` with ``L' = (L * signs)[:, order]``.
    """
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1.0
    Ls = L * signs
    ss = (Ls ** 2).sum(axis=0)
    order = np.argsort(-ss, kind="stable")
    return Ls[:, order], order, signs


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
