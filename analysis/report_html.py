"""A :class:`analysis.report.Report` as HTML: the fragments the results page
shows, and one self-contained file (the download, and the PDF's source).

Every text is escaped here; the report holds plain text only. The composite
Q-sort is HTML, not a chart: its statement texts must wrap in the boxes and,
on a narrow screen, its columns must become rows (as in the participant
grid), which a Plotly figure cannot do; the z-score chart is
:func:`analysis.figures.zscore_dots`. The self-contained file embeds
plotly.js (its basic bundle, :func:`plotly_js`), so it opens offline with its
chart working.

Fragments (each a ``str`` of HTML, styled by :data:`CSS`):
``header_html``, ``contents_html``, ``viewpoint_html`` (one per viewpoint),
``consensus_html``, ``zscores_intro_html`` and ``zscores_table_html`` (around
the chart), ``correlations_html``, ``methods_html``. ``standalone_html``
joins them with the chart into one document.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go

from . import figures
from .report import MARKS, MIN_GROUP, Report, Viewpoint, fewer_than, format_p

# Colours keep a contrast of at least 4.5:1 on white (WCAG AA for text).
CSS = """
.qr { --qr-text: #1f2328; --qr-soft: #57606a; --qr-line: #d0d7de; --qr-bg: #ffffff; --qr-tint: #f6f8fa;
  --qr-accent: #0b5cad; --qr-warn-bg: #fff8c5; --qr-warn-line: #9a6700;
  color: var(--qr-text); font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 16px; line-height: 1.5; }
.qr h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.4rem; }
.qr h2 { font-size: 1.45rem; line-height: 1.25; margin: 2.2rem 0 0.3rem; padding-top: 0.6rem;
  border-top: 2px solid var(--qr-line); }
.qr h3 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
.qr p { margin: 0.4rem 0 0.7rem; }
.qr .qr-sub { color: var(--qr-soft); font-size: 0.95rem; margin-top: 0; }
.qr .qr-simulated { background: var(--qr-warn-bg); border-left: 6px solid var(--qr-warn-line);
  padding: 0.6rem 0.9rem; border-radius: 4px; }
.qr .qr-note { color: var(--qr-soft); font-size: 0.92rem; }
.qr .qr-toc ol { margin: 0.2rem 0 0.8rem 1.2rem; padding: 0; }
.qr a { color: var(--qr-accent); }
.qr .qr-narrative { font-size: 1.02rem; }
.qr .qr-match { background: var(--qr-tint); border: 1px solid var(--qr-line); border-radius: 6px;
  padding: 0.5rem 0.9rem; margin: 0.6rem 0 1rem; }
.qr .qr-match p { margin: 0.3rem 0; }
.qr table { border-collapse: collapse; width: 100%; font-size: 0.92rem; margin: 0.4rem 0 0.8rem; }
.qr th, .qr td { border-bottom: 1px solid var(--qr-line); padding: 4px 6px; text-align: left; vertical-align: top; }
.qr th { background: var(--qr-tint); font-weight: 600; }
.qr td.qr-n, .qr th.qr-n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.qr .qr-scroll { overflow-x: auto; }
.qr .qr-mark { font-weight: 700; }
.qr blockquote { margin: 0.5rem 0 0.8rem; padding: 0.3rem 0.9rem; border-left: 4px solid var(--qr-accent);
  background: var(--qr-tint); }
.qr blockquote p { margin: 0.2rem 0; font-style: italic; }
.qr blockquote footer { color: var(--qr-soft); font-size: 0.88rem; }
.qr dl.qr-methods { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0.4rem 0; }
.qr dl.qr-methods dt { font-weight: 600; }
.qr dl.qr-methods dd { margin: 0; }
.qr .qr-box { border: 1px solid var(--qr-line); border-radius: 6px; padding: 0.4rem 1rem 0.8rem; }
.qr details summary { cursor: pointer; color: var(--qr-accent); margin: 0.3rem 0; }
.qr .qr-chart { margin: 0.4rem 0 0.6rem; }

