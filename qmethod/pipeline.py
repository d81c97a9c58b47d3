"""The whole Q analysis in one call, and the rescoring step on its own.

``analyze`` = validate -> correlate -> extract -> rotate -> ``score``;
``score`` (qmethod's ``qzscores`` + ``qfcharact`` + ``qdc``) turns any loadings
and flags into z-scores, factor arrays, characteristics and distinguishing
statements, so judgmental rotation and manual flags reuse it unchanged.
"""
from __future__ import annotations

import datetime as _dt
import warnings
from typing import Callable

import numpy as np
import pandas as pd

from . import __version__
from .characteristics import characteristics, factor_correlations, sed_matrix
from .correlation import _check_method, correlation_factor
from .data import QSortData, validate_sorts
from .distinguishing import distinguishing
from .errors import OptionError
from .extraction import centroid, eigen_from_factor, pca
from .flagging import apply_manual, auto_flags, warn_flag_issues
from .grid import Grid
from .result import QResult
from .rotation import RotationHistory, order_and_sign, varimax
from .scores import factor_arrays, zscores

EXTRACTIONS = ("pca", "centroid")
ROTATIONS = ("varimax", "none")

Progress = Callable[[float, str], None]


def _factor_names(k: int) -> list[str]:
    return [f"f{i + 1}" for i in range(k)]


def extract_and_rotate(X: np.ndarray, nfactors: int, *, extraction: str = "pca",
                       rotation: str = "varimax", correlation: str = "pearson",
                       ids=None, eigen_path: str = "auto"):
    """Loadings for Q-sort data X (n x N).

    Returns ``(unrotated (N, k), rotated (N, k), eigenvalues (r,))``.

    Conventions (qmethod 1.8.4):
    - PCA + varimax: psych::principal's loadings (columns signed to a positive
      sum), ``stats::varimax``, then columns signed positive again and ordered by
      decreasing sum of squares.
    - PCA + none: the principal components, signed positive.
    - centroid + varimax: plain ``stats::varimax`` of the centroid loadings, no
      sign change and no reordering.
    """
    extraction = str(extraction).lower()
    rotation = str(rotation).lower()
    if extraction not in EXTRACTIONS:
        raise OptionError(f"unknown extraction {extraction!r}; choose one of {', '.join(EXTRACTIONS)}")
    if rotation not in ROTATIONS:
        raise OptionError(f"unknown rotation {rotation!r}; choose one of {', '.join(ROTATIONS)}")
    W = correlation_factor(X, correlation, ids=ids)
    if extraction == "pca":
        ex = pca(W, nfactors, path=eigen_path)
        L0 = ex.loadings
        if rotation == "varimax" and nfactors > 1:
            L, _ = varimax(L0)
            L, _, _ = order_and_sign(L)
        else:
            L = L0.copy()
        return L0, L, ex.eigenvalues
    R = W.T @ W
    np.fill_diagonal(R, 1.0)
    ex = centroid(R, nfactors)
    L0 = ex.loadings
    L = varimax(L0)[0] if rotation == "varimax" else L0.copy()
    # For the scree and Kaiser aids the eigenvalues of R are still the reference.
    vals, _ = eigen_from_factor(W, path=eigen_path)
    return L0, L, vals


