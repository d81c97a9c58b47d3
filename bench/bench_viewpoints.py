"""Benchmark of the calibrated viewpoint matching (analysis.viewpoints).

    .venv/bin/python bench/bench_viewpoints.py                     # 1,000 studies per kind (several minutes)
    .venv/bin/python bench/bench_viewpoints.py --studies 200 --permutations 999
    .venv/bin/python bench/bench_viewpoints.py --tag theme

Rates: for each kind of simulated study of analysis.calibration (three, two,
one plus an unrelated viewpoint, pure noise, hybrids), built on the
co-production study's Q-set and grid with 40 participants, the share of
studies in which every planted viewpoint is named on the factor its holders
define, the share with a false claim, and the share with any claim (on noise,
the family-wise false claim rate). A last row repeats the hybrids with a
signature as large as the pure groups' (a hybrid whose tag signal is weaker
than its own signature), to show where detection fades.

Time: matching one 40 x 36 study (the demo data) with the default 9,999
permutations, and the Q analysis plus matching, best of ``--repeat`` runs
(other work on a shared machine only ever adds time). Prints Markdown.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qmethod as qm  # noqa: E402
from analysis import calibration as cal  # noqa: E402
from analysis.viewpoints import match_result  # noqa: E402
from studies.demo import simulate_participants  # noqa: E402
from studies.loader import load_study  # noqa: E402


def _binomial_se(p: float, n: int) -> float:
    return float(np.sqrt(max(p * (1 - p), 1e-12) / n))


def rates(study, tag: str, n: int, permutations: int) -> pd.DataFrame:
    labels = [s.tags.get(tag) for s in study.statements]
    grid, ids = study.grid.distribution(), study.statement_ids()
    rows = []
    runs = [(k, k, {}) for k in cal.KINDS] + [("hybrid", "hybrid (weak: signature 1.0)",
                                                {"hybrid_signature_sd": 1.0})]
    for i, (kind, name, extra) in enumerate(runs):
        t0 = time.perf_counter()
        seeds = range(100_000 * (i + 1), 100_000 * (i + 1) + n)
        t = cal.run(labels, grid, kind, seeds, ids=ids, permutations=permutations, tag=tag, **extra)
        found = t["all_found"].mean() if kind != "noise" else np.nan
        false = t["false_claim"].mean()
        rows.append({"kind": name, "studies": len(t), "all planted found": found,
                     "false claim": false, "any claim": t["any_claim"].mean(),
                     "SE (binomial)": _binomial_se(false if kind == "noise" else found, len(t)),
                     "match ms (median)": 1000 * t["match_seconds"].median()})
        print(f"  {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return pd.DataFrame(rows)


def timing(study, tag: str, repeat: int) -> dict:
    parts = simulate_participants(study, 40, 0)
    df = pd.DataFrame({p["participant_id"]: p["placements"] for p in parts}).loc[study.statement_ids()]
    match_t, full_t = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = qm.analyze(df, 3, grid=study.grid)
        t1 = time.perf_counter()
        match_result(res, study, tag=tag, permutations=9999, seed=0)
        t2 = time.perf_counter()
        match_t.append(t2 - t1)
        full_t.append(t2 - t0)
    return {"match": match_t, "full": full_t}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=1000, help="simulated studies per kind (default 1000)")
    ap.add_argument("--permutations", type=int, default=9999, help="permutations per study (default 9999)")
    ap.add_argument("--tag", default="perspective")
    ap.add_argument("--repeat", type=int, default=7, help="timing repeats (best of)")
    ap.add_argument("--study", default=str(ROOT / "statements" / "coproduction.yaml"))
    args = ap.parse_args(argv)
    study = load_study(args.study)
    print(f"# Viewpoint matching: rates and time ({args.tag})\n")
    print(f"Python {platform.python_version()}, numpy {np.__version__}; {args.studies} studies per kind, "
          f"{args.permutations:,} permutations each, family-wise alpha 0.05, 40 participants, "
          f"{len(study.statements)} statements.\n")
    t = timing(study, args.tag, args.repeat)
    print("| one 40 x 36 study (demo data), 9,999 permutations | best (s) | median (s) |")
    print("|---|---:|---:|")
    print(f"| matching | {min(t['match']):.3f} | {np.median(t['match']):.3f} |")
    print(f"| Q analysis + matching | {min(t['full']):.3f} | {np.median(t['full']):.3f} |\n")
    table = rates(study, args.tag, args.studies, args.permutations)
    fmt = {"all planted found": "{:.1%}", "false claim": "{:.1%}", "any claim": "{:.1%}",
           "SE (binomial)": "{:.1%}", "match ms (median)": "{:.1f}"}
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for _, r in table.iterrows():
        cells = [("-" if pd.isna(r[c]) else fmt[c].format(r[c])) if c in fmt else str(r[c])
                 for c in table.columns]
        print("| " + " | ".join(cells) + " |")
    print("\n*all planted found*: every planted viewpoint named (matched, or hybrid of its two values) on the "
          "factor most of its holders are flagged on; *false claim*: a name, hybrid or rejection the defining "
          "sorts do not hold (on noise: any claim); SE of the rate that matters for the kind.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
