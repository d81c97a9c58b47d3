"""Server time of the analysis page itself, run by Streamlit's AppTest (the
whole script of one page update: the guard, the settings bar, the engine, the
tables and the figures of the section shown; not the browser's drawing).

    .venv/bin/python bench/bench_analysis_ui.py
    .venv/bin/python bench/bench_analysis_ui.py --sorts 1000 --rotation-sorts 100 --repeat 5

Scenarios (the data: bench_engine's generator, 60 statements, given to the
page as a reopened run's data so no database of 1,000 responses is needed):

* **settings change** at 60 x ``--sorts``: the number of factors switched
  (4 <-> 3), on the Rotation and flags section: a new extraction, rotation,
  scoring, loadings table and scatter (Pearson: the engine's Spearman and
  Kendall correlations cost seconds more at this size, see bench_engine);
* **rotation step** at 60 x ``--rotation-sorts``: Apply of f1/f2 by 15
  degrees (the page's engine keeps the extraction: a step rescoring only);
* **flag toggle** at 60 x ``--sorts``: one sort flagged by hand.

Times include AppTest's own overhead (a few tens of ms), so they are upper
bounds of the server's time. Best and median of ``--repeat``; prints Markdown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "web"))

from bench.bench_engine import generate, machine  # noqa: E402


def page(token: str, data, nfactors: int = 4):
    from workspace import page_test

    from qmethod.data import QSortData
    from webapp.researcher.analysis_data import RUN_DATA, SOURCE
    from webapp.researcher.analysis_state import Dataset

    at = page_test("analysis", token, slug="coproduction-demo")
    at.session_state[RUN_DATA] = Dataset.of(QSortData(data), "run", "bench data")
    at.session_state[SOURCE] = "run"
    at.session_state["ws_an_section"] = "Rotation and flags"
    at.session_state["ws_an_nfactors"] = nfactors
    at.run(timeout=300)
    assert not at.exception, at.exception
    return at


def timed(at, action) -> float:
    action(at)
    t0 = time.perf_counter()
    at.run(timeout=300)
    dt = time.perf_counter() - t0
    assert not at.exception, at.exception
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sorts", type=int, default=1000)
    ap.add_argument("--rotation-sorts", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from workspace import app_store

    big, small = generate(args.sorts, seed=1), generate(args.rotation_sorts, seed=2)
    load0 = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, app_store(f"sqlite:///{tmp}/bench.sqlite3") as store:
        store.create_researcher("bench@example.org", "correct horse")
        token = store.sign_in("bench@example.org", "correct horse")

        at = page(token, big)
        times = [timed(at, lambda a: a.number_input(key="ws_an_nfactors").set_value(
            7 - a.number_input(key="ws_an_nfactors").value)) for _ in range(args.repeat)]
        rows.append((f"settings change (number of factors), 60 x {args.sorts:,}", times, 1.0))

        pid = at.selectbox(key="ws_an_flag_who").options[0]
        at.selectbox(key="ws_an_flag_who").set_value(pid).run(timeout=300)
        times = [timed(at, lambda a: a.button(key="ws_an_toggle_flag").click())
                 for _ in range(args.repeat)]
        rows.append((f"flag toggle, 60 x {args.sorts:,}", times, 1.0))

        at = page(token, small)
        times = []
        for _ in range(args.repeat):
            at.number_input(key="ws_an_angle_box").set_value(15).run(timeout=300)
            times.append(timed(at, lambda a: a.button(key="ws_an_apply").click()))
        rows.append((f"rotation step (Apply), 60 x {args.rotation_sorts:,}", times, 0.3))
    load1 = os.getloadavg()[0]
    print(f"Analysis page server time (AppTest), {machine()}; load average {load0:.1f} at the "
          f"start, {load1:.1f} at the end; best and median of {args.repeat}.\n")
    print("| page update | best (ms) | median (ms) | goal (ms) |")
    print("|---|---:|---:|---:|")
    for name, times, goal in rows:
        print(f"| {name} | {min(times) * 1000:.0f} | {statistics.median(times) * 1000:.0f} | "
              f"{goal * 1000:.0f} |")


if __name__ == "__main__":
    main()