/* the composite Q-sort: columns side by side, rows when narrow */
.qr .qr-gridwrap { container-type: inline-size; margin: 0.4rem 0 1rem; }
.qr .qr-grid { display: grid; grid-template-columns: repeat(var(--qr-cols), minmax(0, 1fr)); gap: 4px;
  align-items: start; margin: 0; padding: 0; list-style: none; }
.qr .qr-col { background: var(--qr-tint); border-radius: 4px; padding: 3px; min-width: 0; }
.qr .qr-col-head { text-align: center; font-size: 0.78rem; color: var(--qr-soft); line-height: 1.2;
  margin: 0 0 3px; min-height: 3.3em; }
.qr .qr-col-head b { display: block; color: var(--qr-text); font-size: 0.95rem; }
.qr .qr-cards { list-style: none; margin: 0; padding: 0; }
.qr .qr-card { background: var(--qr-bg); border: 1px solid var(--qr-line); border-radius: 4px; padding: 3px 4px;
  margin: 0 0 3px; font-size: 0.74rem; line-height: 1.25; overflow-wrap: break-word; }
.qr .qr-card .qr-num { font-weight: 700; margin-right: 0.25em; }
@container (max-width: 640px) {
  .qr .qr-grid { grid-template-columns: minmax(0, 1fr); gap: 8px; }
  .qr .qr-col-head { text-align: left; min-height: 0; display: flex; gap: 0.5em; align-items: baseline;
    font-size: 0.9rem; }
  .qr .qr-col-head b { display: inline; }
  .qr .qr-card { font-size: 0.95rem; line-height: 1.35; padding: 6px 8px; }
}
@media (max-width: 640px) {
  .qr h1 { font-size: 1.5rem; }
  .qr dl.qr-methods { grid-template-columns: 1fr; }
  .qr dl.qr-methods dd { margin-bottom: 0.4rem; }
  .qr table { font-size: 0.85rem; }
}

@media print {
  @page { size: A4; margin: 14mm 12mm; }
  /* a composite sort gets a landscape page of its own: its columns need the width */
  @page qrgrid { size: A4 landscape; margin: 10mm; }
  .qr .qr-gridwrap { page: qrgrid; }
  .qr { font-size: 10.5pt; }
  .qr h2 { break-before: page; border-top: none; margin-top: 0; }
  .qr h2.qr-first { break-before: auto; }
  .qr h2, .qr h3 { break-after: avoid; }
  .qr .qr-col, .qr .qr-card, .qr blockquote, .qr tr, .qr .qr-match { break-inside: avoid; }
  .qr .qr-card { font-size: 7pt; }
  .qr .qr-col-head { font-size: 6.5pt; }
  .qr .qr-toc, .qr .qr-noprint { display: none; }
  .qr details > summary { color: inherit; font-weight: 600; list-style: none; }
  .qr .modebar-container, .qr .updatemenu-container { display: none !important; }
  .qr a { color: inherit; text-decoration: none; }
  .qr .qr-simulated { border: 2px solid var(--qr-warn-line); }
}
"""

#: the chart's own toolbar is left out: on a phone it covers the sort menu, and
#: the table below the chart holds the same numbers
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}


DASH = "\u2013"
DOT = " \u00b7 "


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def paragraphs(text: str, cls: str = "") -> str:
    """Plain text as HTML paragraphs (blank lines split them, single line breaks kept)."""
    attr = f' class="{cls}"' if cls else ""
    parts = [p.strip() for p in str(text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p{attr}>" + "<br>".join(esc(line) for line in p.split("\n")) + "</p>" for p in parts)


def _pos(x: int) -> str:
    return f"{x:+d}" if x else "0"


def anchor(vp: Viewpoint) -> str:
    return f"viewpoint-{vp.number}"


# ---------------------------------------------------------------------------
# fragments
# ---------------------------------------------------------------------------
def header_html(report: Report, published: str = "") -> str:
    """Title, the simulated-data banner, the researcher's summary, how to read the page."""
    out = [f'<header data-section="header"><h1>{esc(report.title)}</h1>']
    sub = f"{esc(report.study_title)}"
    if published:
        sub += f" \u00b7 published {esc(published)}"
    out.append(f'<p class="qr-sub">{sub}</p>')
    if report.simulated:
        out.append('<p class="qr-simulated" role="note" data-section="simulated"><strong>Simulated data, not '
                   'real people.</strong> These results come from computer-generated participants, made to '
                   'show what a results page looks like. They say nothing about what anyone thinks.</p>')
    out.append(paragraphs(report.summary, "qr-narrative"))
    k = len(report.viewpoints)
    out.append(f'<p>This study asked people to sort {report.methods.n_statements} statements from most '
               f'disagree to most agree. A Q analysis of the {fewer_than(report.methods.n_sorts, "sorts")} '
               f'found {k} shared viewpoint{"s" if k != 1 else ""}: for each, a composite sort shows how a '
               'person holding it would place every statement. No individual participant\u2019s answers are '
               'shown.</p>')
    out.append("</header>")
    return "".join(out)


