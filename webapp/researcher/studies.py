"""My studies: the researcher's own and shared studies, the demo study, and
making a new study (from scratch, a CSV of statements, a PQMethod .STA file
or a study YAML file)."""
from __future__ import annotations

import streamlit as st

from studies.drafting import (
    content_from_yaml,
    new_study_content,
    statements_from_csv,
    statements_from_sta,
)
from studies.errors import StudyError
from studies.loader import list_studies
from studies.seed import REPO_ROOT
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import actions, common, guard

SOURCES = {
    "scratch": "Start empty",
    "csv": "A CSV file of statements (id,text[,tags...])",
    "sta": "A PQMethod .STA file (one statement per line)",
    "yaml": "A study file (YAML)",
    "folder": "A study file of this platform (statements/ folder)",
}


def page() -> None:
    access = guard.require_researcher()
    st.set_page_config(page_title="My studies", layout="wide")
    common.header("My studies", access)
    studies = get_store().workspace_studies(access.researcher.id)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if not any(not s.is_demo for s in studies):
            st.info("You have no study yet. Make one on the right, or look around the demo study.")
        for s in studies:
            study_card(s)
    with right:
        new_study_form()


def study_card(s) -> None:
    with st.container(border=True, key=f"ws_card_{s.slug}"):
        st.markdown(f"#### {inline(s.title)}")
        bits = [f"`{s.slug}`"]
        bits.append("simulated demo data, read-only" if s.is_demo
                    else common.STATUS_TEXT.get(s.status, s.status))
        if s.version:
            bits.append(f"version {s.version}")
        if s.has_draft and s.version:
            bits.append("a new version is being designed")
        bits.append(f"{s.responses} response{'s' if s.responses != 1 else ''}")
        if not s.is_demo and s.role != "owner":
            bits.append(f"shared with you by {s.owner}")
        st.caption(" · ".join(bits))
        cols = st.columns(3)
        with cols[0]:
            common.link("design", "Design", s.slug, icon=":material/edit_note:")
        with cols[1]:
            if not s.is_demo and s.version:
                common.link("invitations", "Invitations", s.slug, icon=":material/mail:")
        with cols[2]:
            if s.version:
                common.link("monitor", "Monitoring", s.slug, icon=":material/monitoring:")


def new_study_form() -> None:
    st.subheader("New study", anchor=False)
    source = st.radio("Start from", list(SOURCES), format_func=SOURCES.get, key="ws_new_source")
    title = st.text_input("Title (participants see it)", key="ws_new_title", max_chars=200)
    slug = st.text_input("Short name for links (optional: made from the title)", key="ws_new_slug",
                         max_chars=100, help="Lower-case letters, digits and '-'; it appears in "
                                             "the participants' links and cannot be changed.")
    upload = chosen = None
    if source in ("csv", "sta", "yaml"):
        types = {"csv": ["csv", "txt", "tsv"], "sta": ["sta", "txt"], "yaml": ["yaml", "yml"]}[source]
        upload = st.file_uploader("File", type=types, key=f"ws_new_file_{source}")
    elif source == "folder":
        files = list_studies(REPO_ROOT / "statements")
        chosen = st.selectbox("Study file", files, format_func=lambda p: p.name,
                              key="ws_new_folder") if files else None
    if not st.button("Make the study", type="primary", key="ws_new_make"):
        return
    try:
        content, problems = starting_content(source, title, upload, chosen)
    except StudyError as exc:
        st.error(str(exc))
        return
    made = common.run(actions.create_study, None, slug, content)
    if made:
        note = f" The file has {len(problems)} problem(s) to fix: they are shown next to " \
               "their fields." if problems else ""
        common.flash(f"Study {made!r} made: edit it, preview it, then publish it.{note}")
        common.go("design", made)
        st.rerun()
    common.show_flash()


def starting_content(source: str, title: str, upload, chosen) -> tuple[dict, tuple]:
    """The new study's draft from the chosen source, and the file's problems
    (a study file with problems is kept as written). StudyError if unusable."""
    title = " ".join((title or "").split())
    if source in ("csv", "sta", "yaml") and upload is None:
        raise StudyError("Please choose a file first.")
    if source == "scratch":
        if not title:
            raise StudyError("Please give the study a title.")
        return new_study_content("", title, []), ()
    if source == "csv":
        statements = statements_from_csv(upload.getvalue(), upload.name)
    elif source == "sta":
        statements = statements_from_sta(upload.getvalue(), upload.name)
    else:
        data = upload.getvalue() if source == "yaml" else chosen.read_bytes()
        found = content_from_yaml(data, upload.name if source == "yaml" else chosen.name)
        content = dict(found.content)
        if title:
            content["title"] = title
        return content, found.problems
    if not title:
        raise StudyError("Please give the study a title.")
    return new_study_content("", title, statements), ()
