"""Every chart of the platform, as Plotly figures (interactive, hover for details).

The researcher's workspace, the demo page and the results pages all draw
from here, so a chart looks and reads the same everywhere. Each function
returns a :class:`plotly.graph_objects.Figure` built from its inputs (never
changed) and nothing else: the caller shows it (``st.plotly_chart``) or
exports it. On statement-level charts the hover shows the statement's text.

Functions
---------
scree : eigenvalues against parallel analysis and Kaiser's line
composite_sort : a factor array drawn as the study grid
zscore_dots : every statement's z-score on every factor (optionally with a sort menu)
bootstrap_intervals : full-sample z-scores with bootstrap intervals
viewpoint_heatmap : factor x tag-value statistics of the viewpoint matching
correlation_heatmap : factor x ideal-type correlations (extra evidence)
loadings_scatter : sorts as points on two factors' loadings
"""
from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Every figure here is drawn on Plotly's "plotly_white" template, set as Plotly's
# default rather than per figure: a template given to a figure is validated
# each time (about 20-35 ms a figure, most of a judgmental rotation step's
# server time), the default only once (about 1.5 ms a figure).
pio.templates.default = "plotly_white"

#: one colour per factor, in order (Okabe-Ito, readable with colour-vision deficiencies)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _layout(fig: go.Figure, title: str = "", **kw) -> go.Figure:
    margin = kw.pop("margin", {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50})
    fig.update_layout(title=title or None, font=_FONT, margin=margin,
                      hoverlabel={"align": "left"}, **kw)
    return fig


def wrap(text: str, width: int = 60) -> str:
    """Hover text: ``text`` broken into lines of about ``width`` characters (``<br>``)."""
    return "<br>".join(textwrap.wrap(str(text), width)) if text else ""


def _texts(ids, texts: Mapping[str, str] | pd.Series | None) -> list[str]:
    texts = {} if texts is None else dict(texts)
    return [str(texts.get(i, "")) for i in ids]


def _info(obj, key, default=None):
    info = getattr(obj, "info", None)
    if isinstance(info, Mapping):
        return info.get(key, default)
    return getattr(info, key, default)


# ---------------------------------------------------------------------------
# choosing factors
# ---------------------------------------------------------------------------
def scree(aids) -> go.Figure:
    """Eigenvalues against random studies' (parallel analysis) and Kaiser's line at 1.

    ``aids`` is a :class:`qmethod.nfactors.FactorAids`. Traces, in order:
    ``data`` (eigenvalue of each component 1..K), ``random studies`` (the
    parallel-analysis percentile, when computed), ``Kaiser-Guttman (1)``; the
    recommended number of factors is a vertical line (a shape) with its label.
    """
    t = aids.table
    x = np.arange(1, len(t) + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=t["eigenvalue"].to_numpy(float), mode="lines+markers", name="data",
                             line={"color": PALETTE[0]},
                             customdata=t["explained_variance"].to_numpy(float),
                             hovertemplate="component %{x}<br>eigenvalue %{y:.2f}<br>"
                                           "%{customdata:.1f}% of variance<extra></extra>"))
    if t["parallel_eigenvalue"].notna().any():
        pct = _info(aids, "percentile", 95)
        fig.add_trace(go.Scatter(x=x, y=t["parallel_eigenvalue"].to_numpy(float), mode="lines+markers",
                                 name=f"random studies ({pct:g}th percentile)",
                                 line={"color": PALETTE[1], "dash": "dash"}, marker={"symbol": "x"},
                                 hovertemplate="component %{x}<br>random studies: %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[x[0], x[-1]], y=[1.0, 1.0], mode="lines", name="Kaiser-Guttman (1)",
                             line={"color": "grey", "dash": "dot", "width": 1}, hoverinfo="skip"))
    fig.add_vline(x=aids.recommended, line={"color": PALETTE[2], "width": 1.5},
                  annotation_text=f"recommended: {aids.recommended}", annotation_position="top right")
    fig.update_xaxes(title="component", tickmode="array", tickvals=x)
    fig.update_yaxes(title="eigenvalue")
    return _layout(fig, "How many factors?", height=380, legend={"x": 0.98, "xanchor": "right", "y": 0.98})


