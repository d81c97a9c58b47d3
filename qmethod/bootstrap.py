"""Bootstrap of a Q analysis (methods.md section 10; qmethod's ``qmboots``).

Q-sorts (columns) are resampled with replacement B times. Each resample is
analysed with the same extraction and rotation as the full sample; its factors
are then aligned to the full-sample factors of the same sorts, flagged and
scored exactly as :func:`qmethod.pipeline.score` would flag and score them.
From the B aligned analyses come, per statement and factor, the bootstrap mean
and standard error of the z-scores and the spread of the factor-array
positions, and per sort how often it is flagged on each factor.

Alignment never fails. The default, ``align='procrustes'``, rotates the
resample loadings L_b (N x k) onto the target T_b, the full-sample loadings
of the sorts drawn into the resample (rows repeated as drawn), by the
orthogonal Procrustes rotation: with U S V' the SVD of L_b' T_b, the aligned
loadings are L_b U V'. ``align='permutation'`` instead reorders and re-signs
the resample factors by the assignment that maximises the summed absolute
congruence with the target (Hungarian algorithm,
``scipy.optimize.linear_sum_assignment``); this keeps the resample's varimax
solution as it is. Either way every resample gets a valid alignment; how well
it matches is reported per resample and factor as Tucker's congruence
coefficient (phi) between the aligned and the target loadings, so poorly
matching resamples are visible instead of silently dropped.

Speed: the resamples are analysed in batches with numpy's stacked linear
algebra (``eigh``/``svd`` on (b, m, m) stacks, varimax iterated on the whole
batch), so 1,000 resamples of a 40 x 40 study take well under a second on one
core (bench/RESULTS.md). The resample draws depend only on ``seed`` and the
data, never on ``n_jobs`` or the batch size.
"""
from __future__ import annotations

import json
import os
import warnings
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .analytic_rotation import rotate
from .correlation import correlation_factor
from .data import QSortData, str_labels, validate_sorts
from .errors import OptionError
from .extraction import centroid, flip_positive
from .flagging import auto_flags
from .options import AnalysisOptions
from .progress import Progress
from .rotation import order_and_sign, varimax
from .scores import factor_arrays, zscores

ALIGNMENTS = ("procrustes", "permutation")

#: A sort counts as an unstable defining sort when it is flagged on its
#: full-sample factor in fewer than this share of the resamples containing it.
UNSTABLE_FLAG_FREQUENCY = 0.5
#: Resamples whose aligned factor has a congruence below this with the target
#: are reported as poorly matching (0.85 is the usual "fair similarity" bound).
POOR_CONGRUENCE = 0.85
#: A statement's factor-array position is called unstable when its bootstrap
#: standard deviation exceeds this many grid columns.
UNSTABLE_ARRAY_SD = 1.0

#: Upper bound on floats held by one batch (about 200 MB), so that large
#: studies are bootstrapped in bounded memory.
_BATCH_FLOATS = 25_000_000
_MAX_BATCH = 100


# -- the per-batch analysis (runs in the main process or in a worker) ---------------
class _Context:
    """What every batch needs: the data, its correlation factor, the target."""

    def __init__(self, X, W, target, distribution, *, extraction, rotation, align,
                 flag_level, majority, ties):
        self.X = np.ascontiguousarray(X, dtype=float)      # (n, N)
        self.XT = np.ascontiguousarray(self.X.T)            # (N, n): gathers rows
        self.W = np.ascontiguousarray(W)                    # (m, N)
        self.WT = np.ascontiguousarray(W.T)                 # (N, m)
        self.target = np.asarray(target, dtype=float)       # (N, k)
        self.distribution = np.asarray(distribution)
        self.extraction = extraction
        self.rotation = rotation
        self.align = align
        self.flag_level = flag_level
        self.majority = majority
        self.ties = ties


_WORKER_CTX: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _worker_batch(idx: np.ndarray, keep: bool) -> dict:
    return _analyse_batch(_WORKER_CTX, idx, keep)


