"""Researchers' accounts on both backends: the first account, sign-in sessions
(hashed, expiring, signed out), throttling of failed sign-ins, and sharing."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage import NotAllowed, SignInFailed, SignInThrottled, StorageError, UnknownStudy
from storage.accounts import (
    FREE_FAILURES,
    SESSION_IDLE,
    TOUCH_EVERY,
    throttle_delay,
    token_hash,
)
from storage.models import ResearcherSession, SignInThrottle, StudyAccess, utcnow


def test_first_account_and_more(store, tiny):
    store.publish_study(tiny)                       # published before any account exists
    assert store.count_researchers() == 0
    first = store.create_first_researcher("Ana@Example.org ", "correct horse")
    assert store.count_researchers() == 1
    # the first account owns the studies nobody owned
    assert store.study_role("tiny", first) == "owner"
    with pytest.raises(StorageError, match="exists already"):
        store.create_first_researcher("eve@example.org", "password99")
    assert store.count_researchers() == 1
    second = store.create_researcher("bo@example.org", "another pass")
    with pytest.raises(StorageError, match="already exists"):
        store.create_researcher("BO@example.org", "another pass")
    with pytest.raises(StorageError, match="at least 8"):
        store.create_researcher("cy@example.org", "short")
    with pytest.raises(StorageError, match="not an email"):
        store.create_researcher("not an address", "long enough")
    # a study published later without an owner (e.g. the seeded one, when the account
    # was made on the command line first) goes to the first account at the next sign-in
    store.publish_study(tiny.__class__(**{**tiny.__dict__, "slug": "later"}))
    with pytest.raises(UnknownStudy):
        store.study_role("later", first)
    store.sign_in("bo@example.org", "another pass")
    assert store.study_role("later", first) == "owner"
    with pytest.raises(UnknownStudy):
        store.study_role("later", second)
    assert store.researcher_by_email("ana@example.org").id == first


def test_two_first_accounts_at_once_make_one(backend):
    store = backend.fresh()
    replica = backend.replica()
    barrier = threading.Barrier(2)
    made, refused = [], []

    def attempt(s, email):
        barrier.wait()
        try:
            made.append(s.create_first_researcher(email, "password-123"))
        except StorageError:
            refused.append(email)

    threads = [threading.Thread(target=attempt, args=(s, e))
               for s, e in ((store, "one@example.org"), (replica, "two@example.org"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1 and len(refused) == 1
    assert store.count_researchers() == 1


def test_sign_in_session_is_hashed_and_signs_out(store):
    rid = store.create_researcher("ana@example.org", "correct horse")
    token = store.sign_in("ANA@example.org", "correct horse", "10.0.0.1")
    assert len(token) >= 40
    assert store.session_researcher(token).id == rid
    with store._tx() as s:
        stored = s.scalars(select(ResearcherSession.token_hash)).all()
    assert stored == [token_hash(token)] and token not in stored     # only the hash is kept
    with pytest.raises(SignInFailed, match="not right"):
        store.sign_in("ana@example.org", "wrong horse", "10.0.0.1")
    with pytest.raises(SignInFailed, match="not right"):          # same words for no account
        store.sign_in("nobody@example.org", "correct horse", "10.0.0.1")
    assert store.session_researcher("forged-token") is None
    assert store.session_researcher(None) is None
    store.sign_out(token)
    assert store.session_researcher(token) is None
    # a new password signs out every session of the account
    token = store.sign_in("ana@example.org", "correct horse", "10.0.0.1")
    store.set_password("ana@example.org", "a new password")
    assert store.session_researcher(token) is None
    assert store.sign_in("ana@example.org", "a new password", "10.0.0.1")


def test_session_expires_after_a_day_without_activity(store):
    store.create_researcher("ana@example.org", "correct horse")
    token = store.sign_in("ana@example.org", "correct horse")
    digest = token_hash(token)

    def seen(ago):
        with store._tx(write=True) as s:
            s.execute(update(ResearcherSession).where(ResearcherSession.token_hash == digest)
                      .values(last_seen_at=utcnow() - ago))

    seen(SESSION_IDLE - timedelta(minutes=1))
    assert store.session_researcher(token) is not None        # still active, and touched
    with store._tx() as s:
        last = s.scalar(select(ResearcherSession.last_seen_at))
    assert utcnow() - last.replace(tzinfo=utcnow().tzinfo) < TOUCH_EVERY
    seen(SESSION_IDLE + timedelta(minutes=1))
    assert store.session_researcher(token) is None
    with store._tx() as s:                                    # and the expired row is gone
        assert s.scalars(select(ResearcherSession)).all() == []


def test_failed_sign_ins_are_slowed_per_account_and_per_client(store):
    store.create_researcher("ana@example.org", "correct horse")
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInFailed):
            store.sign_in("ana@example.org", "guess", "10.0.0.9")
    # the account must wait now, even with the right password and from another client
    with pytest.raises(SignInThrottled) as caught:
        store.sign_in("ana@example.org", "correct horse", "10.0.0.2")
    assert 1 <= caught.value.wait_seconds <= throttle_delay(FREE_FAILURES)
    assert "wait" in str(caught.value)
    # the client must wait too, whatever account it tries
    with pytest.raises(SignInThrottled):
        store.sign_in("other@example.org", "anything", "10.0.0.9")
    # once the delay is over, the right password works and clears the account's count
    with store._tx(write=True) as s:
        s.execute(update(SignInThrottle).values(last_failure_at=utcnow() - timedelta(hours=1)))
    assert store.sign_in("ana@example.org", "correct horse", "10.0.0.2")
    with store._tx() as s:
        assert s.scalar(select(SignInThrottle.failures)) == FREE_FAILURES     # the client's only
    # each further failure doubles the delay, up to the maximum
    assert throttle_delay(FREE_FAILURES - 1) == 0
    assert throttle_delay(FREE_FAILURES + 1) == 2 * throttle_delay(FREE_FAILURES)
    assert throttle_delay(100) == 900


def test_sharing_by_email(store, tiny):
    store.publish_study(tiny, demo=True)                           # "tiny-demo"
    owner = store.create_researcher("ana@example.org", "correct horse")
    other = store.create_researcher("bo@example.org", "correct horse")
    third = store.create_researcher("cy@example.org", "correct horse")
    store.create_study("mine", {"title": "Mine"}, owner=owner)
    assert store.study_role("mine", owner) == "owner"
    with pytest.raises(UnknownStudy):
        store.study_role("mine", other)
    assert [w.slug for w in store.workspace_studies(other)] == ["tiny-demo"]
    assert store.study_role("tiny-demo", other) == "viewer"      # demo studies: everyone, read-only
    with pytest.raises(StorageError, match="no researcher account"):
        store.share_study("mine", "nobody@example.org", by=owner)
    with pytest.raises(UnknownStudy):                             # not theirs to share
        store.share_study("mine", "cy@example.org", by=other)
    store.share_study("mine", "BO@example.org", by=owner)
    assert store.study_role("mine", other) == "editor"
    with pytest.raises(NotAllowed):                               # an editor cannot share further
        store.share_study("mine", "cy@example.org", by=other)
    with pytest.raises(StorageError, match="already"):
        store.share_study("mine", "bo@example.org", by=owner)
    listed = {w.slug: w for w in store.workspace_studies(other)}
    assert listed["mine"].role == "editor" and listed["mine"].owner == "ana@example.org"
    assert listed["mine"].status == "draft" and listed["mine"].title == "Mine"
    assert [m.email for m in store.study_members("mine")] == ["ana@example.org", "bo@example.org"]
    with pytest.raises(NotAllowed):
        store.remove_share("mine", "ana@example.org", by=owner)    # the owner stays
    store.remove_share("mine", "bo@example.org", by=owner)
    with pytest.raises(UnknownStudy):
        store.study_role("mine", other)
    store.share_study("mine", "cy@example.org", by=owner)
    store.remove_share("mine", "cy@example.org", by=third)        # leaving a shared study
    with pytest.raises(UnknownStudy):
        store.study_role("mine", third)
    assert [e.action for e in store.study_events("mine")] == \
        ["unshare", "share", "unshare", "share", "create"]
    with store._tx() as s:
        assert len(s.scalars(select(StudyAccess)).all()) == 1
