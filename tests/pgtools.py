"""PostgreSQL for the tests that run whole processes (app replicas, fault
workers): a fresh schema on the shared server, its URL for ``DATABASE_URL``,
and a private PostgreSQL instance that a test may restart at will.

The shared server (127.0.0.1:5432, or ``QP_TEST_POSTGRES_URL``) is used by
every test and every developer at once: it is never restarted, and a test
only ever terminates connections it opened itself (by their
``application_name``). A test that must restart PostgreSQL starts its own
instance (:class:`PrivatePostgres`: ``initdb`` into a temporary folder,
``pg_ctl`` on a free loopback port) and fails with a clear message if it
cannot.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from storage.db import drop_schema, make_engine

PG_URL = os.environ.get("QP_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_BIN = Path(os.environ.get("QP_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_postgres(url: str = PG_URL) -> None:
    """Fail (never skip) with how to start it when the shared server is down."""
    try:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        first = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        pytest.fail(f"these tests need the PostgreSQL server at {url} ({first}); start it "
                    "(Debian: `pg_ctlcluster 15 main start`) with trust auth for user postgres "
                    "and a database `test`, or set QP_TEST_POSTGRES_URL", pytrace=False)


def schema_url(schema: str, url: str = PG_URL, application_name: str | None = None) -> str:
    """A ``DATABASE_URL`` whose connections put ``schema`` first on their search
    path (libpq's ``options``), so a whole app process works in that schema."""
    sep = "&" if "?" in url else "?"
    out = f"{url}{sep}options={quote(f'-csearch_path={schema},public')}"
    if application_name:
        out += f"&application_name={quote(application_name)}"
    return out


@contextmanager
def fresh_schema(url: str = PG_URL) -> Iterator[str]:
    """A new empty schema on the server at ``url`` (dropped at the end)."""
    require_postgres(url)
    schema = "qp_test_" + secrets.token_hex(6)
    engine = make_engine(url, schema=schema)       # creates it
    try:
        yield schema
    finally:
        try:
            drop_schema(engine, schema)
        finally:
            engine.dispose()


def terminate_connections(url: str, application_name: str) -> int:
    """``pg_terminate_backend`` every connection named ``application_name``
    (only the test's own); how many were terminated."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return int(conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :n AND pid <> pg_backend_pid()"),
                {"n": application_name}).scalar() or 0)
    finally:
        engine.dispose()


class PrivatePostgres:
    """A PostgreSQL instance of the test's own, in a new temporary folder
    (removed by :meth:`stop`), on a free port.

    As root, PostgreSQL refuses to run, so the server runs as the ``postgres``
    user (``runuser``) in a folder it owns. The folder is not under pytest's
    own temporary folder: pytest makes that folder private to its user again
    whenever any pytest session starts on the machine, which would lock the
    server out of its own files.
    """

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="qp-test-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "postgres.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(self._as + list(args), capture_output=True, text=True,
                              timeout=timeout, cwd=self.folder)

    def _fail(self, what: str, done: subprocess.CompletedProcess | None = None) -> None:
        detail = ""
        if done is not None:
            detail = " ".join((done.stderr or done.stdout or "").split())[-400:]
        if self.log.exists():
            detail += " | log: " + " ".join(self.log.read_text(errors="replace").split())[-400:]
        pytest.fail(f"could not {what} a private PostgreSQL instance with {PG_BIN} "
                    f"(initdb/pg_ctl; set QP_TEST_PG_BIN to another PostgreSQL's bin folder): "
                    f"{detail}", pytrace=False)

    def start(self) -> PrivatePostgres:
        if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
            self._fail("find")
        if self._as and shutil.which("runuser") is None:
            self._fail("start (running as root needs `runuser`)")
        if self._as:
            shutil.chown(self.folder, "postgres")   # its data and log go here
        done = self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                         "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")
        if done.returncode != 0:
            self._fail("initialise", done)
        conf = (f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = ''\nfsync = on\nmax_connections = 100\n")
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(conf)
        self.pg_ctl("start")
        return self

    def pg_ctl(self, action: str, mode: str = "fast") -> None:
        args = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                "-t", "60", action]
        if action in ("stop", "restart"):
            args += ["-m", mode]
        done = self._run(*args, timeout=90)
        if done.returncode != 0 and action != "stop":
            self._fail(action, done)
        if action in ("start", "restart"):
            self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self._fail("reach")
                time.sleep(0.1)

    def stop(self) -> None:
        try:
            if self.data.exists():
                self.pg_ctl("stop", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
