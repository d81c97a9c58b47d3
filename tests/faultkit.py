"""Simulated participants of the co-production study, for the fault tests and
the load benchmark (``bench/load_participants.py``, ``bench/bench_faults.py``).

A simulated participant takes the path a real one's browser drives through
the store: the open link (a token), consent, the pre-sort draft, grid drafts,
the answers, the submission. Every store call it makes is one the app makes
(:mod:`webapp.participant.session` calls the same methods). Its Q-sort is a
function of its token (:func:`expected_placements`), so what is stored can be
checked against what was sent without keeping anything.

Run as a worker process (the fault tests SIGKILL it) it prints one line per
acknowledged step, flushed before the next step starts, so that the parent
knows exactly what the participant was told had been saved:

    C <token>                   consent recorded (a token was issued)
    D <token> <rev>             grid draft <rev> saved
    R <token> <rev>             resumed: the server's draft had grid revision <rev>
    S <token> <response id>     submission acknowledged
    E <error code>              a store call failed (retried, as the browser does)
    X <message>                 an unexpected error (the test fails)

    python tests/faultkit.py --url URL [--schema S] [--threads 4] [--new 50]
                             [--resume FILE] [--drafts 6] [--seed 0] [--retry] [--go]
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import AlreadySubmitted, DatabaseUnavailable, Store, Submission  # noqa: E402
from storage import models as m  # noqa: E402

SLUG = "coproduction"


# ---------------------------------------------------------------------------
# one participant
# ---------------------------------------------------------------------------
def _order(ids: list[str], token: str) -> list[str]:
    seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "big")
    order = list(ids)
    random.Random(seed).shuffle(order)
    return order


def expected_columns(defn, token: str, upto: int | None = None) -> dict[str, list[str]]:
    """The grid this token's participant builds: ``upto`` cards placed (all by default)."""
    order = _order(defn.statement_ids(), token)
    if upto is not None:
        order = order[:upto]
    columns, i = {}, 0
    for score, height in zip(defn.grid.scores, defn.grid.heights):
        columns[str(score)] = order[i:i + height]
        i += height
    return {k: v for k, v in columns.items() if v}


def expected_placements(defn, token: str) -> dict[str, int]:
    return {sid: int(score) for score, ids in expected_columns(defn, token).items() for sid in ids}


def submission_of(defn, token: str) -> Submission:
    return Submission(placements=expected_placements(defn, token),
                      presort={sid: "neutral" for sid in defn.statement_ids()},
                      answers={"missing": f"simulated {token[:8]}"},
                      timings={"grid": 60.0}, user_agent="faultkit")


