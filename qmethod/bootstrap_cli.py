"""``python -m qmethod bootstrap SORTS --factors K --resamples B [--seed S] --out DIR``.

Discovered by :mod:`qmethod.cli`; writes the tables of
:class:`qmethod.bootstrap.BootstrapResult` (one CSV each, ``summary.txt`` and
``bootstrap.json``) into DIR and prints the stability summary.
"""
from __future__ import annotations

import argparse
import warnings

from .cli import add_method_options, centroid_note, checked_options, grid_arg, prepare_out_dir, read_sorts

NAME = "bootstrap"


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {v}")
        return v
    return parse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="bootstrap the analysis: stability of z-scores, factor arrays and flags",
        description="Resample the Q-sorts with replacement, analyse and align every resample "
                    "to the full sample, and report how stable z-scores, factor-array positions "
                    "and flags are.")
    p.add_argument("sorts", help="sorts.csv (statements x sorts), PQMethod .DAT or Ken-Q .json")
    p.add_argument("--factors", "-k", type=_int_at_least(1), required=True,
                   help="number of factors")
    p.add_argument("--resamples", "-B", type=_int_at_least(2), default=1000,
                   help="number of bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed: the same seed gives the same result")
    p.add_argument("--out", "-o", required=True, help="folder for the result files")
    add_method_options(p)
    p.add_argument("--align", choices=["procrustes", "permutation"], default="procrustes",
                   help="align resample factors by orthogonal Procrustes rotation (default) or "
                        "by the best permutation and signs (Hungarian assignment)")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="worker processes (default 1, fastest on 2 cores; -1: every core)")
    p.add_argument("--free", action="store_true",
                   help="free (non-forced) distribution: factor arrays use --grid or the grid "
                        "stated in the file")
    p.add_argument("--grid", type=grid_arg, metavar="LOW..HIGH:H1,H2,...",
                   help="the study grid, e.g. --grid=-4..4:2,3,4,5,5,5,4,3,2 (column heights)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from .bootstrap import bootstrap
    from .data import QSortData
    from .errors import OptionError
    from .progress import terminal_progress
    opts = checked_options(args)
    if args.jobs is not None and args.jobs != -1 and args.jobs < 1:
        raise OptionError(f"--jobs must be a positive number of processes or -1, got {args.jobs}")
    prepare_out_dir(args.out)
    data = read_sorts(args.sorts)
    sorts = data.sorts if isinstance(data, QSortData) else data
    centroid_note(opts.extraction, sorts.shape[1])
    progress = None if args.quiet else terminal_progress("bootstrap")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = bootstrap(data, opts.nfactors, resamples=args.resamples, seed=args.seed,
                        extraction=opts.extraction, rotation=opts.rotation, align=args.align,
                        n_jobs=args.jobs, progress=progress, correlation=opts.correlation,
                        forced=opts.forced, grid=args.grid)
    print(res.summary)
    files = res.write(args.out)
    print(f"\nwrote {len(files)} files to {args.out}")
    return 0
