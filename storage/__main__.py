"""Command line of the storage layer.

    python -m storage init                      create or migrate the database
    python -m storage list                      studies, versions, responses
    python -m storage demo [--study statements/coproduction.yaml] [--participants 40] [--seed 0]
    python -m storage export SLUG FILE.json     whole study (definitions + responses)
    python -m storage import FILE.json [--slug NEW]
    python -m storage export-sorts SLUG FILE.csv|FILE.dat|FILE.json [--version N]
                                                (FILE.csv: texts in FILE.statements.csv;
                                                 FILE.dat: texts in FILE.sta)
    python -m storage close SLUG [--purge]     close a study; --purge deletes unfinished drafts
    python -m storage add-researcher EMAIL      a researcher account (password asked twice)
    python -m storage set-password EMAIL        a new password (signs the account out everywhere)
    python -m storage backup FILE               the whole database to one file (FILE.gz: compressed)
    python -m storage restore FILE [--replace]  load a backup into an empty database (--replace:
                                                delete what the database holds first)

The database is ``DATABASE_URL`` (or ``--database-url``, with ``--schema`` for
a PostgreSQL schema), else the SQLite file ``data/qplatform.sqlite3``. Errors are
reported as one line, exit code 2. The export commands replace a file that
exists already, and say which files they wrote.

``demo`` seeds through :mod:`studies.seed` (the storage layer itself knows
nothing of the co-production study or of simulated participants).
"""
from __future__ import annotations

import argparse
import getpass
import sys
import warnings
from pathlib import Path

from qmethod.errors import QMethodError
from studies.demo import demo_definition
from studies.seed import COPRODUCTION_PATH, seed_demo

