"""The researcher's workspace on both backends: designing and publishing a
study, invitation batches and each link's state, revoking a link, excluding
(reversibly, logged) and deleting a response, and the monitoring query."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage import (
    NotAllowed,
    StorageError,
    StudyClosed,
    Submission,
    UnknownStudy,
    UnknownToken,
)
from storage.models import ParticipantSession, ParticipantToken, utcnow
from studies.drafting import new_study_content
from studies.errors import StudyError


@pytest.fixture
def owner(store) -> int:
    return store.create_researcher("ana@example.org", "correct horse")


def content_of(defn) -> dict:
    return defn.to_dict()


def test_design_publish_and_new_version(store, owner, tiny):
    draft = new_study_content("tiny", "Tiny", [s.to_dict() for s in tiny.statements])
    draft["grid"]["heights"] = [1, 1, 1, 1, 1]            # 5 places for 9 statements
    store.create_study("tiny", draft, owner=owner)
    with pytest.raises(StorageError, match="taken"):
        store.create_study("tiny", draft, owner=owner)
    with pytest.raises(StorageError, match="lower-case"):
        store.create_study("Not A Slug", draft, owner=owner)
    assert store.study_status("tiny") == "draft"
    # a never-published study has no links and cannot be opened
    with pytest.raises(StorageError, match="not published"):
        store.create_invitation_batch("tiny", 2)
    with pytest.raises(StorageError, match="not published"):
        store.set_study_status("tiny", "open")
    with pytest.raises(StudyClosed):
        store.open_link("tiny")
    assert "tiny" not in [s.slug for s in store.list_studies()]   # not on the participants' list
    # publishing checks the draft with the loader's rules; nothing changes on a problem
    with pytest.raises(StudyError, match="hold 5 statements"):
        store.publish_study_draft("tiny", by=owner)
    assert store.study_status("tiny") == "draft" and store.study_draft("tiny") is not None
    draft["grid"]["heights"] = [1, 2, 3, 2, 1]
    saved = store.save_study_draft("tiny", draft, by=owner)
    assert saved.content["grid"]["heights"] == [1, 2, 3, 2, 1]
    assert saved.updated_by == "ana@example.org" and saved.base_version is None
    info = store.publish_study_draft("tiny", by=owner)
    assert (info.version, info.status, store.study_status("tiny")) == (1, "open", "open")
    assert store.study_draft("tiny") is None
    # a new version starts as a copy of the latest; publishing it unchanged adds nothing
    copy = store.start_new_version("tiny", by=owner)
    assert copy.base_version == 1 and copy.content["statements"] == draft["statements"]
    assert store.publish_study_draft("tiny", by=owner).version == 1
    copy = store.start_new_version("tiny", by=owner)
    copy.content["title"] = "Tiny, second edition"
    store.save_study_draft("tiny", copy.content, by=owner)
    v2 = store.publish_study_draft("tiny", by=owner)
    assert (v2.version, v2.title) == (2, "Tiny, second edition")
    assert [e.action for e in store.study_events("tiny")][:2] == ["publish", "new_draft"]
    # closing keeps it closed through a new version; a draft can be dropped
    store.set_study_status("tiny", "closed")
    store.start_new_version("tiny", by=owner)
    store.discard_study_draft("tiny", by=owner)
    assert store.study_draft("tiny") is None and store.study_status("tiny") == "closed"
    with pytest.raises(StorageError, match="cannot be deleted"):
        store.delete_unpublished_study("tiny", by=owner)


def test_unpublished_study_can_be_deleted_and_demo_is_read_only(store, owner, tiny):
    store.create_study("sketch", {"title": "Sketch"}, owner=owner)
    store.delete_unpublished_study("sketch", by=owner)
    with pytest.raises(UnknownStudy):
        store.study_status("sketch")
    demo = store.publish_study(tiny, demo=True)
    for change in (lambda: store.save_study_draft(demo.slug, {}, by=owner),
                   lambda: store.start_new_version(demo.slug, by=owner),
                   lambda: store.publish_study_draft(demo.slug, by=owner)):
        with pytest.raises(NotAllowed, match="read-only"):
            change()


def test_draft_keeps_what_the_editor_left_even_when_invalid(store, owner):
    store.create_study("messy", {"title": "Messy"}, owner=owner)
    store.save_study_draft("messy", {"title": "", "statements": [{"id": "a b", "text": ""}],
                                     "grid": {"low": -1, "high": 1, "heights": [1, "x", 1]}},
                           by=owner)
    content = store.study_draft("messy").content
    assert content["statements"] == [{"id": "a b", "text": "", "tags": {}}]
    assert content["grid"]["heights"] == [1, 0, 1] and content["slug"] == "messy"
    with pytest.raises(StorageError, match="too large"):
        store.save_study_draft("messy", {"welcome": "x" * 3_000_000}, by=owner)
    assert store.study_draft("messy").content["statements"][0]["id"] == "a b"   # kept


def test_invitation_states_and_revoking(store, owner, tiny, sort_of):
    store.publish_study(tiny)
    store.assign_unowned_studies()
    batch = store.create_invitation_batch("tiny", 6, label=" wave 1 ", by=owner)
    assert batch.label == "wave 1" and len(set(batch.tokens)) == 6
    t_new, t_open, t_consent, t_sort, t_done, t_old = batch.tokens
    store.start_session("tiny", t_open)
    for t in (t_consent, t_sort, t_done, t_old):
        store.record_consent(t)
    store.save_draft(t_sort, {"presort": {}}, step="presort")
    store.save_draft(t_old, {"presort": {}}, step="presort")
    store.submit(t_done, Submission(placements=sort_of(0), answers={"why": "because"}))
    with store._tx(write=True) as s:
        tid = s.scalar(select(ParticipantToken.id).where(ParticipantToken.token == t_old))
        s.execute(update(ParticipantSession).where(ParticipantSession.token_id == tid)
                  .values(updated_at=utcnow() - timedelta(days=8)))
    open_token = store.open_link("tiny")
    states = {i.token: i.state for i in store.invitations("tiny", abandoned_after_days=7)}
    assert states == {t_new: "not opened", t_open: "opened", t_consent: "consented",
                      t_sort: "sorting", t_done: "finished", t_old: "abandoned",
                      open_token: "opened"}
    assert {i.state for i in store.invitations("tiny", abandoned_after_days=30)
            if i.token == t_old} == {"sorting"}
    listed = {i.token: i for i in store.invitations("tiny")}
    assert listed[t_done].response_id is not None and listed[t_new].label == "wave 1"
    assert listed[open_token].kind == "open" and listed[open_token].batch_id is None
    assert [b.size for b in store.invitation_batches("tiny")] == [6]
    # revoking: the link is refused like an unknown one, at any step
    store.revoke_invitation("tiny", t_sort, by=owner)
    with pytest.raises(UnknownToken):
        store.start_session("tiny", t_sort)
    with pytest.raises(UnknownToken):
        store.save_draft(t_sort, {}, step="grid")
    with pytest.raises(UnknownToken):
        store.submit(t_sort, Submission(placements=sort_of(1)))
    with pytest.raises(NotAllowed, match="exclude or delete"):
        store.revoke_invitation("tiny", t_done, by=owner)
    with pytest.raises(UnknownToken):
        store.revoke_invitation("tiny", "not-a-token", by=owner)
    assert {i.token: i.state for i in store.invitations("tiny")}[t_sort] == "revoked"
    events = store.study_events("tiny")
    assert events[0].action == "revoke" and t_sort not in events[0].detail   # no token in the log
    # a closed study refuses those who have not consented yet
    store.set_study_status("tiny", "closed")
    with pytest.raises(StudyClosed):
        store.start_session("tiny", t_new)


def test_exclude_include_and_delete_a_response(store, owner, tiny, sort_of):
    store.publish_study(tiny)
    store.assign_unowned_studies()
    tokens = store.create_invitations("tiny", 3)
    ids = []
    for k, t in enumerate(tokens):
        store.record_consent(t)
        ids.append(store.submit(t, Submission(placements=sort_of(k),
                                              answers={"why": f"reason {k}"})).response_id)
    assert store.sorts_frame("tiny").shape == (9, 3)
    with pytest.raises(StorageError, match="reason"):
        store.exclude_response("tiny", ids[1], "  ", by=owner)
    store.exclude_response("tiny", ids[1], "sorted in 20 seconds", by=owner)
    records = {r.id: r for r in store.responses("tiny")}
    assert records[ids[1]].excluded and records[ids[1]].exclusion_reason == "sorted in 20 seconds"
    frame = store.sorts_frame("tiny")
    assert list(frame.columns) == ["r0001", "r0003"]         # labels do not move
    assert store.sorts_frame("tiny", include_excluded=True).shape == (9, 3)
    store.include_response("tiny", ids[1], by=owner)
    assert store.sorts_frame("tiny").shape == (9, 3)
    log = store.study_events("tiny", response_id=ids[1])
    assert [(e.action, e.detail, e.who) for e in log] == [
        ("include", "", "ana@example.org"), ("exclude", "sorted in 20 seconds", "ana@example.org")]
    # another study's response cannot be reached through this study
    store.publish_study(tiny.__class__(**{**tiny.__dict__, "slug": "other"}))
    with pytest.raises(StorageError, match="no such response"):
        store.exclude_response("other", ids[0], "x", by=owner)
    with pytest.raises(UnknownStudy):
        store.response("other", ids[0])
    assert store.response("tiny", ids[0]).answers == {"why": "reason 0"}
    # deleting: the response and its session go, the link is dead, the log remembers
    store.delete_response("tiny", ids[0], by=owner, reason="withdrawal by email")
    assert [r.id for r in store.responses("tiny")] == ids[1:]
    with pytest.raises(UnknownToken):
        store.start_session("tiny", tokens[0])
    assert {i.token: i.state for i in store.invitations("tiny")}[tokens[0]] == "revoked"
    assert store.study_events("tiny", response_id=ids[0])[0].action == "delete"
    with store._tx() as s:
        tid = s.scalar(select(ParticipantToken.id).where(ParticipantToken.token == tokens[0]))
        assert s.scalar(select(ParticipantSession.id).where(
            ParticipantSession.token_id == tid)) is None
    with pytest.raises(StorageError, match="no such response"):
        store.delete_response("tiny", ids[0], by=owner)


def test_demo_responses_are_read_only(store, tiny, owner):
    from studies.seed import seed_demo

    info = seed_demo(store, tiny, n=3)
    rid = store.responses(info.slug)[0].id
    with pytest.raises(NotAllowed):
        store.exclude_response(info.slug, rid, "x", by=owner)
    with pytest.raises(NotAllowed):
        store.delete_response(info.slug, rid, by=owner)


def test_monitoring_data(store, tiny, make_tiny, sort_of):
    store.publish_study(tiny)
    tokens = store.create_invitations("tiny", 4)
    for t in tokens:
        store.record_consent(t)
    for k, t in enumerate(tokens[:2]):
        store.submit(t, Submission(placements=sort_of(k), presort={"t1": "agree"}, answers={"why": "."},
                                   timings={"presort": 30.5, "grid": 60}, user_agent="UA"))
    store.publish_study(make_tiny(title="Second version"))
    [late] = store.create_invitations("tiny", 1)
    store.record_consent(late)
    store.submit(late, Submission(placements=sort_of(3), answers={"why": "."}))
    data = store.monitoring_data("tiny")
    r = data.responses
    assert list(r["version"]) == [1, 1, 2] and list(r["label"]) == ["r0001", "r0002", "r0001"]
    assert r["timings"][0] == {"presort": 30.5, "grid": 60.0}
    assert list(r["sort_seconds"][:2]) == [90.5, 90.5] and r["device"][0] == "unknown"
    assert r["placement_hash"][0] != r["placement_hash"][1]
    assert str(r["submitted_at"].dt.tz) == "UTC" and not r["excluded"].any()
    assert data.consents.sum() == 5 and len(data.consents) == 1      # all consented today
    assert set(data.definitions) == {1, 2} and data.definitions[2].title == "Second version"
    with pytest.raises(UnknownStudy):
        store.monitoring_data("nope")


def test_monitoring_works_out_missing_checks_once(store, tiny, sort_of):
    """Responses stored without their checks (imported, or from before) get
    them on the first monitoring view, and keep them."""
    from storage.models import Response
    from studies.quality import placement_hash

    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    store.record_consent(token)
    store.submit(token, Submission(placements=sort_of(0), answers={"why": "."},
                                   presort={"t1": "agree", "t9": "disagree"},
                                   timings={"grid": 5}, user_agent="Mozilla/5.0 (iPhone) Mobile"))
    with store._tx(write=True) as s:
        s.execute(update(Response).values(device=None, sort_seconds=None, against_presort=None,
                                          placement_hash=None))
    r = store.monitoring_data("tiny").responses
    # t1 (piled agree) at -2 and t9 (piled disagree) at +2: both against their pile
    assert (r["device"][0], r["sort_seconds"][0], r["against_presort"][0]) == ("phone", 5.0, 2)
    assert r["placement_hash"][0] == placement_hash(tiny, sort_of(0))
    with store._tx() as s:
        assert s.scalar(select(Response.placement_hash)) == placement_hash(tiny, sort_of(0))