# ---------------------------------------------------------------------------
# statement-level charts
# ---------------------------------------------------------------------------
def composite_sort(factor_array: pd.Series, grid, texts: Mapping[str, str] | None = None,
                   labels: Mapping[str, str] | None = None, title: str = "") -> go.Figure:
    """A factor array drawn as the Q-sort grid: one box per statement.

    ``factor_array`` maps statement id -> grid score; ``grid`` is the study's
    :class:`qmethod.Grid`; ``labels`` maps id -> what the box shows (default:
    the id); ``texts`` maps id -> the statement text shown on hover. One
    scatter trace: x = grid score, y = row in the column (0 at the top),
    ``customdata`` = statement ids. Ties that overfill a column (qmethod's
    rounding) make it taller.
    """
    labels = dict(labels or {})
    fa = factor_array.dropna()
    cols: dict[int, list] = {int(s): [] for s in grid.scores}
    for sid, score in fa.items():
        cols.setdefault(int(score), []).append(str(sid))
    xs, ys, ids = [], [], []
    for score in sorted(cols):
        for row, sid in enumerate(cols[score]):
            xs.append(score)
            ys.append(row)
            ids.append(sid)
    height = max(max(grid.heights), max((len(v) for v in cols.values()), default=0))
    hover = [f"<b>{sid}</b> ({x:+d})<br>{wrap(t)}" if t else f"<b>{sid}</b> ({x:+d})"
             for sid, x, t in zip(ids, xs, _texts(ids, texts))]
    fig = go.Figure(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=[labels.get(s, s) for s in ids], customdata=ids,
        hovertext=hover, hoverinfo="text", textfont={"size": 11},
        marker={"symbol": "square", "size": 34, "color": "white", "line": {"color": "#555", "width": 1}},
        name="statements", showlegend=False))
    scores = sorted(cols)
    fig.update_xaxes(tickmode="array", tickvals=scores, ticktext=[f"{s:+d}" if s else "0" for s in scores],
                     range=[scores[0] - 0.6, scores[-1] + 0.6], showgrid=False, zeroline=False,
                     title="grid position (most disagree to most agree)")
    fig.update_yaxes(range=[height - 0.4, -0.6], visible=False)
    return _layout(fig, title, height=60 + 42 * height + 60)


def _spread_order(z: pd.DataFrame) -> list:
    return list((z.max(axis=1) - z.min(axis=1)).sort_values(kind="stable").index)