from .db import safe_url
from .store import Store


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m storage",
                                description="Manage the platform's database.")
    p.add_argument("--database-url", default=None,
                   help="database URL (default: $DATABASE_URL, else data/qplatform.sqlite3)")
    p.add_argument("--schema", default=None,
                   help="PostgreSQL schema to use (created if missing; default: the server's)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("init", help="create the database or bring its schema up to date")
    sub.add_parser("list", help="list the studies with their versions and response counts")
    d = sub.add_parser("demo", help="fill the demo copy of a study with simulated participants")
    d.add_argument("--study", default=str(COPRODUCTION_PATH.relative_to(COPRODUCTION_PATH.parents[1])),
                   help="study file (default: statements/coproduction.yaml)")
    d.add_argument("--participants", type=int, default=40)
    d.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("export", help="write a whole study (definitions and responses) to one file")
    e.add_argument("slug")
    e.add_argument("file")
    i = sub.add_parser("import", help="create a study from a file written by 'export'")
    i.add_argument("file")
    i.add_argument("--slug", default=None, help="import under this slug instead")
    s = sub.add_parser("export-sorts",
                       help="write responses as a .csv table (statement texts in "
                            "FILE.statements.csv), PQMethod .dat/.sta or Ken-Q .json")
    s.add_argument("slug")
    s.add_argument("file")
    s.add_argument("--version", type=int, default=None, help="study version (default: latest)")
    c = sub.add_parser("close", help="close a study to new participants")
    c.add_argument("slug")
    c.add_argument("--purge", action="store_true",
                   help="also delete the drafts of sorts that were never submitted")
    a = sub.add_parser("add-researcher", help="make a researcher account (asks the password)")
    a.add_argument("email")
    w = sub.add_parser("set-password", help="give a researcher account a new password")
    w.add_argument("email")
    b = sub.add_parser("backup", help="write the whole database to one portable file "
                                      "(FILE.gz: compressed; see storage/backup.py)")
    b.add_argument("file")
    r = sub.add_parser("restore", help="load a file written by 'backup' into an empty database")
    r.add_argument("file")
    r.add_argument("--replace", action="store_true",
                   help="delete everything the database holds before restoring")
    return p


def ask_password(email: str) -> str:
    """The new password for ``email``, typed twice on the terminal (never an
    argument: it would stay in the shell's history and the process list)."""
    first = getpass.getpass(f"Password for {email}: ")
    if getpass.getpass("Again: ") != first:
        raise QMethodError("the two passwords differ; nothing was changed")
    return first


def _run(args) -> str:
    if args.command == "demo":
        from studies.loader import load_study
        study = Path(args.study)
        if not study.is_absolute() and not study.exists():
            study = COPRODUCTION_PATH.parents[1] / study
        defn = load_study(study)            # read the file before touching the database
    if args.command in ("add-researcher", "set-password"):
        from .accounts import check_new_password, normalise_email
        email = normalise_email(args.email)            # a typo is caught before the prompt
        password = check_new_password(ask_password(email))
    store = Store.from_url(args.database_url, schema=args.schema)
    try:
        if args.command == "add-researcher":
            store.create_researcher(email, password)
            return (f"researcher account {email} created; sign in on the app's "
                    "Researchers page")
        if args.command == "set-password":
            store.set_password(email, password)
            return f"new password set for {email}; its sessions were signed out"
        if args.command == "init":
            return f"database ready: {safe_url(store.engine.url)}"
        if args.command == "list":
            lines = []
            for info in store.list_studies():
                n = store.count_responses(info.slug, info.version)
                lines.append(f"{info.slug}  v{info.version}  {info.status}"
                             f"{'  demo' if info.is_demo else ''}  {n} responses  {info.title}")
            return "\n".join(lines) or "no studies yet"
        if args.command == "demo":
            before = 0
            try:
                before = store.count_responses(demo_definition(defn).slug)
            except QMethodError:
                pass
            info = seed_demo(store, defn, n=args.participants, seed=args.seed)
            n = store.count_responses(info.slug, info.version)
            added = "added" if n and not before else "already there, nothing added"
            return f"demo study {info.slug!r} (version {info.version}): {n} simulated responses ({added})"
        if args.command == "export":
            from .transfer import write_study_file
            existed = _existing([args.file])
            path = write_study_file(store, args.slug, args.file)
            return _wrote([path], existed)
        if args.command == "import":
            from .transfer import read_study_file
            info = read_study_file(store, args.file, slug=args.slug)
            n = sum(store.count_responses(info.slug, v.version) for v in store.study_versions(info.slug))
            return f"imported study {info.slug!r}: {info.version} version(s), {n} responses"
        if args.command == "export-sorts":
            from .transfer import export_sorts, sorts_export_paths
            what = sorts_export_paths(args.file)
            existed = _existing(what)
            paths = export_sorts(store, args.slug, args.file, args.version)
            return _wrote(paths, existed, what)
        if args.command == "backup":
            from .backup import backup
            existed = _existing([args.file])
            summary = backup(store, args.file)
            return _wrote([summary.path], existed, {summary.path: summary.text()})
        if args.command == "restore":
            from .backup import restore
            summary = restore(store, args.file, replace=args.replace)
            return f"restored {summary.text()} from {summary.path} into {safe_url(store.engine.url)}"
        if args.command == "close":
            store.set_study_status(args.slug, "closed")
            text = f"study {args.slug!r} closed to new participants"
            if args.purge:
                text += f"; deleted {store.purge_unfinished(args.slug)} unfinished draft(s)"
            return text
        raise AssertionError(args.command)
    finally:
        store.close()


def _existing(paths) -> set[str]:
    return {str(p) for p in map(Path, paths) if p.exists()}


def _wrote(paths, existed: set[str], what: dict | None = None) -> str:
    """``wrote a (Q-sorts), b (statement texts; replaced)``: every file
    written, what it holds and whether it replaced a file."""
    def notes(p) -> str:
        said = [x for x in ((what or {}).get(p), "replaced" if str(p) in existed else None) if x]
        return f" ({'; '.join(said)})" if said else ""
    return "wrote " + ", ".join(f"{p}{notes(p)}" for p in paths)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            message = _run(args)
        for w in caught:
            print(f"warning: {' '.join(str(w.message).split())}", file=sys.stderr)
    except (QMethodError, OSError) as exc:
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            text = f"{exc.filename}: {exc.strerror}"
        else:
            text = str(exc)
        print(f"error: {' '.join(text.split())}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