def contents_html(report: Report) -> str:
    items = "".join(f'<li><a href="#{anchor(v)}">{esc(v.name)}</a></li>' for v in report.viewpoints)
    return (f'<nav class="qr-toc" aria-label="Contents"><ol>{items}'
            '<li><a href="#across-viewpoints">Across the viewpoints</a></li>'
            '<li><a href="#methods">How the analysis was done</a></li></ol></nav>')


def composite_grid_html(report: Report, vp: Viewpoint) -> str:
    """The composite Q-sort as the study grid: one column per grid position, the
    statements as numbered cards with their texts (rows on a narrow screen)."""
    cols = []
    for c in vp.grid:
        cards = "".join(f'<li class="qr-card" data-number="{n}"><span class="qr-num">{n}</span>'
                        f'{esc(report.text(n))}</li>' for n in c.statements)
        cols.append(f'<li class="qr-col" data-score="{c.score}"><p class="qr-col-head"><b>{_pos(c.score)}</b>'
                    f'{esc(c.label)}</p><ul class="qr-cards">{cards}</ul></li>')
    return (f'<div class="qr-gridwrap"><ul class="qr-grid" style="--qr-cols: {len(vp.grid)}" '
            f'aria-label="Composite Q-sort of {esc(vp.name)}, from most disagree to most agree">'
            + "".join(cols) + "</ul></div>")


def _others(report: Report, pairs) -> str:
    return "; ".join(f"{esc(report.name(k))} {_pos(p)}" for k, p in pairs) or DASH


def distinguishing_html(report: Report, vp: Viewpoint) -> str:
    if not vp.distinguishing:
        return ('<p data-section="distinguishing">No statement sets this viewpoint apart from every other '
                'viewpoint at p < .05.</p>')
    rows = "".join(
        f'<tr data-number="{s.number}"><td class="qr-n">{s.number}</td><td>{esc(report.text(s.number))}</td>'
        f'<td class="qr-n">{_pos(s.position)}</td><td class="qr-n">{s.zscore:.2f}</td>'
        f'<td class="qr-n"><span class="qr-mark" title="{esc(MARKS[s.mark])}">{esc(s.mark)}</span></td>'
        f'<td>{_others(report, s.others)}</td></tr>' for s in vp.distinguishing)
    return ('<div class="qr-scroll" data-section="distinguishing" role="region" tabindex="0" '
            f'aria-label="Distinguishing statements of {esc(vp.name)}"><table>'
            '<thead><tr><th class="qr-n" scope="col">No.</th><th scope="col">Statement</th>'
            '<th class="qr-n" scope="col">Here</th><th class="qr-n" scope="col">z</th>'
            '<th class="qr-n" scope="col">Sig.</th><th scope="col">Other viewpoints</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
            '<p class="qr-note">Sig.: <b>**</b> differs from every other viewpoint at p < .01; <b>*</b> at p < .05. '
            '\u201cHere\u201d is the statement\u2019s place in this viewpoint\u2019s composite sort.</p>')


