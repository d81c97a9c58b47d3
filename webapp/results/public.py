"""The public results page: ``/results?r=<token>`` (and ``/results?demo=<slug>``
for a demo study's published results).

Works signed out and reads only the publication's frozen snapshot
(:meth:`storage.Store.published_results`), never a study's tables. Whatever
goes wrong (unknown, replaced or withdrawn link, unreadable snapshot, database
down), the visitor gets a plain message and nothing of any study. Streamlit's
menu, toolbar and navigation are hidden on this page.

The page lays out the HTML fragments of :mod:`analysis.report_html` and the
chart of :func:`analysis.report_html.zscore_figure`; the downloads are the
self-contained HTML file of the same module and its print to PDF
(:mod:`analysis.report_pdf`), made on the first click and kept per
publication (a publication's content never changes).
"""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from analysis import report_html as rh
from analysis.report import Report
from analysis.report_pdf import PdfUnavailable, report_pdf, unavailable_reason, warm_up
from webapp.participant.session import get_store

log = logging.getLogger("qplatform")

#: query parameters that open this page
TOKEN_PARAM, DEMO_PARAM = "r", "demo"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")

# Streamlit's header, toolbar, menu and status widget are not for readers of a
# results page; the print rules drop the buttons and Streamlit's padding.
PAGE_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], #MainMenu, footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 1200px; }
@media print {
  .stDownloadButton, [data-testid="stDownloadButton"], .qr-noprint, [data-testid="stCaptionContainer"] {
    display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none; }
  .modebar-container, .updatemenu-container { display: none !important; }
  .stPlotlyChart { break-inside: avoid; }
}
</style>"""

MESSAGES = {
    "unknown": ("There is no results page at this address",
                "Please check that you copied the whole link. If it came from a researcher, ask them for it again."),
    "replaced": ("These results have been replaced",
                 "The researcher published a newer version of these results at a new address. "
                 "Please ask them for the new link."),
    "withdrawn": ("These results have been withdrawn",
                  "The researcher has taken this results page down."),
    "unreadable": ("This results page cannot be shown",
                   "It was published with a newer version of the software than this server runs."),
    "error": ("This results page cannot be shown right now",
              "Something went wrong on the server. Please try again later."),
}


def is_results_link() -> bool:
    """Whether the address asks for a results page (so the app hides its navigation)."""
    return bool(st.query_params.get(TOKEN_PARAM) or st.query_params.get(DEMO_PARAM))


def demo_link(slug: str) -> str:
    """The address of a demo study's published results page (relative to the app)."""
    return f"results?{DEMO_PARAM}={slug}"


# ---------------------------------------------------------------------------
# the rendered view of one publication, kept per publication id
# ---------------------------------------------------------------------------
@dataclass
class View:
    report: Report
    published: str
    header: str
    contents: str
    viewpoints: list[str]
    consensus: str
    zscores_intro: str
    zscores_table: str
    chart: go.Figure | None
    correlations: str
    methods: str
    file_stem: str


_LOCK = threading.Lock()
_VIEWS: OrderedDict[int, View] = OrderedDict()
_FILES: OrderedDict[tuple[int, str], bytes] = OrderedDict()
_MAX_VIEWS, _MAX_FILES = 64, 8


def clear_views() -> None:
    """Forget every kept view and file (they are kept per publication id)."""
    with _LOCK:
        _VIEWS.clear()
        _FILES.clear()


def _stem(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return (words[:60].rstrip("-") or "results")


def view_of(publication_id: int, content: dict, published_at) -> View:
    """The page's pieces for one publication (built once, then kept)."""
    with _LOCK:
        view = _VIEWS.get(publication_id)
        if view is not None:
            _VIEWS.move_to_end(publication_id)
            return view
    report = Report.from_dict(content)
    published = published_at.strftime("%-d %B %Y") if published_at else ""
    view = View(report=report, published=published, header=rh.header_html(report, published),
                contents=rh.contents_html(report),
                viewpoints=[rh.viewpoint_html(report, v, first=(i == 0)) for i, v in enumerate(report.viewpoints)],
                consensus=rh.consensus_html(report), zscores_intro=rh.zscores_intro_html(report),
                zscores_table=rh.zscores_table_html(report), chart=rh.zscore_figure(report),
                correlations=rh.correlations_html(report), methods=rh.methods_html(report),
                file_stem=_stem(report.title))
    with _LOCK:
        _VIEWS[publication_id] = view
        while len(_VIEWS) > _MAX_VIEWS:
            _VIEWS.popitem(last=False)
    return view


def _file(publication_id: int, kind: str, view: View) -> bytes:
    """The HTML file or the PDF of a publication, made once (the PDF takes seconds)."""
    key = (publication_id, kind)
    with _LOCK:
        if key in _FILES:
            return _FILES[key]
    if kind == "html":
        data = rh.standalone_html(view.report, published=view.published).encode("utf-8")
    else:
        data = report_pdf(view.report, published=view.published)
    with _LOCK:
        _FILES[key] = data
        while len(_FILES) > _MAX_FILES:
            _FILES.popitem(last=False)
    return data


def _cached_file(publication_id: int, kind: str) -> bytes | None:
    with _LOCK:
        return _FILES.get((publication_id, kind))


# ---------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------
def _message(kind: str) -> None:
    title, text = MESSAGES[kind]
    st.html(f'<div class="qr" data-section="message" data-kind="{kind}"><h1>{rh.esc(title)}</h1>'
            f"<p>{rh.esc(text)}</p></div>")


def _lookup():
    token = st.query_params.get(TOKEN_PARAM)
    demo = st.query_params.get(DEMO_PARAM)
    store = get_store()
    if token:
        return store.published_results(token)
    if demo and _SLUG.match(demo):
        return store.demo_results(demo)
    return None


def page() -> None:
    """The results page; never shows a traceback."""
    st.set_page_config(page_title="Results", layout="wide", initial_sidebar_state="collapsed")
    st.html(PAGE_CSS + f"<style>{rh.CSS}</style>")
    try:
        found = _lookup()
        if found is None or not found.live:
            _message("unknown" if found is None else found.status)
            return
        try:
            view = view_of(found.publication_id, found.content, found.published_at)
        except Exception as exc:  # noqa: BLE001 - an unreadable snapshot: say so, show nothing of it
            log.error("results page %s cannot be read: %s: %s", found.publication_id, type(exc).__name__, exc)
            _message("unreadable")
            return
        _render(found.publication_id, view, stale=found.stale)
    except Exception as exc:  # noqa: BLE001 - whatever it is, no traceback for visitors
        log.error("results page failed: %s: %s", type(exc).__name__, exc)
        _message("error")


def _pdf_download(pid: int, view: View) -> None:
    """The PDF takes a few seconds to print: made on request (then kept), with a
    plain line instead of the button when this server cannot make one."""
    reason = unavailable_reason()
    if reason:
        st.caption(reason)
        return
    data = _cached_file(pid, "pdf")
    if data is None:
        warm_up()           # the browser starts while the visitor reads
    if data is None and st.button("Make a PDF", icon=":material/picture_as_pdf:", key="make-pdf"):
        with st.spinner("Printing the PDF..."):
            try:
                data = _file(pid, "pdf", view)
            except PdfUnavailable as exc:
                log.warning("results PDF: %s", exc)
                st.caption(str(exc))
                return
    if data is not None:
        st.download_button("Download the PDF", data=data, file_name=f"{view.file_stem}.pdf",
                           mime="application/pdf", on_click="ignore", icon=":material/download:",
                           key="download-pdf")


#: shown on a page whose analysis used a response later withdrawn or deleted
#: (:mod:`storage.staleness`); it says nothing of which or whose
STALE_NOTICE = "Some responses this analysis used were later withdrawn or deleted."


def _render(pid: int, view: View, *, stale: bool = False) -> None:
    st.html(f'<div class="qr">{view.header}</div>')
    if stale:
        st.html(f'<div class="qr" data-section="stale"><p role="note"><strong>'
                f"{rh.esc(STALE_NOTICE)}</strong> The results below are as published and have "
                "not been updated.</p></div>")
    cols = st.columns([1, 1, 2], gap="small")
    with cols[0]:
        st.download_button("Download as HTML (opens offline)", data=lambda: _file(pid, "html", view),
                           file_name=f"{view.file_stem}.html", mime="text/html", on_click="ignore",
                           icon=":material/download:", key="download-html")
    with cols[1]:
        _pdf_download(pid, view)
    st.html(f'<div class="qr">{view.contents}</div>')
    for fragment in view.viewpoints:
        st.html(f'<div class="qr">{fragment}</div>')
    st.html(f'<div class="qr">{view.consensus}</div>')
    if view.chart is not None:
        st.html(f'<div class="qr">{view.zscores_intro}</div>')
        st.plotly_chart(view.chart, key="zscores", config=rh.PLOTLY_CONFIG)
        st.html(f'<div class="qr">{view.zscores_table}</div>')
    st.html(f'<div class="qr">{view.correlations}{view.methods}</div>')


def demo_results_link(slug: str = "coproduction-demo") -> None:
    """A link to a demo study's published results (for the home page); nothing
    when it is not published."""
    try:
        live = get_store().demo_results(slug).live
    except Exception as exc:  # noqa: BLE001 - the home page works without the link
        log.warning("demo results link: %s: %s", type(exc).__name__, exc)
        return
    if live:
        st.markdown(f'<p class="qs-demo-results">See what a study\u2019s shared results look like: '
                    f'<a href="{demo_link(slug)}" target="_self">the co-production study\u2019s results '
                    "page, made from simulated participants</a>.</p>", unsafe_allow_html=True)
