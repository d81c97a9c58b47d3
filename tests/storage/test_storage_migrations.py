"""Schema migrations: from an empty database, repeatable, concurrent, matching the models."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import Store
from storage.db import database_url, make_engine, normalise_url
from storage.errors import DatabaseUnavailable, StorageError
from storage.migrations import current_revision, downgrade, head_revision, upgrade
from storage.models import Base

TABLES = {"researchers", "studies", "study_versions", "participant_tokens",
          "participant_sessions", "responses", "analysis_runs", "alembic_version",
          "researcher_sessions", "signin_throttle", "study_access", "study_drafts",
          "invitation_batches", "study_events", "publications", "open_link_starts"}


def test_migrates_an_empty_database(backend):
    store = backend.open(migrate=False)
    assert current_revision(store.engine) is None
    assert set(inspect(store.engine).get_table_names()) == set()
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    assert set(inspect(store.engine).get_table_names()) == TABLES
    upgrade(store.engine)                  # a second start changes nothing
    assert current_revision(store.engine) == head_revision()


def test_migrations_match_the_models(backend):
    store = backend.open()
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                 Base.metadata)
    assert diffs == []


def test_downgrade_to_base_and_up_again(backend):
    store = backend.open()
    downgrade(store.engine, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    upgrade(store.engine)
    assert set(inspect(store.engine).get_table_names()) == TABLES


def test_upgrading_a_database_with_data_keeps_it(backend, tiny, sort_of):
    """0001 -> 0002 adds tables and columns in place: nothing stored is lost
    (a rebuilt table would cascade-delete its children on SQLite)."""
    from storage import Submission

    store = backend.open(migrate=False)
    upgrade(store.engine, "0001")
    old = Store(store.engine, migrate=False)
    with old.engine.begin() as conn:          # what 0001 had, written without the new columns
        conn.exec_driver_sql("INSERT INTO studies (id, slug, is_demo, status, created_at) "
                             "VALUES (1, 'tiny', false, 'open', CURRENT_TIMESTAMP)")
        conn.exec_driver_sql("INSERT INTO researchers (id, email, password_hash, created_at) "
                             "VALUES (1, 'a@example.org', 'x', CURRENT_TIMESTAMP)")
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT slug FROM studies").scalar() == "tiny"
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    store.record_consent(token)
    store.submit(token, Submission(placements=sort_of(0), answers={"why": "."}))
    downgrade(store.engine, "0001")
    upgrade(store.engine)
    store.clear_cache()
    assert store.count_responses("tiny") == 1 and store.sorts_frame("tiny").shape == (9, 1)


def test_replicas_starting_at_once_migrate_once(backend, tiny):
    """Eight 'replicas' open the same empty database at the same moment."""
    url, schema = backend.url()
    barrier = threading.Barrier(8)
    stores, errors = [], []

    def start():
        try:
            barrier.wait()
            stores.append(Store.from_url(url, schema=schema))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert current_revision(stores[0].engine) == head_revision()
        infos = [s.publish_study(tiny) for s in stores]
        assert {i.version for i in infos} == {1}
    finally:
        for s in stores:
            s.close()


def test_database_url_default_and_normalisation(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url()
    assert url.startswith("sqlite:///") and url.endswith("data/qplatform.sqlite3")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/q")
    assert database_url() == "postgresql+psycopg://u:p@db.example:5432/q"
    assert normalise_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_engine_settings_for_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        engine.dispose()
    assert (tmp_path / "sub" / "x.sqlite3").exists()


def test_bad_urls_and_schemas_are_clear(tmp_path):
    with pytest.raises(StorageError, match="unsupported database"):
        make_engine("mysql://localhost/x")
    with pytest.raises(StorageError, match="schema"):
        make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}", schema="s")
    with pytest.raises(StorageError, match="schema name"):
        make_engine("postgresql://postgres@127.0.0.1/test", schema="Bad; drop")
    with pytest.raises(DatabaseUnavailable, match="cannot open the database at"):
        Store.from_url("postgresql://postgres@127.0.0.1:1/nowhere")