def zscore_dots(zscores: pd.DataFrame, texts: Mapping[str, str] | None = None,
                labels: Mapping[str, str] | None = None, *, names: Mapping[str, str] | None = None,
                sortable: bool = False) -> go.Figure:
    """Each statement's z-score on every factor (dot chart).

    Statements are ordered by how much the factors disagree on them (largest
    spread at the top). One trace per factor with z-scores: x = z-score,
    y = statement label (``labels``, default the id), ``customdata`` = ids;
    hover shows the statement's text. ``names`` maps a factor to the name its
    trace and hover show (default the factor). ``sortable`` adds a menu that
    re-orders the statements in the browser (no server needed, so it works
    in a saved HTML file too): by disagreement, by statement (the order of
    ``zscores``' index, first at the top) and by each factor's z-score; the
    menu's entries are in ``layout.updatemenus[0].buttons``, each setting
    ``yaxis.categoryarray`` (bottom to top).
    """
    labels = dict(labels or {})
    names = {f: str(names.get(f, f)) for f in zscores.columns} if names else {f: str(f) for f in zscores.columns}
    z = zscores.dropna(axis=1, how="all")
    order = _spread_order(z)
    ylab = [labels.get(s, str(s)) for s in order]
    hover_text = [wrap(t) for t in _texts(order, texts)]
    fig = go.Figure()
    for i, f in enumerate(z.columns):
        fig.add_trace(go.Scatter(
            x=z.loc[order, f].to_numpy(float), y=ylab, mode="markers", name=names[f],
            marker={"size": 9, "color": PALETTE[i % len(PALETTE)]}, customdata=list(order),
            hovertext=[f"<b>{labels.get(s, s)}</b> on {names[f]}: z = {v:.2f}<br>{t}" for s, v, t in
                       zip(order, z.loc[order, f], hover_text)], hoverinfo="text"))
    fig.add_vline(x=0, line={"color": "grey", "width": 1})
    fig.update_xaxes(title="z-score")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=ylab, tickfont={"size": 11})
    legend = {"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"}
    if not sortable:
        return _layout(fig, "", height=80 + 18 * len(order), legend=legend)

    def lab(ids) -> list[str]:
        return [labels.get(s, str(s)) for s in ids]

    orders = [("by disagreement", ylab), ("by statement", lab(list(z.index)[::-1]))]
    for f in z.columns:
        orders.append((f"by {names[f]}", lab(list(z[f].sort_values(kind="stable").index))))
    buttons = [{"label": f"Sort {name}", "method": "relayout", "args": [{"yaxis.categoryarray": arr}]}
               for name, arr in orders]
    fig.update_layout(updatemenus=[{"type": "dropdown", "buttons": buttons, "active": 0, "x": 0, "y": 1.0,
                                    "xanchor": "left", "yanchor": "bottom", "pad": {"b": 8},
                                    "showactive": True}])
    # the menu above the chart, the legend below it: on a phone the legend wraps
    # to several lines and would cover the menu
    legend.update({"yref": "container", "y": 0, "yanchor": "bottom"})
    return _layout(fig, "", height=220 + 18 * len(order), legend=legend,
                   margin={"l": 40, "r": 12, "t": 56, "b": 130})


def bootstrap_intervals(boot, factor: str, texts: Mapping[str, str] | None = None,
                        labels: Mapping[str, str] | None = None) -> go.Figure:
    """Full-sample z-scores with the bootstrap mean +- 1.96 SE for one factor.

    ``boot`` is a :class:`qmethod.bootstrap.BootstrapResult`. Traces:
    ``bootstrap mean +- 1.96 SE`` (x = mean, error bars 1.96 SE) and
    ``full sample`` (x = full-sample z-score); y = statement label, ordered by
    the full-sample z-score; hover shows the statement's text.
    """
    labels = dict(labels or {})
    full = boot.zscore_full[factor]
    order = list(full.sort_values(kind="stable").index)
    mean = boot.zscore_mean.loc[order, factor].to_numpy(float)
    se = boot.zscore_se.loc[order, factor].to_numpy(float)
    ylab = [labels.get(s, str(s)) for s in order]
    hover_text = [wrap(t) for t in _texts(order, texts)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=mean, y=ylab, mode="markers", name="bootstrap mean +- 1.96 SE", customdata=order,
        error_x={"type": "data", "array": 1.96 * se, "visible": True, "thickness": 1},
        marker={"size": 6, "color": PALETTE[0]},
        hovertext=[f"<b>{s}</b>: bootstrap mean {m:.2f} +- {1.96 * e:.2f}<br>{t}"
                   for s, m, e, t in zip(order, mean, se, hover_text)], hoverinfo="text"))
    fig.add_trace(go.Scatter(
        x=full.loc[order].to_numpy(float), y=ylab, mode="markers", name="full sample", customdata=order,
        marker={"symbol": "x", "size": 7, "color": "black"},
        hovertext=[f"<b>{s}</b>: full sample z = {v:.2f}<br>{t}"
                   for s, v, t in zip(order, full.loc[order], hover_text)], hoverinfo="text"))
    fig.update_xaxes(title=f"z-score on {factor}")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=ylab, tickfont={"size": 11})
    return _layout(fig, "", height=80 + 18 * len(order), legend={"orientation": "h", "y": 1.02, "x": 0})


