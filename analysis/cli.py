"""Command line: ``python -m analysis viewpoints SORTS --study STUDYFILE --factors K ...``.

Runs the Q analysis of SORTS (as ``python -m qmethod analyze``) and matches its
factors to the values of a design tag of the study (see
:mod:`analysis.viewpoints`). DIR receives every file of the analysis contract,
``result.json``, ``viewpoints.csv`` and ``viewpoint_evidence.csv``. Errors are
one line on stderr with exit code 2.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from qmethod.errors import QMethodError

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


def _level(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {v}")
    return v


def _add_viewpoints(sub) -> None:
    from qmethod.pipeline import ROTATIONS
    p = sub.add_parser("viewpoints", help="Q analysis, then match its factors to a design tag of the study "
                                          "(family-wise controlled)")
    p.add_argument("sorts", help="sorts.csv (statements x sorts), PQMethod .DAT (with .STA beside it) or "
                                 "Ken-Q .json, with the study's statement ids")
    p.add_argument("--study", required=True, help="the study file (statements/*.yaml) whose statements "
                                                  "carry the tag")
    p.add_argument("--factors", "-k", type=_positive_int, required=True, help="number of factors")
    p.add_argument("--extraction", choices=["pca", "centroid"], default="pca")
    p.add_argument("--rotation", choices=list(ROTATIONS), default="varimax")
    p.add_argument("--correlation", choices=["pearson", "spearman", "kendall"], default="pearson")
    p.add_argument("--tag", default="perspective", help="the design tag to match (default perspective)")
    p.add_argument("--seed", type=int, default=0, help="seed of the permutations (default 0)")
    p.add_argument("--permutations", type=int, default=9999, help="random relabellings (default 9999)")
    p.add_argument("--alpha", type=_level, default=0.05, help="family-wise level of the claims (default 0.05)")
    p.add_argument("--out", "-o", required=True, help="folder for the result files")
    p.set_defaults(func=_run_viewpoints)


def _run_viewpoints(args) -> int:
    import qmethod as qm
    from qmethod.cli import centroid_note, prepare_out_dir
    from studies.loader import load_study

    from .viewpoints import ViewpointError, match_result

    if args.permutations < 99:
        raise ViewpointError(f"--permutations must be at least 99, got {args.permutations}")
    study = load_study(args.study)
    if not any(args.tag in s.tags for s in study.statements):
        names = sorted({k for s in study.statements for k in s.tags})
        raise ViewpointError(f"the study {study.slug!r} has no statement tagged {args.tag!r} "
                             f"(its tags: {', '.join(names) if names else 'none'})")
    data = qm.io.read_any(args.sorts)
    ids = [str(i) for i in data.sorts.index]
    known = study.statement_ids()
    if sorted(ids) != sorted(known):
        extra = [i for i in ids if i not in set(known)]
        missing = [i for i in known if i not in set(ids)]
        parts = ([f"{len(extra)} not in the study ({', '.join(extra[:5])})"] if extra else []) + \
                ([f"{len(missing)} of the study missing ({', '.join(missing[:5])})"] if missing else [])
        raise ViewpointError(f"the statement ids of {args.sorts} do not match the study {study.slug!r}: "
                             + "; ".join(parts or ["duplicate ids"]))
    sorts = data.sorts.copy()
    sorts.index = ids
    texts = {s.id: s.text for s in study.statements}
    import pandas as pd
    qdata = qm.QSortData(sorts=sorts.loc[known], grid=study.grid,
                         statements=pd.Series(texts, name="text").loc[known])
    prepare_out_dir(args.out)
    centroid_note(args.extraction, sorts.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qm.analyze(qdata, args.factors, extraction=args.extraction, rotation=args.rotation,
                         correlation=args.correlation)
    match = match_result(res, study, tag=args.tag, permutations=args.permutations, seed=args.seed,
                         alpha=args.alpha)
    files = list(res.write(args.out)) + match.write(args.out)
    print(res.summary())
    print(f"\nviewpoints ({args.tag}; {match.permutations:,} permutations, seed {match.seed}, "
          f"family-wise alpha {match.alpha:g}, critical |statistic| {match.critical:.2f}):")
    for f, row in match.proposals.iterrows():
        name = f" {row.perspective}" if row.perspective else (f" {row.rejected}" if row.rejected else "")
        p = "" if pd.isna(row.p_adjusted) else f" (statistic {row.statistic:.2f}, adjusted p {row.p_adjusted:.4f})"
        print(f"  {f}: {row.status}{name}{p}")
    print(f"\nwrote {len(files)} files to {args.out}")
    return 0


COMMANDS = {"viewpoints": _add_viewpoints}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis",
                     description="Interpretation of Q analyses: viewpoints matched to a study's design tags.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in COMMANDS.values():
        add(sub)
    return parser


def _one_line(exc: Exception) -> str:
    problems = getattr(exc, "problems", None)
    if problems and len(problems) > 1:
        return f"{len(problems)} problems: " + "; ".join(problems)
    return " ".join(str(exc).split())


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QMethodError as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as e:
        print(f"error: file not found: {e.filename}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        text = f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e)
        print(f"error: {' '.join(text.split())}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
