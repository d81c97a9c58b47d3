"""Faults while participants sort: the process that writes is SIGKILLed again
and again, PostgreSQL's connections are terminated, PostgreSQL itself is
restarted, the disk is full. Every submission a participant was told was
received is stored exactly once, with what they sent; drafts resume where
the server had them; nothing is half-written.

The participants are simulated by ``tests/faultkit.py`` (the store calls the
app's pages make), run in a worker process that prints what it acknowledged.

Profiles: the short one (default, for CI) kills a few times; the long one
(``QP_FAULT_PROFILE=long``; ``bench/bench_faults.py`` runs it and prints the
figures) kills for minutes.
"""
from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from faultkit import Journal, Participant, check
from pgtools import PG_URL, PrivatePostgres, require_postgres, terminate_connections
from smalldisk import fill, small_disk_fixture  # noqa: F401 - the fixture "small_disk"
from sqlalchemy import event, func, select, text

from storage import StorageFull, Store
from storage import models as m
from studies.seed import ensure_coproduction

ROOT = Path(__file__).resolve().parents[2]
FAULTKIT = ROOT / "tests" / "faultkit.py"
LONG = os.environ.get("QP_FAULT_PROFILE", "short") == "long"
#: (kills, seconds of work before each kill) in each profile
KILLS = 40 if LONG else 3
DURATION = 120.0 if LONG else 6.0          # seconds of connection or server faults


def worker_env() -> dict:
    # the caps on open-link starts are tested elsewhere; here they would only
    # refuse the simulated crowd
    return dict(os.environ, PYTHONPATH=str(ROOT), QP_OPEN_LINK_PER_STUDY="0",
                QP_OPEN_LINK_PER_CLIENT="0")


class Worker:
    """A faultkit worker process whose acknowledgements go to ``journal``."""

    def __init__(self, journal: Journal, url: str, schema: str | None, *args: str):
        cmd = [sys.executable, str(FAULTKIT), "--url", url, *args]
        if schema:
            cmd += ["--schema", schema]
        self.journal = journal
        self.ready = threading.Event()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=worker_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def go(self, resume: Path) -> None:
        """Start a worker made with ``--go``: finish the tokens in ``resume`` first."""
        self.proc.stdin.write(f"{resume}\n")
        self.proc.stdin.flush()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.strip()
            if line == "READY":
                self.ready.set()
            self.journal.read(line)

    def kill_after(self, seconds: float) -> None:
        if not self.ready.wait(120):
            self.proc.kill()
            raise AssertionError("the worker never started: " + self.proc.stderr.read()[-2000:])
        time.sleep(seconds)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.reader.join()
        self.journal.kills += 1

    def finish(self, timeout: float = 300) -> None:
        try:
            self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self.reader.join()
        err = self.proc.stderr.read()
        assert self.proc.returncode == 0, f"worker failed: {self.journal.unexpected[:3]} {err[-2000:]}"


def finish_all(journal: Journal, url: str, schema: str | None, tmp_path: Path, *args: str) -> None:
    """A last worker, never killed, finishes everyone who started."""
    todo = tmp_path / f"resume-{secrets.token_hex(3)}.txt"
    todo.write_text("\n".join(journal.unfinished()))
    Worker(journal, url, schema, "--new", "0", "--resume", str(todo), *args).finish()


def open_verifier(url: str, schema: str | None) -> Store:
    store = Store.from_url(url, schema=schema)
    ensure_coproduction(store)
    return store


# ---------------------------------------------------------------------------
def test_sigkill_during_drafts_and_submissions(backend, tmp_path):
    """The writing process is SIGKILLed at random moments and started again,
    finishing first whoever it left half-way (from the server's draft)."""
    url, schema = backend.url()
    journal = Journal()
    rng = random.Random(14)
    args = ("--threads", "4", "--go")
    worker = Worker(journal, url, schema, *args)
    for k in range(KILLS):
        todo = tmp_path / f"todo-{k}.txt"
        todo.write_text("\n".join(journal.unfinished()))
        worker.go(todo)
        following = Worker(journal, url, schema, *args)     # imports while this one works
        worker.kill_after(0.3 + rng.random() * 0.9)
        worker = following
    worker.proc.kill()
    worker.proc.wait()
    assert len(journal.submitted) > 0 and journal.unfinished(), \
        "the kills never caught anyone half-way: the test proves nothing"
    finish_all(journal, url, schema, tmp_path)
    store = open_verifier(url, schema)
    try:
        figures = check(store, journal)
        assert figures["resumed"] > 0 and figures["drafts_behind"] == 0
        if store.backend == "sqlite":
            with store.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        store.close()
    print(f"\nSIGKILL ({backend.name}): {figures}")