@dataclass
class Timer:
    """Server time of each kind of store call (seconds), for the benchmark."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, fn: Callable):
        t0 = time.perf_counter()
        out = fn()
        with self.lock:
            self.samples[kind].append(time.perf_counter() - t0)
        return out


class Participant:
    """One simulated participant on ``store``; ``say`` receives the ack lines."""

    def __init__(self, store: Store, defn, say: Callable[[str], None], *, drafts: int = 6,
                 think: float = 0.0, retry: bool = False, timer: Timer | None = None,
                 client: str | None = None, rng: random.Random | None = None):
        self.store, self.defn, self.say = store, defn, say
        self.drafts, self.think, self.retry = drafts, think, retry
        self.timer = timer or Timer()
        self.client = client
        self.rng = rng or random.Random()

    def _call(self, kind: str, fn: Callable):
        """``fn()`` timed; when ``retry``, a database that fails is tried again
        (as the participant's browser does: the draft waits in the browser)."""
        deadline = time.monotonic() + 120
        while True:
            try:
                return self.timer.timed(kind, fn)
            except DatabaseUnavailable as exc:
                self.say(f"E {exc.code}")
                if not self.retry or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + self.rng.random() * 0.2)

    def _pause(self) -> None:
        if self.think:
            time.sleep(self.think * (0.5 + self.rng.random()))

    def start(self) -> str:
        token = self._call("open_link", lambda: self.store.open_link(SLUG, client=self.client))
        self._call("consent", lambda: self.store.record_consent(token))
        self.say(f"C {token}")
        return token

    def run(self, token: str | None = None) -> int:
        """Take part from the start (``token`` None) or resume ``token``; the response id."""
        rev = 0
        if token is None:
            token = self.start()
            self._pause()
            self._call("draft", lambda: self.store.save_draft(
                token, {"presort": {"rev": 1, "piles": {}}}, step="presort"))
        else:
            try:
                session = self._call("resume", lambda: self.store.start_session(SLUG, token))
            except AlreadySubmitted:
                return self._submit(token)
            rev = int(((session.draft or {}).get("grid") or {}).get("rev") or 0)
            self.say(f"R {token} {rev}")
        n = len(self.defn.statement_ids())
        for k in range(rev + 1, self.drafts + 1):
            self._pause()
            grid = {"rev": k, "columns": expected_columns(self.defn, token, n * k // (self.drafts + 1))}
            self._call("draft", lambda g=grid: self.store.save_draft(token, {"grid": g}, step="grid"))
            self.say(f"D {token} {k}")
        self._pause()
        grid = {"rev": self.drafts + 1, "columns": expected_columns(self.defn, token)}
        self._call("draft", lambda: self.store.save_draft(
            token, {"grid": grid, "answers": {"missing": f"simulated {token[:8]}"}},
            step="demographics"))
        self._pause()
        return self._submit(token)

    def _submit(self, token: str) -> int:
        result = self._call("submit", lambda: self.store.submit(token, submission_of(self.defn, token)))
        self.say(f"S {token} {result.response_id}")
        return result.response_id


# ---------------------------------------------------------------------------
# the journal of what participants were told, and its check against the database
# ---------------------------------------------------------------------------
@dataclass
class Journal:
    consented: list[str] = field(default_factory=list)
    drafts: dict[str, int] = field(default_factory=dict)         # token -> last acked grid rev
    submitted: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    resumed: list[tuple[str, int, int]] = field(default_factory=list)  # token, acked, found
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unexpected: list[str] = field(default_factory=list)
    kills: int = 0

    def read(self, line: str) -> None:
        parts = line.split()
        if not parts:
            return
        kind = parts[0]
        if kind == "C":
            self.consented.append(parts[1])
        elif kind == "D":
            self.drafts[parts[1]] = max(self.drafts.get(parts[1], 0), int(parts[2]))
        elif kind == "R":
            self.resumed.append((parts[1], self.drafts.get(parts[1], 0), int(parts[2])))
        elif kind == "S":
            self.submitted[parts[1]].add(int(parts[2]))
        elif kind == "E":
            self.errors[parts[1]] += 1
        elif kind == "X":
            self.unexpected.append(line)
        elif kind != "READY":
            self.unexpected.append("unreadable line: " + line)

    def unfinished(self) -> list[str]:
        return [t for t in dict.fromkeys(self.consented) if t not in self.submitted]


def stored_responses(store: Store) -> dict[str, list[tuple[int, dict]]]:
    """token -> [(response id, placements)] of the study's real responses."""
    from sqlalchemy import select
    out: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    with store.engine.connect() as conn:
        rows = conn.execute(select(m.ParticipantToken.token, m.Response.id, m.Response.placements)
                            .join(m.Response, m.Response.token_id == m.ParticipantToken.id)
                            .join(m.Study, m.Study.id == m.Response.study_id)
                            .where(m.Study.slug == SLUG))
        for token, rid, placements in rows:
            out[token].append((rid, dict(placements)))
    return out


def check(store: Store, journal: Journal, *, all_finished: bool = True,
          others: frozenset[str] = frozenset()) -> dict[str, int]:
    """Compare the database with what participants were told. Returns the
    figures; raises AssertionError naming the first problem. ``others``: the
    tokens of participants who are not simulated here (left out)."""
    defn = store.get_study(SLUG).definition
    stored = {t: rows for t, rows in stored_responses(store).items() if t not in others}
    acked = {t: ids for t, ids in journal.submitted.items()}
    lost = [t for t, ids in acked.items() if t not in stored
            or {rid for rid, _ in stored[t]} != ids]
    duplicated = [t for t, rows in stored.items() if len(rows) > 1]
    wrong = [t for t, rows in stored.items()
             if any(p != expected_placements(defn, t) for _, p in rows)]
    strangers = [t for t in stored if t not in set(journal.consented)]
    never_resumed = [(t, a, f) for t, a, f in journal.resumed if f < a]
    unfinished = journal.unfinished() if all_finished else []
    figures = {"participants": len(set(journal.consented)), "submitted": len(acked),
               "stored": sum(len(v) for v in stored.values()), "lost": len(lost),
               "duplicated": len(duplicated), "wrong": len(wrong), "kills": journal.kills,
               "resumed": len(journal.resumed), "drafts_behind": len(never_resumed),
               "errors": sum(journal.errors.values()), "unfinished": len(unfinished)}
    problems = []
    if lost:
        problems.append(f"{len(lost)} acknowledged submissions are not stored as acknowledged "
                        f"(e.g. {lost[0][:8]})")
    if duplicated:
        problems.append(f"{len(duplicated)} tokens have more than one response")
    if wrong:
        problems.append(f"{len(wrong)} responses hold other placements than were sent")
    if strangers:
        problems.append(f"{len(strangers)} responses belong to tokens no participant consented with")
    if never_resumed:
        problems.append(f"{len(never_resumed)} resumed drafts are older than acknowledged: "
                        f"{never_resumed[:3]}")
    if unfinished:
        problems.append(f"{len(unfinished)} participants never finished")
    if journal.unexpected:
        problems.append(f"unexpected errors: {journal.unexpected[:3]}")
    assert not problems, "; ".join(problems) + f" ({figures})"
    return figures


# ---------------------------------------------------------------------------
# the worker process
# ---------------------------------------------------------------------------
def worker(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--schema", default=None)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--new", type=int, default=10 ** 9, help="new participants to start")
    p.add_argument("--resume", default=None, help="file of tokens to finish first")
    p.add_argument("--drafts", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--retry", action="store_true")
    p.add_argument("--go", action="store_true",
                   help="wait, once imported, for a line on stdin naming the --resume file "
                        "(so the next worker is ready the moment the last one is killed)")
    args = p.parse_args(argv)
    if args.go:
        args.resume = sys.stdin.readline().strip() or None
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    try:
        store = Store.from_url(args.url, schema=args.schema)
        from studies.seed import ensure_coproduction
        ensure_coproduction(store)
        defn = store.get_study(SLUG).definition
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        say(f"X start {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        return 1
    queue = [t.strip() for t in Path(args.resume).read_text().split()] if args.resume else []
    budget = [args.new]

    def next_job() -> tuple[bool, str | None]:
        with lock:
            if queue:
                return True, queue.pop()
            if budget[0] > 0:
                budget[0] -= 1
                return True, None
            return False, None

    failed = []

    def loop(i: int) -> None:
        rng = random.Random(args.seed * 1000 + i)
        while True:
            more, token = next_job()
            if not more:
                return
            try:
                Participant(store, defn, say, drafts=args.drafts, retry=args.retry, rng=rng,
                            client=f"10.1.{i}.{rng.randrange(256)}").run(token)
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                say(f"X {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
                failed.append(exc)
                return

    say("READY")
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(worker())