def match_html(report: Report, vp: Viewpoint) -> str:
    """The matching's verdict in one sentence; its account and the evidence for
    each perspective folded below it."""
    m = vp.match
    if m is None:
        return ""
    out = [f'<div class="qr-match" data-section="matching"><p><strong>Against the designed {esc(m.tag)}s.</strong> '
           f"{esc(m.headline)}</p>"]
    if m.explanation or m.evidence:
        out.append("<details><summary>How the matching reached this</summary>")
        if m.explanation:
            out.append(f"<p>{esc(m.explanation)}</p>")
        if m.evidence:
            rows = "".join(f"<tr><td>{esc(e.perspective)}</td><td class='qr-n'>"
                           f"{'' if e.statistic is None else f'{e.statistic:+.2f}'}</td>"
                           f"<td class='qr-n'>{esc(format_p(e.p_adjusted, None).replace('adjusted p ', ''))}</td></tr>"
                           for e in m.evidence)
            out.append(f'<div class="qr-scroll" role="region" tabindex="0" aria-label="Evidence for each '
                       f'{esc(m.tag)}"><table><thead><tr><th scope="col">{esc(m.tag)}</th><th class="qr-n" '
                       'scope="col">standardised difference</th><th class="qr-n" scope="col">adjusted p</th></tr>'
                       f"</thead><tbody>{rows}</tbody></table></div><p class='qr-note'>Each {esc(m.tag)}\u2019s "
                       "statements against all the others: a positive difference means this viewpoint ranks them "
                       "higher. The adjusted p allows for every viewpoint and " + esc(m.tag) + " tested at once.</p>")
        out.append("</details>")
    out.append("</div>")
    return "".join(out)


def quotes_html(vp: Viewpoint) -> str:
    if not vp.quotes:
        return ""
    items = "".join(f'<blockquote><p>\u201c{esc(q.text)}\u201d</p><footer>Answering: {esc(q.question)}'
                    "</footer></blockquote>" for q in vp.quotes)
    return (f'<h3>In participants\u2019 words</h3><div data-section="quotes">{items}</div>'
            '<p class="qr-note">Quoted only with the writer\u2019s agreement, chosen by the researcher.</p>')


def viewpoint_html(report: Report, vp: Viewpoint, *, first: bool = False) -> str:
    """One viewpoint: name, numbers, narrative, the matching, the composite sort,
    distinguishing statements and quotes."""
    facts = [f"defined by {vp.defining_words}"]
    if vp.explained_variance is not None:
        facts.append(f"explains {vp.explained_variance:.0f}% of the variance")
    if vp.composite_reliability is not None:
        facts.append(f"composite reliability {vp.composite_reliability:.2f}")
    first_cls = ' class="qr-first"' if first else ""
    out = [f'<section id="{anchor(vp)}" data-section="viewpoint" data-key="{esc(vp.key)}">',
           f"<h2{first_cls}>Viewpoint {vp.number}: {esc(vp.name)}</h2>",
           f'<p class="qr-sub" data-section="defining">Factor {esc(vp.key)}{DOT}{DOT.join(facts)}</p>',
           paragraphs(vp.narrative, "qr-narrative"), match_html(report, vp)]
    if vp.withheld:
        out.append(f'<p class="qr-note" data-section="withheld">Fewer than {MIN_GROUP} participants define this viewpoint. '
                   "To protect them, its composite sort and statement scores are not shown.</p>")
    else:
        out.append("<h3>The composite sort</h3><p class='qr-note'>How a person holding this viewpoint would "
                   "sort the statements (the highest z-scores at the top of each column).</p>")
        out.append(composite_grid_html(report, vp))
        out.append("<h3>Distinguishing statements</h3>")
        out.append(distinguishing_html(report, vp))
    out.append(quotes_html(vp))
    out.append("</section>")
    return "".join(out)


