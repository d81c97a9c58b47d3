"""The fault tests' figures: how many faults, how many participants, what was
lost or doubled (nothing, or the run fails).

    .venv/bin/python bench/bench_faults.py                 # the long profile (about 10 minutes)
    .venv/bin/python bench/bench_faults.py --profile short # what CI runs (about a minute)

Runs ``tests/storage/test_storage_faults.py`` with ``QP_FAULT_PROFILE`` set
and prints each scenario's figures: the writing process SIGKILLed at random
moments (SQLite and PostgreSQL), PostgreSQL connections terminated
(``pg_terminate_backend``), a private PostgreSQL crash-restarted, and the full
disk. ``participants``: simulated participants who consented; ``submitted``:
submissions acknowledged to them; ``stored``: responses in the database;
``lost``/``duplicated``/``wrong``: acknowledged but not stored as
acknowledged / a token with two responses / other placements than sent;
``resumed``: participants picked up again from the server's draft after a
kill (``drafts_behind``: of those, drafts older than acknowledged);
``errors``: store calls that failed cleanly (and were tried again).
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = re.compile(r"^(SIGKILL \(\w+\)|pg_terminate_backend|PostgreSQL restarted \d+ times)"
                     r"(.*?): (\{.*\})\s*$")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--profile", choices=["short", "long"], default="long")
    args = p.parse_args()
    env = dict(os.environ, QP_FAULT_PROFILE=args.profile)
    load = os.getloadavg()[0]
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                           "tests/storage/test_storage_faults.py"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.monotonic() - t0
    print(f"fault tests, {args.profile} profile, {date.today().isoformat()}: {seconds:.0f} s; "
          f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
          f"({os.cpu_count()} cores)")
    print("| scenario | participants | submitted | stored | lost | duplicated | wrong | "
          "kills | resumed | drafts behind | clean errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for line in done.stdout.splitlines():
        m = FIGURES.match(line.strip().lstrip("."))
        if not m:
            continue
        f = ast.literal_eval(m.group(3))         # the dict the tests print
        name = m.group(1) + m.group(2)
        print(f"| {name} | {f['participants']} | {f['submitted']} | {f['stored']} | {f['lost']} | "
              f"{f['duplicated']} | {f['wrong']} | {f['kills']} | {f['resumed']} | "
              f"{f['drafts_behind']} | {f['errors']} |")
    summary = [x for x in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", x)]
    print(summary[-1] if summary else done.stdout[-2000:] + done.stderr[-2000:])
    if done.returncode != 0:
        print(done.stdout[-4000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
