"""Design: edit a study's draft (texts, statements, grid, pre-sort piles,
questions), see every problem next to its field, preview, publish; for a
published study: close or reopen it, copy it into a new draft version,
download it as YAML, and share it.

Every change is saved to the draft in the database as it is made (a text
when its field is left, a table cell when it is committed; what is typed
into a text before that is kept in the browser, see
:mod:`webapp.researcher.text_keeper`), so a reload loses nothing. The
problems are the loader's own messages (:func:`studies.drafting.field_problems`);
the sections are :mod:`webapp.researcher.editor`.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from studies.drafting import definition_of, editable, field_problems
from studies.errors import StudyError
from studies.loader import study_to_yaml
from webapp.participant.session import get_store
from webapp.study_text import inline, show

from . import actions, common
from .editor import (
    TEXTS,
    bump,
    fresh,
    grid_figure,
    grid_tab,
    piles_tab,
    questions_tab,
    save,
    statements_tab,
    texts_tab,
    widget_key,
)
from .sharing_panel import sharing_panel
from .text_keeper import keep_texts

EDITED = ("title", "description", "welcome", "consent", "instruction", "thank_you", "statements",
          "grid", "presort_piles", "postsort_questions", "demographic_questions")


def page() -> None:
    st.set_page_config(page_title="Design", layout="wide")
    access, study = common.study_page("Design", "design")
    store = get_store()
    draft = store.study_draft(study.slug) if access.can_edit else None
    if draft is None:
        published(access, study)
    else:
        editor(access, study, editable(draft.content), draft)
    sharing_panel(access, study)


# ---------------------------------------------------------------------------
# a published study (or one the researcher may only read)
# ---------------------------------------------------------------------------
def published(access, study) -> None:
    store = get_store()
    info = store.get_study(study.slug)
    defn = info.definition
    slug = study.slug
    if access.can_edit:
        with st.container(border=True):
            st.markdown(f"**Version {info.version}** is published and frozen: participants are "
                        "pinned to the version they started. To change the study, copy it into "
                        "a new draft version; publishing that makes the next version.")
            cols = st.columns([1.2, 1, 1, 1.4])
            cols[0].button("Make a new version", type="primary", key="ws_new_version",
                           on_click=lambda: common.run(actions.new_version, slug,
                                                       done="A new draft version: edit it below."))
            with cols[1]:
                common.link("preview", "Preview", slug, icon=":material/visibility:")
            cols[2].download_button("Download YAML", study_to_yaml(defn), f"{slug}.yaml",
                                    mime="application/x-yaml", key="ws_yaml")
            with cols[3]:
                open_or_close(slug, study.status)
    else:
        st.info("This study is read-only for you: you can look at it, preview it and download "
                "it, but not change it.")
        cols = st.columns(3)
        with cols[0]:
            common.link("preview", "Preview", slug, icon=":material/visibility:")
        cols[1].download_button("Download YAML", study_to_yaml(defn), f"{slug}.yaml",
                                mime="application/x-yaml", key="ws_yaml")
    summary(defn)
    versions = store.study_versions(slug)
    with st.expander(f"Versions ({len(versions)})"):
        st.dataframe(pd.DataFrame([{"version": v.version, "title": v.title,
                                    "published": v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                                    "statements": len(v.definition.statements)}
                                   for v in versions]), hide_index=True)


def open_or_close(slug: str, status: str) -> None:
    if status == "open":
        with st.popover("Close the study", icon=":material/lock:"):
            st.markdown("New participants are refused; those who consented may still finish.")
            purge = st.checkbox("Also delete the unfinished sorts now (as the consent text "
                                "promises; those who started can then no longer finish)",
                                key="ws_close_purge")
            st.button("Close", key="ws_close", type="primary",
                      on_click=lambda: common.run(actions.close_study, slug, purge,
                                                  done="The study is closed."))
    else:
        st.button("Reopen", key="ws_reopen",
                  on_click=lambda: common.run(actions.reopen_study, slug, done="The study is open."))
        with st.popover("Delete unfinished sorts", icon=":material/delete_sweep:"):
            st.markdown("Deletes every sort that was started but never submitted (the consent "
                        "text promises this when the study ends). Submitted responses stay.")
            st.button("Delete them", key="ws_purge", type="primary",
                      on_click=lambda: _purge(slug))


def _purge(slug: str) -> None:
    n = common.run(actions.purge_unfinished, slug)
    if n is not None:
        common.flash(f"{n} unfinished sort(s) deleted.")


def summary(defn) -> None:
    st.subheader(inline(defn.title), anchor=False)
    if defn.description:
        show(defn.description)
    g = defn.grid
    st.markdown(f"**{len(defn.statements)} statements**, grid {g.scores[0]:+d} to {g.scores[-1]:+d} "
                f"(heights {', '.join(map(str, g.heights))}); "
                f"{len(defn.presort_piles)} pre-sort piles; {len(defn.postsort_questions)} post-sort "
                f"and {len(defn.demographic_questions)} background questions.")
    st.plotly_chart(grid_figure(list(g.scores), list(g.heights), list(g.labels or [])),
                    key="ws_grid_fig_ro")
    st.dataframe(pd.DataFrame([{"id": s.id, "text": s.text,
                                "tags": ", ".join(f"{k}={v}" for k, v in s.tags.items())}
                               for s in defn.statements]), hide_index=True, width="stretch")


# ---------------------------------------------------------------------------
# the editor
# ---------------------------------------------------------------------------
def editor(access, study, content: dict, draft) -> None:
    slug = study.slug
    problems = field_problems(content)
    publish_bar(access, study, content, draft, problems)
    n = len(content["statements"])
    sections = {"texts": ("Texts", [t[0] for t in TEXTS], texts_tab),
                "statements": (f"Statements ({n})", ["statements"], statements_tab),
                "grid": ("Grid", ["grid"], grid_tab),
                "piles": ("Pre-sort piles", ["presort_piles"], piles_tab),
                "questions": ("Questions", ["postsort_questions", "demographic_questions"],
                              questions_tab)}
    # a control, not st.tabs: it keeps its place when a change adds a ⚠ to a name
    chosen = st.segmented_control(
        "Part of the study", list(sections), key=f"ws_section_{slug}", default="texts",
        format_func=lambda k: _tab(sections[k][0], problems, *sections[k][1]),
        label_visibility="collapsed") or "texts"
    if chosen == "texts":       # before the fields, so it is listening when they appear
        keep_texts(slug, {field: (widget_key(slug, field), content[field]) for field, *_ in TEXTS},
                   int(draft.updated_at.timestamp() * 1000),
                   lambda texts: _restore_texts(slug, content, texts))
    sections[chosen][2](slug, content, problems)


def _restore_texts(slug: str, content: dict, texts: dict[str, str]) -> None:
    """Save the texts this browser kept but the server never got (a reload
    while typing), and redraw the fields with them."""
    current = fresh(slug, content)
    current.update(texts)
    if save(slug, current):
        common.flash("What you were typing before the page was reloaded was kept and saved.",
                      "info")
        bump(slug)


def _tab(name: str, problems, *fields) -> str:
    n = sum(1 for p in problems if p.path and p.path[0] in fields)
    return f"{name} ⚠ {n}" if n else name


def publish_bar(access, study, content: dict, draft, problems) -> None:
    slug = study.slug
    with st.container(border=True, key="ws_publish_bar"):
        base = f" (a copy of version {draft.base_version})" if draft.base_version else ""
        who = f", last saved by `{draft.updated_by}`" if draft.updated_by else ""
        st.markdown(f"**Draft{base}**: every change is saved as you make it{who}.")
        if problems:
            st.error(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} to fix before "
                     "publishing; each is shown next to its field, in the tab marked ⚠.")
            for p in problems:              # any that belong to no field of the tabs
                if not p.path or p.path[0] not in EDITED:
                    st.error(p.message, icon=":material/error:")
        else:
            st.success("No problems: the study can be published.")
        cols = st.columns([1, 1, 1, 1.3])
        with cols[0]:
            common.link("preview", "Preview", slug, icon=":material/visibility:")
        next_version = "the first version (participants can then take part)" if not study.version \
            else f"version {study.version + 1} (participants who started keep version {study.version})"
        cols[1].button("Publish", type="primary", key="ws_publish", disabled=bool(problems),
                       help=f"Freezes this draft as {next_version}.",
                       on_click=lambda: _publish(slug))
        try:
            yaml_text = study_to_yaml(definition_of(content)) if not problems else None
        except StudyError:
            yaml_text = None
        cols[2].download_button("Download YAML", yaml_text or "", f"{slug}.yaml",
                                mime="application/x-yaml", key="ws_yaml_draft",
                                disabled=yaml_text is None,
                                help=None if yaml_text else "Fix the problems first.")
        with cols[3]:
            if study.version:
                with st.popover("Discard this draft", icon=":material/undo:"):
                    st.markdown(f"Drops every change since version {study.version}.")
                    st.button("Discard", key="ws_discard",
                              on_click=lambda: common.run(actions.discard_draft, slug,
                                                          done="The draft was discarded."))
            elif access.is_owner:
                with st.popover("Delete this study", icon=":material/delete:"):
                    st.markdown("The study was never published: it is deleted for good.")
                    if st.button("Delete", key="ws_delete_study") and \
                            common.run(actions.delete_study, slug, done="The study was deleted."):
                        st.session_state.pop(common.REMEMBERED, None)
                        common.go("studies")


def _publish(slug: str) -> None:
    info = common.run(actions.publish, slug)
    if info is not None:
        common.flash(f"Published version {info.version}. Invite participants on the "
                     f"Invitations page; the open link is {common.participant_link(slug)}")