def score(data: pd.DataFrame, loadings, *, grid: Grid, flags=None, manual_flags: dict | None = None,
          flag_level: float = 0.05, majority: bool = True, ties: str = "qmethod",
          info: dict | None = None, unrotated=None, eigenvalues=None,
          statements: pd.Series | None = None) -> QResult:
    """Everything downstream of the loadings (qmethod's qzscores, qfcharact, qdc).

    Parameters
    ----------
    data : (n, N) validated Q-sorts
    loadings : (N, k) final loadings (array or DataFrame)
    grid : the grid the factor arrays are built on
    flags : (N, k) bool to use as they are, or None for automatic flags
    manual_flags : participant id -> list of 1-based factors; overrides rows
    flag_level, majority : automatic flagging rule (see qmethod.flagging)
    ties : 'qmethod' or 'grid' (see qmethod.scores.factor_array)
    """
    X = data.to_numpy()
    n, N = X.shape
    if isinstance(loadings, pd.DataFrame):
        missing = [p for p in data.columns if p not in loadings.index]
        if missing:
            raise OptionError(f"the loadings have no row for participant {missing[0]!r}")
        loadings = loadings.loc[list(data.columns)]  # align by participant, not by position
    L = np.asarray(loadings, dtype=float)
    if L.ndim != 2 or L.shape[0] != N:
        raise OptionError(f"loadings have {L.shape[0]} rows but there are {N} Q-sorts")
    if not np.isfinite(L).all():
        raise OptionError("the loadings contain missing or infinite values")
    k = L.shape[1]
    names = _factor_names(k)
    ids = list(data.columns)
    flag_rule = "automatic"
    if flags is None:
        F = auto_flags(L, n, p=flag_level, majority=majority)
    else:
        F = np.asarray(flags, dtype=bool)
        flag_rule = "supplied"
        if F.shape != L.shape:
            raise OptionError(f"flags have shape {F.shape} but loadings {L.shape}")
    if manual_flags:
        F = apply_manual(F, manual_flags, ids, k)
        flag_rule = "automatic + manual" if flag_rule == "automatic" else "manual"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        notes = warn_flag_issues(L, F, ids)
    Z = zscores(X, L, F)
    A = factor_arrays(Z, grid.distribution(), ties=ties)
    ch = characteristics(L, F, Z, names=names)
    sed = sed_matrix(ch["se_zscores"].to_numpy())
    dist = distinguishing(Z, sed, data.index, names=names)
    pidx = pd.Index(ids, name="participant")
    sidx = pd.Index(list(data.index), name="statement")
    fidx = pd.Index(names, name="factor")
    info = dict(info or {})
    info.update({"n_statements": int(n), "n_sorts": int(N), "nfactors": int(k),
                 "flagging": flag_rule, "flag_level": flag_level, "majority_rule": majority,
                 "ties": ties})
    info.setdefault("extraction", "supplied")
    info.setdefault("rotation", "supplied")
    info.setdefault("correlation", "unknown")
    info.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    info.setdefault("engine_version", __version__)
    eig = np.asarray(eigenvalues if eigenvalues is not None else (L ** 2).sum(axis=0), dtype=float)
    U = L if unrotated is None else np.asarray(unrotated, dtype=float)
    return QResult(
        info=info, data=data, grid=grid,
        eigenvalues=pd.Series(eig, index=pd.RangeIndex(1, len(eig) + 1, name="component"),
                              name="eigenvalue"),
        unrotated_loadings=pd.DataFrame(U, index=pidx, columns=fidx),
        loadings=pd.DataFrame(L, index=pidx, columns=fidx),
        flags=pd.DataFrame(F, index=pidx, columns=fidx),
        zscores=pd.DataFrame(Z, index=sidx, columns=fidx),
        factor_arrays=pd.DataFrame(A, index=sidx, columns=fidx).round().astype("Int64"),
        characteristics=ch,
        factor_correlations=pd.DataFrame(factor_correlations(Z), index=fidx, columns=fidx),
        sed=pd.DataFrame(sed, index=fidx, columns=fidx),
        distinguishing=dist, statements=statements, notes=notes)


def analyze(data, nfactors: int, *, extraction: str = "pca", rotation: str = "varimax",
            correlation: str = "pearson", forced: bool = True, grid: Grid | None = None,
            manual_flags: dict | None = None, flag_level: float = 0.05, majority: bool = True,
            ties: str = "qmethod", judgmental: RotationHistory | None = None,
            eigen_path: str = "auto", progress: Progress | None = None) -> QResult:
    """Run the full Q analysis (the equivalent of qmethod's ``qmethod()``).

    Parameters
    ----------
    data : DataFrame (n statements x N sorts), or a :class:`QSortData`
    nfactors : k, number of factors to extract (1 <= k <= N)
    extraction : 'pca' (default) or 'centroid'
    rotation : 'varimax' (default) or 'none'
    correlation : 'pearson' (default), 'spearman' or 'kendall'
    forced : every sort must follow the grid (default); False for free
        distributions, which then need ``grid``
    grid : grid for the factor arrays (default: the first sort's distribution,
        or the one stated in a QSortData)
    manual_flags : participant id -> 1-based factors, overriding automatic flags
    judgmental : rotations/inversions applied after ``rotation``
    eigen_path : 'auto' | 'gram' | 'full' (see qmethod.extraction; same numbers)
    progress : optional callback ``progress(fraction, message)``

    Returns
    -------
    QResult
    """
    statements = None
    if isinstance(data, QSortData):
        statements = data.statements
        grid = grid or data.grid
        data = data.sorts
    _check_method(correlation)
    step = progress or (lambda f, m: None)
    step(0.0, "checking the Q-sorts")
    sorts, grid = validate_sorts(data, grid=grid, forced=forced)
    step(0.2, "correlating and extracting factors")
    L0, L, eig = extract_and_rotate(sorts.to_numpy(), nfactors, extraction=extraction,
                                    rotation=rotation, correlation=correlation,
                                    ids=list(sorts.columns), eigen_path=eigen_path)
    info = {"extraction": extraction, "rotation": rotation, "correlation": correlation,
            "forced": forced, "grid": grid.to_dict()}
    if judgmental is not None and judgmental.steps:
        L = judgmental.apply(L)
        info["judgmental"] = judgmental.describe()
        info["judgmental_steps"] = [list(s) for s in judgmental.steps]
    step(0.7, "computing z-scores and factor arrays")
    res = score(sorts, L, grid=grid, manual_flags=manual_flags, flag_level=flag_level,
                majority=majority, ties=ties, info=info, unrotated=L0, eigenvalues=eig,
                statements=statements)
    step(1.0, "done")
    return res
