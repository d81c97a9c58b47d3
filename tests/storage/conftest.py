"""Fixtures of the storage tests: every store test runs on SQLite AND PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth, user ``postgres``,
database ``test``), or ``QP_TEST_POSTGRES_URL``. Each test module works in a
fresh schema of its own, created here and dropped at the end. When the server
cannot be reached the PostgreSQL tests FAIL (never skip) with a message that
says how to start it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import text

from qmethod.grid import Grid
from storage import Store
from storage.db import drop_schema, make_engine
from storage.models import Base
from studies.definition import Pile, Question, Statement, StudyDefinition

PG_URL = os.environ.get("QP_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[2]
COPRODUCTION = REPO / "statements" / "coproduction.yaml"

HOW_TO_START = (
    "The storage tests need the PostgreSQL server at {url} and could not reach it ({error}). "
    "Start it (Debian: `pg_ctlcluster 15 main start` or `service postgresql start`), allow "
    "trust auth for user postgres on 127.0.0.1 and create the database: "
    "`createdb -h 127.0.0.1 -U postgres test`; or point QP_TEST_POSTGRES_URL at another server. "
    "These tests fail rather than skip so that CI cannot pass without PostgreSQL."
)

_pg_error: list[str] = []


def postgres_or_fail() -> None:
    """Fail the calling test with how-to-start instructions if PostgreSQL is down."""
    if not _pg_error:
        try:
            engine = make_engine(PG_URL)
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                _pg_error.append("")
            finally:
                engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
            first = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            _pg_error.append(first or type(exc).__name__)
    if _pg_error[0]:
        pytest.fail(HOW_TO_START.format(url=PG_URL, error=_pg_error[0]), pytrace=False)


def new_schema_name() -> str:
    return "qp_test_" + secrets.token_hex(6)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class Backend:
    """Makes stores for one backend; ``fresh()`` gives an empty database each time."""

    def __init__(self, name: str, tmp_dir: Path):
        self.name = name
        self.tmp_dir = tmp_dir
        self.schemas: list[str] = []
        self.stores: list[Store] = []
        self.shared: Store | None = None
        self.replicas: dict[tuple, Store] = {}
        self.last_key: str | None = None

    def url(self, key: str | None = None) -> tuple[str, str | None]:
        """(url, schema) of a new empty database, or of database ``key``."""
        key = key or secrets.token_hex(6)
        if self.name == "sqlite":
            return f"sqlite:///{self.tmp_dir / f'{key}.sqlite3'}", None
        schema = f"qp_test_{key}"
        if schema not in self.schemas:
            self.schemas.append(schema)
        return PG_URL, schema

    def open(self, key: str | None = None, *, migrate: bool = True) -> Store:
        url, schema = self.url(key)
        store = Store.from_url(url, schema=schema, migrate=migrate)
        self.stores.append(store)
        return store

    def fresh(self) -> Store:
        """An empty, migrated store. On PostgreSQL the module's schema is reused
        (migrated once) and emptied, which is much faster than a new schema."""
        if self.name == "sqlite":
            self.last_key = secrets.token_hex(6)
            return self.open(self.last_key)
        if self.shared is None:
            self.last_key = secrets.token_hex(6)
            self.shared = self.open(self.last_key)
        with self.shared.engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        self.shared.clear_cache()
        return self.shared

    def replica(self) -> Store:
        """Another Store (own engine and pool, as another app replica would have) on
        the database of the last :meth:`fresh` store."""
        key = self.url(self.last_key)
        if key not in self.replicas:
            self.replicas[key] = self.open(self.last_key, migrate=True)
        replica = self.replicas[key]
        replica.clear_cache()
        return replica

    def close(self) -> None:
        for store in self.stores:
            store.close()
        if self.name == "postgres" and self.schemas:
            engine = make_engine(PG_URL)
            try:
                for schema in self.schemas:
                    drop_schema(engine, schema)
            finally:
                engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, tmp_path_factory):
    if request.param == "postgres":
        postgres_or_fail()
    b = Backend(request.param, tmp_path_factory.mktemp(f"storage-{request.param}"))
    yield b
    b.close()


@pytest.fixture
def store(backend) -> Store:
    return backend.fresh()


# ---------------------------------------------------------------------------
# study definitions
# ---------------------------------------------------------------------------
TINY_IDS = [f"t{i}" for i in range(1, 10)]


def tiny_definition(slug: str = "tiny", **changes) -> StudyDefinition:
    """9 statements on a -2..+2 grid (1, 2, 3, 2, 1), piles and a few questions."""
    texts = {sid: f"Tiny statement number {k}." for k, sid in enumerate(TINY_IDS, start=1)}
    texts.update(changes.pop("texts", {}))
    d = dict(
        slug=slug, title="A tiny study",
        statements=tuple(Statement(sid, texts[sid], {"perspective": "abc"[k % 3]})
                         for k, sid in enumerate(TINY_IDS)),
        grid=Grid((-2, -1, 0, 1, 2), (1, 2, 3, 2, 1),
                  ("Most disagree", "Disagree", "Neutral", "Agree", "Most agree")),
        instruction="Sort the statements.", welcome="Welcome.", consent="Do you agree?",
        thank_you="Thank you.",
        presort_piles=(Pile("disagree", "Disagree"), Pile("neutral", "Neutral"),
                       Pile("agree", "Agree")),
        postsort_questions=(Question("why", "Why?", "textarea", required=True,
                                     about="agree_extreme"),),
        demographic_questions=(Question("role", "Your role?", "choice",
                                        options=("researcher", "other")),
                               Question("years", "Years?", "number")),
    )
    d.update(changes)
    return StudyDefinition(**d)


def valid_placements(shift: int = 0) -> dict[str, int]:
    """A valid sort of the tiny study; ``shift`` rotates which statement goes where."""
    values = [-2, -1, -1, 0, 0, 0, 1, 1, 2]
    k = shift % len(values)
    values = values[k:] + values[:k]
    return dict(zip(TINY_IDS, values))


@pytest.fixture
def tiny() -> StudyDefinition:
    return tiny_definition()


@pytest.fixture
def make_tiny():
    """``make_tiny(slug="tiny", texts={...}, **fields)`` builds a tiny study."""
    return tiny_definition


@pytest.fixture
def sort_of():
    """``sort_of(shift)``: a valid Q-sort of the tiny study."""
    return valid_placements


@pytest.fixture(scope="session")
def coproduction() -> StudyDefinition:
    from studies.loader import load_study
    return load_study(COPRODUCTION)