# ---------------------------------------------------------------------------
# viewpoints
# ---------------------------------------------------------------------------
def viewpoint_heatmap(match) -> go.Figure:
    """Factor x tag-value standardised differences of a viewpoint matching.

    ``match`` is an :class:`analysis.viewpoints.ViewpointMatch`. One heatmap
    trace: z = ``match.statistic`` (factors as rows, values as columns),
    ``customdata`` = the family-wise adjusted p (hover shows both, and the
    mean z-scores). Cells with adjusted p <= alpha carry a star in their text.
    """
    S, P = match.statistic, match.p_adjusted
    ev = match.evidence[match.evidence["contrast"] == "rest"].set_index(["factor", "value"])
    hover = []
    for f in S.index:
        row = []
        for v in S.columns:
            e = ev.loc[(f, v)]
            row.append(f"<b>{f} \u00d7 {v}</b><br>standardised difference {S.loc[f, v]:.2f}"
                       f"<br>adjusted p {P.loc[f, v]:.4f}<br>mean z {e.mean_z:.2f} "
                       f"({int(e.n_value)} statements) vs {e.compared_mean_z:.2f} (the other {int(e.n_compared)})")
        hover.append(row)
    lim = max(float(np.nanmax(np.abs(S.to_numpy()))) if S.size else 1.0, match.critical
              if np.isfinite(match.critical) else 1.0)
    text = [[f"{S.loc[f, v]:.2f}" + (" \u2605" if P.loc[f, v] <= match.alpha else "") for v in S.columns]
            for f in S.index]
    fig = go.Figure(go.Heatmap(
        z=S.to_numpy(float), x=[str(v) for v in S.columns], y=[str(f) for f in S.index],
        customdata=P.to_numpy(float), text=text, texttemplate="%{text}", hovertext=hover,
        hoverinfo="text", colorscale="RdBu", reversescale=True, zmin=-lim, zmax=lim,
        colorbar={"title": {"text": "standardised<br>difference"}}))
    fig.update_yaxes(autorange="reversed", title="factor")
    fig.update_xaxes(title=match.tag, side="bottom")
    title = (f"\u2605 adjusted p \u2264 {match.alpha:g} (|difference| > {match.critical:.2f}); "
             f"{match.permutations:,} permutations, seed {match.seed}")
    return _layout(fig, title, height=140 + 50 * len(S.index))


def correlation_heatmap(correlations: pd.DataFrame, threshold: float) -> go.Figure:
    """Factor x ideal-type Pearson correlations (extra evidence, uncorrected).

    One heatmap trace: z = ``correlations``; cells with ``|r| >= threshold``
    carry a star in their text.
    """
    C = correlations
    text = [[f"{C.loc[f, v]:.2f}" + (" \u2605" if abs(C.loc[f, v]) >= threshold else "") for v in C.columns]
            for f in C.index]
    hover = [[f"<b>{f} \u00d7 {v}</b><br>r = {C.loc[f, v]:.2f}" for v in C.columns] for f in C.index]
    fig = go.Figure(go.Heatmap(
        z=C.to_numpy(float), x=[str(v) for v in C.columns], y=[str(f) for f in C.index], text=text,
        texttemplate="%{text}", hovertext=hover, hoverinfo="text", colorscale="RdBu", reversescale=True,
        zmin=-1, zmax=1, colorbar={"title": {"text": "r"}}))
    fig.update_yaxes(autorange="reversed", title="factor")
    return _layout(fig, f"\u2605 |r| \u2265 {threshold:.2f} (p < .05 for one test, uncorrected)",
                   height=140 + 50 * len(C.index))