def consensus_html(report: Report) -> str:
    head = ('<h2 id="across-viewpoints">Across the viewpoints</h2><h3>Consensus statements</h3>')
    if not report.consensus:
        return head + ('<p data-section="consensus">No statement is placed alike by every viewpoint: each '
                       "statement differs significantly (p < .05) between at least two viewpoints.</p>")
    keys = [k for k, _ in report.consensus[0].positions]
    ths = "".join(f'<th class="qr-n" scope="col">{esc(report.name(k))}</th>' for k in keys)
    rows = "".join(f'<tr data-number="{c.number}"><td class="qr-n">{c.number}</td><td>{esc(report.text(c.number))}'
                   "</td>" + "".join(f'<td class="qr-n">{_pos(p)}</td>' for _, p in c.positions) + "</tr>"
                   for c in report.consensus)
    return (head + '<p>Statements that no two viewpoints rank differently (p < .05): common ground.</p>'
            '<div class="qr-scroll" data-section="consensus" role="region" tabindex="0" '
            'aria-label="Consensus statements"><table><thead><tr><th class="qr-n" scope="col">No.</th>'
            f'<th scope="col">Statement</th>{ths}</tr></thead><tbody>{rows}</tbody></table></div>')


def zscores_intro_html(report: Report) -> str:
    return ('<h3>Every statement on every viewpoint</h3><p>Each dot is a statement\u2019s z-score on one '
            'viewpoint (above 0: agreed with more than average). Hover or tap a dot for the statement; the '
            'menu re-orders the statements.</p>')


