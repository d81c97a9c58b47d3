"""Aids for choosing the number of factors (methods.md section 9).

For the unrotated principal components of the Pearson correlation matrix:

- eigenvalue, explained variance (100 * eigenvalue / N, qmethod's convention)
  and its running total (the scree plot plots the eigenvalues);
- Kaiser-Guttman: keep components with eigenvalue > 1;
- Humphrey's rule: the product of a component's two largest absolute loadings
  exceeds twice the standard error of a zero correlation, 2 * (1 / sqrt(n));
- the number of sorts with a significant loading, |loading| > 1.96 / sqrt(n)
  (a factor needs at least two);
- Horn's parallel analysis: the same analysis on random Q-sorts of the same
  grid (each random sort a random permutation of the grid; for free
  distributions, of that sort's own values), repeated ``parallel_iterations``
  times; a component is worth keeping when its eigenvalue exceeds the
  ``percentile``-th percentile of the random studies' eigenvalue of the same
  rank.

Parallel analysis is vectorised: batches of random studies are shuffled with
``Generator.permuted`` and their eigenvalues computed with numpy's stacked
``eigvalsh`` on the smaller of the n x n and N x N cross-product matrices. Its
cost grows like iterations x n^2 x N (about a second for 1,000 iterations of a
60 x 1,000 study); it never forms an N x N matrix when N > n.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .correlation import correlation_factor
from .data import QSortData, str_labels, validate_sorts
from .errors import OptionError
from .extraction import eigen_from_factor, flip_positive
from .flagging import flag_threshold
from .grid import Grid
from .progress import Progress

#: floats held by one batch of random studies (about 100 MB)
_BATCH_FLOATS = 12_500_000
_MAX_BATCH = 200


@dataclass
class FactorAids:
    """Result of :func:`factor_aids`.

    table : one row per component (1..K), columns
        eigenvalue, explained_variance (percent), cumulative (percent),
        kaiser (eigenvalue > 1), humphrey_product (product of the two largest
        absolute loadings), humphrey (product > 2 / sqrt(n)), n_significant
        (sorts with |loading| > 1.96 / sqrt(n)), parallel_eigenvalue
        (percentile of random studies' eigenvalues; NaN without parallel
        analysis), parallel_mean, above_parallel (eigenvalue > parallel_eigenvalue)
    eigenvalues : all eigenvalues of the correlation matrix (for a scree plot)
    loadings : (N, K) unrotated principal-component loadings
    recommended : the suggested number of factors
    reasons : plain-words reasons for it, one sentence each
    counts : number of leading components each rule keeps
    info : sizes and settings
    """

    table: pd.DataFrame
    eigenvalues: pd.Series
    loadings: pd.DataFrame
    recommended: int
    reasons: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def format_table(self) -> str:
        t = self.table
        pa = self.info.get("parallel_iterations", 0) > 0
        pct = self.info.get("percentile")
        head = (f"{'factor':>6}{'eigenvalue':>12}{'% var':>8}{'cum %':>8}{'Kaiser':>8}"
                f"{'Humphrey':>10}{'signif.':>9}")
        if pa:
            head += f"{'random ' + format(pct, 'g') + '%':>13}{'PA':>5}"
        lines = [head]
        for f, r in t.iterrows():
            line = (f"{f:>6}{r.eigenvalue:>12.3f}{r.explained_variance:>8.1f}{r.cumulative:>8.1f}"
                    f"{'yes' if r.kaiser else 'no':>8}"
                    f"{format(r.humphrey_product, '.3f') + ('*' if r.humphrey else ' '):>10}"
                    f"{int(r.n_significant):>9d}")
            if pa:
                line += f"{r.parallel_eigenvalue:>13.3f}{'yes' if r.above_parallel else 'no':>5}"
            lines.append(line)
        n = self.info["n_statements"]
        lines.append(f"(Kaiser: eigenvalue > 1; Humphrey: product of the two largest absolute "
                     f"loadings, * when above 2/sqrt(n) = {2 / np.sqrt(n):.3f}; signif.: sorts "
                     f"loading above 1.96/sqrt(n) = {1.96 / np.sqrt(n):.3f}"
                     + (f"; PA: eigenvalue above the {pct:g}th percentile of "
                        f"{self.info['parallel_iterations']} random studies of the same grid)"
                        if pa else ")"))
        return "\n".join(lines)

    def report(self) -> str:
        i = self.info
        lines = [f"Number of factors for {i['n_statements']} statements x {i['n_sorts']} Q-sorts "
                 f"(unrotated principal components of the Pearson correlations)", "",
                 self.format_table(), "",
                 f"Recommendation: {self.recommended} factor{'s' if self.recommended != 1 else ''}."]
        lines += [f"- {r}" for r in self.reasons]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def to_json(self) -> str:
        t = self.table
        doc = {"format": "qmethod-factor-aids", "version": 1, "info": self.info,
               "recommended": self.recommended, "reasons": list(self.reasons),
               "counts": self.counts, "eigenvalues": [float(v) for v in self.eigenvalues],
               "table": {"index": [int(i) for i in t.index],
                         "columns": {c: [None if pd.isna(v) else
                                         (bool(v) if isinstance(v, (bool, np.bool_)) else float(v))
                                         for v in t[c].tolist()] for c in t.columns}}}
        return json.dumps(doc)


def _leading(mask) -> int:
    """How many leading entries of a bool sequence are True."""
    mask = np.asarray(mask, dtype=bool)
    return int(np.argmin(mask)) if not mask.all() else int(mask.size)


def parallel_eigenvalues(Z: np.ndarray, iterations: int, n_values: int, *, seed=None,
                         progress: Progress | None = None) -> np.ndarray:
    """Eigenvalues of random studies shaped like Z: (iterations, n_values).

    Z : (n, N) unit-norm standardised sorts (the Pearson correlation factor).
    Each random study shuffles every column of Z independently, which is the
    same as standardising a random permutation of that sort's values (for a
    forced grid: a random sort of the grid). The largest ``n_values``
    eigenvalues of each random study's correlation matrix are returned,
    decreasing.
    """
    n, N = Z.shape
    step = progress or (lambda f, m: None)
    rng = np.random.default_rng(seed)
    Zt = np.ascontiguousarray(Z.T)                          # (N, n): one row per sort
    size = int(max(1, min(_MAX_BATCH, _BATCH_FLOATS // (n * N + min(n, N) ** 2))))
    out = np.empty((iterations, n_values))
    done = 0
    while done < iterations:
        c = min(size, iterations - done)
        A = np.empty((c, N, n))
        A[:] = Zt
        rng.permuted(A, axis=2, out=A)
        if n <= N:
            M = A.transpose(0, 2, 1) @ A                  # (c, n, n)
        else:
            M = A @ A.transpose(0, 2, 1)                  # (c, N, N), N < n
        vals = np.linalg.eigvalsh(M)[:, ::-1][:, :n_values]
        out[done:done + c] = np.maximum(vals, 0.0)
        done += c
        step(done / iterations, f"random study {done} of {iterations}")
    return out


def factor_aids(data, max_factors: int = 8, parallel_iterations: int = 1000, percentile: float = 95,
                seed=None, progress: Progress | None = None, *, forced: bool = True,
                grid=None) -> FactorAids:
    """Aids for choosing the number of factors, with a recommendation.

    Parameters
    ----------
    data : DataFrame (n statements x N sorts) or QSortData
    max_factors : how many components to report (at most the rank of the data)
    parallel_iterations : random studies for Horn's parallel analysis (0: none)
    percentile : percentile of the random eigenvalues a component must beat
    seed : for the random studies (same seed, same numbers)
    progress : callback ``progress(fraction, message)``
    forced, grid : as in :func:`qmethod.analyze`

    The recommendation is the number of leading components that beat parallel
    analysis, capped by the number with at least two significant loadings
    (at least 1). Without parallel analysis it is the number of leading
    components passing Kaiser-Guttman, Humphrey's rule and the two-loading
    rule together. The reasons say what every rule would keep.
    """
    if isinstance(data, QSortData):
        grid = grid or data.grid
        data = data.sorts
    if isinstance(max_factors, bool) or not isinstance(max_factors, (int, np.integer)) \
            or max_factors < 1:
        raise OptionError(f"max_factors must be a whole number of at least 1, not {max_factors!r}")
    if isinstance(parallel_iterations, bool) or not isinstance(parallel_iterations, (int, np.integer)) \
            or parallel_iterations < 0:
        raise OptionError("parallel_iterations must be a whole number (0 for no parallel "
                          f"analysis), not {parallel_iterations!r}")
    try:
        pct_ok = not isinstance(percentile, bool) and 0 < float(percentile) < 100
    except (TypeError, ValueError):
        pct_ok = False
    if not pct_ok:
        raise OptionError(f"percentile must be between 0 and 100, not {percentile!r}")
    step = progress or (lambda f, m: None)
    step(0.0, "principal components")
    if not forced and grid is None:
        # Free sorts need no grid here: parallel analysis permutes each sort's own values.
        try:
            grid = Grid.from_values(np.asarray(data)[:, 0])
        except (ValueError, TypeError, IndexError):
            pass  # validate_sorts names the bad cell
    sorts, grid = validate_sorts(data, grid=grid, forced=forced)
    X = sorts.to_numpy()
    n, N = X.shape
    W = correlation_factor(X, "pearson", ids=str_labels(sorts.columns))
    vals, Lall = eigen_from_factor(W)
    rank = int((vals > 1e-10 * max(vals[0], 1.0)).sum())
    K = int(min(max_factors, max(rank, 1)))
    L = flip_positive(Lall[:, :K].copy())
    ev = vals[:K]
    absL = np.sort(np.abs(L), axis=0)[::-1]
    hprod = absL[0] * absL[1] if N >= 2 else np.zeros(K)
    se = 1.0 / np.sqrt(n)
    nsig = (np.abs(L) > flag_threshold(n, 0.05)).sum(axis=0)
    table = pd.DataFrame({
        "eigenvalue": ev,
        "explained_variance": 100 * ev / N,
        "cumulative": np.cumsum(100 * ev / N),
        "kaiser": ev > 1.0,
        "humphrey_product": hprod,
        "humphrey": hprod > 2 * se,
        "n_significant": nsig.astype(int),
    }, index=pd.RangeIndex(1, K + 1, name="factor"))
    iters = int(parallel_iterations)
    if iters:
        def sub(f, m):
            step(0.05 + 0.95 * f, m)
        rand = parallel_eigenvalues(W, iters, K, seed=seed, progress=sub)
        table["parallel_eigenvalue"] = np.percentile(rand, percentile, axis=0)
        table["parallel_mean"] = rand.mean(axis=0)
        table["above_parallel"] = table["eigenvalue"] > table["parallel_eigenvalue"]
    else:
        table["parallel_eigenvalue"] = np.nan
        table["parallel_mean"] = np.nan
        table["above_parallel"] = False
    counts = {"kaiser": _leading(table["kaiser"]), "humphrey": _leading(table["humphrey"]),
              "significant_loadings": _leading(table["n_significant"] >= 2)}
    if iters:
        counts["parallel"] = _leading(table["above_parallel"])
    recommended, reasons = _recommend(table, counts, n=n, N=N, K=K, iters=iters,
                                      percentile=float(percentile), max_factors=max_factors)
    step(1.0, "done")
    fidx = pd.Index([f"f{i + 1}" for i in range(K)], name="factor")
    return FactorAids(
        table=table,
        eigenvalues=pd.Series(vals, index=pd.RangeIndex(1, len(vals) + 1, name="component"),
                              name="eigenvalue"),
        loadings=pd.DataFrame(L, index=pd.Index(str_labels(sorts.columns), name="participant"),
                              columns=fidx),
        recommended=recommended, reasons=reasons, counts=counts,
        info={"n_statements": int(n), "n_sorts": int(N), "max_factors": int(K),
              "parallel_iterations": iters, "percentile": float(percentile), "seed": seed,
              "correlation": "pearson"})


def _plural(k: int, word: str = "factor") -> str:
    return f"{k} {word}{'s' if k != 1 else ''}"


def _recommend(t: pd.DataFrame, counts: dict, *, n, N, K, iters, percentile, max_factors):
    reasons = []
    sig = counts["significant_loadings"]
    if iters:
        pa = counts["parallel"]
        rec = min(pa, sig)
        if pa == 0:
            reasons.append(f"Parallel analysis: even the first component's eigenvalue "
                           f"({t.eigenvalue.iloc[0]:.2f}) is not above what random sorts of the "
                           f"same grid give ({t.parallel_eigenvalue.iloc[0]:.2f}); the data show "
                           f"no shared viewpoint beyond chance, so at most one factor is worth "
                           f"examining.")
        else:
            nxt = ""
            if pa < K:
                nxt = (f"; component {pa + 1}'s eigenvalue {t.eigenvalue.iloc[pa]:.2f} is below "
                       f"the random {t.parallel_eigenvalue.iloc[pa]:.2f}")
            elif K == max_factors:
                nxt = f" (all {K} components examined pass; a larger max_factors may find more)"
            reasons.append(f"Parallel analysis keeps {_plural(pa)}: the first {pa} eigenvalue"
                           f"{'s are' if pa != 1 else ' is'} above the {percentile:g}th percentile "
                           f"of {iters} random studies of the same grid{nxt}.")
        if sig < pa:
            reasons.append(f"Only the first {_plural(sig, 'component')} have at least two sorts "
                           f"with a significant loading (above {1.96 / np.sqrt(n):.3f}); a factor "
                           f"needs at least two defining sorts, so the recommendation stops there.")
        else:
            reasons.append(f"Each of the first {_plural(rec, 'component')} has at least two sorts "
                           f"with a significant loading (above {1.96 / np.sqrt(n):.3f}).")
    else:
        rec = min(counts["kaiser"], counts["humphrey"], sig)
        reasons.append(f"Without parallel analysis the recommendation is the number of leading "
                       f"components that pass Kaiser-Guttman, Humphrey's rule and the two-loading "
                       f"rule together: {rec}.")
    rec = max(1, rec)
    reasons.append(f"Kaiser-Guttman (eigenvalue > 1) would keep {_plural(counts['kaiser'])}"
                   + ("; it is known to keep too many factors (more so the more sorts there "
                      "are) and is shown for reference only." if iters and counts["kaiser"] > rec
                      else "."))
    reasons.append(f"Humphrey's rule (two largest loadings' product above "
                   f"{2 / np.sqrt(n):.3f}) holds for the first {_plural(counts['humphrey'], 'component')}"
                   + ("; it is lenient when there are many sorts." if counts["humphrey"] > rec else "."))
    reasons.append(f"The first {rec} component{'s explain' if rec != 1 else ' explains'} "
                   f"{t.cumulative.iloc[rec - 1]:.1f}% of the variance. These are statistical aids: "
                   f"the final choice should also rest on whether the rotated factors make sense.")
    return int(rec), reasons
