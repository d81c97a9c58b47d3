"""``python -m qmethod rerun FILE --out DIR``: the analysis a reproducible
analysis file describes (settings, judgmental rotation history, manual flags
and data; see :mod:`qmethod.analysis_file`), written as ``analyze`` writes it.

Discovered by :mod:`qmethod.cli`.
"""
from __future__ import annotations

import sys
import warnings

from .cli import prepare_out_dir

NAME = "rerun"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="rerun a reproducible analysis file and write the result tables",
        description="Reads an analysis file (JSON written by the researcher's workspace or "
                    "qmethod.analysis_file) and runs the same analysis: same settings, "
                    "rotation history and manual flags, hence the same numbers.")
    p.add_argument("file", help="the analysis file (.json)")
    p.add_argument("--out", "-o", help="folder for the result files (default: print the summary only)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .analysis_file import read_analysis_file, rerun
    prepare_out_dir(args.out)
    data, settings, history, manual = read_analysis_file(args.file)
    if settings.note:
        print(f"warning: {settings.note}", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rerun(data, settings, history, manual)
    print(res.summary())
    if args.out:
        files = res.write(args.out)
        print(f"\nwrote {len(files)} files to {args.out}")
    return 0
