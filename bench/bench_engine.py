"""Benchmark of the analysis engine at scale.

    .venv/bin/python bench/bench_engine.py              # everything (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_engine.py --quick      # up to 100,000 sorts, fewer repeats
    .venv/bin/python bench/bench_engine.py --sizes 1000 10000

For each size a fresh Python process generates a forced-grid study of 60
statements x N sorts with three planted viewpoints (outside the timing), then
times ``qmethod.analyze(df, 3)`` (PCA + varimax, from an in-memory DataFrame)
and measures its memory (the *engine* figures):

- peak RSS: the process's high-water mark during the analysis (Linux VmHWM,
  reset just before it via /proc/self/clear_refs; ru_maxrss where that is
  not available), which includes the input data already in memory;
- added: that peak minus the RSS just before the analysis;
- traced: tracemalloc's peak of Python and numpy allocations during a second,
  untimed analysis.

Beside them come the *whole command* figures: the same study written as a
``sorts.csv`` table (outside the timing), then the real command
``python -m qmethod analyze sorts.csv --factors 3 --out DIR`` run as a
subprocess (interpreter start, imports, reading, the analysis, the summary and
every output file), its wall time and its peak RSS (``ru_maxrss`` of that
child, from ``os.wait4``). A separate process times the command's phases
(read, analyse, write) for the breakdown. Kendall's tau-b is timed at the
``--kendall`` sizes (its correlation factor has n(n-1)/2 rows per sort).

It also times the bootstrap (1,000 resamples of a 40 x 40 study, one process
and two) and Horn's parallel analysis (1,000 random studies). Times are the
best of ``--repeat`` runs, because other work on a shared machine only ever
adds time. The results are printed as Markdown (see bench/RESULTS.md).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000, 1_000_000)
#: a 60-statement grid from -5 to +5
HEIGHTS60 = (2, 3, 4, 6, 8, 14, 8, 6, 4, 3, 2)
#: a 40-statement grid from -4 to +4
HEIGHTS40 = (2, 3, 4, 6, 10, 6, 4, 3, 2)


def generate(n_sorts: int, heights=HEIGHTS60, k: int = 3, seed: int = 0, chunk: int = 100_000):
    """Forced-grid study (statements x sorts DataFrame): each sort follows one
    of k random viewpoints with a loading in [0.4, 0.8] plus noise, and is the
    ranking of those keys laid onto the grid (argsort of random keys, in
    chunks of columns so generation needs little memory beyond the data)."""
    import pandas as pd
    rng = np.random.default_rng(seed)
    grid = np.repeat(np.arange(len(heights)) - len(heights) // 2, heights)
    n = grid.size
    proto = rng.standard_normal((n, k))
    X = np.empty((n, n_sorts), dtype=np.int64)
    for lo in range(0, n_sorts, chunk):
        hi = min(n_sorts, lo + chunk)
        which = rng.integers(0, k, hi - lo)
        load = rng.uniform(0.4, 0.8, hi - lo)
        keys = rng.standard_normal((n, hi - lo))
        keys *= np.sqrt(1 - load ** 2)
        keys += proto[:, which] * load
        order = np.argsort(keys, axis=0)
        del keys
        block = X[:, lo:hi]
        block[order, np.arange(hi - lo)] = grid[:, None]  # i-th smallest key: i-th grid value
        del order
    index = [f"s{i + 1}" for i in range(n)]
    columns = [f"p{j + 1}" for j in range(n_sorts)]
    return pd.DataFrame(X, index=index, columns=columns, copy=False)


def _rss_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


# -- child processes ------------------------------------------------------------
def child_analyze(n_sorts: int, repeat: int) -> dict:
    import qmethod
    t = time.perf_counter()
    df = generate(n_sorts)
    gen_s = time.perf_counter() - t
    warnings.simplefilter("ignore")
    before_kb = _rss_kb("VmRSS")
    can_reset = _reset_peak()
    t = time.perf_counter()
    res = qmethod.analyze(df, 3)
    first = time.perf_counter() - t
    peak_kb = _rss_kb("VmHWM") if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del res
    times = [first]
    for _ in range(repeat - 1):
        t = time.perf_counter()
        res = qmethod.analyze(df, 3)
        times.append(time.perf_counter() - t)
        del res
    tracemalloc.start()
    res = qmethod.analyze(df, 3)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"n_sorts": n_sorts, "n_statements": df.shape[0], "generate_s": gen_s,
            "times_s": times, "best_s": min(times), "data_mb": df.to_numpy().nbytes / 2 ** 20,
            "rss_before_mb": before_kb / 1024 if before_kb else None,
            "peak_rss_mb": peak_kb / 1024 if peak_kb else None,
            "peak_source": "VmHWM" if can_reset else "ru_maxrss",
            "traced_peak_mb": traced / 2 ** 20,
            "defining_sorts": int(res.characteristics["defining_sorts"].sum())}


def child_write_csv(n_sorts: int, path: str) -> dict:
    """Write the study of ``n_sorts`` sorts as a statements x sorts CSV table."""
    from qmethod.data import QSortData
    from qmethod.io import write_sorts_csv
    write_sorts_csv(QSortData(sorts=generate(n_sorts)), path)
    return {"bytes": os.path.getsize(path)}


def child_phases(path: str, out: str) -> dict:
    """The command's phases in one process: read the table, analyse, write every file."""
    t0 = time.perf_counter()
    import qmethod
    t1 = time.perf_counter()
    warnings.simplefilter("ignore")
    data = qmethod.io.read_any(path)
    t2 = time.perf_counter()
    res = qmethod.analyze(data, 3)
    t3 = time.perf_counter()
    res.summary()
    res.write(out)
    t4 = time.perf_counter()
    return {"import_s": t1 - t0, "read_s": t2 - t1, "analyze_s": t3 - t2, "write_s": t4 - t3}


