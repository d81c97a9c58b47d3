"""Concurrency: many threads and two 'replicas' (separate engines) on one database.

The guarantees come from the database (unique constraints, row locks,
transactions), not from this process: there is no lock in the Store, and the
threads below use two Store objects with separate connection pools, as two
app replicas would.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from storage import Submission
from storage.models import ParticipantSession, Response

THREADS = 50
UNIQUE = 800
SUBMISSIONS = 1000
HOT_TOKENS = 10          # each submitted by 5 threads as their very first job


def run_in_threads(jobs_per_thread, work):
    """Run ``work(thread_index, job)`` for each thread's job list, all threads
    released together by a barrier; return (results, errors, seconds)."""
    barrier = threading.Barrier(len(jobs_per_thread))
    results, errors = [], []
    lock = threading.Lock()

    def worker(index):
        barrier.wait()
        for job in jobs_per_thread[index]:
            try:
                out = work(index, job)
                with lock:
                    results.append((job, out))
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append((job, repr(exc)))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs_per_thread)) as pool:
        list(pool.map(worker, range(len(jobs_per_thread))))
    return results, errors, time.perf_counter() - start


def test_1000_concurrent_submissions_store_exactly_the_unique_ones(backend, tiny, sort_of,
                                                                   record_property):
    a = backend.fresh()
    b = backend.replica()
    replicas = [a, b]
    a.publish_study(tiny)
    tokens = a.create_invitations("tiny", UNIQUE)
    rng = random.Random(20261122)

    # phase 1: 800 participants open their links and consent, 50 at a time
    per_thread = [tokens[i::THREADS] for i in range(THREADS)]
    _, errors, consent_s = run_in_threads(
        per_thread, lambda i, t: (replicas[i % 2].start_session("tiny", t),
                                  replicas[i % 2].record_consent(t)))
    assert errors == []

    # phase 2: 1,000 submissions = every token once + 200 deliberate duplicates
    shift = {t: k for k, t in enumerate(tokens)}
    hot = tokens[:HOT_TOKENS]
    duplicates = [t for t in hot for _ in range(4)]                       # 40
    duplicates += rng.choices(tokens[HOT_TOKENS:], k=SUBMISSIONS - UNIQUE - len(duplicates))
    rest = tokens[HOT_TOKENS:] + duplicates[len(hot) * 4:]
    rng.shuffle(rest)
    jobs = [[] for _ in range(THREADS)]
    for i in range(THREADS):                     # the hot tokens race at the barrier
        jobs[i].append(hot[i % HOT_TOKENS])
    for k, t in enumerate(rest):
        jobs[k % THREADS].append(t)
    assert sum(map(len, jobs)) == SUBMISSIONS

    def submit(i, token):
        return replicas[i % 2].submit(token, Submission(placements=sort_of(shift[token]),
                                                        answers={"why": "because"},
                                                        timings={"sort": 60.0}))

    results, errors, seconds = run_in_threads(jobs, submit)
    assert errors == []
    assert len(results) == SUBMISSIONS

    by_token = defaultdict(list)
    for token, result in results:
        by_token[token].append(result)
    assert len(by_token) == UNIQUE
    for token, outs in by_token.items():
        assert sum(o.created for o in outs) == 1, token           # exactly one stored
        assert len({o.response_id for o in outs}) == 1, token     # all see the same one
    assert Counter(len(v) for v in by_token.values())[5] >= HOT_TOKENS

    with a._tx() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == UNIQUE
        assert s.scalar(select(func.count()).select_from(ParticipantSession)
                        .where(ParticipantSession.status == "submitted")) == UNIQUE
    stored = {r.id for r in a.responses("tiny")}
    assert stored == {outs[0].response_id for outs in by_token.values()}
    frame = a.sorts_frame("tiny")
    assert frame.shape == (9, UNIQUE)

    rate = SUBMISSIONS / seconds
    record_property("submissions_per_second", round(rate, 1))
    print(f"\n[{backend.name}] consent phase: {UNIQUE} participants in {consent_s:.2f} s; "
          f"submit phase: {SUBMISSIONS} submissions ({UNIQUE} unique) by {THREADS} threads "
          f"in {seconds:.2f} s = {rate:.0f}/s")


def test_one_token_submitted_by_50_threads_at_once(backend, tiny, sort_of):
    a = backend.fresh()
    b = backend.replica()
    a.publish_study(tiny)
    [token] = a.create_invitations("tiny", 1)
    a.start_session("tiny", token)
    a.record_consent(token)
    jobs = [[k] for k in range(THREADS)]
    results, errors, _ = run_in_threads(
        jobs, lambda i, k: (a, b)[i % 2].submit(token, Submission(placements=sort_of(k),
                                                                  answers={"why": "x"})))
    assert errors == []
    assert sum(r.created for _, r in results) == 1
    assert len({r.response_id for _, r in results}) == 1
    [winner] = [k for k, r in results if r.created]
    assert a.responses("tiny")[0].placements == sort_of(winner)


def test_concurrent_publishing_consent_and_drafts(backend, tiny, make_tiny):
    a = backend.fresh()
    b = backend.replica()
    # ten replicas publishing the same study at start: one study, one version
    results, errors, _ = run_in_threads([[k] for k in range(10)],
                                        lambda i, k: (a, b)[i % 2].publish_study(tiny))
    assert errors == []
    assert {r.version for _, r in results} == {1}
    assert [i.version for i in a.study_versions("tiny")] == [1]
    # a changed study published by ten at once still makes exactly version 2
    changed = make_tiny(texts={"t1": "Changed."})
    results, errors, _ = run_in_threads([[k] for k in range(10)],
                                        lambda i, k: (a, b)[i % 2].publish_study(changed))
    assert errors == [] and {r.version for _, r in results} == {2}
    # double consent and racing drafts on one token
    token = a.open_link("tiny")
    a.start_session("tiny", token)
    results, errors, _ = run_in_threads([[k] for k in range(20)],
                                        lambda i, k: (a, b)[i % 2].record_consent(token))
    assert errors == [] and len({r.consented_at for _, r in results}) == 1
    results, errors, _ = run_in_threads(
        [[k] for k in range(20)],
        lambda i, k: (a, b)[i % 2].save_draft(token, {"n": k}, step=f"s{k}"))
    assert errors == []
    final = a.get_session(token)
    assert final.draft == {"n": int(final.step[1:])}            # one whole write won
