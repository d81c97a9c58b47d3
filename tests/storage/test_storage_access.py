"""Access at the level of the researcher's actions (``webapp/researcher/actions.py``)
on both backends: no action runs without a live sign-in, none reaches
another researcher's study, a shared (editor) researcher cannot do what only
the owner may, and every action but making a new study names a study to
check (so a new action cannot skip the check). The pages' side is
``tests/web/test_researcher_guard.py``."""
from __future__ import annotations

import pytest

from storage import NotAllowed, Submission, UnknownStudy
from webapp.researcher.actions import ACTIONS, Ctx
from webapp.researcher.guard import NotSignedIn

ARGS = {"create_study": ("", {"title": "x"}), "save_draft": ({"title": "Hacked"},),
        "close_study": (True,), "share": ("eve@example.org",),
        "remove_share": ("ana@example.org",), "create_invitations": (5, "x"),
        "revoke": (["t"],), "exclude_response": (0, "x"), "include_response": (0,),
        "delete_response": (0,)}


@pytest.fixture
def world(store, tiny, sort_of):
    ana = store.create_researcher("ana@example.org", "correct horse")
    store.create_researcher("bo@example.org", "correct horse")
    store.create_researcher("eve@example.org", "correct horse")
    store.create_study("ana-study", {**tiny.to_dict(), "slug": "ana-study"}, owner=ana)
    store.publish_study_draft("ana-study", by=ana)
    [token] = store.create_invitations("ana-study", 1)
    store.record_consent(token)
    rid = store.submit(token, Submission(placements=sort_of(0), answers={"why": "."})).response_id
    tokens = {who: store.sign_in(f"{who}@example.org", "correct horse")
              for who in ("ana", "bo", "eve")}
    return store, tokens, rid


def state(store) -> tuple:
    return (store.study_draft("ana-study"), store.study_status("ana-study"),
            [(r.id, r.excluded) for r in store.responses("ana-study")],
            len(store.invitations("ana-study")), store.study_members("ana-study"))


def args_for(name: str, rid: int) -> tuple:
    args = ARGS.get(name, ())
    return tuple(rid if a == 0 else a for a in args)


def test_only_making_a_study_needs_no_study():
    assert {name for name, (_, need) in ACTIONS.items() if need is None} == {"create_study"}
    assert {need for _, need in ACTIONS.values()} <= {None, "viewer", "editor", "owner"}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_no_action_without_a_live_sign_in_or_on_another_researchers_study(world, name):
    store, tokens, rid = world
    action, need = ACTIONS[name]
    args = args_for(name, rid)
    before = state(store)
    signed_out = store.sign_in("bo@example.org", "correct horse")
    store.sign_out(signed_out)
    for token in (None, "", "forged-or-expired-token", signed_out, tokens["ana"] + "x"):
        with pytest.raises(NotSignedIn):
            action(Ctx(store, token), "ana-study", *args)
    if need is not None:
        with pytest.raises(UnknownStudy):                  # bo has no access to ana's study
            action(Ctx(store, tokens["bo"]), "ana-study", *args)
    assert state(store) == before


@pytest.mark.parametrize("name", sorted(n for n, (_, need) in ACTIONS.items() if need == "owner"))
def test_a_shared_researcher_cannot_do_what_only_the_owner_may(world, name):
    store, tokens, rid = world
    ACTIONS["share"][0](Ctx(store, tokens["ana"]), "ana-study", "bo@example.org")
    before = state(store)
    action, _ = ACTIONS[name]
    args = {"share": ("eve@example.org",)}.get(name, args_for(name, rid))
    with pytest.raises(NotAllowed):
        action(Ctx(store, tokens["bo"]), "ana-study", *args)
    assert state(store) == before
