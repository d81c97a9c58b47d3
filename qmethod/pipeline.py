"""The whole Q analysis in one call, and the rescoring step on its own.

``analyze`` = validate -> correlate -> extract -> rotate -> ``score``;
``score`` (qmethod's ``qzscores`` + ``qfcharact`` + ``qdc``) turns any loadings
and flags into z-scores, factor arrays, characteristics and distinguishing
statements, so judgmental rotation and manual flags reuse it unchanged.
"""
from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import __version__
from .analytic_rotation import rotate
from .characteristics import characteristics, factor_correlations, sed_matrix
from .correlation import correlation_factor
from .data import QSortData, str_labels, validate_sorts
from .distinguishing import distinguishing
from .errors import OptionError
from .extraction import centroid, eigen_from_factor, pca
from .flagging import apply_manual, auto_flags, warn_flag_issues
from .grid import Grid
from .options import (
    EXTRACTIONS,
    ROTATIONS,
    AnalysisOptions,
    check_flag_level,
    check_ties,
    rotation_note,
)
from .result import QResult, ResultInfo
from .rotation import RotationHistory, varimax
from .scores import factor_arrays, zscores

__all__ = ["EXTRACTIONS", "ROTATIONS", "Extracted", "extract_and_rotate", "score", "analyze"]

Progress = Callable[[float, str], None]
EIGEN_PATHS = ("auto", "gram", "full")


def _factor_names(k: int) -> list[str]:
    return [f"f{i + 1}" for i in range(k)]


class Extracted(NamedTuple):
    """Output of :func:`extract_and_rotate` (N sorts, k factors).

    unrotated : (N, k); loadings : (N, k) rotated (pattern matrix if oblique);
    eigenvalues : (r,) all eigenvalues of the correlation matrix;
    phi : (k, k) factor correlations of an oblique rotation, else None;
    notes : what the extraction reports (e.g. a centroid solution that
    depends on the order of the sorts)
    """

    unrotated: np.ndarray
    loadings: np.ndarray
    eigenvalues: np.ndarray
    phi: np.ndarray | None = None
    notes: tuple[str, ...] = ()


def extract_and_rotate(X: np.ndarray, nfactors: int, *, extraction: str = "pca",
                       rotation: str = "varimax", correlation: str = "pearson",
                       ids=None, eigen_path: str = "auto") -> Extracted:
    """Loadings for Q-sort data X (n x N).

    Conventions (qmethod 1.8.4):
    - PCA: psych::principal's loadings (columns signed to a positive sum);
      then the rotation as psych applies it (see qmethod.analytic_rotation):
      columns signed positive again and ordered by decreasing sum of squares.
      'none' keeps the principal components.
    - centroid + varimax: plain ``stats::varimax`` of the centroid loadings, no
      sign change and no reordering. Other rotations are refused after
      centroid, as qmethod does.
    """
    opts = AnalysisOptions(nfactors, extraction=extraction, rotation=rotation,
                           correlation=correlation)
    if opts.extraction == "pca":
        # Kendall's factor is built block by block (never m x N at once).
        W = correlation_factor(X, opts.correlation, ids=ids, lazy=True)
        ex = pca(W, opts.nfactors, path=eigen_path)
        rot = rotate(ex.loadings, opts.rotation)
        return Extracted(ex.loadings, rot.loadings, ex.eigenvalues, rot.phi)
    W = correlation_factor(X, opts.correlation, ids=ids)
    R = W.T @ W
    np.fill_diagonal(R, 1.0)
    ex = centroid(R, opts.nfactors)
    L0 = ex.loadings
    L = varimax(L0)[0] if opts.rotation == "varimax" else L0.copy()
    # For the scree and Kaiser aids the eigenvalues of R are still the reference.
    vals, _ = eigen_from_factor(W, path=eigen_path, ncomp=0)
    return Extracted(L0, L, vals, notes=ex.notes)


