"""``python -m qmethod nfactors SORTS``: aids for choosing the number of factors.

Discovered by :mod:`qmethod.cli`; prints the table of
:func:`qmethod.nfactors.factor_aids` and a recommendation with its reasons.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from .bootstrap_cli import _int_at_least
from .cli import grid_arg, read_sorts
from .files import write_text_atomic

NAME = "nfactors"


def _percentile(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text}")
    return v


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="aids for choosing the number of factors (eigenvalues, Kaiser, Humphrey, "
                   "parallel analysis)",
        description="Unrotated eigenvalues and explained variance, Kaiser-Guttman, Humphrey's "
                    "rule, significant loadings and Horn's parallel analysis with random sorts "
                    "of the same grid, and a recommendation with its reasons.")
    p.add_argument("sorts", help="sorts.csv (statements x sorts), PQMethod .DAT or Ken-Q .json")
    p.add_argument("--max-factors", type=_int_at_least(1), default=8,
                   help="components to report (default 8)")
    p.add_argument("--iterations", type=_int_at_least(0), default=1000,
                   help="random studies for parallel analysis (default 1000; 0: none)")
    p.add_argument("--percentile", type=_percentile, default=95.0,
                   help="percentile of the random eigenvalues to beat (default 95)")
    p.add_argument("--seed", type=int, default=None, help="random seed for parallel analysis")
    p.add_argument("--free", action="store_true",
                   help="free (non-forced) distribution: random sorts permute each sort's own values")
    p.add_argument("--grid", type=grid_arg, metavar="LOW..HIGH:H1,H2,...",
                   help="the study grid, e.g. --grid=-4..4:2,3,4,5,5,5,4,3,2 (column heights)")
    p.add_argument("--json", metavar="FILE", help="also write the aids as JSON to FILE")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from .nfactors import factor_aids
    from .progress import terminal_progress
    data = read_sorts(args.sorts)
    progress = None if args.quiet or args.iterations == 0 else terminal_progress("parallel analysis")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aids = factor_aids(data, max_factors=args.max_factors, parallel_iterations=args.iterations,
                           percentile=args.percentile, seed=args.seed, progress=progress,
                           forced=not args.free, grid=args.grid)
    print(aids.report())
    if args.json:
        write_text_atomic(args.json, aids.to_json())
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0
