"""Plots of what researchers compare: eigenvalues against chance, composite
sorts, z-scores across factors, bootstrap stability, perspective matches.

Every function returns a matplotlib Figure (the caller shows or saves it) and
never changes its inputs. The Agg backend is used so nothing needs a screen.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from qmethod.grid import Grid  # noqa: E402


def scree_plot(aids) -> plt.Figure:
    """Eigenvalues (line) against parallel analysis's random ones and Kaiser's
    line at 1; ``aids`` is a :class:`qmethod.nfactors.FactorAids`."""
    t = aids.table
    x = np.arange(1, len(t) + 1)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(x, t["eigenvalue"], marker="o", label="data")
    if t["parallel_eigenvalue"].notna().any():
        pct = aids.info.get("percentile", 95)
        ax.plot(x, t["parallel_eigenvalue"], marker="x", linestyle="--",
                label=f"random studies ({pct:g}th percentile)")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":", label="Kaiser-Guttman (1)")
    ax.axvline(aids.recommended, color="tab:green", linewidth=0.8,
               label=f"recommended: {aids.recommended}")
    ax.set_xlabel("component")
    ax.set_ylabel("eigenvalue")
    ax.set_xticks(x)
    ax.set_title("How many factors?")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def composite_sort(factor_array: pd.Series, grid: Grid, labels: dict[str, str] | None = None,
                   title: str = "") -> plt.Figure:
    """A factor array drawn as the Q-sort grid, one box per statement.

    ``factor_array`` maps statement id -> grid score; ``labels`` maps statement
    id -> what to print in its box (default: the id). Ties that overfill a
    column (qmethod's rounding) simply make the column taller.
    """
    labels = labels or {}
    cols = {s: [] for s in grid.scores}
    for sid, score in factor_array.dropna().items():
        cols.setdefault(int(score), []).append(labels.get(sid, str(sid)))
    height = max(max(grid.heights), max(len(v) for v in cols.values()))
    fig, ax = plt.subplots(figsize=(1.0 * len(cols) + 0.6, 0.45 * height + 1.0))
    for x, score in enumerate(sorted(cols)):
        for y, text in enumerate(cols[score]):
            ax.add_patch(plt.Rectangle((x + 0.05, y + 0.05), 0.9, 0.9, fill=False, linewidth=0.8))
            ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=7)
    ax.set_xlim(0, len(cols))
    ax.set_ylim(height, 0)
    ax.set_xticks(np.arange(len(cols)) + 0.5, [f"{s:+d}" if s else "0" for s in sorted(cols)])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def zscore_plot(zscores: pd.DataFrame, labels: dict[str, str] | None = None) -> plt.Figure:
    """Each statement's z-score on every factor (dot chart), statements ordered
    by how much the factors disagree on them (largest spread at the top)."""
    labels = labels or {}
    z = zscores.dropna(axis=1, how="all")
    order = (z.max(axis=1) - z.min(axis=1)).sort_values().index
    fig, ax = plt.subplots(figsize=(6.5, 0.22 * len(order) + 1.2))
    y = np.arange(len(order))
    for f in z.columns:
        ax.plot(z.loc[order, f], y, "o", markersize=4, label=f)
    ax.set_yticks(y, [labels.get(s, str(s)) for s in order], fontsize=7)
    ax.axvline(0, color="grey", linewidth=0.6)
    ax.set_xlabel("z-score")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def bootstrap_plot(boot, factor: str) -> plt.Figure:
    """Full-sample z-scores with bootstrap mean +- 1.96 SE for one factor;
    ``boot`` is a :class:`qmethod.bootstrap.BootstrapResult`."""
    full = boot.zscore_full[factor]
    order = full.sort_values().index
    mean, se = boot.zscore_mean.loc[order, factor], boot.zscore_se.loc[order, factor]
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(6, 0.2 * len(order) + 1.2))
    ax.errorbar(mean, y, xerr=1.96 * se, fmt="o", markersize=3, linewidth=0.8,
                label="bootstrap mean +- 1.96 SE")
    ax.plot(full.loc[order], y, "x", color="black", markersize=4, label="full sample")
    ax.set_yticks(y, [str(s) for s in order], fontsize=7)
    ax.set_xlabel(f"z-score on {factor}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def perspective_heatmap(match) -> plt.Figure:
    """Factor x perspective correlations, significant cells outlined;
    ``match`` is an :class:`analysis.perspectives.PerspectiveMatch`."""
    C = match.correlations
    fig, ax = plt.subplots(figsize=(2.0 * C.shape[1] + 1.5, 0.6 * C.shape[0] + 1.4))
    im = ax.imshow(C.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            r = C.iat[i, j]
            ax.text(j, i, f"{r:.2f}", ha="center", va="center", fontsize=9,
                    fontweight="bold" if abs(r) >= match.threshold else "normal")
    ax.set_xticks(range(C.shape[1]), C.columns, fontsize=9)
    ax.set_yticks(range(C.shape[0]), C.index)
    ax.set_title(f"bold: |r| >= {match.threshold:.2f} (p < .05)", fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig
