"""The home page: the studies open to participants, each with a link to start."""
from __future__ import annotations

import html

import streamlit as st

from webapp.results.public import demo_results_link
from webapp.study_text import inline, show

from . import flow
from . import session as s
from .ui import use_language

START_STYLE = """<style>
a.qs-start { display: inline-flex; align-items: center; min-height: 44px; padding: 0 18px;
  border-radius: 8px; background: #c62828; color: #fff !important; font-weight: 600;
  text-decoration: none; }
a.qs-start:focus-visible { outline: 3px solid #1c4fd8; outline-offset: 2px; }
/* not st.caption, whose grey fails 4.5:1 (axe, WCAG AA), as white on #ff4b4b (3.6:1) did */
p.qs-count { color: #4f5260; font-size: 0.875rem; margin: 0; }
</style>"""


def page() -> None:
    """The list of open studies, each with its participant link (``/?study=<slug>``)."""
    if st.query_params.get("study"):
        flow.page()         # a participant link that points at the home page
        return
    tr = flow.browser_tr()      # no study yet: the browser's languages
    _ = tr.gettext
    st.set_page_config(page_title=_("Q-sort studies"), layout="centered")
    use_language(tr)
    st.html(START_STYLE)
    st.title(_("Q-sort studies"), anchor=False)
    demo_results_link()
    try:
        studies = s.open_studies(s.get_store())
    except Exception as exc:  # noqa: BLE001
        st.error(s.problem_for(exc, tr=tr).message)
        return
    if not studies:
        st.info(_("No study is open at the moment."))
        return
    for study in studies:
        with st.container(border=True):
            st.subheader(inline(study.title), anchor=False)
            if study.definition.description:
                show(study.definition.description)
            n = len(study.definition.statements)
            count = html.escape(tr.ngettext("{count} statement", "{count} statements", n, count=n))
            st.markdown(f'<p class="qs-count">{count}</p>', unsafe_allow_html=True)
            # a plain link to the app's root (not st.page_link: navigating to
            # the page on screen drops the query from the address, so a
            # reload would lose the study); slugs are [a-z0-9-]
            start = html.escape(_("Start sorting →"))
            st.markdown(f'<a class="qs-start" href="?study={study.slug}" target="_self">'
                        f'{start}</a>', unsafe_allow_html=True)

