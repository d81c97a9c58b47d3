"""Demo data: a clearly marked copy, filled once, never mixed with real responses.

Seeding lives in :mod:`studies.seed` and reaches the database only through the
store's generic API (publish a study, add simulated responses)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from storage import StorageError
from storage.models import ParticipantToken, Response
from studies.seed import ensure_coproduction, seed_demo, simulated_submissions


def test_seeding_the_demo_never_touches_the_real_study(store, coproduction):
    real = store.publish_study(coproduction)
    demo = seed_demo(store, coproduction, n=40, seed=0)
    assert (demo.slug, demo.is_demo) == ("coproduction-demo", True)
    assert demo.title.startswith("[DEMO] ")
    assert store.count_responses(real.slug) == 0
    assert store.count_responses(demo.slug) == 40
    again = seed_demo(store, coproduction, n=40, seed=0)             # idempotent
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
            seed_demo(store, coproduction, n=40, seed=0)
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


def test_simulated_responses_go_only_to_a_demo_study_and_only_once(store, tiny, sort_of):
    subs = [{"placements": sort_of(k), "answers": {"why": "Simulated."}} for k in range(3)]
    store.publish_study(tiny)
    with pytest.raises(StorageError, match="'tiny' is not a demo study"):
        store.add_simulated_responses("tiny", subs)
    assert store.count_responses("tiny") == 0

    demo = store.publish_study(tiny, demo=True)
    bad = [*subs, {"placements": dict(sort_of(0), t1=2), "answers": {"why": "x"}}]
    with pytest.raises(StorageError, match=r"do not fit the study: Simulated participant 4 .*"
                                           r"column \+2 holds 2 statements, 1 over its 1"):
        store.add_simulated_responses(demo.slug, bad)
    assert store.count_responses(demo.slug) == 0                 # all or nothing
    assert store.add_simulated_responses(demo.slug, subs) == 3
    assert store.add_simulated_responses(demo.slug, subs) == 0   # the version has responses
    records = store.responses(demo.slug)
    assert [r.placements for r in records] == [sort_of(k) for k in range(3)]
    assert all(r.is_demo for r in records)
    with store._tx() as s:
        kinds = s.scalars(select(ParticipantToken.kind)
                          .where(ParticipantToken.study_id == demo.id)).all()
    assert kinds == ["demo"] * 3


class _Recorder:
    """A store that records which of its methods are called."""

    def __init__(self, store):
        self.store, self.called = store, []

    def __getattr__(self, name):
        self.called.append(name)
        return getattr(self.store, name)


def test_seeding_uses_only_the_stores_generic_api(store, coproduction):
    spy = _Recorder(store)
    real, demo = ensure_coproduction(spy)
    assert set(spy.called) == {"publish_study", "count_responses", "add_simulated_responses"}
    assert store.count_responses(demo.slug) == 40
    expected = simulated_submissions(demo.definition, n=40, seed=0)
    assert [r.placements for r in store.responses(demo.slug)] == [e["placements"] for e in expected]

    spy.called.clear()
    ensure_coproduction(spy)                                 # a restart adds nothing
    assert "add_simulated_responses" not in spy.called


def test_storage_knows_nothing_of_the_coproduction_study():
    # only the command line (an entry point) names the study it seeds by default
    root = Path(__file__).resolve().parents[2] / "storage"
    for path in sorted(root.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("coproduction", "studies.seed", "simulate_participants"):
            assert word not in text, f"{path.relative_to(root.parent)} mentions {word}"
