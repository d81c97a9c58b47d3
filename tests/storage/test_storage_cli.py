"""The command line: python -m storage init | list | demo | export | import | export-sorts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from storage.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def test_cli_round_trip_in_process(backend, tmp_path, capsys):
    db_url, schema = backend.url()

    def run(*args):
        return main(["--database-url", db_url, *(["--schema", schema] if schema else []),
                     *map(str, args)])

    assert run("init") == 0
    assert "database ready" in capsys.readouterr().out
    assert run("demo", "--participants", 12, "--seed", 1) == 0
    assert "12 simulated responses (added)" in capsys.readouterr().out
    assert run("demo", "--participants", 12) == 0
    assert "nothing added" in capsys.readouterr().out
    assert run("list") == 0
    assert "coproduction-demo  v1  open  demo  12 responses  [DEMO]" in capsys.readouterr().out

    assert run("export", "coproduction-demo", tmp_path / "demo.json") == 0
    assert json.loads((tmp_path / "demo.json").read_text())["format"] == "qplatform-study"
    assert run("import", tmp_path / "demo.json", "--slug", "copy-demo") == 0
    assert "imported study 'copy-demo': 1 version(s), 12 responses" in capsys.readouterr().out
    assert run("export-sorts", "copy-demo", tmp_path / "sorts.csv") == 0
    table, texts = tmp_path / "sorts.csv", tmp_path / "sorts.statements.csv"
    assert capsys.readouterr().out.strip() == f"wrote {table} (Q-sorts), {texts} (statement texts)"
    assert table.exists() and texts.exists() and not (tmp_path / "statements.csv").exists()
    assert run("export-sorts", "copy-demo", tmp_path / "sorts.csv") == 0    # replaced, and said so
    assert capsys.readouterr().out.strip() == (f"wrote {table} (Q-sorts; replaced), "
                                               f"{texts} (statement texts; replaced)")
    assert run("export", "coproduction-demo", tmp_path / "demo.json") == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'demo.json'} (replaced)"
    assert run("export-sorts", "copy-demo", tmp_path / "copy.dat") == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "cut to 60" in err        # PQMethod's 60 characters
    assert run("export-sorts", "copy-demo", tmp_path / "copy.json") == 0
    capsys.readouterr()
    assert run("close", "copy-demo", "--purge") == 0
    assert "closed to new participants; deleted 0 unfinished draft(s)" in capsys.readouterr().out

    for args, message in [
        (("import", tmp_path / "demo.json"), "already exists"),
        (("export", "nope", tmp_path / "x.json"), "There is no study called 'nope'"),
        (("export-sorts", "copy-demo", tmp_path / "x.xlsx"), "cannot tell the format"),
        (("export-sorts", "copy-demo", tmp_path / "no" / "dir" / "x.csv"), "No such file"),
        (("demo", "--study", tmp_path / "none.yaml"), "cannot read the file"),
    ]:
        capsys.readouterr()
        assert run(*args) == 2
        out = capsys.readouterr()
        assert out.out == ""
        lines = out.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_cli_subprocess_exit_code_2_and_one_line_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "qplatform-study", "format_version": 1, "study": {"slug": "x"},'
                   ' "versions": [{"version": 1, "definition": {"slug": "x"}, "responses": []}]}',
                   encoding="utf-8")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    proc = subprocess.run([sys.executable, "-m", "storage", "import", str(bad)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: bad.json, version 1: the study definition is not valid")

    proc = subprocess.run([sys.executable, "-m", "storage", "init"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("database ready: sqlite:///")
    assert (tmp_path / "cli.sqlite3").exists()


def test_cli_add_researcher_asks_the_password_twice(backend, monkeypatch, capsys):
    from storage.__main__ import main

    db_url, schema = backend.url()
    base = ["--database-url", db_url, *(["--schema", schema] if schema else [])]
    answers = iter(["a long password", "a long password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main([*base, "add-researcher", "Ana@Example.org"]) == 0
    assert "researcher account ana@example.org created" in capsys.readouterr().out
    answers = iter(["one password", "another one"])
    assert main([*base, "set-password", "ana@example.org"]) == 2
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter(["short", "short"])
    assert main([*base, "add-researcher", "bo@example.org"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    answers = iter(["x" * 10, "x" * 10])
    assert main([*base, "add-researcher", "ana@example.org"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main([*base, "add-researcher", "not-an-email"]) == 2     # refused before asking
    answers = iter(["a new password", "a new password"])
    assert main([*base, "set-password", "ana@example.org"]) == 0
    from storage import Store
    store = Store.from_url(db_url, schema=schema)
    try:
        assert store.verify_researcher("ana@example.org", "a new password")
        assert store.count_researchers() == 1
    finally:
        store.close()