@pytest.mark.postgres
def test_postgres_connections_terminated(tmp_path):
    """``pg_terminate_backend`` on the worker's connections again and again:
    each failed call is a clean DatabaseUnavailable, tried again, and nothing
    acknowledged is lost or doubled."""
    require_postgres()
    name = "qp_fault_" + secrets.token_hex(4)
    url = f"{PG_URL}?application_name={name}"
    schema = "qp_test_" + secrets.token_hex(6)
    journal = Journal()
    worker = Worker(journal, url, schema, "--threads", "4", "--retry", "--new", "1000000")
    terminated = 0
    try:
        assert worker.ready.wait(120), "the worker never started"
        deadline = time.monotonic() + DURATION
        while time.monotonic() < deadline and worker.proc.poll() is None:
            time.sleep(0.15)
            terminated += terminate_connections(PG_URL, name)
    finally:
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait()
        worker.reader.join()
    assert terminated > 0 and journal.errors.get("database_unavailable", 0) > 0, \
        "no connection was cut while the worker ran: the test proves nothing"
    assert not journal.unexpected, journal.unexpected[:3]
    finish_all(journal, url, schema, tmp_path, "--retry")
    store = open_verifier(PG_URL, schema)
    try:
        figures = check(store, journal)
    finally:
        store.close()
        from storage.db import drop_schema, make_engine
        engine = make_engine(PG_URL)
        drop_schema(engine, schema)
        engine.dispose()
    print(f"\npg_terminate_backend ({terminated} connections cut): {figures}")


@pytest.mark.postgres
def test_postgres_restarted(tmp_path):
    """A private PostgreSQL instance is crash-restarted (``pg_ctl restart -m
    immediate``) under the worker: it waits through each restart and loses
    nothing acknowledged."""
    pg = PrivatePostgres().start()
    journal = Journal()
    restarts = 0
    try:
        worker = Worker(journal, pg.url, None, "--threads", "4", "--retry", "--new", "1000000")
        try:
            assert worker.ready.wait(120), "the worker never started"
            deadline = time.monotonic() + DURATION
            while time.monotonic() < deadline and worker.proc.poll() is None:
                time.sleep(1.0)
                pg.pg_ctl("restart", "immediate")
                restarts += 1
        finally:
            worker.proc.send_signal(signal.SIGKILL)
            worker.proc.wait()
            worker.reader.join()
        assert journal.errors.get("database_unavailable", 0) > 0, \
            "no call failed during the restarts: the test proves nothing"
        assert not journal.unexpected, journal.unexpected[:3]
        finish_all(journal, pg.url, None, tmp_path, "--retry")
        store = open_verifier(pg.url, None)
        try:
            figures = check(store, journal)
        finally:
            store.close()
    finally:
        pg.stop()
    print(f"\nPostgreSQL restarted {restarts} times: {figures}")


# ---------------------------------------------------------------------------
# a full disk (SQLite)
# ---------------------------------------------------------------------------
def rows(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar())
                for t in m.Base.metadata.sorted_tables}


def test_full_disk_refuses_cleanly_and_keeps_everything(small_disk):
    """On a full disk every write fails with StorageFull (one clear line),
    rolls back whole, and leaves what was stored intact; once space is
    freed the same participants carry on and submit exactly once."""
    store = Store.from_url(f"sqlite:///{small_disk / 'db.sqlite3'}")
    messages = []
    event.listen(store.engine, "handle_error", lambda ctx: messages.append(str(ctx.original_exception)))
    try:
        ensure_coproduction(store)
        defn = store.get_study("coproduction").definition
        said = []
        people = [Participant(store, defn, said.append) for _ in range(6)]
        done = [p.run() for p in people[:3]]                # three finish before the disk fills
        waiting = [p.start() for p in people[3:]]           # three are half-way
        for token in waiting:
            store.save_draft(token, {"grid": {"rev": 3}}, step="grid")
        before = rows(store)
        filler = fill(small_disk)
        from faultkit import submission_of
        for token in waiting:
            with pytest.raises(StorageFull) as caught:
                store.save_draft(token, {"grid": {"rev": 4}}, step="grid")
            assert "full" in str(caught.value) and "\n" not in str(caught.value)
            with pytest.raises(StorageFull):
                store.submit(token, submission_of(defn, token))
        with pytest.raises(StorageFull):
            store.open_link("coproduction", client="192.0.2.1")
        # reads still work, and nothing of the refused writes is there
        assert store.get_session(waiting[0]).draft == {"grid": {"rev": 3}}
        assert store.get_session(waiting[0]).status == "in_progress"
        assert rows(store) == before
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        # space again: the same participants finish, each stored once
        filler.unlink()
        for token in waiting:
            result = store.submit(token, submission_of(defn, token))
            assert result.created
            assert store.submit(token, submission_of(defn, token)).created is False
        assert rows(store)["responses"] == before["responses"] + 3
        assert len(set(done)) == 3
    finally:
        store.close()
    assert any("full" in x for x in messages)


def test_durable_commits_use_synchronous_full(tmp_path):
    """A submission (and consent, and a new link) commits with SQLite's
    ``synchronous = FULL``; drafts keep the cheaper NORMAL."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    seen = []

    @event.listens_for(store.engine, "commit")
    def _level(conn):
        seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar())

    try:
        ensure_coproduction(store)
        defn = store.get_study("coproduction").definition
        from faultkit import submission_of
        seen.clear()
        token = store.open_link("coproduction")
        store.record_consent(token)
        assert seen == [2, 2]                             # 2 = FULL
        seen.clear()
        store.save_draft(token, {"grid": {"rev": 1}}, step="grid")
        assert seen == [1]                                # 1 = NORMAL
        seen.clear()
        store.submit(token, submission_of(defn, token))
        assert seen[-1] == 2
        seen.clear()
        store.save_draft(store.record_consent(store.open_link("coproduction")).token,
                         {"grid": {"rev": 1}}, step="grid")
        assert seen == [2, 2, 1]                          # set back for the next draft
    finally:
        store.close()
