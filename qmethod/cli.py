"""Command line: ``python -m qmethod analyze|bootstrap|nfactors|rerun ...``.

This is a contract other tools call: keep the options and the output files
stable. Errors are printed as one line on stderr with exit code 2.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from .errors import QMethodError
from .options import CORRELATIONS, EXTRACTIONS, ROTATIONS, AnalysisOptions

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line + exit 2, like every other error here
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def read_sorts(path: str):
    """Read any supported Q-sort file (see qmethod.io.read_any)."""
    from .io import read_any
    return read_any(path)


def prepare_out_dir(path: str | None) -> None:
    """Fail before any long computation if the output folder cannot be made."""
    if path is None:
        return
    from pathlib import Path
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OSError(f"{path} exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)


def centroid_note(extraction: str, n_sorts: int) -> None:
    """Warn on stderr when centroid extraction meets more sorts than it handles well."""
    from .extraction import CENTROID_PRACTICAL_MAX_N
    if extraction == "centroid" and n_sorts > CENTROID_PRACTICAL_MAX_N:
        print(f"warning: centroid extraction is practical up to about {CENTROID_PRACTICAL_MAX_N} "
              f"sorts; this study has {n_sorts}. PCA has no such limit.", file=sys.stderr)


def grid_arg(text: str):
    from .grid import Grid
    try:
        rng, heights = text.split(":")
        lo, hi = rng.split("..")
        return Grid.from_range(int(lo), int(hi), [int(h) for h in heights.split(",")])
    except QMethodError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a grid like -4..4:2,3,4,5,5,5,4,3,2") from None


def add_method_options(p) -> None:
    """--extraction, --rotation and --correlation, shared by analyze and bootstrap."""
    from .extraction import CENTROID_PRACTICAL_MAX_N
    p.add_argument("--extraction", choices=list(EXTRACTIONS), default="pca",
                   help="pca (default) or centroid; centroid works on an N x N matrix and is "
                        f"practical up to about {CENTROID_PRACTICAL_MAX_N} sorts")
    p.add_argument("--rotation", choices=list(ROTATIONS), default="varimax",
                   help="varimax (default) or none; after PCA also quartimax, equamax, promax and "
                        "oblimin as qmethod/psych compute them (not standard in Q studies: a "
                        "warning says so)")
    p.add_argument("--correlation", choices=list(CORRELATIONS), default="pearson")


def checked_options(args, **extra) -> AnalysisOptions:
    """The analysis options of ``args``, checked before any file is read; warns
    on stderr (one line) about a rotation that is not standard in Q studies."""
    opts = AnalysisOptions(args.factors, extraction=args.extraction, rotation=args.rotation,
                           correlation=args.correlation, forced=not args.free, **extra)
    if opts.note:
        print(f"warning: {opts.note}", file=sys.stderr)
    return opts


# -- analyze -------------------------------------------------------------------
def _add_analyze(sub) -> None:
    p = sub.add_parser("analyze", help="run the full Q analysis and write the result tables")
    p.add_argument("sorts", help="sorts.csv (statements x sorts), PQMethod .DAT (with .STA beside it) or Ken-Q .json")
    p.add_argument("--factors", "-k", type=_positive_int, required=True, help="number of factors")
    add_method_options(p)
    p.add_argument("--out", "-o", help="folder for the result files (default: print the summary only)")
    p.add_argument("--free", action="store_true",
                   help="free (non-forced) distribution: factor arrays use --grid or the grid stated in the file")
    p.add_argument("--grid", type=grid_arg, metavar="LOW..HIGH:H1,H2,...",
                   help="the study grid, e.g. --grid=-4..4:2,3,4,5,5,5,4,3,2 (column heights)")
    p.add_argument("--ties", choices=["qmethod", "grid"], default="qmethod",
                   help="factor arrays for tied z-scores: as qmethod, or always fill the grid")
    p.add_argument("--flag-level", type=float, choices=[0.05, 0.01], default=0.05)
    p.set_defaults(func=_run_analyze)


def _run_analyze(args) -> int:
    from .pipeline import analyze
    opts = checked_options(args, ties=args.ties, flag_level=args.flag_level)
    prepare_out_dir(args.out)
    data = read_sorts(args.sorts)
    centroid_note(opts.extraction, data.sorts.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze(data, opts.nfactors, grid=args.grid, extraction=opts.extraction,
                      rotation=opts.rotation, correlation=opts.correlation, forced=opts.forced,
                      ties=opts.ties, flag_level=opts.flag_level)
    print(res.summary())
    if args.out:
        files = res.write(args.out)
        print(f"\nwrote {len(files)} files to {args.out}")
    return 0


# -- registry ------------------------------------------------------------------
#: Sub-command modules add themselves here: name -> function(subparsers).
COMMANDS = {"analyze": _add_analyze}


def _register_optional():
    # bootstrap, nfactors and rerun live in their own modules; import them lazily
    # so `analyze` never pays for them.
    for mod in ("bootstrap_cli", "nfactors_cli", "rerun_cli"):
        try:
            m = __import__(f"{__package__}.{mod}", fromlist=["add_parser"])
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(mod):
                continue
            raise
        COMMANDS.setdefault(m.NAME, m.add_parser)


def build_parser() -> argparse.ArgumentParser:
    _register_optional()
    parser = _Parser(prog="python -m qmethod",
                     description="Q-methodology analysis (conventions of the R package qmethod).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in COMMANDS.values():
        add(sub)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    # A warning is one line for the user: no source path, no code line.
    print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return args.func(args)
    except QMethodError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as e:
        print(f"error: file not found: {e.filename}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:  # an output folder that cannot be written, a full disk...
        text = f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e)
        print(f"error: {' '.join(text.split())}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
