"""Analytic rotations after PCA, as qmethod 1.8.4 gets them from
``psych::principal(rotate=...)`` (psych 2.2.9, GPArotation).

:func:`rotate` returns the rotated loadings (N sorts x k factors) and, for the
oblique rotations, the factors' correlation matrix Phi (k x k). The loadings
are then tidied as psych does it: columns signed to a non-negative sum and
ordered by decreasing sum of squared loadings (Phi permuted and signed with
them). For oblique rotations the loadings are the pattern matrix; flags and
z-scores use them as qmethod does.

Where each rotation comes from, and why:

- varimax: :func:`qmethod.rotation.varimax` (R's ``stats::varimax``). Not
  factor_analyzer's, which gives the same numbers but normalises rows with a
  Python call per sort (``np.apply_along_axis``: seconds at a million sorts),
  and the bootstrap needs a batched copy of the same iteration.
- quartimax, oblimin: ``factor_analyzer.rotator.Rotator``, a port of
  GPArotation's gradient projection (same criteria, step rule and stopping
  rule); it equals psych's loadings to about 1e-14.
- equamax: psych's ``equamax`` is GPArotation's Crawford-Ferguson rotation
  with kappa = k / (2 N). factor_analyzer has the same criterion but its kappa
  defaults to 0 (which is quartimax), and its objective builds an N x N matrix
  (``ones - I``), 80 GB at 100,000 sorts. :class:`_Rotator` keeps its
  algorithm and replaces only the objective by the same formula in O(N k).
- promax: psych's ``Promax`` as ``principal`` calls it: Kaiser-normalised
  varimax, the target x |x|^3 built from the varimax loadings *as they are*
  (not row-normalised), the least-squares fit to it, and columns rescaled so
  that Phi has a unit diagonal. factor_analyzer's promax either row-normalises
  before the target (psych's ``kaiser()``, used by ``fa``, not by
  ``principal``) or runs varimax without Kaiser normalisation; neither gives
  psych's numbers (0.1 apart), so the few steps are written here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import OptionError
from .options import OBLIQUE_ROTATIONS, ROTATIONS
from .rotation import order_and_sign, varimax

#: GPArotation's defaults (psych passes no other): gradient norm below eps, at most maxit steps.
GPA_EPS = 1e-5
GPA_MAXIT = 1000


@dataclass
class Rotated:
    """Result of :func:`rotate`.

    loadings : (N, k) rotated loadings (pattern matrix for oblique rotations)
    phi : (k, k) correlations between the rotated factors, or None (orthogonal)
    """

    loadings: np.ndarray
    phi: np.ndarray | None = None


def _rotator_class():
    # factor_analyzer imports scikit-learn (about a second): only when needed.
    from factor_analyzer.rotator import Rotator

    class _Rotator(Rotator):
        def _equamax_obj(self, loadings):
            # The Crawford-Ferguson criterion of Rotator._equamax_obj with
            # M @ L2 = column sums - L2 instead of (ones(p) - I(p)) @ L2, so no
            # p x p matrix is formed. Same numbers to rounding.
            L2 = loadings ** 2
            rows = L2.sum(axis=1, keepdims=True) - L2      # L2 @ (ones(k) - I)
            cols = L2.sum(axis=0, keepdims=True) - L2      # (ones(p) - I) @ L2
            f1 = (1 - self.kappa) * np.sum(L2 * rows) / 4
            f2 = self.kappa * np.sum(L2 * cols) / 4
            grad = (1 - self.kappa) * loadings * rows + self.kappa * loadings * cols
            return {"grad": grad, "criterion": f1 + f2}

    return _Rotator


def promax(L: np.ndarray, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``Promax(L, m=power)``: returns ``(pattern (N, k), Phi (k, k))``."""
    x, T = varimax(L)
    target = x * np.abs(x) ** (power - 1)
    U = np.linalg.lstsq(x, target, rcond=None)[0]         # R's lm.fit(x, target), no intercept
    U = U * np.sqrt(np.diag(np.linalg.inv(U.T @ U)))      # unit-variance factors
    Ui = np.linalg.inv(T @ U)
    return x @ U, Ui @ Ui.T


def rotate(L: np.ndarray, method: str = "varimax") -> Rotated:
    """Rotate unrotated PCA loadings L (N, k) as psych::principal does.

    Parameters
    ----------
    L : (N, k) unrotated loadings
    method : one of ``qmethod.options.ROTATIONS``

    Returns
    -------
    Rotated, with loadings signed and ordered as psych does (for 'none' the
    loadings are returned as they are). With k = 1 nothing is rotated.
    """
    method = str(method).lower()
    if method not in ROTATIONS:
        raise OptionError(f"unknown rotation {method!r}; choose one of {', '.join(ROTATIONS)}")
    L = np.asarray(L, dtype=float)
    k = L.shape[1]
    oblique = method in OBLIQUE_ROTATIONS
    if method == "none" or k < 2:
        return Rotated(L.copy(), np.eye(k) if oblique else None)
    phi = None
    if method == "varimax":
        R = varimax(L)[0]
    elif method == "promax":
        R, phi = promax(L)
    else:
        kw = {"kappa": k / (2 * L.shape[0])} if method == "equamax" else {}
        rot = _rotator_class()(method=method, tol=GPA_EPS, max_iter=GPA_MAXIT, **kw)
        R = rot.fit_transform(L)
        phi = rot.phi_
    R, order, signs = order_and_sign(R)
    if phi is not None:
        phi = (phi * np.outer(signs, signs))[np.ix_(order, order)]
    return Rotated(R, phi)
