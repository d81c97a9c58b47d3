"""The open link's caps on new sessions, per client and per study per minute,
counted in the database (so every replica shares them), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from storage import StorageError, TooManyNewSessions
from storage import models as m
from storage.limits import OpenLinkLimits


def open_tokens(store) -> int:
    with store._tx() as s:
        return int(s.scalar(select(func.count()).select_from(m.ParticipantToken)
                            .where(m.ParticipantToken.kind == "open")))


def test_per_client_cap_refuses_the_next_start_and_stores_nothing(store, tiny):
    store.publish_study(tiny)
    store.open_link_limits = OpenLinkLimits(per_client=3, per_study=100)
    for _ in range(3):
        store.open_link("tiny", client="203.0.113.7")
    with pytest.raises(TooManyNewSessions) as caught:
        store.open_link("tiny", client="203.0.113.7")
    assert caught.value.scope == "client"
    assert 1 <= caught.value.wait_seconds <= 60
    assert "wait" in str(caught.value) and "\n" not in str(caught.value)
    assert open_tokens(store) == 3                       # the refused start left no row
    store.open_link("tiny", client="198.51.100.2")       # another client still gets in
    store.open_link("tiny")                              # and so does one without an address
    assert open_tokens(store) == 5


def test_per_study_cap_is_shared_by_replicas(backend, store, tiny, make_tiny):
    store.publish_study(tiny)
    store.publish_study(make_tiny("other"))
    replica = backend.replica()
    limits = OpenLinkLimits(per_client=0, per_study=6)
    store.open_link_limits = replica.open_link_limits = limits
    made, refused = [], []

    def start(i: int) -> None:
        try:
            made.append((store, replica)[i % 2].open_link("tiny", client=f"10.0.0.{i}"))
        except TooManyNewSessions as exc:
            refused.append(exc.scope)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 6 and len(set(made)) == 6          # exactly the cap, across replicas
    assert refused == ["study"] * 10
    assert open_tokens(store) == 6
    replica.open_link("other", client="10.0.0.99")        # another study has its own cap


def test_a_start_counts_for_a_minute_only(store, tiny):
    store.publish_study(tiny)
    store.open_link_limits = OpenLinkLimits(per_client=2, per_study=100, window_seconds=1)
    store.open_link("tiny", client="192.0.2.1")
    store.open_link("tiny", client="192.0.2.1")
    with pytest.raises(TooManyNewSessions):
        store.open_link("tiny", client="192.0.2.1")
    time.sleep(1.2)
    store.open_link("tiny", client="192.0.2.1")            # the window moved on
    with store._tx() as s:
        keys = s.scalars(select(m.OpenLinkStart.key)).all()
    # old starts are deleted as new ones come; no address is kept in clear
    assert len(keys) == 2 and all("192.0.2.1" not in k and len(k) == 64 for k in keys)


def test_caps_from_the_environment(monkeypatch):
    monkeypatch.setenv("QP_OPEN_LINK_PER_CLIENT", "5")
    monkeypatch.setenv("QP_OPEN_LINK_PER_STUDY", "0")
    assert OpenLinkLimits.from_env() == OpenLinkLimits(per_client=5, per_study=0)
    monkeypatch.setenv("QP_OPEN_LINK_PER_CLIENT", "lots")
    with pytest.raises(StorageError, match="QP_OPEN_LINK_PER_CLIENT must be a whole number"):
        OpenLinkLimits.from_env()


def test_no_cap_when_turned_off(store, tiny):
    store.publish_study(tiny)
    store.open_link_limits = OpenLinkLimits(per_client=0, per_study=0)
    for _ in range(40):
        store.open_link("tiny", client="192.0.2.9")
    assert open_tokens(store) == 40
