"""Command line of the storage layer.

    python -m storage init                      create or migrate the database
    python -m storage list                      studies, versions, responses
    python -m storage demo [--study statements/coproduction.yaml] [--participants 40] [--seed 0]
    python -m storage export SLUG FILE.json     whole study (definitions + responses)
    python -m storage import FILE.json [--slug NEW]
    python -m storage export-sorts SLUG FILE.csv|FILE.dat|FILE.json [--version N]
    python -m storage close SLUG [--purge]     close a study; --purge deletes unfinished drafts

The database is ``DATABASE_URL`` (or ``--database-url``, with ``--schema`` for
a PostgreSQL schema), else the SQLite file ``data/qplatform.sqlite3``. Errors are reported as one line, exit code 2.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from qmethod.errors import QMethodError

from .db import safe_url
from .store import COPRODUCTION_PATH, Store


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
                       help="write responses as sorts.csv, PQMethod .dat/.sta or Ken-Q .json")
    s.add_argument("slug")
    s.add_argument("file")
    s.add_argument("--version", type=int, default=None, help="study version (default: latest)")
    c = sub.add_parser("close", help="close a study to new participants")
    c.add_argument("slug")
    c.add_argument("--purge", action="store_true",
                   help="also delete the drafts of sorts that were never submitted")
    return p


def _run(args) -> str:
    from pathlib import Path

    if args.command == "demo":
        from studies.loader import load_study
        study = Path(args.study)
        if not study.is_absolute() and not study.exists():
            study = COPRODUCTION_PATH.parents[1] / study
        defn = load_study(study)            # read the file before touching the database
    store = Store.from_url(args.database_url, schema=args.schema)
    try:
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
                before = store.count_responses(defn.slug + "-demo")
            except QMethodError:
                pass
            info = store.seed_demo(defn, n=args.participants, seed=args.seed)
            n = store.count_responses(info.slug, info.version)
            added = "added" if n and not before else "already there, nothing added"
            return f"demo study {info.slug!r} (version {info.version}): {n} simulated responses ({added})"
        if args.command == "export":
            from .transfer import write_study_file
            path = write_study_file(store, args.slug, args.file)
            return f"wrote {path}"
        if args.command == "import":
            from .transfer import read_study_file
            info = read_study_file(store, args.file, slug=args.slug)
            n = sum(store.count_responses(info.slug, v.version) for v in store.study_versions(info.slug))
            return f"imported study {info.slug!r}: {info.version} version(s), {n} responses"
        if args.command == "export-sorts":
            from .transfer import export_sorts
            paths = export_sorts(store, args.slug, args.file, args.version)
            return "wrote " + ", ".join(str(p) for p in paths)
        if args.command == "close":
            store.set_study_status(args.slug, "closed")
            text = f"study {args.slug!r} closed to new participants"
            if args.purge:
                text += f"; deleted {store.purge_unfinished(args.slug)} unfinished draft(s)"
            return text
        raise AssertionError(args.command)
    finally:
        store.close()


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
