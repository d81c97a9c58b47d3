"""Step 7: thank you.

The page marks its address (``&done=1``), so reloading it shows it again:
the link is used now, and a used link without the mark gets the kind
"You have already taken part" message instead.
"""
from __future__ import annotations

import streamlit as st

from .. import study_text
from ..components.qsort_grid import forget_local_drafts
from ..i18n import for_study
from . import session as s
from . import withdraw

DONE_PARAM = "done"


def show(definition, storage_key: str, *, token: str | None = None) -> None:
    """The thank-you page; with the participant's ``token``, the way to withdraw."""
    tr = for_study(definition)
    _ = tr.gettext
    st.title(_("Thank you"), anchor=False)
    st.success(_("Your answers have been submitted."))
    study_text.show(definition.thank_you)
    forget_local_drafts(key="qs_forget", storage_key=storage_key)
    if token:
        withdraw.offer(token, tr)
    if st.query_params.get(DONE_PARAM) != "1":
        st.query_params[DONE_PARAM] = "1"


def view(p: s.Participant) -> None:
    show(p.definition, p.storage_key, token=p.token)
