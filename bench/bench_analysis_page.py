"""Server time of the researcher's analysis page (issue 12's goals).

    .venv/bin/python bench/bench_analysis_page.py
    .venv/bin/python bench/bench_analysis_page.py --sorts 1000 --rotation-sorts 100 --repeat 7

**Page update** (goal < 1 s for 60 statements x 1,000 sorts): what the
server computes when a setting changes, without the viewpoint matching:
``qmethod.analyze`` (4 factors, PCA + varimax, a judgmental rotation and two
manual flags, as a session in progress has), every crib sheet, and the
Plotly figures the page shows (the loadings scatter of f1/f2, each factor's
composite sort, the z-score dot chart). Building figure objects only: the
browser draws them.

**Rotation step** (goal < 300 ms for 100 sorts): one more judgmental
rotation of f1/f2 by 15 degrees: ``analyze`` with the longer history (the
page replays the history on the analytic rotation, so a step costs a whole
analysis) and the loadings scatter redrawn.

The study is bench_engine's generator (60 statements, grid -5..+5, three
planted viewpoints), made outside the timing. Times are the best of
``--repeat`` runs and the median, because other work on a shared machine
only ever adds time; the load average is printed with them. Prints Markdown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import qmethod as qm  # noqa: E402
from analysis import figures  # noqa: E402
from analysis.crib import crib_sheets  # noqa: E402
from bench.bench_engine import generate, machine  # noqa: E402


def _times(fn, repeat: int) -> tuple[float, float]:
    fn()                                   # warm: imports, caches
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out), statistics.median(out)


def page_update(data, history, manual):
    res = qm.analyze(data, 4, judgmental=history, manual_flags=manual)
    crib_sheets(res)
    threshold = 1.96 / np.sqrt(res.info.n_statements)
    figures.loadings_scatter(res.loadings, res.flags, "f1", "f2", threshold)
    for f in res.factor_names:
        figures.composite_sort(res.factor_arrays[f], res.grid, texts=res.statements)
    figures.zscore_dots(res.zscores, texts=res.statements)
    return res


def rotation_step(data, history, manual):
    res = qm.analyze(data, 4, judgmental=history.rotate(0, 1, 15.0), manual_flags=manual)
    figures.loadings_scatter(res.loadings, res.flags, "f1", "f2",
                             1.96 / np.sqrt(res.info.n_statements))
    return res


def parts(data, history, manual, repeat: int) -> list[tuple[str, float]]:
    """Best time of each part of a page update (for where the time goes)."""
    res = qm.analyze(data, 4, judgmental=history, manual_flags=manual)
    thr = 1.96 / np.sqrt(res.info.n_statements)
    steps = (("analyze", lambda: qm.analyze(data, 4, judgmental=history, manual_flags=manual)),
             ("crib sheets", lambda: crib_sheets(res)),
             ("loadings scatter", lambda: figures.loadings_scatter(res.loadings, res.flags, "f1",
                                                                   "f2", thr)),
             ("composite sorts (4)", lambda: [figures.composite_sort(
                 res.factor_arrays[f], res.grid, texts=res.statements) for f in res.factor_names]),
             ("z-score dots", lambda: figures.zscore_dots(res.zscores, texts=res.statements)))
    return [(label, _times(fn, repeat)[0]) for label, fn in steps]


def study(n_sorts: int):
    sorts = generate(n_sorts)
    texts = {s: f"Statement {s}: a sentence of about the length of a real one, say ten words."
             for s in sorts.index}
    import pandas as pd
    return qm.QSortData(sorts=sorts, statements=pd.Series(texts, name="text"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sorts", type=int, default=1000)
    ap.add_argument("--rotation-sorts", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    history = qm.RotationHistory().rotate(0, 1, 10.0).rotate(1, 2, -5.0)
    load0 = os.getloadavg()[0]
    rows = []
    for label, n, fn, goal in (("page update", args.sorts, page_update, 1.0),
                               ("rotation step", args.rotation_sorts, rotation_step, 0.3)):
        data = study(n)
        manual = {data.sorts.columns[0]: [2], data.sorts.columns[1]: []}
        best, median = _times(lambda fn=fn, data=data, manual=manual: fn(data, history, manual),
                              args.repeat)
        rows.append((label, n, best, median, goal))
    split = parts(study(args.sorts), history, {}, args.repeat)
    load1 = os.getloadavg()[0]
    print(f"machine: {machine()}; load average {load0:.1f} at the start, {load1:.1f} at the end\n")
    print("| step | statements x sorts | best (ms) | median (ms) | goal (ms) |")
    print("|---|---|---:|---:|---:|")
    for label, n, best, median, goal in rows:
        print(f"| {label} | 60 x {n:,} | {best * 1000:.0f} | {median * 1000:.0f} | < {goal * 1000:.0f} |")
    print(f"\nParts of a page update at 60 x {args.sorts:,} (best, ms): "
          + ", ".join(f"{label} {t * 1000:.0f}" for label, t in split))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
