"""Participant links and sessions: validation, consent, drafts, resume, pinned versions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage import (
    AlreadySubmitted,
    ConsentRequired,
    InvalidSubmission,
    StorageError,
    StudyClosed,
    StudyVersionChanged,
    Submission,
    UnknownStudy,
    UnknownToken,
)
from storage.models import ParticipantSession, ParticipantToken, Response
from studies.seed import seed_demo


def count(store, model) -> int:
    with store._tx() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_invitations_are_unique_single_use_tokens(store, tiny, sort_of):
    store.publish_study(tiny)
    tokens = store.create_invitations("tiny", 20, label="wave 1")
    assert len(set(tokens)) == 20 and all(len(t) >= 22 for t in tokens)
    token = tokens[0]
    store.start_session("tiny", token)
    store.record_consent(token)
    store.submit(token, Submission(placements=sort_of(0), answers={"why": "because"}))
    with pytest.raises(AlreadySubmitted, match="already been submitted"):
        store.start_session("tiny", token)
    with pytest.raises(StorageError, match="from 1 to"):
        store.create_invitations("tiny", 0)
    with pytest.raises(UnknownStudy):
        store.create_invitations("nope", 1)


def test_link_validation_errors(store, tiny, make_tiny):
    store.publish_study(tiny)
    store.publish_study(make_tiny(slug="other"))
    [token] = store.create_invitations("tiny", 1)
    [other] = store.create_invitations("other", 1)
    with pytest.raises(UnknownStudy):
        store.start_session("nope", token)
    with pytest.raises(UnknownToken, match="not valid"):
        store.start_session("tiny", "not-a-token")
    with pytest.raises(UnknownToken):
        store.start_session("tiny", other)          # a token of another study
    with pytest.raises(UnknownToken):
        store.start_session("tiny", "")
    store.set_study_status("tiny", "closed")
    with pytest.raises(StudyClosed, match="closed"):
        store.start_session("tiny", token)
    with pytest.raises(StudyClosed):
        store.open_link("tiny")
    store.set_study_status("tiny", "open")
    assert store.start_session("tiny", token).status == "new"


def test_nothing_but_the_token_is_stored_before_consent(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    session = store.start_session("tiny", token)
    assert (session.status, session.step, session.draft, session.consented_at) == \
        ("new", None, None, None)
    assert count(store, ParticipantSession) == 0
    with pytest.raises(ConsentRequired):
        store.save_draft(token, {"placements": {}}, step="presort")
    with pytest.raises(ConsentRequired):
        store.submit(token, Submission(placements=sort_of(0)))
    assert count(store, ParticipantSession) == 0 and count(store, Response) == 0
    consented = store.record_consent(token)
    assert consented.status == "consented" and consented.consented_at is not None
    assert store.record_consent(token).consented_at == consented.consented_at   # idempotent
    assert count(store, ParticipantSession) == 1


def test_draft_save_and_resume(store, tiny, sort_of):
    store.publish_study(tiny)
    token = store.open_link("tiny")
    store.start_session("tiny", token)
    store.record_consent(token)
    store.save_draft(token, {"presort": {"t1": "agree"}}, step="presort")
    draft = {"presort": {"t1": "agree", "t2": "neutral"}, "placements": {"t1": 2}}
    saved = store.save_draft(token, draft, step="sort")             # last write wins
    assert (saved.status, saved.step, saved.draft) == ("in_progress", "sort", draft)
    resumed = store.start_session("tiny", token)                    # e.g. on another device
    assert (resumed.status, resumed.step, resumed.draft) == ("in_progress", "sort", draft)
    assert store.get_session(token).draft == draft
    with pytest.raises(StorageError, match="JSON"):
        store.save_draft(token, {"x": {1, 2}}, step="sort")
    with pytest.raises(StorageError, match="too large"):
        store.save_draft(token, {"x": "y" * 1_100_000}, step="sort")
    result = store.submit(token, Submission(placements=sort_of(1), answers={"why": "ok"}))
    assert result.created
    with pytest.raises(AlreadySubmitted):
        store.save_draft(token, draft, step="sort")
    after = store.get_session(token)
    assert (after.status, after.draft) == ("submitted", None)     # the draft is not kept


def test_sessions_stay_pinned_to_their_version(store, tiny, make_tiny, sort_of):
    store.publish_study(tiny)
    [early, late] = store.create_invitations("tiny", 2)
    assert store.start_session("tiny", early).study_version == 1
    store.record_consent(early)
    # the researcher changes the Q-set: statement t9 is replaced by t10
    ids = [f"t{i}" for i in range(1, 9)] + ["t10"]
    v2 = make_tiny(statements=tuple(
        type(tiny.statements[0])(sid, f"Statement {sid}.", {}) for sid in ids))
    assert store.publish_study(v2).version == 2
    # the early participant still sees and submits version 1 ...
    assert store.start_session("tiny", early).study_version == 1
    with pytest.raises(StudyVersionChanged, match="version 1"):
        store.save_draft(early, {}, step="sort", expected_version=2)
    store.save_draft(early, {}, step="sort", expected_version=1)
    assert store.submit(early, Submission(placements=sort_of(0), answers={"why": "x"})).created
    # ... while a new participant gets version 2 and its statements
    assert store.start_session("tiny", late).study_version == 2
    store.record_consent(late)
    with pytest.raises(InvalidSubmission, match="unknown statement"):
        store.submit(late, Submission(placements=sort_of(0), answers={"why": "x"}))
    placements = dict(zip(ids, sort_of(0).values()))
    assert store.submit(late, Submission(placements=placements, answers={"why": "x"})).created
    assert [r.participant for r in store.responses("tiny", 1)] == ["r0001"]
    assert [r.placements for r in store.responses("tiny")] == [placements]
    assert list(store.sorts_frame("tiny", 1).index) == [f"t{i}" for i in range(1, 10)]
    assert list(store.sorts_frame("tiny").index) == ids


def test_open_link_pins_the_latest_version(store, tiny, make_tiny):
    store.publish_study(tiny)
    token = store.open_link("tiny")
    with store._tx() as s:
        pinned = s.scalar(select(ParticipantToken.pinned_version_id)
                          .where(ParticipantToken.token == token))
    assert pinned == store.get_study("tiny").version_id
    store.publish_study(make_tiny(texts={"t1": "Changed."}))
    assert store.start_session("tiny", token).study_version == 1


def test_consented_participants_may_finish_after_closing(store, tiny, sort_of):
    store.publish_study(tiny)
    [started, late] = store.create_invitations("tiny", 2)
    store.start_session("tiny", started)
    store.record_consent(started)
    store.set_study_status("tiny", "closed")
    assert store.start_session("tiny", started).status == "consented"    # resume works
    assert store.submit(started, Submission(placements=sort_of(2), answers={"why": "x"})).created
    with pytest.raises(StudyClosed):
        store.start_session("tiny", late)
    with pytest.raises(StudyClosed):
        store.record_consent(late)


def test_purge_unfinished_deletes_only_unsubmitted_drafts(store, tiny, sort_of):
    """The consent text promises that unfinished sorts are deleted when the study ends."""
    store.publish_study(tiny)
    done, half, fresh = store.create_invitations("tiny", 3)
    for t in (done, half):
        store.start_session("tiny", t)
        store.record_consent(t)
    store.save_draft(half, {"placements": sort_of(1)}, step="grid")
    store.submit(done, Submission(placements=sort_of(2), answers={"why": "x"}))
    store.set_study_status("tiny", "closed")
    assert store.purge_unfinished("tiny") == 1
    assert count(store, ParticipantSession) == 1       # only the submitted one is left
    assert count(store, Response) == 1
    assert store.purge_unfinished("tiny") == 0
    with pytest.raises(StudyClosed):
        store.start_session("tiny", half)             # the purged draft cannot come back
    with pytest.raises(UnknownStudy):
        store.purge_unfinished("nope")


def test_demo_studies_refuse_real_participants(store, coproduction):
    demo = seed_demo(store, coproduction, n=3, seed=0)
    with pytest.raises(StorageError, match="demo study with simulated participants only"):
        store.create_invitations(demo.slug, 1)
    with pytest.raises(StorageError, match="demo study"):
        store.open_link(demo.slug)