def zscores_table_html(report: Report) -> str:
    if not report.zscores:
        return ""
    ths = "".join(f'<th class="qr-n" scope="col">{esc(report.name(k))}</th>' for k, _ in report.zscores)
    rows = "".join(f'<tr><td class="qr-n">{i + 1}</td><td>{esc(t)}</td>'
                   + "".join(f'<td class="qr-n">{z[i]:.2f}</td>' for _, z in report.zscores) + "</tr>"
                   for i, t in enumerate(report.statements))
    return ('<details data-section="zscores-table"><summary>The z-scores as a table</summary>'
            '<div class="qr-scroll" role="region" tabindex="0" aria-label="z-scores"><table><thead><tr>'
            f'<th class="qr-n" scope="col">No.</th><th scope="col">Statement</th>{ths}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></details>")


def correlations_html(report: Report) -> str:
    vps = report.viewpoints
    ths = "".join(f'<th class="qr-n" scope="col">{v.number}</th>' for v in vps)
    rows = []
    for i, v in enumerate(vps):
        cells = "".join(f'<td class="qr-n">{DASH if x is None else f"{x:.2f}"}</td>'
                        for x in report.factor_correlations[i])
        rows.append(f'<tr><th scope="row">{v.number}. {esc(v.name)}</th>{cells}</tr>')
    return ('<h3>How the viewpoints relate</h3><p>Correlations between the viewpoints\u2019 z-scores: near 1, two '
            'viewpoints sort alike; near 0, they are unrelated; negative, they oppose each other.</p>'
            '<div class="qr-scroll" data-section="correlations" role="region" tabindex="0" '
            'aria-label="Factor correlations"><table><thead><tr><th scope="col">Viewpoint</th>'
            f'{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def methods_html(report: Report) -> str:
    m = report.methods
    rows = [("Sorts analysed", fewer_than(m.n_sorts)), ("Statements", str(m.n_statements)),
            ("Correlation", m.correlation), ("Extraction", f"{m.extraction}, {m.nfactors} factor"
                                              + ("s" if m.nfactors != 1 else "")),
            ("Rotation", m.rotation + (f". {m.rotation_note}" if m.rotation_note else "")),
            ("Judgmental rotation", "; ".join(m.judgmental) if m.judgmental else "none"),
            ("Flagging (defining sorts)", m.flagging), ("Flags changed by hand", m.manual_flags),
            ("Composite sorts", m.factor_arrays)]
    if m.matching:
        rows.append(("Viewpoint matching", m.matching))
    b = report.bootstrap
    if b is not None:
        parts = [f"{esc(report.name(f.key))} {esc(f.verdict)} (mean congruence "
                 f"{'n/a' if f.mean_congruence is None else f'{f.mean_congruence:.2f}'}; below "
                 f"{b.poor_congruence:g} in {'n/a' if f.share_poor is None else f'{100 * f.share_poor:.0f}%'} of "
                 f"resamples; {f.stable_positions} of {m.n_statements} statements never moved; mean SE of z "
                 f"{'n/a' if f.mean_se is None else f'{f.mean_se:.2f}'})" for f in b.factors]
        seed = f", seed {b.seed}" if b.seed is not None else ""
        rows.append(("Bootstrap stability", f"{b.resamples:,} resamples of the sorts{seed}, aligned by {b.alignment}: "
                     + "; ".join(parts)))
    else:
        rows.append(("Bootstrap stability", "not run"))
    rows += [("Software", m.software), ("Analysed", m.analysed or DASH)]
    body = "".join(f"<dt>{esc(k)}</dt><dd>{v if k == 'Bootstrap stability' else esc(v)}</dd>" for k, v in rows)
    return (f'<h2 id="methods">How the analysis was done</h2><div class="qr-box" data-section="methods">'
            f'<dl class="qr-methods">{body}</dl></div>')


# ---------------------------------------------------------------------------
# the chart and the whole document
# ---------------------------------------------------------------------------
def zscore_figure(report: Report) -> go.Figure | None:
    """Every statement's z-score on every viewpoint shown, sortable, statement texts on hover."""
    z = report.zscore_frame()
    if z.empty:
        return None
    texts = {i + 1: t for i, t in enumerate(report.statements)}
    names = {k: report.name(k) for k in z.columns}
    return figures.zscore_dots(z, texts=texts, labels={n: str(n) for n in z.index}, names=names, sortable=True)


VENDORED_PLOTLY = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"
#: the trace types the vendored basic bundle draws
BASIC_TRACES = frozenset({"scatter", "bar", "pie"})


def vendored_plotly_version() -> str:
    """The version in the vendored bundle's banner ('' if it is missing)."""
    try:
        head = VENDORED_PLOTLY.read_text(encoding="utf-8")[:300]
    except OSError:
        return ""
    match = re.search(r"plotly\.js \(basic - minified\) v(\S+)", head)
    return match.group(1) if match else ""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js for the self-contained file: the vendored basic bundle (1.2 MB;
    ``analysis/vendor/README.md``) when it is the installed plotly's version,
    else the full bundle of the plotly package (4.6 MB)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if vendored_plotly_version() == get_plotlyjs_version():
        return VENDORED_PLOTLY.read_text(encoding="utf-8")
    return get_plotlyjs()


def chart_figure_html(inner: str) -> str:
    """The chart's frame: a figure whose caption points to the same numbers as a table."""
    return (f'<figure class="qr-chart" data-section="zscores">{inner}<figcaption class="qr-note">The same '
            "z-scores are in the table below the chart.</figcaption></figure>")


def body_html(report: Report, *, published: str = "", chart_html: str = "") -> str:
    """The whole report as one ``<main class="qr">``; ``chart_html`` is put where the chart goes."""
    parts = [header_html(report, published), contents_html(report)]
    parts += [viewpoint_html(report, v, first=(i == 0)) for i, v in enumerate(report.viewpoints)]
    parts += [consensus_html(report)]
    if report.zscores:
        parts += [zscores_intro_html(report), chart_html, zscores_table_html(report)]
    parts += [correlations_html(report), methods_html(report)]
    return '<main class="qr">' + "".join(parts) + "</main>"


def standalone_html(report: Report, *, published: str = "", include_plotlyjs: bool = True,
                    open_details: bool = False) -> str:
    """One self-contained HTML document: styles, plotly.js and the chart inline,
    nothing fetched from the network. ``open_details`` opens the folded parts
    (the evidence and z-score tables), as the PDF needs: print shows only what is open."""
    fig = zscore_figure(report)
    chart = ""
    if fig is not None:
        div = fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id="qr-zscores")
        chart = chart_figure_html(div)
    script = f"<script>{plotly_js()}</script>" if include_plotlyjs else ""
    body = body_html(report, published=published, chart_html=chart)
    if open_details:
        body = body.replace("<details>", "<details open>").replace("<details data-", "<details open data-")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(report.title)}</title><style>body {{ margin: 0 auto; max-width: 1100px; "
            f"padding: 16px; background: #fff; }}{CSS}</style>{script}</head><body>"
            + body + "</body></html>\n")