def score(data: pd.DataFrame, loadings, *, grid: Grid, flags=None, manual_flags: dict | None = None,
          flag_level: float = 0.05, majority: bool = True, ties: str = "qmethod",
          info: dict | None = None, unrotated=None, eigenvalues=None,
          statements: pd.Series | None = None, phi=None, notes=()) -> QResult:
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
    info : settings to record (keys of :class:`qmethod.result.ResultInfo`)
    unrotated, eigenvalues : to report with the result (default: the loadings
        themselves and their columns' sums of squares)
    phi : (k, k) factor correlations of an oblique rotation, or None
    notes : notes of the extraction (:attr:`Extracted.notes`), reported first
    """
    flag_level = check_flag_level(flag_level)
    ties = check_ties(ties)
    X = data.to_numpy()
    n, N = X.shape
    if isinstance(loadings, pd.DataFrame):
        missing = data.columns[~data.columns.isin(loadings.index)]
        if len(missing):
            raise OptionError(f"the loadings have no row for participant {missing[0]!r}")
        loadings = loadings.loc[data.columns]  # align by participant, not by position
    L = np.asarray(loadings, dtype=float)
    if L.ndim != 2 or L.shape[0] != N:
        raise OptionError(f"loadings have {L.shape[0]} rows but there are {N} Q-sorts")
    if not np.isfinite(L).all():
        raise OptionError("the loadings contain missing or infinite values")
    k = L.shape[1]
    names = _factor_names(k)
    ids = data.columns
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
        flag_notes = warn_flag_issues(L, F, ids)
    Z = zscores(X, L, F)
    A = factor_arrays(Z, grid.distribution(), ties=ties)
    ch = characteristics(L, F, Z, names=names)
    sed = sed_matrix(ch["se_zscores"].to_numpy())
    dist = distinguishing(Z, sed, data.index, names=names)
    pidx = pd.Index(ids, name="participant")
    sidx = pd.Index(str_labels(data.index), name="statement")
    fidx = pd.Index(names, name="factor")
    settings = {"created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "engine_version": __version__, **(info or {})}
    info = ResultInfo.from_dict({**settings, "n_statements": int(n), "n_sorts": int(N),
                                 "nfactors": int(k), "flagging": flag_rule,
                                 "flag_level": flag_level, "majority_rule": bool(majority),
                                 "ties": ties})
    note = rotation_note(info.rotation)
    notes = [*map(str, notes), *([note] if note else []), *flag_notes]
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
        distinguishing=dist, statements=statements, notes=notes,
        rotation_factor_correlations=None if phi is None else
        pd.DataFrame(np.asarray(phi, dtype=float), index=fidx, columns=fidx))


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
    rotation : 'varimax' (default), 'none', 'quartimax', 'equamax', 'promax'
        or 'oblimin' (after PCA, as psych::principal; only the first two after
        centroid). promax and oblimin are oblique: the loadings are the
        pattern matrix and ``rotation_factor_correlations`` holds Phi. Any
        rotation but varimax and none adds a note that it is not standard in
        Q studies.
    correlation : 'pearson' (default), 'spearman' or 'kendall'
    forced : every sort must follow the grid (default); False for free
        distributions, which then need ``grid``
    grid : grid for the factor arrays (default: the first sort's distribution,
        or the one stated in a QSortData)
    manual_flags : participant id -> 1-based factors, overriding automatic flags
    flag_level, majority, ties : see :func:`score`
    judgmental : rotations/inversions applied after ``rotation`` (an
        orthogonal one)
    eigen_path : 'auto' | 'gram' | 'full' (see qmethod.extraction; same numbers)
    progress : optional callback ``progress(fraction, message)``

    Every option is checked before any work starts (OptionError).

    Returns
    -------
    QResult
    """
    opts = AnalysisOptions(nfactors, extraction=extraction, rotation=rotation,
                           correlation=correlation, forced=forced, flag_level=flag_level,
                           majority=majority, ties=ties)
    if eigen_path not in EIGEN_PATHS:
        raise OptionError(f"unknown eigen path {eigen_path!r}; choose one of {', '.join(EIGEN_PATHS)}")
    if judgmental is not None and judgmental.steps:
        if opts.oblique:
            raise OptionError(f"judgmental rotation turns orthogonal factors; {opts.rotation} is "
                              "oblique (start from varimax or none)")
        judgmental.apply(np.eye(opts.nfactors))  # names only factors that exist
    statements = None
    if isinstance(data, QSortData):
        statements = data.statements
        grid = grid or data.grid
        data = data.sorts
    step = progress or (lambda f, m: None)
    step(0.0, "checking the Q-sorts")
    sorts, grid = validate_sorts(data, grid=grid, forced=opts.forced)
    if manual_flags:  # unknown participants or factors fail now, not after the analysis
        apply_manual(np.zeros((sorts.shape[1], opts.nfactors), dtype=bool), manual_flags,
                     sorts.columns, opts.nfactors)
    step(0.2, "correlating and extracting factors")
    ex = extract_and_rotate(sorts.to_numpy(), opts.nfactors, extraction=opts.extraction,
                            rotation=opts.rotation, correlation=opts.correlation,
                            ids=sorts.columns, eigen_path=eigen_path)
    L = ex.loadings
    info = {"extraction": opts.extraction, "rotation": opts.rotation,
            "correlation": opts.correlation, "forced": opts.forced, "grid": grid.to_dict()}
    if judgmental is not None and judgmental.steps:
        L = judgmental.apply(L)
        info["judgmental"] = judgmental.describe()
        info["judgmental_steps"] = [list(s) for s in judgmental.steps]
    step(0.7, "computing z-scores and factor arrays")
    res = score(sorts, L, grid=grid, manual_flags=manual_flags, flag_level=opts.flag_level,
                majority=opts.majority, ties=opts.ties, info=info, unrotated=ex.unrotated,
                eigenvalues=ex.eigenvalues, statements=statements, phi=ex.phi, notes=ex.notes)
    step(1.0, "done")
    return res
