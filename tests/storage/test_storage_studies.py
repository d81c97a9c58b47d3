"""Publishing studies: idempotent, versioned by content, statuses, listing."""
from __future__ import annotations

import dataclasses

import pytest

from storage import StorageError, UnknownStudy


def test_publish_is_idempotent(store, tiny):
    a = store.publish_study(tiny)
    b = store.publish_study(tiny)
    assert (a.slug, a.version, a.status, a.is_demo) == ("tiny", 1, "open", False)
    assert b.version == 1 and b.version_id == a.version_id
    assert a.fingerprint == tiny.fingerprint()
    assert a.definition == tiny
    assert a.created_at.tzinfo is not None


def test_a_changed_statement_makes_version_2(store, tiny, make_tiny):
    store.publish_study(tiny)
    changed = make_tiny(texts={"t3": "A reworded third statement."})
    v2 = store.publish_study(changed)
    assert v2.version == 2
    assert store.get_study("tiny").version == 2
    assert store.get_study("tiny", 1).definition == tiny
    assert store.get_study("tiny", 2).definition == changed
    assert store.get_study("tiny", 1).latest_version == 2
    assert store.publish_study(changed).version == 2        # still idempotent
    # going back to the old wording is a change too: a new version, not v1
    assert store.publish_study(tiny).version == 3
    assert [i.version for i in store.study_versions("tiny")] == [1, 2, 3]


def test_unknown_study_and_version(store, tiny):
    with pytest.raises(UnknownStudy, match="There is no study called 'nope'"):
        store.get_study("nope")
    store.publish_study(tiny)
    with pytest.raises(UnknownStudy, match="has no version 7"):
        store.get_study("tiny", 7)


def test_status_and_listing(store, tiny, make_tiny):
    store.publish_study(tiny)
    store.publish_study(make_tiny(slug="another"))
    store.publish_study(tiny, demo=True)
    store.set_study_status("tiny", "closed")
    listed = [(i.slug, i.status, i.is_demo) for i in store.list_studies()]
    assert listed == [("another", "open", False), ("tiny", "closed", False),
                      ("tiny-demo", "open", True)]
    assert [i.slug for i in store.list_studies(include_demo=False)] == ["another", "tiny"]
    with pytest.raises(StorageError, match="'open' or 'closed'"):
        store.set_study_status("tiny", "paused")
    with pytest.raises(UnknownStudy):
        store.set_study_status("nope", "open")


def test_demo_copy_is_marked(store, tiny):
    demo = store.publish_study(tiny, demo=True)
    assert demo.slug == "tiny-demo" and demo.is_demo
    assert demo.title == "[DEMO] A tiny study"
    assert demo.definition.slug == "tiny-demo"
    assert store.publish_study(tiny, demo=True).version == 1
    # a real study cannot take a demo study's slug (and the other way round)
    with pytest.raises(StorageError, match="already used by a demo copy"):
        store.publish_study(dataclasses.replace(tiny, slug="tiny-demo"))


def test_analysis_runs_and_researchers(store, tiny):
    store.publish_study(tiny)
    run = store.record_analysis_run("tiny", {"method": "pca", "factors": 2}, '{"ok": true}')
    runs = store.analysis_runs("tiny")
    assert [(r.id, r.params, r.result_json, r.n_responses) for r in runs] == \
        [(run, {"method": "pca", "factors": 2}, '{"ok": true}', 0)]
    with pytest.raises(StorageError, match="JSON"):
        store.record_analysis_run("tiny", {"x": object()}, "{}")

    rid = store.create_researcher("Ada@Example.org ", "correct horse")
    assert isinstance(rid, int)
    assert store.verify_researcher("ada@example.org", "correct horse")
    assert not store.verify_researcher("ada@example.org", "wrong horse")
    assert not store.verify_researcher("bob@example.org", "correct horse")
    with pytest.raises(StorageError, match="already exists"):
        store.create_researcher("ada@example.org", "another one")
    with pytest.raises(StorageError, match="at least 8"):
        store.create_researcher("eve@example.org", "short")
    from sqlalchemy import select

    from storage.models import Researcher
    with store._tx() as s:
        stored = s.scalar(select(Researcher.password_hash))
    assert stored.startswith("scrypt$") and "correct horse" not in stored