def child_kendall(n_sorts: int) -> dict:
    import qmethod
    df = generate(n_sorts)
    warnings.simplefilter("ignore")
    before_kb = _rss_kb("VmRSS")
    can_reset = _reset_peak()
    t = time.perf_counter()
    res = qmethod.analyze(df, 3, correlation="kendall")
    took = time.perf_counter() - t
    peak_kb = _rss_kb("VmHWM") if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n_sorts": n_sorts, "time_s": took, "peak_rss_mb": peak_kb / 1024,
            "rss_before_mb": before_kb / 1024 if before_kb else None,
            "defining_sorts": int(res.characteristics["defining_sorts"].sum())}


def run_command(path: str, out: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of the real command, as a user runs it."""
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "qmethod", "analyze", path, "--factors", "3",
                          "--out", out], cwd=ROOT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    p.stderr.close()
    if p.returncode != 0:
        raise SystemExit(f"python -m qmethod analyze failed ({p.returncode}):\n{err}")
    return took, usage.ru_maxrss / 1024


def child_bootstrap(repeat: int) -> dict:
    from qmethod.bootstrap import bootstrap
    df = generate(40, heights=HEIGHTS40, seed=1)
    warnings.simplefilter("ignore")
    out = {"study": "40 x 40", "resamples": 1000}
    for label, kw in (("procrustes_1_process", dict(n_jobs=1)),
                      ("procrustes_2_processes", dict(n_jobs=2)),
                      ("permutation_1_process", dict(n_jobs=1, align="permutation")),
                      ("auto", dict())):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            r = bootstrap(df, 3, resamples=1000, seed=1, **kw)
            times.append(time.perf_counter() - t)
        out[label] = {"times_s": times, "best_s": min(times), "n_jobs": r.info["n_jobs"]}
    big = generate(1000, seed=2)
    for label, kw in (("60x1000_1_process", dict(n_jobs=1)), ("60x1000_2_processes", dict(n_jobs=2))):
        t = time.perf_counter()
        bootstrap(big, 3, resamples=1000, seed=1, **kw)
        took = time.perf_counter() - t
        out[label] = {"times_s": [took], "best_s": took}
    return out


def child_parallel(repeat: int) -> dict:
    from qmethod.nfactors import factor_aids
    out = {}
    for label, df in (("40x40", generate(40, heights=HEIGHTS40, seed=1)),
                      ("60x1000", generate(1000, seed=2))):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            a = factor_aids(df, parallel_iterations=1000, seed=1)
            times.append(time.perf_counter() - t)
        out[label] = {"times_s": times, "best_s": min(times), "recommended": a.recommended}
    return out


def _spawn(args: list[str]) -> dict:
    p = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f", {int(fh.readline().split()[1]) / 2 ** 20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numpy
    import pandas
    return (f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, pandas {pandas.__version__}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="up to 100,000 sorts, one repeat")
    ap.add_argument("--skip-command", action="store_true", help="engine figures only")
    ap.add_argument("--kendall", type=int, nargs="*", default=[100_000],
                    help="sizes for the Kendall tau-b run (default 100000; none to skip)")
    ap.add_argument("--skip-bootstrap", action="store_true")
    ap.add_argument("--skip-parallel", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind = args.child[0]
        if kind == "analyze":
            res = child_analyze(int(args.child[1]), args.repeat)
        elif kind == "csv":
            res = child_write_csv(int(args.child[1]), args.child[2])
        elif kind == "phases":
            res = child_phases(args.child[1], args.child[2])
        elif kind == "kendall":
            res = child_kendall(int(args.child[1]))
        elif kind == "bootstrap":
            res = child_bootstrap(args.repeat)
        else:
            res = child_parallel(args.repeat)
        print(json.dumps(res))
        return 0
    sizes = [s for s in args.sizes if not args.quick or s <= 100_000]
    repeat = 1 if args.quick else args.repeat
    print(f"Machine: {machine()}\n")
    print("Engine: `qmethod.analyze(df, 3)` on an in-memory DataFrame. Command: "
          "`python -m qmethod analyze sorts.csv -k 3 --out DIR`, the real subprocess.\n")
    print("| sorts | engine best (s) | engine runs (s) | engine peak RSS (MiB) | added (MiB) "
          "| traced peak (MiB) | command best (s) | command runs (s) | command peak RSS (MiB) "
          "| read / analyse / write (s) | file (MiB) |")
    print("|---:|---:|---|---:|---:|---:|---:|---|---:|---|---:|")
    tmp = Path(tempfile.mkdtemp(prefix="qbench-"))
    try:
        for n in sizes:
            reps = 1 if n >= 1_000_000 else repeat
            r = _spawn(["--child", "analyze", str(n), "--repeat", str(reps)])
            added = r["peak_rss_mb"] - r["rss_before_mb"] if r["rss_before_mb"] else float("nan")
            runs = ", ".join(f"{t:.2f}" for t in r["times_s"])
            cmd = "| | | | |"
            if not args.skip_command:
                csv_path, out = str(tmp / f"sorts{n}.csv"), str(tmp / f"out{n}")
                size = _spawn(["--child", "csv", str(n), csv_path])["bytes"] / 2 ** 20
                ph = _spawn(["--child", "phases", csv_path, out])
                shutil.rmtree(out, ignore_errors=True)
                cmd_runs = []
                for _ in range(max(reps, min(repeat, 2))):   # the command twice even at 1M
                    cmd_runs.append(run_command(csv_path, out))
                    shutil.rmtree(out, ignore_errors=True)
                best = min(t for t, _ in cmd_runs)
                rss = max(m for _, m in cmd_runs)
                cmd = (f"| {best:.2f} | " + ", ".join(f"{t:.2f}" for t, _ in cmd_runs)
                       + f" | {rss:,.0f} | {ph['read_s']:.2f} / {ph['analyze_s']:.2f} / "
                       f"{ph['write_s']:.2f} | {size:,.0f} |")
                os.remove(csv_path)
            print(f"| {n:,} | {r['best_s']:.2f} | {runs} | {r['peak_rss_mb']:,.0f} | {added:,.0f} "
                  f"| {r['traced_peak_mb']:,.0f} {cmd}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for n in args.kendall or []:
        k = _spawn(["--child", "kendall", str(n)])
        print(f"\nKendall tau-b, 60 statements x {n:,} sorts: analyze() {k['time_s']:.1f} s, "
              f"peak RSS {k['peak_rss_mb']:,.0f} MiB (data already in memory: "
              f"{k['rss_before_mb']:,.0f} MiB)", flush=True)
    if not args.skip_bootstrap:
        b = _spawn(["--child", "bootstrap", "--repeat", str(repeat)])
        print("\n| bootstrap, 1,000 resamples | best (s) | runs (s) |")
        print("|---|---:|---|")
        for label, v in b.items():
            if isinstance(v, dict):
                print(f"| {label.replace('_', ' ')} | {v['best_s']:.2f} | "
                      + ", ".join(f"{t:.2f}" for t in v["times_s"]) + " |")
    if not args.skip_parallel:
        p = _spawn(["--child", "parallel", "--repeat", str(repeat)])
        print("\n| parallel analysis (factor_aids, 1,000 random studies) | best (s) | runs (s) |")
        print("|---|---:|---|")
        for label, v in p.items():
            print(f"| {label} | {v['best_s']:.2f} | " + ", ".join(f"{t:.2f}" for t in v["times_s"])
                  + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
