"""Preview: the participant's real steps and grid with the study's statements
(the draft if it can be published, else the latest version), marked as a
preview. Nothing is stored: the preview participant keeps its answers in
this tab's session only (the sorting components may keep a local copy in
the browser under a preview key, removed at the end).
"""
from __future__ import annotations

import secrets
from dataclasses import replace

import streamlit as st

from storage import SessionInfo, StudyInfo, SubmitResult
from studies.drafting import definition_of
from studies.errors import StudyError
from webapp.participant import flow, welcome
from webapp.participant import session as s
from webapp.participant.ui import show_flash

from . import common

STATE = "qp_preview"
MARK = "qs-preview"
STEP_NAMES = {"welcome": "Welcome and consent", "instruction": "How to sort",
              "presort": "Pre-sort (piles)", "grid": "The grid", "postsort": "After the grid",
              "demographics": "About the participant", "thanks": "Thank you"}


class PreviewParticipant(s.Participant):
    """A participant whose work never reaches the store: every save, refresh
    and submit stays in this object."""

    def save(self, *, step: str | None = None, **parts) -> SessionInfo:
        draft = dict(self.draft)
        draft.update(parts)
        self.session = replace(self.session, status="in_progress", step=step or self.step,
                               draft=draft)
        return self.session

    def refresh(self) -> SessionInfo:
        return self.session

    def submit(self, user_agent: str = "") -> SubmitResult:
        self.session = replace(self.session, status="submitted", step="thanks")
        return SubmitResult(response_id=0, created=False)


def new_participant(info: StudyInfo) -> PreviewParticipant:
    token = "preview-" + secrets.token_urlsafe(6)
    session = SessionInfo(token=token, study_slug=info.slug, study_version=info.version,
                          status="new")
    order = s.shuffled_ids(info.definition.statement_ids(), info.slug, token)
    return PreviewParticipant(store=None, study=info, token=token, session=session, order=order)


def previewed(access, study) -> tuple[StudyInfo | None, str]:
    """(what to preview, what it is) : the draft when it can be published, else
    the latest version; None when neither exists."""
    store = common.get_store()
    draft = store.study_draft(study.slug) if access.can_edit else None
    if draft is not None:
        try:
            defn = definition_of({**draft.content, "slug": study.slug})
        except StudyError:
            defn = None
        if defn is not None:
            info = StudyInfo(id=0, slug=study.slug, version=study.version + 1, title=defn.title,
                             status="open", is_demo=study.is_demo, fingerprint=defn.fingerprint(),
                             definition=defn, created_at=draft.updated_at)
            return info, "the draft"
        if not study.version:
            return None, "the draft has problems to fix first (see Design)"
    if study.version:
        return store.get_study(study.slug), f"version {study.version}"
    return None, "nothing to preview yet"


def page() -> None:
    st.set_page_config(page_title="Preview", layout="wide")      # the grid needs the width
    access, study = common.study_page("Preview", "preview")
    info, what = previewed(access, study)
    if info is None:
        st.warning(f"Nothing to preview: {what}.")
        common.link("design", "Back to the design", study.slug, icon=":material/edit_note:")
        return
    p = st.session_state.get(STATE)
    if not isinstance(p, PreviewParticipant) or p.slug != info.slug \
            or p.study.fingerprint != info.fingerprint:
        p = new_participant(info)
        st.session_state[STATE] = p
    banner(info, what, p)
    show_flash()
    step = p.step
    p.mark_entered()
    if step == "welcome":
        welcome.view(info, None, start=lambda: start(p))
    else:
        flow.VIEWS[step](p)
    st.markdown(f'<span class="{MARK} qs-step" data-step="{step}"></span>', unsafe_allow_html=True)


def banner(info: StudyInfo, what: str, p: PreviewParticipant) -> None:
    with st.container(border=True, key="ws_preview_banner"):
        st.warning(f"**Preview of {what}: nothing is stored.** This is what participants see; "
                   "your answers here are kept in this tab only and never saved.",
                   icon=":material/visibility:")
        cols = st.columns([1.2, 2, 1])
        with cols[0]:
            common.link("design", "Back to the design", info.slug, icon=":material/edit_note:")
        steps = p.steps
        cols[1].selectbox("Go to step", steps, index=steps.index(p.step), key=f"ws_pv_step_{p.step}",
                          on_change=_jump, args=(p, f"ws_pv_step_{p.step}"),
                          format_func=lambda x: "Step: " + STEP_NAMES.get(x, x),
                          label_visibility="collapsed")
        cols[2].button("Restart", key="ws_pv_restart", on_click=lambda: st.session_state.pop(STATE, None))


def start(p: PreviewParticipant) -> None:
    p.session = replace(p.session, status="consented", step=p.steps[1])


def _jump(p: PreviewParticipant, key: str) -> None:
    step = st.session_state.get(key)
    if step == "welcome":
        p.session = replace(p.session, status="new", step=None)
    elif step in p.steps:
        p.session = replace(p.session, status="in_progress", step=step)