def _top_eigen(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest eigenvalues (decreasing) and their eigenvectors of every
    symmetric matrix in the stack M (b, s, s).

    LAPACK's relatively robust representations driver (scipy's default) on
    the top k only: numpy's stacked ``eigh`` (divide and conquer) is up to ten
    times slower on bootstrap correlation matrices, whose repeated sorts make
    clusters of zero eigenvalues. The numbers agree to rounding.
    """
    from scipy.linalg import eigh
    b, s, _ = M.shape
    vals = np.empty((b, k))
    vecs = np.empty((b, s, k))
    for j in range(b):
        w, v = eigh(M[j], subset_by_index=[s - k, s - 1], check_finite=False)
        vals[j] = w[::-1]
        vecs[j] = v[:, ::-1]
    return vals, vecs


def _pca_batch(ctx: _Context, idx: np.ndarray, k: int) -> np.ndarray:
    """Unrotated PCA loadings (b, N, k) of every resample, the numbers
    :func:`qmethod.extraction.pca` gives with ``path='auto'``."""
    WbT = ctx.WT[idx]                       # (b, N, m): the resample's W, transposed
    b, N, m = WbT.shape
    if m < N:  # gram path: eigen of the m x m matrix Wb Wb'
        _, U = _top_eigen(WbT.transpose(0, 2, 1) @ WbT, k)
        L = WbT @ U
    else:      # full path: eigen of the N x N correlation matrix (small N only)
        R = WbT @ WbT.transpose(0, 2, 1)
        d = np.arange(N)
        R[:, d, d] = 1.0
        vals, V = _top_eigen(R, k)
        L = V * np.sqrt(np.maximum(vals, np.finfo(float).eps))[:, None, :]
    return flip_positive(L)


def _loadings_batch(ctx: _Context, idx: np.ndarray, k: int) -> np.ndarray:
    """Final loadings (b, N, k) of every resample, with the full sample's
    extraction and rotation (as :func:`qmethod.pipeline.extract_and_rotate`)."""
    if ctx.extraction == "pca":
        L = _pca_batch(ctx, idx, k)
        if k < 2 or ctx.rotation == "none":
            return L
        if ctx.rotation == "varimax":   # the whole batch at once
            return order_and_sign(varimax(L)[0])[0]
        # the gradient-projection rotations and promax: one resample at a time
        return np.stack([rotate(Lb, ctx.rotation).loadings for Lb in L])
    # centroid: Brown's sequential reflections do not batch; one resample at a time
    out = np.empty((idx.shape[0], idx.shape[1], k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, rows in enumerate(idx):
            Wb = ctx.W[:, rows]
            R = Wb.T @ Wb
            np.fill_diagonal(R, 1.0)
            # A resample that drew one sort many times can hold fewer than k
            # centroid factors: the missing ones stay 0 (nothing flags on them).
            L0 = centroid(R, k, exhausted="zero", check_order=False).loadings
            live = np.abs(L0).sum(axis=0) > 0
            if ctx.rotation == "varimax" and live.sum() > 1:
                L0[:, live] = varimax(L0[:, live])[0]
            out[j] = L0
    return out


def _congruence(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Tucker's phi between matching columns of A and B, both (b, N, k) -> (b, k)."""
    num = (A * B).sum(axis=1)
    den = np.sqrt((A * A).sum(axis=1) * (B * B).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def procrustes_align(L: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Orthogonal Procrustes rotation of L onto target.

    L, target : (N, k) or stacked (b, N, k). Returns L Q with Q = U V', where
    U S V' is the SVD of L' target: the orthogonal Q minimising
    ||L Q - target||. It always exists (for any L), so alignment cannot fail.
    """
    L = np.asarray(L, dtype=float)
    T = np.asarray(target, dtype=float)
    U, _, Vt = np.linalg.svd(np.swapaxes(L, -1, -2) @ T)
    return L @ (U @ Vt)


def permutation_align(L: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reorder and re-sign the columns of L (N, k) to match target (N, k).

    The assignment maximises the summed absolute Tucker congruence between
    the columns of L and of target (Hungarian algorithm): it is always a
    complete one-to-one assignment. Returns ``(aligned, order, signs)`` with
    ``aligned[:, j] = signs[j] * L[:, order[j]]``.
    """
    from scipy.optimize import linear_sum_assignment
    L = np.asarray(L, dtype=float)
    T = np.asarray(target, dtype=float)
    num = L.T @ T
    den = np.sqrt(np.outer((L * L).sum(axis=0), (T * T).sum(axis=0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    rows, cols = linear_sum_assignment(-np.abs(phi))
    order = np.empty(T.shape[1], dtype=int)
    order[cols] = rows
    signs = np.sign(phi[order, np.arange(T.shape[1])])
    signs[signs == 0] = 1.0
    return L[:, order] * signs, order, signs


def _analyse_batch(ctx: _Context, idx: np.ndarray, keep: bool = False) -> dict:
    """Analyse the resamples ``idx`` (b, N) of sort numbers; return what the
    summary statistics need."""
    b, N = idx.shape
    k = ctx.target.shape[1]
    n = ctx.X.shape[0]
    L = _loadings_batch(ctx, idx, k)
    T = ctx.target[idx]                                   # (b, N, k)
    if ctx.align == "procrustes":
        A = procrustes_align(L, T)
    else:
        A = np.empty_like(L)
        for j in range(b):
            A[j] = permutation_align(L[j], T[j])[0]
    phi = _congruence(A, T)
    # flags, weights and z-scores exactly as qmethod.pipeline.score computes them
    F = auto_flags(A, n, p=ctx.flag_level, majority=ctx.majority)
    Z = zscores(ctx.XT[idx].transpose(0, 2, 1), A, F)      # (b, n, k)
    arrays = factor_arrays(Z, ctx.distribution, ties=ctx.ties)
    # flag counts per original sort, each resample counted once per sort
    rows = np.repeat(np.arange(b), N)
    present = np.zeros((b, N), dtype=bool)
    present[rows, idx.ravel()] = True
    flagged = np.zeros((b, N, k), dtype=bool)
    np.logical_or.at(flagged, (rows, idx.ravel()), F.reshape(b * N, k))
    out = {"phi": phi, "present": present.sum(axis=0), "flagged": flagged.sum(axis=0),
           "zscores": Z, "arrays": arrays}
    if keep:
        out.update(loadings=A, flags=F)
    return out


# -- the result ---------------------------------------------------------------------
@dataclass
class BootstrapResult:
    """Result of :func:`bootstrap` (n statements, N sorts, k factors, B resamples).

    zscore_full, zscore_mean, zscore_se : (n, k) full-sample z-scores, their
        bootstrap mean and standard error (sd over resamples, n-1)
    array_full, array_mean, array_min, array_max, array_sd : (n, k) the
        full-sample factor array and the spread of each statement's bootstrap
        factor-array position
    array_agreement : (n, k) share of resamples that put the statement where
        the full sample does
    flag_full : (N, k) bool, the full sample's flags
    flag_frequency : (N, k) share of the resamples containing a sort in which
        it is flagged on the factor (NaN for a sort drawn into no resample)
    inclusion : (N,) number of resamples containing each sort
    congruence : (B, k) Tucker's phi between each aligned resample factor and
        the target loadings of its sorts
    scored : (k,) number of resamples in which the factor had a flagged sort
        (and so z-scores); statistics use those resamples
    summary : plain-words stability summary
    info : settings (resamples, seed, alignment, ...)
    indices, loadings, flags, zscores, arrays : per-resample detail, only with
        ``keep_resamples``: (B, N) sort numbers drawn, (B, N, k) aligned
        loadings and flags, (B, n, k) z-scores and factor arrays
    """

    info: dict
    zscore_full: pd.DataFrame
    zscore_mean: pd.DataFrame
    zscore_se: pd.DataFrame
    array_full: pd.DataFrame
    array_mean: pd.DataFrame
    array_min: pd.DataFrame
    array_max: pd.DataFrame
    array_sd: pd.DataFrame
    array_agreement: pd.DataFrame
    flag_full: pd.DataFrame
    flag_frequency: pd.DataFrame
    inclusion: pd.Series
    congruence: pd.DataFrame
    scored: pd.Series
    summary: str
    indices: np.ndarray | None = field(default=None, repr=False)
    loadings: np.ndarray | None = field(default=None, repr=False)
    flags: np.ndarray | None = field(default=None, repr=False)
    zscores: np.ndarray | None = field(default=None, repr=False)
    arrays: np.ndarray | None = field(default=None, repr=False)

    TABLES = ("zscore_full", "zscore_mean", "zscore_se", "array_full", "array_mean", "array_min",
              "array_max", "array_sd", "array_agreement", "flag_full", "flag_frequency",
              "congruence")

    def __str__(self) -> str:
        return self.summary

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {name: getattr(self, name) for name in self.TABLES}
        out["inclusion"] = self.inclusion.to_frame()
        out["scored"] = self.scored.to_frame()
        return out

    def to_json(self) -> str:
        """Every table and the summary as one JSON document."""
        def frame(df: pd.DataFrame) -> dict:
            return {"index_name": df.index.name, "index": str_labels(df.index),
                    "columns": {str(c): [None if pd.isna(v) else
                                         (bool(v) if isinstance(v, (bool, np.bool_)) else float(v))
                                         for v in df[c].tolist()] for c in df.columns}}
        doc = {"format": "qmethod-bootstrap", "version": 1, "info": self.info,
               "summary": self.summary}
        for name, table in self.tables().items():
            doc[name] = frame(table)
        return json.dumps(doc)

    def write(self, out_dir) -> list[Path]:
        """Write one CSV per table, ``summary.txt`` and ``bootstrap.json``."""
        from .result import write_tables
        return write_tables(self.tables(), out_dir, {"summary.txt": self.summary + "\n",
                                                     "bootstrap.json": self.to_json()})


# -- the entry point ------------------------------------------------------------------
def _batch_size(N: int, m: int, n: int, k: int) -> int:
    per = N * (max(m, n) + 4 * k) + (min(m, N) ** 2) * 3
    return int(max(1, min(_MAX_BATCH, _BATCH_FLOATS // max(per, 1))))


def _resolve_jobs(n_jobs, batches: int) -> int:
    """Worker processes to use. The default is one: the batched numpy code
    already does 1,000 resamples of a 40 x 40 study in well under a second,
    and on the 2-core benchmark machine two processes were slower at every
    size measured (start-up, plus the second core being shared); see
    bench/RESULTS.md. More processes can help on machines with idle cores."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise OptionError(f"n_jobs must be a whole number of processes or -1, not {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if n_jobs < 1:
        raise OptionError(f"n_jobs must be a positive number of processes or -1, got {n_jobs}")
    return max(1, min(n_jobs, batches))


def bootstrap(data, nfactors: int, resamples: int = 1000, seed=None, extraction: str = "pca",
              rotation: str = "varimax", align: str = "procrustes", n_jobs: int | None = None,
              progress: Progress | None = None, *, correlation: str = "pearson",
              forced: bool = True, grid=None, flag_level: float = 0.05, majority: bool = True,
              ties: str = "qmethod", keep_resamples: bool = False,
              batch_size: int | None = None) -> BootstrapResult:
    """Bootstrap the Q analysis of ``data`` with ``resamples`` resamples of sorts.

    Parameters
    ----------
    data : DataFrame (n statements x N sorts) or QSortData
    nfactors : k
    resamples : B, number of bootstrap resamples (>= 2)
    seed : int or None; the same seed and data give the same result, whatever
        ``n_jobs``
    extraction, rotation, correlation : as in :func:`qmethod.analyze`. Rotations
        other than varimax and none rotate one resample at a time. Centroid
        extraction is analysed one resample at a time on an N x N matrix: it is
        practical up to ``qmethod.extraction.CENTROID_PRACTICAL_MAX_N`` sorts
        and far slower than PCA.
    align : 'procrustes' (default) or 'permutation' (see the module docstring)
    n_jobs : worker processes (default 1: the batched code is fast and two
        processes did not help on 2 cores); -1 takes every core. Workers
        start a fresh interpreter, so a script calling this with n_jobs > 1
        needs the ``if __name__ == "__main__":`` guard.
    progress : callback ``progress(fraction, message)``
    forced, grid, flag_level, majority, ties : as in :func:`qmethod.analyze`
    keep_resamples : also return every resample's sort numbers, aligned
        loadings, flags, z-scores and factor arrays (memory B x N x k)
    batch_size : resamples analysed together (default: as many as fit in about
        200 MB, at most 100); the numbers do not depend on it

    Returns
    -------
    BootstrapResult
    """
    from .pipeline import analyze

    if isinstance(data, QSortData):
        grid = grid or data.grid
        data = data.sorts
    # every option checked before any work
    opts = AnalysisOptions(nfactors, extraction=extraction, rotation=rotation,
                           correlation=correlation, forced=forced, flag_level=flag_level,
                           majority=majority, ties=ties)
    align = str(align).lower()
    if align not in ALIGNMENTS:
        raise OptionError(f"unknown alignment {align!r}; choose one of {', '.join(ALIGNMENTS)}")
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 2:
        raise OptionError(f"the number of resamples must be a whole number of at least 2, "
                          f"not {resamples!r}")
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise OptionError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
    _resolve_jobs(n_jobs, 1)
    step = progress or (lambda f, m: None)
    step(0.0, "analysing the full sample")
    sorts, grid = validate_sorts(data, grid=grid, forced=opts.forced)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = analyze(sorts, opts.nfactors, extraction=opts.extraction, rotation=opts.rotation,
                       correlation=opts.correlation, forced=opts.forced, grid=grid,
                       flag_level=opts.flag_level, majority=opts.majority, ties=opts.ties)
    extraction, rotation, correlation = opts.extraction, opts.rotation, opts.correlation
    flag_level, majority, ties = opts.flag_level, opts.majority, opts.ties
    X = sorts.to_numpy()
    n, N = X.shape
    k = full.nfactors
    W = correlation_factor(X, correlation, ids=str_labels(sorts.columns))
    ctx = _Context(X, W, full.loadings.to_numpy(), grid.distribution(), extraction=extraction,
                   rotation=rotation, align=align, flag_level=flag_level, majority=majority,
                   ties=ties)
    B = int(resamples)
    if batch_size is None:
        size = _batch_size(N, W.shape[0], n, k)
        if extraction == "centroid" or rotation not in ("varimax", "none"):
            size = min(size, 10)   # analysed one resample at a time anyway
    else:
        size = int(batch_size)
    bounds = list(range(0, B, size)) + [B]
    jobs = _resolve_jobs(n_jobs, len(bounds) - 1)
    rng = np.random.default_rng(seed)

    def draws():
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            yield rng.integers(0, N, size=(hi - lo, N))

    Zs, As, phis, kept_idx, kept_L, kept_F = [], [], [], [], [], []
    present = np.zeros(N, dtype=np.int64)
    flagged = np.zeros((N, k), dtype=np.int64)
    done = 0

    def collect(idx, part):
        nonlocal done, present, flagged
        Zs.append(part["zscores"])
        As.append(part["arrays"])
        phis.append(part["phi"])
        present += part["present"]
        flagged += part["flagged"]
        if keep_resamples:
            kept_idx.append(idx)
            kept_L.append(part["loadings"])
            kept_F.append(part["flags"])
        done += idx.shape[0]
        step(0.02 + 0.96 * done / B, f"resample {done} of {B}")

    step(0.02, f"resample 0 of {B}")
    if jobs == 1:
        for idx in draws():
            collect(idx, _analyse_batch(ctx, idx, keep_resamples))
    else:
        import multiprocessing as mp
        # not 'fork': the web app calling this has threads, and forking a
        # threaded process can deadlock
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        context = mp.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload([__name__])  # import once, fork the workers
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                 initializer=_init_worker, initargs=(ctx,)) as pool:
            pending = deque()
            for idx in draws():  # a few batches in flight: the draws stay in bounded memory
                pending.append((idx, pool.submit(_worker_batch, idx, keep_resamples)))
                if len(pending) >= 2 * jobs:
                    done_idx, fut = pending.popleft()
                    collect(done_idx, fut.result())
            while pending:
                done_idx, fut = pending.popleft()
                collect(done_idx, fut.result())

    Z = np.concatenate(Zs)          # (B, n, k)
    A = np.concatenate(As)
    phi = np.concatenate(phis)
    result = _summarise(full, sorts, Z, A, phi, present, flagged,
                        info={"resamples": B, "seed": seed, "nfactors": k,
                              "extraction": extraction, "rotation": rotation,
                              "correlation": correlation, "alignment": align,
                              "n_statements": int(n), "n_sorts": int(N), "n_jobs": jobs,
                              "flag_level": flag_level, "majority_rule": majority, "ties": ties,
                              "engine_version": __version__})
    if keep_resamples:
        result.indices = np.concatenate(kept_idx)
        result.loadings = np.concatenate(kept_L)
        result.flags = np.concatenate(kept_F)
        result.zscores = Z
        result.arrays = A
    step(1.0, "done")
    return result


def _summarise(full, sorts, Z, A, phi, present, flagged, *, info) -> BootstrapResult:
    B, n, k = Z.shape
    names = full.factor_names
    sidx = pd.Index(str_labels(sorts.index), name="statement")
    pidx = pd.Index(str_labels(sorts.columns), name="participant")
    fidx = pd.Index(names, name="factor")

    def st(values):
        return pd.DataFrame(values, index=sidx, columns=fidx)

    scored = (~np.isnan(Z).all(axis=1)).sum(axis=0)       # resamples with z-scores, per factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        zmean = np.nanmean(Z, axis=0)
        zse = np.nanstd(Z, axis=0, ddof=1)
        amean = np.nanmean(A, axis=0)
        amin = np.nanmin(A, axis=0)
        amax = np.nanmax(A, axis=0)
        asd = np.nanstd(A, axis=0, ddof=1)
        full_arr = full.factor_arrays.to_numpy(dtype=float, na_value=np.nan)
        agree = np.nansum(A == full_arr[None], axis=0) / np.where(scored > 0, scored, np.nan)
        freq = flagged / np.where(present > 0, present, np.nan)[:, None]
    res = BootstrapResult(
        info=info,
        zscore_full=st(full.zscores.to_numpy()), zscore_mean=st(zmean), zscore_se=st(zse),
        array_full=st(full_arr), array_mean=st(amean), array_min=st(amin), array_max=st(amax),
        array_sd=st(asd), array_agreement=st(agree),
        flag_full=pd.DataFrame(full.flags.to_numpy(), index=pidx, columns=fidx),
        flag_frequency=pd.DataFrame(freq, index=pidx, columns=fidx),
        inclusion=pd.Series(present, index=pidx, name="resamples"),
        congruence=pd.DataFrame(phi, index=pd.RangeIndex(1, B + 1, name="resample"), columns=fidx),
        scored=pd.Series(scored, index=fidx, name="resamples_scored"),
        summary="")
    res.summary = stability_summary(res)
    return res


def stability_summary(res: BootstrapResult, *, max_listed: int = 8) -> str:
    """Plain-words stability report of a bootstrap result."""
    i = res.info
    B = i["resamples"]
    lines = [f"Bootstrap of {i['n_statements']} statements x {i['n_sorts']} Q-sorts, "
             f"{i['nfactors']} factor{'s' if i['nfactors'] != 1 else ''} "
             f"({i['extraction']}, {i['rotation']} rotation): {B} resamples of the Q-sorts with "
             f"replacement, aligned to the full sample by "
             + ("orthogonal Procrustes rotation" if i["alignment"] == "procrustes"
                else "the best permutation and sign of the factors")
             + (f", seed {i['seed']}." if i["seed"] is not None else ", no seed (not reproducible).")]
    lines.append("Every resample was aligned (alignment cannot fail); Tucker's congruence with the "
                 "full-sample factors tells how well each one matched.")
    lines.append("")
    lines.append(f"{'factor':<8}{'mean phi':>9}{'min phi':>9}{'poor':>7}{'scored':>8}"
                 f"{'arrays stable':>15}{'mean SE(z)':>12}")
    phi = res.congruence.to_numpy()
    for j, f in enumerate(res.congruence.columns):
        poor = int((phi[:, j] < POOR_CONGRUENCE).sum())
        stable = int((res.array_max[f] == res.array_min[f]).sum())
        lines.append(f"{f:<8}{np.nanmean(phi[:, j]):>9.3f}{np.nanmin(phi[:, j]):>9.3f}{poor:>7d}"
                     f"{int(res.scored[f]):>8d}{stable:>9d} of {len(res.array_min):<3d}"
                     f"{np.nanmean(res.zscore_se[f]):>12.3f}")
    lines.append(f"('poor': resamples with congruence below {POOR_CONGRUENCE}; 'scored': resamples "
                 "in which the factor had a defining sort; 'arrays stable': statements whose "
                 "factor-array position never moved)")
    lines.append("")
    for f in res.congruence.columns:
        j = list(res.congruence.columns).index(f)
        share_poor = (phi[:, j] < POOR_CONGRUENCE).mean()
        verdict = ("replicates well" if share_poor < 0.05 else
                   "replicates in most resamples" if share_poor < 0.25 else
                   "is unstable: it often does not reappear in resamples")
        lines.append(f"{f} {verdict} (congruence below {POOR_CONGRUENCE} in "
                     f"{100 * share_poor:.0f}% of resamples).")
        sd = res.array_sd[f]
        moving = sd[sd > UNSTABLE_ARRAY_SD].sort_values(ascending=False)
        if moving.empty:
            lines.append(f"  Statements: every factor-array position varies by at most about one "
                         f"grid column (bootstrap sd <= {UNSTABLE_ARRAY_SD:g}).")
        else:
            listed = ", ".join(f"{s} ({res.array_min.at[s, f]:+.0f} to {res.array_max.at[s, f]:+.0f})"
                               for s in moving.index[:max_listed])
            more = f" and {len(moving) - max_listed} more" if len(moving) > max_listed else ""
            lines.append(f"  Unstable statements ({len(moving)}; factor-array position sd > "
                         f"{UNSTABLE_ARRAY_SD:g} column): {listed}{more}.")
        ff = res.flag_frequency[f].to_numpy()
        full_flag = res.flag_full[f].to_numpy()
        ids = res.flag_full.index
        n_def = int(full_flag.sum())
        weak = np.nonzero(full_flag & ~(ff >= UNSTABLE_FLAG_FREQUENCY))[0]
        if n_def == 0:
            lines.append("  No sort defines it in the full sample.")
        elif weak.size == 0:
            lines.append(f"  All {n_def} defining sorts are flagged on it in at least "
                         f"{100 * UNSTABLE_FLAG_FREQUENCY:.0f}% of the resamples containing them.")
        else:
            lines.append(f"  Unstable defining sorts ({weak.size} of {n_def}; flagged in fewer "
                         f"than {100 * UNSTABLE_FLAG_FREQUENCY:.0f}% of the resamples containing "
                         f"them): {_listing(ids, ff, weak, max_listed)}.")
        others = np.nonzero(~full_flag & (ff >= UNSTABLE_FLAG_FREQUENCY))[0]
        if others.size:
            lines.append(f"  Not flagged in the full sample but in most resamples: "
                         f"{_listing(ids, ff, others, max_listed)}.")
    return "\n".join(lines)


def _listing(ids, freq, where, max_listed: int) -> str:
    shown = ", ".join(f"{ids[i]} ({'never drawn' if np.isnan(freq[i]) else format(100 * freq[i], '.0f') + '%'})"
                      for i in where[:max_listed])
    return shown + (f" and {where.size - max_listed} more" if where.size > max_listed else "")
