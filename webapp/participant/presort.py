"""Step 3: the pre-sort. Each statement goes on a pile (e.g. disagree /
neutral / agree); the piles are where the cards start on the grid."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ..components.presort import presort_piles
from ..study_text import show
from . import session as s
from .ui import first_view, sorting_component

KEY = "qs_presort"
REFUSED = "qs_presort_refused"


def pile_side(pile_id: str, label: str, index: int, count: int) -> int:
    """-1 for a disagree pile, +1 for an agree pile, 0 otherwise (by words, else by place)."""
    words = f"{pile_id} {label}".lower()
    if "disagree" in words:
        return -1
    if "agree" in words:
        return 1
    if "neutral" in words or "unsure" in words:
        return 0
    return 0 if count < 2 else round(-1 + 2 * index / (count - 1))


def piles(p: s.Participant) -> list[dict]:
    """The piles in display order: disagree on the left, agree on the right."""
    defn_piles = p.definition.presort_piles
    out = [{"id": pile.id, "label": pile.label,
            "side": pile_side(pile.id, pile.label, i, len(defn_piles))}
           for i, pile in enumerate(defn_piles)]
    return sorted(out, key=lambda x: x["side"])


def component_data(p: s.Participant) -> dict[str, Any]:
    """Everything the pre-sort component needs (texts by neutral number only)."""
    assigned = p.presort()
    ts, rev = s.stamp(p.draft.get("presort"))
    return {
        "key": p.storage_key,
        "fingerprint": p.study.fingerprint,
        "cards": [{"n": i + 1, "text": p.text(sid)} for i, sid in enumerate(p.order)],
        "piles": piles(p),
        "draft": {"rev": rev, "ts": ts,
                  "piles": {str(p.number(sid)): pile for sid, pile in assigned.items()}},
        "saved_rev": rev,
        "autosave_ms": s.AUTOSAVE_MS,
        "now_ms": s.now_ms(),
        "refused_rev": st.session_state.get(REFUSED),
        # this tab shows the step for the first time: a sort found then was restored
        "resumed": first_view(),
    }


def to_ids(p: s.Participant, value: Any) -> tuple[int, dict[str, str]]:
    """The component's ``{rev, piles: {n: pile}}`` as (rev, {statement_id: pile})."""
    if not isinstance(value, dict):
        raise ValueError("the pre-sort could not be read")
    known = {pile.id for pile in p.definition.presort_piles}
    out = {}
    for n, pile in (value.get("piles") or {}).items():
        number = int(n)
        if not 1 <= number <= len(p.order) or pile not in known:
            raise ValueError("the pre-sort names an unknown statement or pile")
        out[p.statement_id(number)] = pile
    return s.stamp(value)[1], out


def save_draft(p: s.Participant, value: Any) -> bool:
    """Store an autosaved pre-sort if it is newer than the server's copy (and the
    participant is still on the pre-sort); True if stored."""
    rev, assigned = to_ids(p, value)
    piece = {"rev": rev, "ts": s.client_ts(value), "piles": assigned}
    saved = p.saved_part("presort")             # also refreshes the step
    if p.step != "presort" or not s.is_newer(piece, saved):
        return False                # moved on, or an older copy: the server has newer work
    p.save(presort=piece)
    return True


def accept(p: s.Participant, value: Any) -> str | None:
    """Finish the pre-sort; returns a message if it is not complete."""
    rev, assigned = to_ids(p, value)
    p.refresh()
    if p.step != "presort":
        return None                 # finished already (a second press, or another tab)
    missing = [p.number(sid) for sid in p.order if sid not in assigned]
    if missing:
        return p.tr.gettext("Please put every statement on a pile first ({count} left).",
                            count=len(missing))
    p.save(step=s.next_step(p, "presort"),
           presort={"rev": rev, "ts": s.client_ts(value), "piles": assigned})
    return None


def view(p: s.Participant) -> None:
    defn = p.definition
    _ = p.tr.gettext
    st.title(_("Step 1: three piles") if len(defn.presort_piles) == 3
             else _("Step 1: piles"), anchor=False)
    st.markdown(_("Read each statement and put it on the pile that fits your view best. "
                  "You can change your mind: select a card in a pile to sort it again."))
    with st.expander(_("Reminder: how to sort"), expanded=False):
        show(defn.instruction)

    sorting_component(p, KEY, REFUSED, save_draft, accept, mount=lambda **callbacks: presort_piles(
        key=KEY, data=component_data(p), tr=p.tr, **callbacks))