# ---------------------------------------------------------------------------
# sorts
# ---------------------------------------------------------------------------
def loadings_scatter(loadings: pd.DataFrame, flags: pd.DataFrame, x: str, y: str, threshold: float,
                     manual: pd.DataFrame | None = None) -> go.Figure:
    """The Q-sorts as points on the loadings of factors ``x`` and ``y``.

    ``loadings`` and ``flags`` are (N sorts, k) as in :class:`qmethod.QResult`;
    ``threshold`` is the significant loading (e.g. 1.96 / sqrt(n)), drawn as
    dashed lines at +-threshold on both axes; ``manual`` (same shape, bool)
    marks flags set by hand. Traces, by flag: ``flagged on x``, ``flagged on
    y``, ``flagged on another factor``, ``not flagged`` (each with the
    participant ids in ``customdata``); hover shows the participant, both
    loadings and where the sort is flagged.
    """
    ids = [str(i) for i in loadings.index]
    fl = flags.reindex(index=loadings.index, columns=loadings.columns).fillna(False).astype(bool)
    man = (manual.reindex(index=loadings.index, columns=loadings.columns).fillna(False).astype(bool)
           if manual is not None else None)
    # whole arrays, not a .loc per sort and factor (a second at 1,000 sorts)
    F = fl.to_numpy()
    M = man.to_numpy() if man is not None else np.zeros_like(F)
    cols = [str(f) for f in loadings.columns]
    where = []
    for frow, mrow in zip(F.tolist(), M.tolist()):
        on = [c + (" (by hand)" if m else "") for c, f, m in zip(cols, frow, mrow) if f]
        where.append(", ".join(on) if on else "not flagged")
    any_hand = M.any(axis=1)
    group = np.where(fl[x].to_numpy(), 0, np.where(fl[y].to_numpy(), 1,
                                                   np.where(F.any(axis=1), 2, 3)))
    names = (f"flagged on {x}", f"flagged on {y}", "flagged on another factor", "not flagged")
    styles = ({"color": PALETTE[0], "symbol": "circle"}, {"color": PALETTE[1], "symbol": "diamond"},
              {"color": "#888", "symbol": "square"}, {"color": "#bbb", "symbol": "circle-open"})
    lx, ly = loadings[x].to_numpy(float), loadings[y].to_numpy(float)
    fig = go.Figure()
    for g, (name, style) in enumerate(zip(names, styles)):
        sel = np.flatnonzero(group == g)
        if not sel.size:
            continue
        hand = any_hand[sel].tolist()
        fig.add_trace(go.Scatter(
            x=lx[sel], y=ly[sel], mode="markers", name=name, customdata=[ids[i] for i in sel],
            marker={"size": 10, **style, "line": {"width": [2.5 if h else 0.5 for h in hand],
                                                   "color": "black"}},
            hovertext=[f"<b>{ids[i]}</b><br>{x}: {lx[i]:.2f}, {y}: {ly[i]:.2f}<br>flagged: {where[i]}"
                       for i in sel], hoverinfo="text"))
    # the threshold lines as add_vline/add_hline draw them, set at once (each
    # add_*line call copies the layout)
    dash = {"color": "grey", "dash": "dash", "width": 1}
    lines = []
    for v in (-threshold, threshold):
        lines.append({"type": "line", "x0": v, "x1": v, "xref": "x", "y0": 0, "y1": 1,
                      "yref": "y domain", "line": dash})
        lines.append({"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": v, "y1": v,
                      "yref": "y", "line": dash})
    fig.update_layout(shapes=lines)
    lim = max(1.0, float(np.abs(np.r_[lx, ly]).max()) * 1.05) if len(ids) else 1.0
    fig.update_xaxes(title=f"loading on {x}", range=[-lim, lim], zeroline=True, zerolinecolor="#888")
    fig.update_yaxes(title=f"loading on {y}", range=[-lim, lim], zeroline=True, zerolinecolor="#888",
                     scaleanchor="x", scaleratio=1)
    return _layout(fig, f"dashed: significant loading \u00b1{threshold:.2f}", height=560)
