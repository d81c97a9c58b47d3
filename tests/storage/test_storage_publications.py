"""Published results pages (storage.publications), on SQLite and PostgreSQL:
publish, get by token, unpublish, replace, tokens stored hashed, demo lookups,
one live publication per study under concurrent publishers."""
from __future__ import annotations

import hashlib
import math
import threading

import pytest
from sqlalchemy import select

from storage import StorageError
from storage.models import Publication
from storage.publications import TOKEN_BYTES, TOKEN_PATTERN, hash_token

CONTENT = {"format": "qplatform-results", "version": 1, "title": "Results: A tiny study",
           "viewpoints": [{"key": "f1", "name": "First", "zscores": [0.5, -1.25]}]}


def _rows(store):
    with store.engine.connect() as conn:
        return conn.execute(select(Publication.__table__)).mappings().all()


@pytest.fixture
def study(store, tiny):
    store.publish_study(tiny)
    return tiny.slug


def test_publish_and_read_by_token(store, study):
    link = store.publish_results(study, CONTENT)
    assert TOKEN_PATTERN.match(link.token) and TOKEN_BYTES * 8 >= 128
    got = store.published_results(link.token)
    assert got.live and got.status == "live" and got.content == CONTENT
    assert got.publication_id == link.id and got.published_at is not None
    # only the token's SHA-256 is stored, nowhere the token itself
    (row,) = _rows(store)
    assert row["token_hash"] == hashlib.sha256(link.token.encode()).hexdigest() == hash_token(link.token)
    assert all(link.token not in str(v) for v in row.values())
    assert store.live_publication(study).id == link.id
    assert [p.status for p in store.publications(study)] == ["live"]


def test_tokens_are_random_and_distinct(store, study):
    tokens = [store.publish_results(study, CONTENT).token for _ in range(20)]
    assert len(set(tokens)) == 20
    # about 6 bits of entropy per base64url character over 32 characters
    assert all(len(t) == 32 for t in tokens) and math.log2(64) * 32 >= 128


@pytest.mark.parametrize("bad", [None, "", "x", "a" * 31, "a" * 33, "a" * 31 + "!", 12345, ["a" * 32],
                                 "' OR 1=1 --aaaaaaaaaaaaaaaaaaaaaa"])
def test_unknown_or_malformed_tokens(store, study, bad):
    store.publish_results(study, CONTENT)
    got = store.published_results(bad)
    assert got.status == "unknown" and got.content is None and not got.live


def test_unpublish_withdraws_and_erases(store, study):
    link = store.publish_results(study, CONTENT)
    assert store.unpublish_results(study) == 1
    got = store.published_results(link.token)
    assert got.status == "withdrawn" and got.content is None and got.ended_at is not None
    assert _rows(store)[0]["content"] is None                      # no trace of the content
    assert store.unpublish_results(study) == 0
    assert store.live_publication(study) is None
    assert store.published_results("A" * 32).status == "unknown"


def test_publishing_again_replaces(store, study):
    old = store.publish_results(study, CONTENT)
    new = store.publish_results(study, {**CONTENT, "title": "Results, second run"})
    assert new.replaced == (old.id,) and new.token != old.token
    before = store.published_results(old.token)
    assert before.status == "replaced" and before.content is None and before.ended_at is not None
    assert store.published_results(new.token).content["title"] == "Results, second run"
    assert [p.status for p in store.publications(study)] == ["live", "replaced"]
    with pytest.raises(StorageError, match="already has a published results page"):
        store.publish_results(study, CONTENT, replace=False)
    assert store.publish_results(study, CONTENT, if_none_live=True) is None
    assert [p.status for p in store.publications(study)] == ["live", "replaced"]
    assert {r["content"] is None for r in _rows(store) if r["status"] != "live"} == {True}


def test_linked_to_its_run(store, study, make_tiny):
    run = store.record_analysis_run(study, {"nfactors": 1}, "{}")
    link = store.publish_results(study, CONTENT, run_id=run)
    assert link.run_id == run and store.publications(study)[0].run_id == run
    store.publish_study(make_tiny(slug="other"))
    other_run = store.record_analysis_run("other", {"nfactors": 1}, "{}")
    with pytest.raises(StorageError, match="not a run of study"):
        store.publish_results(study, CONTENT, run_id=other_run)
    assert store.published_results(link.token).live               # the refused one changed nothing


def test_content_must_be_json(store, study):
    with pytest.raises(StorageError, match="mapping"):
        store.publish_results(study, ["not", "a", "mapping"])
    with pytest.raises(StorageError, match="JSON"):
        store.publish_results(study, {"z": float("nan")})
    with pytest.raises(StorageError, match="JSON"):
        store.publish_results(study, {"z": object()})
    assert store.publications(study) == []


def test_demo_results_only_for_demo_studies(store, tiny):
    store.publish_study(tiny)
    demo = store.publish_study(tiny, demo=True)
    store.publish_results(tiny.slug, CONTENT)
    assert store.demo_results(tiny.slug).status == "unknown"        # a real study: by token only
    assert store.demo_results(demo.slug).status == "unknown"        # nothing published yet
    store.publish_results(demo.slug, {**CONTENT, "title": "demo"})
    got = store.demo_results(demo.slug)
    assert got.live and got.content["title"] == "demo"
    assert store.demo_results("no-such-study").status == "unknown"
    store.unpublish_results(demo.slug)
    assert store.demo_results(demo.slug).status == "unknown"


def test_two_replicas_publishing_at_once_leave_one_live(backend, store, study):
    other = backend.replica()
    barrier = threading.Barrier(8)
    links, errors = [], []

    def publish(s, i):
        try:
            barrier.wait()
            links.append(s.publish_results(study, {**CONTENT, "title": f"run {i}"}))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(store if i % 2 else other, i)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(links) == 8
    statuses = [p.status for p in store.publications(study)]
    assert statuses.count("live") == 1 and statuses.count("replaced") == 7
    live = [link for link in links if store.published_results(link.token).live]
    assert len(live) == 1 and live[0].id == store.live_publication(study).id


def test_results_with_unstorable_text_are_refused_with_one_clear_error(store, study):
    """A researcher's narrative holding a lone surrogate or a NUL is refused
    before the database (it was a UnicodeEncodeError from the size check)."""
    from storage.errors import UnstorableText

    for bad in ("a \ud800 narrative", "a \x00 narrative"):
        with pytest.raises(UnstorableText, match="The results to publish cannot be stored: narrative holds"):
            store.publish_results(study, {**CONTENT, "narrative": bad})
    assert store.live_publication(study) is None
