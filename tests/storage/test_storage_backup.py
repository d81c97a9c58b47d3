"""Backup and restore of a whole database (``python -m storage backup|restore``):
a round trip on SQLite and on PostgreSQL, across the two backends, refusal of a
database that holds data, and nothing written from a damaged file."""
from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import UTC

import pytest
from pgtools import PG_URL, fresh_schema
from sqlalchemy import select

from storage import Store, Submission
from storage import models as m
from storage.__main__ import main as storage_cli
from storage.backup import BackupError, backup, restore


def fill(store, tiny, sort_of) -> dict:
    """A database with something in every kind of table."""
    owner = store.create_researcher("owner@example.org", "correct horse battery")
    store.publish_study(tiny)
    store.assign_unowned_studies()
    store.publish_study(dataclasses.replace(tiny, title="A tiny study, v2"))
    tokens = store.create_invitation_batch("tiny", 3, label="wave 1", by=owner).tokens
    done = []
    for i, token in enumerate(tokens[:2]):
        store.record_consent(token)
        store.save_draft(token, {"grid": {"rev": 1}}, step="grid")
        done.append(store.submit(token, Submission(placements=sort_of(i),
                                                   answers={"why": f"because ü {i}"},
                                                   timings={"grid": 12.5}, user_agent="UA")))
    store.record_consent(tokens[2])
    store.save_draft(tokens[2], {"grid": {"rev": 4, "columns": {"-2": ["t1"]}}}, step="grid")
    store.exclude_response("tiny", done[0].response_id, "too fast", by=owner)
    store.record_analysis_run("tiny", {"factors": 2}, "{\"ok\": true}")
    store.sign_in("owner@example.org", "correct horse battery", "192.0.2.1")
    store.open_link("tiny", client="192.0.2.1")
    return {"tokens": tokens, "responses": [r.response_id for r in done]}


def dump(store) -> dict[str, list[dict]]:
    """Every row of every table, times in UTC, comparable across backends."""
    out = {}
    with store.engine.connect() as conn:
        for table in m.Base.metadata.sorted_tables:
            rows = []
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                d = dict(row._mapping)
                for k, v in d.items():
                    if hasattr(v, "tzinfo"):
                        d[k] = (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC)
                rows.append(d)
            out[table.name] = rows
    return out


@pytest.mark.parametrize("name", ["backup.jsonl", "backup.jsonl.gz"])
def test_round_trip(backend, store, tiny, sort_of, tmp_path, name):
    fill(store, tiny, sort_of)
    before = dump(store)
    summary = backup(store, tmp_path / name)
    assert summary.rows["responses"] == 2 and summary.rows["participant_tokens"] == 4
    assert not (tmp_path / (name + ".part")).exists()
    if name.endswith(".gz"):
        assert gzip.open(tmp_path / name).read(1)        # really compressed
    target = backend.open()                               # a new, empty database
    restored = restore(target, tmp_path / name)
    assert restored.rows == summary.rows
    assert dump(target) == before
    # the restored database carries on: new ids follow the restored ones
    token = target.create_invitations("tiny", 1)[0]
    target.record_consent(token)
    result = target.submit(token, Submission(placements=sort_of(5), answers={"why": "new"}))
    assert result.created and result.response_id > max(r["id"] for r in before["responses"])
    assert target.sign_in("owner@example.org", "correct horse battery")


def test_restore_across_backends(backend, store, tiny, sort_of, tmp_path):
    """SQLite -> PostgreSQL and PostgreSQL -> SQLite give the same rows."""
    fill(store, tiny, sort_of)
    before = dump(store)
    backup(store, tmp_path / "b.jsonl.gz")
    if backend.name == "sqlite":
        with fresh_schema() as schema:
            other = Store.from_url(PG_URL, schema=schema)
            try:
                restore(other, tmp_path / "b.jsonl.gz")
                assert dump(other) == before
            finally:
                other.close()
    else:
        other = Store.from_url(f"sqlite:///{tmp_path / 'other.sqlite3'}")
        try:
            restore(other, tmp_path / "b.jsonl.gz")
            assert dump(other) == before
        finally:
            other.close()


def test_restore_refuses_a_database_with_data_unless_told(backend, store, tiny, sort_of,
                                                          tmp_path, make_tiny):
    fill(store, tiny, sort_of)
    before = dump(store)
    backup(store, tmp_path / "b.jsonl")
    target = backend.open()
    target.publish_study(make_tiny("elsewhere"))
    kept = dump(target)
    with pytest.raises(BackupError, match="not empty .*--replace"):
        restore(target, tmp_path / "b.jsonl")
    assert dump(target) == kept                          # untouched
    restore(target, tmp_path / "b.jsonl", replace=True)
    assert dump(target) == before                        # replaced whole


def test_damaged_backups_restore_nothing(backend, store, tiny, sort_of, tmp_path):
    fill(store, tiny, sort_of)
    path = tmp_path / "b.jsonl"
    backup(store, path)
    lines = path.read_text().splitlines(keepends=True)
    target = backend.open()
    empty = dump(target)
    cases = {
        "cut.jsonl": "".join(lines[:-3]),                 # a copy stopped early
        "notjson.jsonl": "".join(lines[:5]) + "{oops\n" + "".join(lines[5:]),
        "other.jsonl": json.dumps({"format": "something-else"}) + "\n",
        "lost-row.jsonl": "".join(x for x in lines if '"too fast"' not in x),
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(BackupError, match="nothing was restored"):
            restore(target, tmp_path / name)
        assert dump(target) == empty, name


def test_command_line(backend, store, tiny, sort_of, tmp_path, capsys):
    fill(store, tiny, sort_of)
    url, schema = backend.url(backend.last_key)
    args = ["--database-url", url] + (["--schema", schema] if schema else [])
    assert storage_cli(args + ["backup", str(tmp_path / "all.jsonl.gz")]) == 0
    assert "all.jsonl.gz (" in capsys.readouterr().out
    other_url, other_schema = backend.url()
    other = ["--database-url", other_url] + (["--schema", other_schema] if other_schema else [])
    assert storage_cli(other + ["restore", str(tmp_path / "all.jsonl.gz")]) == 0
    assert "restored" in capsys.readouterr().out
    # a second restore into the same database is refused in one line, exit code 2
    assert storage_cli(other + ["restore", str(tmp_path / "all.jsonl.gz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the database is not empty") and err.count("\n") == 1
    assert storage_cli(other + ["restore", "--replace", str(tmp_path / "all.jsonl.gz")]) == 0
    assert storage_cli(other + ["restore", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
