"""A participant withdraws their response from their own link; a researcher
deletes one; what was built on it is marked stale; tokens are single use
(both backends)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage import AlreadySubmitted, Submission, UnknownToken
from storage.errors import NothingSubmitted, ResponseWithdrawn
from storage.models import ParticipantSession, Response, StudyEvent
from storage.staleness import DELETED, WITHDRAWN


def submitted(store, slug: str, n: int, sort_of) -> list[tuple[str, int]]:
    out = []
    for k, token in enumerate(store.create_invitations(slug, n)):
        store.record_consent(token)
        rid = store.submit(token, Submission(placements=sort_of(k),
                                             answers={"why": f"my secret reason {k}"})).response_id
        out.append((token, rid))
    return out


def count(store, what) -> int:
    with store._tx() as s:
        return s.scalar(select(func.count()).select_from(what))


def test_a_participant_withdraws_their_response(store, tiny, sort_of):
    store.publish_study(tiny)
    (token, rid), (other, other_rid) = submitted(store, "tiny", 2, sort_of)
    store.withdraw_response(token)
    assert [r.id for r in store.responses("tiny")] == [other_rid]
    assert count(store, Response) == 1 and count(store, ParticipantSession) == 1
    # the link says it was withdrawn, whatever is tried with it
    for attempt in (lambda: store.start_session("tiny", token), lambda: store.get_session(token),
                    lambda: store.withdraw_response(token), lambda: store.record_consent(token),
                    lambda: store.submit(token, Submission(placements=sort_of(0))),
                    lambda: store.save_draft(token, {}, step="grid")):
        with pytest.raises(ResponseWithdrawn):
            attempt()
    assert count(store, Response) == 1
    assert {i.token: i.state for i in store.invitations("tiny")}[token] == "revoked"
    # the log says that it happened, and nothing of what was in it
    [event] = store.study_events("tiny", response_id=rid)
    assert (event.action, event.detail, event.who) == ("withdraw", "", None)
    with store._tx() as s:
        details = s.scalars(select(StudyEvent.detail)).all()
    assert not any("secret" in d for d in details)
    # the other participant is untouched
    assert store.response("tiny", other_rid).answers == {"why": "my secret reason 1"}


def test_withdrawal_needs_a_submitted_response_of_a_known_link(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    with pytest.raises(NothingSubmitted):
        store.withdraw_response(token)              # not even consented
    store.record_consent(token)
    store.save_draft(token, {"grid": {}}, step="grid")
    with pytest.raises(NothingSubmitted):
        store.withdraw_response(token)              # sorting: nothing submitted yet
    assert store.get_session(token).status == "in_progress"
    for bad in ("nope", "", "x" * 65, None, 7):
        with pytest.raises(UnknownToken) as caught:
            store.withdraw_response(bad)
        assert not isinstance(caught.value, ResponseWithdrawn)


def test_a_deleted_response_leaves_an_unknown_link_not_a_withdrawn_one(store, tiny, sort_of):
    store.publish_study(tiny)
    [(token, rid)] = submitted(store, "tiny", 1, sort_of)
    store.delete_response("tiny", rid, reason="asked by email")
    with pytest.raises(UnknownToken) as caught:
        store.start_session("tiny", token)
    assert not isinstance(caught.value, ResponseWithdrawn)
    with pytest.raises(UnknownToken):
        store.withdraw_response(token)


def test_runs_and_results_pages_built_on_a_removed_response_are_stale(store, tiny, sort_of):
    store.publish_study(tiny)
    (t1, r1), (t2, r2) = submitted(store, "tiny", 2, sort_of)
    run_before = store.record_analysis_run("tiny", {"k": 1}, "{}")
    page = store.publish_results("tiny", {"title": "x"}, run_id=run_before)
    (t3, r3), = submitted(store, "tiny", 1, sort_of)
    run_after_r3 = store.record_analysis_run("tiny", {"k": 2}, "{}")
    assert store.stale_runs("tiny") == {} and store.stale_publication("tiny") is None
    assert not store.published_results(page.token).stale

    # r3 came after the first run and its page: only the later run used it
    store.withdraw_response(t3)
    marks = store.stale_runs("tiny")
    assert set(marks) == {run_after_r3} and marks[run_after_r3].reason == WITHDRAWN
    assert store.stale_publication("tiny") is None and not store.published_results(page.token).stale

    # r1 is in both runs and under the page
    store.delete_response("tiny", r1)
    marks = store.stale_runs("tiny")
    assert set(marks) == {run_before, run_after_r3}
    assert marks[run_before].reason == DELETED
    assert marks[run_after_r3].reason == WITHDRAWN          # the first mark is kept
    assert store.published_results(page.token).stale
    assert store.stale_publication("tiny").reason == DELETED
    assert "tiny" not in marks[run_before].reason and t1 not in marks[run_before].reason

    # a run made after the deletions is built on what is left: not stale
    fresh = store.record_analysis_run("tiny", {"k": 3}, "{}")
    assert fresh not in store.stale_runs("tiny")


def test_tokens_are_single_use(store, tiny, sort_of):
    """A submitted token cannot submit again (the first response comes back,
    nothing more is stored), save a draft or consent again, and a replayed
    consent or open-link start makes no second session or response."""
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    first = store.record_consent(token)
    again = store.record_consent(token)                  # a replayed consent request
    assert again.token == first.token and count(store, ParticipantSession) == 1
    result = store.submit(token, Submission(placements=sort_of(0), answers={"why": "first"}))
    assert result.created
    replay = store.submit(token, Submission(placements=sort_of(3), answers={"why": "second"}))
    assert (replay.response_id, replay.created) == (result.response_id, False)
    assert count(store, Response) == 1
    assert store.response("tiny", result.response_id).answers == {"why": "first"}
    with pytest.raises(AlreadySubmitted):
        store.start_session("tiny", token)
    with pytest.raises(AlreadySubmitted):
        store.save_draft(token, {"grid": {}}, step="grid")
    try:
        store.record_consent(token)                      # replayed consent after submitting
    except AlreadySubmitted:
        pass
    assert count(store, ParticipantSession) == 1 and count(store, Response) == 1
    # the open link: each start is a new token; replaying a start's consent adds nothing
    open_token = store.open_link("tiny")
    store.record_consent(open_token)
    store.record_consent(open_token)
    assert count(store, ParticipantSession) == 2
    store.submit(open_token, Submission(placements=sort_of(1), answers={"why": "x"}))
    store.submit(open_token, Submission(placements=sort_of(1), answers={"why": "x"}))
    assert count(store, Response) == 2
