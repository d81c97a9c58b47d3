"""The home page: the studies open to participants, each with a link to start."""
from __future__ import annotations

import streamlit as st

from . import flow
from . import session as s


def page(take_part) -> None:
    """The list of open studies; ``take_part`` is the participant page (st.Page)."""
    if st.query_params.get("study"):
        flow.page()         # a participant link that points at the home page
        return
    st.set_page_config(page_title="Q-sort studies", layout="centered")
    st.title("Q-sort studies")
    try:
        studies = s.open_studies(s.get_store())
    except Exception as exc:  # noqa: BLE001
        st.error(s.problem_for(exc).message)
        return
    if not studies:
        st.info("No study is open at the moment.")
        return
    for study in studies:
        with st.container(border=True):
            st.subheader(study.title)
            if study.definition.description:
                st.markdown(study.definition.description)
            st.caption(f"{len(study.definition.statements)} statements")
            st.page_link(take_part, label="Start sorting", icon=":material/arrow_forward:",
                         query_params={"study": study.slug})

