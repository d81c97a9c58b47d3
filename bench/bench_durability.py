"""What SQLite's ``synchronous = FULL`` costs the participant's submission.

    .venv/bin/python bench/bench_durability.py [--submissions 200] [--repeat 3] [--dir DIR]

SQLite runs in WAL mode with ``synchronous = NORMAL`` (a commit does not wait
for the disk: after a power loss the last commits may be gone, never the file
itself); a submission, a consent and a new link are committed with ``FULL``
(the write-ahead log is fsynced at the commit), see ``storage/db.py``. This
measures, on a database file in ``--dir`` (default: a temporary folder, which
must be on the real disk for the figure to mean anything), the server time of
``Store.submit`` with FULL (as shipped) and with NORMAL (the transaction run
as an ordinary write), and of a draft save (always NORMAL), one participant
after another (no contention): median, 95th percentile, best of ``--repeat``
runs. The load average is printed with the figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def run(folder: Path, n: int, durable: bool) -> dict[str, list[float]]:
    from faultkit import expected_columns, submission_of

    from storage import Store
    from studies.seed import ensure_coproduction

    path = folder / f"durability-{'full' if durable else 'normal'}-{time.time_ns()}.sqlite3"
    store = Store.from_url(f"sqlite:///{path}")
    try:
        ensure_coproduction(store)
        if not durable:
            store._durable = store._write      # the same transaction at synchronous = NORMAL
        defn = store.get_study("coproduction").definition
        tokens = store.create_invitations("coproduction", n)
        times = {"consent": [], "draft": [], "submit": []}
        for token in tokens:
            t0 = time.perf_counter()
            store.record_consent(token)
            t1 = time.perf_counter()
            store.save_draft(token, {"grid": {"rev": 1, "columns": expected_columns(defn, token)}},
                             step="demographics")
            t2 = time.perf_counter()
            store.submit(token, submission_of(defn, token))
            t3 = time.perf_counter()
            times["consent"].append(t1 - t0)
            times["draft"].append(t2 - t1)
            times["submit"].append(t3 - t2)
        return times
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--submissions", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--dir", default=None, help="folder of the database file (default: a temporary one)")
    args = p.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="qp-durability-"))
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for _ in range(args.repeat):
        for durable in (True, False):
            for kind, samples in run(folder, args.submissions, durable).items():
                # drafts are NORMAL either way; the others as the run says
                mode = "FULL" if durable and kind != "draft" else "NORMAL"
                med, p95 = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000
                if (kind, mode) not in best or med < best[(kind, mode)][0]:
                    best[(kind, mode)] = (med, p95)
    end = os.getloadavg()
    print(f"SQLite durability, {args.submissions} participants one after another, best of "
          f"{args.repeat}")
    print(f"load average {load[0]:.1f} at the start, {end[0]:.1f} at the end "
          f"({os.cpu_count()} cores)")
    print("| call | synchronous | median (ms) | p95 (ms) |")
    print("|---|---|---:|---:|")
    for (kind, mode), (med, p95) in sorted(best.items()):
        print(f"| {kind} | {mode} | {med:.2f} | {p95:.2f} |")
    full = best[("submit", "FULL")][0]
    normal = best[("submit", "NORMAL")][0]
    print(f"FULL costs the submission {full - normal:+.2f} ms at the median "
          f"({full / normal:.1f}x NORMAL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
