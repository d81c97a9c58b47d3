"""Demo data: a clearly marked copy, filled once, never mixed with real responses."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from storage import ensure_coproduction
from storage.models import ParticipantToken, Response


def test_seeding_the_demo_never_touches_the_real_study(store, coproduction):
    real = store.publish_study(coproduction)
    demo = store.seed_demo(coproduction, n=40, seed=0)
    assert (demo.slug, demo.is_demo) == ("coproduction-demo", True)
    assert demo.title.startswith("[DEMO] ")
    assert store.count_responses(real.slug) == 0
    assert store.count_responses(demo.slug) == 40
    again = store.seed_demo(coproduction, n=40, seed=0)             # idempotent
    assert again.version == demo.version
    assert store.count_responses(demo.slug) == 40
    records = store.responses(demo.slug)
    assert all(r.is_demo for r in records)
    assert [r.participant for r in records][:3] == ["r0001", "r0002", "r0003"]
    assert all(r.user_agent == "simulated participant (demo data)" for r in records)
    frame = store.sorts_frame(demo.slug)
    assert frame.shape == (36, 40)
    assert store.sorts_frame(real.slug).shape == (36, 0)


def test_the_database_refuses_demo_rows_in_a_real_study(store, tiny, sort_of):
    real = store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    with store._tx() as s:
        token_id = s.scalar(select(ParticipantToken.id).where(ParticipantToken.token == token))
    with pytest.raises(IntegrityError):
        with store._tx(write=True) as s:
            s.execute(insert(Response).values(
                token_id=token_id, study_id=real.id, study_version_id=real.version_id,
                is_demo=True, placements=sort_of(0), presort={}, answers={}, timings={},
                user_agent=""))


def test_seeding_twice_at_once_keeps_40(backend, coproduction):
    a = backend.fresh()
    b = backend.replica()
    barrier = threading.Barrier(4)
    errors = []

    def seed(store):
        try:
            barrier.wait()
            store.seed_demo(coproduction, n=40, seed=0)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=seed, args=((a, b)[k % 2],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert a.count_responses("coproduction-demo") == 40
    with a._tx() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 40


def test_ensure_coproduction_at_every_start(store):
    real, demo = ensure_coproduction(store)
    assert (real.slug, real.status, real.is_demo) == ("coproduction", "open", False)
    assert (demo.slug, demo.is_demo) == ("coproduction-demo", True)
    store.set_study_status("coproduction", "closed")
    real2, demo2 = ensure_coproduction(store)                  # the app restarts
    assert (real2.version, demo2.version) == (real.version, demo.version)
    assert store.get_study("coproduction").status == "closed"  # a restart does not reopen it
    assert store.count_responses("coproduction") == 0
    assert store.count_responses("coproduction-demo") == 40
